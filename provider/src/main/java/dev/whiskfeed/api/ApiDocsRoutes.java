package dev.whiskfeed.api;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * {@code GET /api-docs}: docs/openapi.yaml (copied into the jar by the build) at
 * {@code /api-docs/openapi.yaml}, shown by Swagger UI from its WebJar. Public: it is documentation.
 */
public final class ApiDocsRoutes {
  static final String ROOT = "whiskfeed/api-docs";
  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
  private static final String WEBJAR_POM = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
  /** Swagger UI sets style attributes and shows images as data: URLs; scripts stay this origin's files. */
  static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
      + "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
      + "frame-ancestors 'none'";

  public void mount(Router router) {
    router.get("/api-docs").handler(this::secure).handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/html; charset=utf-8").sendFile(ROOT + "/index.html"));
    router.get("/api-docs/openapi.yaml").handler(this::secure).handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/yaml; charset=utf-8").sendFile(ROOT + "/openapi.yaml"));
    router.get("/api-docs/swagger-ui/*").handler(this::secure)
        .handler(StaticHandler.create(WEBJAR + swaggerUiVersion()).setDirectoryListing(false));
    router.get("/api-docs/*").handler(this::secure)
        .handler(StaticHandler.create(ROOT).setCachingEnabled(false).setDirectoryListing(false));
  }

  private void secure(RoutingContext ctx) {
    StaticPages.secure(ctx, POLICY);
    ctx.next();
  }

  /** The WebJar's folder is named after its version; the jar's Maven metadata says which one it is. */
  static String swaggerUiVersion() {
    try (InputStream in = ApiDocsRoutes.class.getClassLoader().getResourceAsStream(WEBJAR_POM)) {
      if (in == null) throw new IllegalStateException(WEBJAR_POM + " is not on the class path");
      Properties pom = new Properties();
      pom.load(in);
      return pom.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
