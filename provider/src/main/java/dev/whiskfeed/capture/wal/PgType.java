package dev.whiskfeed.capture.wal;

import java.util.List;
import java.util.Objects;

/**
 * How {@code to_jsonb} prints a value of one column type, given the type's text output: the
 * categories of Postgres' {@code json_categorize_type} (json.c), which is what trigger capture's
 * {@code to_jsonb(row)} applies. WAL capture receives each column as its text output (pgoutput,
 * text format) and must print the same JSON; {@link JsonText} does that from a {@code PgType}.
 *
 * <p>Domains never appear: like {@code json_categorize_type}, {@link PgTypes} resolves a domain to
 * its base type first.
 */
public sealed interface PgType permits PgType.Scalar, PgType.Array, PgType.Composite {

  PgType BOOL = Scalar.BOOL;
  PgType NUMBER = Scalar.NUMBER;
  PgType JSON = Scalar.JSON;
  PgType DATE = Scalar.DATE;
  PgType TIME = Scalar.TIME;
  PgType TIMETZ = Scalar.TIMETZ;
  PgType TIMESTAMP = Scalar.TIMESTAMP;
  PgType TIMESTAMPTZ = Scalar.TIMESTAMPTZ;
  PgType STRING = Scalar.STRING;

  /** A type printed from its own text alone. */
  enum Scalar implements PgType {
    /** bool: {@code t}/{@code f} print as {@code true}/{@code false}. */
    BOOL,
    /**
     * int2, int4, int8, numeric, float4, float8: the text itself when it is a valid JSON number,
     * else (NaN, Infinity, -Infinity) a JSON string.
     */
    NUMBER,
    /** json, jsonb: the text embedded as it is. */
    JSON,
    /** date: the ISO text is already what to_jsonb prints ({@code 0044-03-15 BC}, {@code infinity}). */
    DATE,
    /**
     * time: a string of the text. json_categorize_type does not single out time, so to_jsonb prints
     * time's own output, which does not depend on DateStyle.
     */
    TIME,
    /** timetz: as {@link #TIME}; the offset keeps its short form ({@code 06:00:00+02}). */
    TIMETZ,
    /** timestamp: the ISO text with {@code T} between date and time. */
    TIMESTAMP,
    /** timestamptz: as {@link #TIMESTAMP}, and an hours-only offset gains its minutes ({@code +00:00}). */
    TIMESTAMPTZ,
    /** Every other type (text, uuid, interval, bytea, enums, ranges, …): a JSON string of the text. */
    STRING
  }

  /**
   * An array of {@code element}, whose literal separates elements with {@code delimiter} (the
   * element type's {@code typdelim}: {@code ;} for box, {@code ,} for the rest). Prints nested JSON
   * arrays, one level per dimension; lower bounds are dropped, as to_jsonb drops them.
   */
  record Array(PgType element, char delimiter) implements PgType {
    public Array {
      Objects.requireNonNull(element, "element");
    }
  }

  /** A composite type's live (not dropped) attributes in attnum order; prints an object. */
  record Composite(List<Field> fields) implements PgType {
    public Composite {
      fields = List.copyOf(fields);
    }
  }

  /** One attribute of a composite type, or one column of a table. */
  record Field(String name, PgType type) {
    public Field {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
    }
  }
}
