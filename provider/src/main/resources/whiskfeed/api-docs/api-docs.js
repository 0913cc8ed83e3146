// Swagger UI over the provider's own OpenAPI document. Kept in a file: the page's
// Content-Security-Policy allows no inline script.
window.addEventListener('DOMContentLoaded', () => {
  window.ui = SwaggerUIBundle({
    url: '/api-docs/openapi.yaml',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
