package dev.whiskfeed.capture.wal;

import static dev.whiskfeed.capture.wal.WireBytes.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.whiskfeed.capture.wal.PgOutput.Begin;
import dev.whiskfeed.capture.wal.PgOutput.Column;
import dev.whiskfeed.capture.wal.PgOutput.Commit;
import dev.whiskfeed.capture.wal.PgOutput.Delete;
import dev.whiskfeed.capture.wal.PgOutput.Insert;
import dev.whiskfeed.capture.wal.PgOutput.Kind;
import dev.whiskfeed.capture.wal.PgOutput.LogicalMessage;
import dev.whiskfeed.capture.wal.PgOutput.Message;
import dev.whiskfeed.capture.wal.PgOutput.Origin;
import dev.whiskfeed.capture.wal.PgOutput.Relation;
import dev.whiskfeed.capture.wal.PgOutput.Truncate;
import dev.whiskfeed.capture.wal.PgOutput.Tuple;
import dev.whiskfeed.capture.wal.PgOutput.Type;
import dev.whiskfeed.capture.wal.PgOutput.Update;
import dev.whiskfeed.capture.wal.PgOutput.Value;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgOutputDecoderTest {
  private static final long LSN = 0x16_B374_D848L;
  private static final long MICROS = 789_004_800_123_456L; // 2025-01-01T00:00:00.123456Z

  private static Message decode(WireBytes message) {
    return PgOutputDecoder.decode(message.buffer());
  }

  private static Tuple tuple(Value... values) {
    return new Tuple(List.of(values));
  }

  @Test
  void begin() {
    Message m = decode(message('B').int64(LSN).int64(MICROS).int32(0xFFFF_FFFE));
    assertThat(m).isEqualTo(new Begin(LSN, MICROS, -2));
    assertThat(((Begin) m).commitTime()).hasToString("2025-01-01T00:00:00.123456Z");
    assertThat(Integer.toUnsignedLong(((Begin) m).xid())).isEqualTo(4_294_967_294L);
  }

  @Test
  void commit() {
    Message m = decode(message('C').int8(0).int64(LSN).int64(LSN + 48).int64(MICROS));
    assertThat(m).isEqualTo(new Commit(0, LSN, LSN + 48, MICROS));
  }

  @Test
  void origin() {
    assertThat(decode(message('O').int64(LSN).string("pg_16384")))
        .isEqualTo(new Origin(LSN, "pg_16384"));
  }

  @Test
  void relationWithSeveralColumns() {
    Message m = decode(message('R').int32(16_390).string("sales").string("orders").int8('d').int16(4)
        .int8(1).string("id").int32(20).int32(-1)
        .int8(0).string("note").int32(25).int32(-1)
        .int8(0).string("prix_€").int32(1700).int32(655_366)
        .int8(1).string("region").int32(1043).int32(36));
    assertThat(m).isEqualTo(new Relation(16_390, "sales", "orders", 'd', List.of(
        new Column(true, "id", 20, -1),
        new Column(false, "note", 25, -1),
        new Column(false, "prix_€", 1700, 655_366),
        new Column(true, "region", 1043, 36))));
  }

  @Test
  void relationInPgCatalogHasAnEmptySchemaAndFullIdentity() {
    Relation r = (Relation) decode(message('R').int32(1).string("").string("t").int8('f').int16(0));
    assertThat(r.schema()).isEmpty();
    assertThat(r.replicaIdentity()).isEqualTo('f');
    assertThat(r.columns()).isEmpty();
  }

  @Test
  void type() {
    assertThat(decode(message('Y').int32(16_400).string("public").string("mood")))
        .isEqualTo(new Type(16_400, "public", "mood"));
  }

  @Test
  void insertKeepsEmptyTextApartFromNullAndDecodesMultiByteUtf8() {
    Insert insert = (Insert) decode(message('I').int32(16_390).int8('N').tuple(5)
        .text("42").text("").nullValue().text("Grüße, 東京 🚀").binary(new byte[] {0, (byte) 0xFF}));
    assertThat(insert.relationOid()).isEqualTo(16_390);
    assertThat(insert.newTuple()).isEqualTo(tuple(Value.text("42"), Value.text(""), Value.NULL,
        Value.text("Grüße, 東京 🚀"), Value.binary(new byte[] {0, (byte) 0xFF})));
    assertThat(insert.newTuple().get(1).kind()).isEqualTo(Kind.TEXT);
    assertThat(insert.newTuple().get(1).text()).isEmpty();
    assertThat(insert.newTuple().get(2).isNull()).isTrue();
    assertThat(insert.newTuple().get(2).text()).isNull();
  }

  @Test
  void updateWithTheFullOldRowAndAnUnchangedToastValue() {
    Message m = decode(message('U').int32(7)
        .int8('O').tuple(3).text("1").text("old note").text("big old value")
        .int8('N').tuple(3).text("1").text("new note").unchangedToast());
    assertThat(m).isEqualTo(new Update(7,
        tuple(Value.text("1"), Value.text("old note"), Value.text("big old value")), false,
        tuple(Value.text("1"), Value.text("new note"), Value.UNCHANGED_TOAST)));
    assertThat(((Update) m).newTuple().get(2)).isSameAs(Value.UNCHANGED_TOAST);
  }

  @Test
  void updateWithAChangedKey() {
    Message m = decode(message('U').int32(7)
        .int8('K').tuple(2).text("1").nullValue()
        .int8('N').tuple(2).text("2").text("x"));
    assertThat(m).isEqualTo(new Update(7, tuple(Value.text("1"), Value.NULL), true,
        tuple(Value.text("2"), Value.text("x"))));
  }

  @Test
  void updateWithoutOldTuple() {
    assertThat(decode(message('U').int32(7).int8('N').tuple(1).text("x")))
        .isEqualTo(new Update(7, null, false, tuple(Value.text("x"))));
  }

  @Test
  void deleteWithTheKey() {
    assertThat(decode(message('D').int32(7).int8('K').tuple(2).text("1").nullValue()))
        .isEqualTo(new Delete(7, tuple(Value.text("1"), Value.NULL), true));
  }

  @Test
  void deleteWithTheFullOldRow() {
    assertThat(decode(message('D').int32(7).int8('O').tuple(2).text("1").text("n")))
        .isEqualTo(new Delete(7, tuple(Value.text("1"), Value.text("n")), false));
  }

  @Test
  void truncateOfTwoRelations() {
    Message m = decode(message('T').int32(2).int8(Truncate.CASCADE | Truncate.RESTART_IDENTITY)
        .int32(16_390).int32(0xFFFF_FF00));
    assertThat(m).isEqualTo(new Truncate(3, List.of(16_390, 0xFFFF_FF00)));
  }

  @Test
  void logicalMessages() {
    byte[] content = "{\"k\":\"ü\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(decode(message('M').int8(1).int64(LSN).string("whiskfeed").int32(content.length).raw(content)))
        .isEqualTo(new LogicalMessage(true, LSN, "whiskfeed", content.clone()));
    assertThat(decode(message('M').int8(0).int64(LSN).string("p").int32(0)))
        .isEqualTo(new LogicalMessage(false, LSN, "p", new byte[0]));
  }

  @Test
  void readsFromThePositionOfASliceAndLeavesTheBufferWhereItWas() {
    byte[] body = message('I').int32(9).int8('N').tuple(2).text("Grüße").binary(new byte[] {7}).bytes();
    Insert expected = new Insert(9, tuple(Value.text("Grüße"), Value.binary(new byte[] {7})));

    // As pgjdbc hands it: a slice of the CopyData array after the 25-byte XLogData header.
    byte[] copyData = new byte[25 + body.length];
    System.arraycopy(body, 0, copyData, 25, body.length);
    ByteBuffer slice = ByteBuffer.wrap(copyData).position(25).slice();
    assertThat(slice.arrayOffset()).isEqualTo(25);
    assertThat(PgOutputDecoder.decode(slice)).isEqualTo(expected);
    assertThat(slice.position()).isZero();

    // A position past 0 and a limit short of the array's end.
    byte[] padded = new byte[3 + body.length + 4];
    System.arraycopy(body, 0, padded, 3, body.length);
    ByteBuffer positioned = ByteBuffer.wrap(padded, 3, body.length);
    assertThat(PgOutputDecoder.decode(positioned)).isEqualTo(expected);
    assertThat(positioned.position()).isEqualTo(3);

    // No backing array to read strings from.
    ByteBuffer direct = ByteBuffer.allocateDirect(body.length).put(body).flip();
    assertThat(PgOutputDecoder.decode(direct)).isEqualTo(expected);
    assertThat(PgOutputDecoder.decode(ByteBuffer.wrap(body).asReadOnlyBuffer())).isEqualTo(expected);
  }

  @Test
  void unknownTypesAreRejectedByTheirByte() {
    assertThatThrownBy(() -> decode(message('S').int32(1).int8(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown pgoutput message type 'S' (0x53)");
    assertThatThrownBy(() -> decode(message(0x01)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown pgoutput message type 0x01");
    assertThatThrownBy(() -> PgOutputDecoder.decode(ByteBuffer.allocate(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("empty pgoutput message");
  }

  @Test
  void malformedMessagesAreRejectedNotMisread() {
    assertThatThrownBy(() -> decode(message('B').int64(LSN).int64(MICROS)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pgoutput message 'B' (0x42) ends early");
    // Bytes left over mean a layout this decoder does not know, such as a field a later version added.
    assertThatThrownBy(() -> decode(message('C').int8(0).int64(LSN).int64(LSN).int64(MICROS).int32(5)))
        .hasMessage("pgoutput message 'C' (0x43) has 4 bytes left over");
    assertThatThrownBy(() -> decode(message('O').int64(LSN).raw("no-nul".getBytes(StandardCharsets.UTF_8))))
        .hasMessage("pgoutput message 'O' (0x4F) ends early");
    assertThatThrownBy(() -> decode(message('I').int32(9).int8('N').tuple(1).int8('t').int32(1_000).int8('x')))
        .hasMessage("pgoutput message 'I' (0x49) ends early");
    assertThatThrownBy(() -> decode(message('I').int32(9).int8('N').tuple(1).int8('x')))
        .hasMessage("pgoutput column value: expected n, u, t or b, found 'x' (0x78)");
    assertThatThrownBy(() -> decode(message('U').int32(9).int8('X').tuple(0)))
        .hasMessage("pgoutput Update: expected K, O or N, found 'X' (0x58)");
    assertThatThrownBy(() -> decode(message('U').int32(9).int8('O').tuple(0).int8('K').tuple(0)))
        .hasMessage("pgoutput tuple: expected N, found 'K' (0x4B)");
    assertThatThrownBy(() -> decode(message('D').int32(9).int8('N').tuple(0)))
        .hasMessage("pgoutput Delete: expected K or O, found 'N' (0x4E)");
    assertThatThrownBy(() -> decode(message('T').int32(1_000_000).int8(0).int32(1)))
        .hasMessage("pgoutput Truncate names 1000000 relations in 4 bytes");
  }
}
