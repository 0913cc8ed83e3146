package dev.whiskfeed.it;

import dev.whiskfeed.testing.RepoFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** docs/openapi.yaml, read as plain maps: its operations, their responses, and schema checks against it. */
final class OpenApiDocument {
  static final String FILE = "docs/openapi.yaml";
  static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  /** One documented operation. {@code security} is the list of scheme names it accepts; empty for public ones. */
  record Operation(String method, String path, String tag, List<String> security, Map<String, Object> spec) {
    @Override
    public String toString() {
      return method + " " + path;
    }

    boolean hasBody() {
      return spec.containsKey("requestBody");
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> responses() {
      return (Map<String, Object>) spec.get("responses");
    }

    /** Path parameter names, in the order they appear in the path. */
    List<String> pathParameters() {
      List<String> names = new ArrayList<>();
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(path);
      while (m.find()) names.add(m.group(1));
      return names;
    }
  }

  private final Map<String, Object> root;
  private final SchemaCheck check;

  private OpenApiDocument(Map<String, Object> root) {
    this.root = root;
    this.check = new SchemaCheck(this::ref);
  }

  static OpenApiDocument load() {
    return parse(RepoFiles.read(FILE));
  }

  static OpenApiDocument parse(String yaml) {
    Map<String, Object> root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    return new OpenApiDocument(root);
  }

  Map<String, Object> root() {
    return root;
  }

  @SuppressWarnings("unchecked")
  List<Operation> operations() {
    List<Operation> out = new ArrayList<>();
    Map<String, Object> paths = (Map<String, Object>) root.get("paths");
    paths.forEach((path, item) -> ((Map<String, Object>) item).forEach((key, value) -> {
      if (!METHODS.contains(key)) return;
      Map<String, Object> op = (Map<String, Object>) value;
      List<Object> tags = (List<Object>) op.getOrDefault("tags", List.of());
      List<String> security = new ArrayList<>();
      List<Object> requirements = (List<Object>) op.get("security");
      if (requirements != null) {
        requirements.forEach(r -> security.addAll(((Map<String, Object>) r).keySet()));
      }
      out.add(new Operation(key.toUpperCase(Locale.ROOT), path, tags.size() == 1 ? (String) tags.get(0) : null,
          requirements == null ? null : security, op));
    }));
    return out;
  }

  /** Follows {@code $ref}s until a plain object. */
  @SuppressWarnings("unchecked")
  Map<String, Object> resolve(Object node) {
    Map<String, Object> map = (Map<String, Object>) node;
    while (map != null && map.containsKey("$ref") && map.size() == 1) map = ref((String) map.get("$ref"));
    return map;
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> ref(String ref) {
    if (!ref.startsWith("#/")) throw new IllegalArgumentException("only local $refs are supported: " + ref);
    Object node = root;
    for (String part : ref.substring(2).split("/")) {
      node = ((Map<String, Object>) node).get(part.replace("~1", "/").replace("~0", "~"));
      if (node == null) throw new IllegalArgumentException("dangling $ref " + ref);
    }
    return (Map<String, Object>) node;
  }

  Map<String, Object> schema(String name) {
    return ref("#/components/schemas/" + name);
  }

  /** The documented response of {@code op} for {@code status}, or null when the status is not documented. */
  Map<String, Object> response(Operation op, int status) {
    Object response = op.responses().get(Integer.toString(status));
    if (response == null) response = op.responses().get((status / 100) + "XX");
    return response == null ? null : resolve(response);
  }

  /** The media types documented for a response, each with its schema (possibly null). */
  @SuppressWarnings("unchecked")
  Map<String, Object> content(Map<String, Object> response) {
    return (Map<String, Object>) response.getOrDefault("content", Map.of());
  }

  List<String> problems(Map<String, Object> schema, Object value) {
    return check.problems(schema, value);
  }

  /** Every {@code example} beside a {@code schema} (media types) and inside one (schemas), with that schema. */
  @SuppressWarnings("unchecked")
  void forEachExample(BiConsumer<String, Map.Entry<Map<String, Object>, Object>> consumer) {
    walk(root, "#", (where, node) -> {
      if (node.containsKey("example") && node.get("schema") instanceof Map<?, ?> schema) {
        consumer.accept(where, Map.entry((Map<String, Object>) schema, node.get("example")));
      }
      if (where.contains("/schemas/") && node.containsKey("example") && !node.containsKey("schema")
          && !node.containsKey("in")) {
        consumer.accept(where, Map.entry(node, node.get("example")));
      }
    });
  }

  @SuppressWarnings("unchecked")
  private static void walk(Object node, String where, BiConsumer<String, Map<String, Object>> visit) {
    if (node instanceof Map<?, ?> map) {
      visit.accept(where, (Map<String, Object>) map);
      map.forEach((k, v) -> {
        if (!"example".equals(k)) walk(v, where + "/" + k, visit);
      });
    } else if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) walk(list.get(i), where + "/" + i, visit);
    }
  }
}
