package dev.whiskfeed.capture;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Quoting for the DDL that capture generates, with Postgres's own rules (as {@code format('%I')}
 * and {@code format('%L')}). Only names read back from the catalog reach it; a request's text never
 * does.
 */
public final class Sql {
  private Sql() {}

  /** An identifier, always in double quotes: {@code my "t"} becomes {@code "my ""t"""}. */
  public static String identifier(String name) {
    if (name.indexOf('\0') >= 0) throw new IllegalArgumentException("NUL in an identifier");
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** {@code "schema"."table"}. */
  public static String qualified(String schema, String name) {
    return identifier(schema) + "." + identifier(name);
  }

  /**
   * A string literal that means the same whatever {@code standard_conforming_strings} says: an
   * escape string with quotes and backslashes doubled.
   */
  public static String literal(String value) {
    if (value.indexOf('\0') >= 0) throw new IllegalArgumentException("NUL in a literal");
    return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  /** {@code ARRAY[E'a', E'b']::text[]}. */
  public static String textArray(List<String> values) {
    return values.stream().map(Sql::literal).collect(Collectors.joining(", ", "ARRAY[", "]::text[]"));
  }

  /** A name for people: as is when SQL needs no quotes for it, else quoted. */
  public static String displayIdentifier(String name) {
    return name.matches("[a-z_][a-z0-9_$]*") ? name : identifier(name);
  }
}
