package dev.whiskfeed.testing;

/** Quoting for the few statements that cannot take parameters (CREATE DATABASE, CREATE ROLE). */
final class SqlText {

  private SqlText() {}

  static String identifier(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
