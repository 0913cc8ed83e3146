package dev.whiskfeed.capture.wal;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.config.DbUrl;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one source database's replication slot on a thread of its own (pgjdbc's replication
 * protocol, blocking I/O, never on an event loop) and stores every captured change as an event in
 * the control database.
 *
 * <p>Invariants:
 * <ul>
 *   <li>The slot is confirmed only up to the end of the last transaction whose events are all
 *       committed in the event store, so a crash replays what was not stored; a replayed change gets
 *       the id it had ({@link EventIds}) and is not stored twice.</li>
 *   <li>While the captured tables are quiet, the slot is confirmed up to what the server has sent,
 *       so it holds no WAL for the rest of the database.</li>
 *   <li>Exactly one instance consumes a slot: Postgres refuses a second consumer ("slot is active"),
 *       so every other instance stands by and tries again every {@code retry}; it takes over once
 *       the holder's connection is gone (its process died, or {@code wal_sender_timeout} passed).</li>
 *   <li>A missing or invalidated slot while feeds still read the source is reported as lost, never
 *       re-created silently (that would skip changes).</li>
 * </ul>
 */
public final class SlotReader {
  private static final Logger LOG = LoggerFactory.getLogger(SlotReader.class);

  public enum State { STARTING, HOLDING, STANDBY, LOST, STOPPED }

  /** What the reader asks of the provider. */
  public interface Host {
    /** False once the provider stops: a reader never outlives it (it would hold the slot). */
    boolean alive();

    /** The WAL-captured feeds reading this source, as stored now (blocking: the reader's thread waits). */
    List<WalFeed> feeds() throws Exception;

    /** {@code events} new events are committed in the control database. */
    void stored(int events);

    /** The slot is gone or unusable while feeds still read the source. */
    void lost(String message);
  }

  /** {@code source}: the source's store name, for logs and metrics. */
  public record Settings(String source, DbUrl sourceUrl, DbUrl controlUrl, Duration retry, int maxBatch,
                         String instanceId) {}

  private final Settings settings;
  private final Host host;
  private final FeedLookup feeds;
  private volatile boolean running;
  private volatile State state = State.STOPPED;
  private volatile String slot;
  private volatile long lagMillis;
  private volatile String lastProblem;
  private Thread thread;

  public SlotReader(Settings settings, Host host) {
    this.settings = settings;
    this.host = host;
    this.feeds = new FeedLookup(host::feeds, System::nanoTime);
  }

  public synchronized void start() {
    if (running) return;
    running = true;
    state = State.STARTING;
    thread = new Thread(this::run, "whiskfeed-wal-" + settings.source());
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops consuming and waits (bounded) until the slot is released. */
  public void stop() {
    running = false;
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (state != State.LOST) state = State.STOPPED;
  }

  /** Feeds changed: read them again before the next change. */
  public void refresh() {
    feeds.invalidate();
  }

  /** Reads the feeds again before the next change if they were read longer than {@code maxAge} ago. */
  public void refreshIfOlderThan(Duration maxAge) {
    feeds.expire(maxAge.toNanos());
  }

  public State state() {
    return state;
  }

  public String slot() {
    return slot;
  }

  /** How far the stored events trail the log: since the commit of the last stored transaction; 0 when caught up. */
  public double lagSeconds() {
    return state == State.HOLDING ? lagMillis / 1000.0 : 0;
  }

  public boolean running() {
    return running;
  }

  private void run() {
    while (running && host.alive()) {
      try {
        session();
      } catch (SlotGone e) {
        if (e.stillWanted) {
          state = State.LOST;
          LOG.error("{} {} {} {}", kv("event", "capture.slot.lost"), kv("store", settings.source()),
              kv("slot", slot), kv("reason", e.getMessage()));
          host.lost(e.getMessage());
        }
        running = false;
        break;
      } catch (SQLException e) {
        if (!running) break;
        if ("55006".equals(e.getSQLState())) {
          if (state != State.STANDBY) {
            LOG.info("{} {} {}", kv("event", "capture.slot.standby"), kv("store", settings.source()), kv("slot", slot));
          }
          state = State.STANDBY;
        } else {
          problem(e);
        }
      } catch (Exception e) {
        if (!running) break;
        problem(e);
      }
      if (running) LockSupport.parkNanos(settings.retry().toNanos());
    }
    if (state != State.LOST) state = State.STOPPED;
  }

  private void problem(Exception e) {
    state = State.STARTING;
    String message = String.valueOf(e.getMessage());
    if (!message.equals(lastProblem)) {
      LOG.warn("{} {} {}", kv("event", "capture.slot.retry"), kv("store", settings.source()), kv("error", message));
    }
    lastProblem = message;
  }

  private void session() throws Exception {
    try (Connection catalog = JdbcConnections.plain(settings.sourceUrl());
         Connection replication = JdbcConnections.replication(settings.sourceUrl(), settings.instanceId());
         EventWriter writer = new EventWriter(JdbcConnections.plain(settings.controlUrl()))) {
      slot = slotName(catalog);
      checkSlot(catalog);
      PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI()
          .replicationStream().logical()
          .withSlotName(slot)
          .withSlotOption("proto_version", 1)
          .withSlotOption("publication_names", WalDdl.PUBLICATION)
          .withSlotOption("messages", true)
          .withStatusInterval(1, TimeUnit.SECONDS)
          .start();
      state = State.HOLDING;
      lastProblem = null;
      LOG.info("{} {} {}", kv("event", "capture.slot.holding"), kv("store", settings.source()), kv("slot", slot));
      feeds.invalidate(); // a new session reads the feeds afresh
      new Consumer(stream, new PgTypes(catalog), writer).run();
    } catch (SQLException e) {
      if (!running) return;
      String state = e.getSQLState();
      if ("42704".equals(state)) throw gone("replication slot " + slot + " no longer exists");
      if ("55000".equals(state) && String.valueOf(e.getMessage()).contains("no longer get changes")) {
        throw gone("replication slot " + slot + " was invalidated: " + e.getMessage());
      }
      throw e;
    }
  }

  private SlotGone gone(String message) throws Exception {
    return new SlotGone(message, !host.feeds().isEmpty());
  }

  private static String slotName(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(WalDdl.SLOT_NAME); ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  private void checkSlot(Connection c) throws Exception {
    try (PreparedStatement s = c.prepareStatement(
        "SELECT wal_status FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
      s.setString(1, slot);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) throw gone("replication slot " + slot + " no longer exists");
        if ("lost".equals(rs.getString(1))) {
          throw gone("replication slot " + slot + " was invalidated: the WAL it needed was removed "
              + "(max_slot_wal_keep_size)");
        }
      }
    }
  }

  private static final class SlotGone extends Exception {
    final boolean stillWanted;

    SlotGone(String message, boolean stillWanted) {
      super(message);
      this.stillWanted = stillWanted;
    }
  }

  /** One session's reading loop: decode, assemble events, store them in batches, confirm. */
  private final class Consumer {
    private final PGReplicationStream stream;
    private final ChangeAssembler changes;
    private final EventWriter writer;
    private long confirmed;
    private long lastMessageAt = System.nanoTime();

    Consumer(PGReplicationStream stream, PgTypes types, EventWriter writer) {
      this.stream = stream;
      this.changes = new ChangeAssembler(feeds, types);
      this.writer = writer;
    }

    void run() throws Exception {
      while (running && host.alive()) {
        ByteBuffer buf = stream.readPending();
        long now = System.nanoTime();
        if (buf == null) {
          idle(now);
          continue;
        }
        lastMessageAt = now;
        changes.accept(PgOutputDecoder.decode(buf), now);
        if (changes.pending() >= settings.maxBatch()) flush();
      }
      stopping();
    }

    /**
     * A graceful stop stores what it decoded and tells the server how far that got at once, not at
     * the next status interval, then ends the stream (the server reads the status before the end of
     * the copy; a connection closed while the server still sends is reset before it reads it), so
     * whoever reads the slot next starts there instead of decoding, and storing again, what this
     * session stored.
     */
    private void stopping() throws Exception {
      flush();
      if (!changes.inTransaction()) confirm(Math.max(changes.lastCommitEnd(), stream.getLastReceiveLSN().asLong()));
      stream.forceUpdateStatus();
      stream.close();
    }

    private void idle(long now) throws Exception {
      if (changes.pending() > 0) flush();
      if (!changes.inTransaction()) {
        lagMillis = 0; // everything sent so far is stored
        // nothing of ours is pending: everything the server sent so far is done with, up to the WAL
        // end its keepalives report (changes of tables nobody captures, the shutdown checkpoint a
        // stopping server waits to see confirmed); pgjdbc reports it at the next status update or
        // keepalive reply
        confirm(Math.max(changes.lastCommitEnd(), stream.getLastReceiveLSN().asLong()));
        if (feeds.stale()) feeds.load();
      }
      // a short nap right after traffic, a longer one when idle: latency against wake-ups
      LockSupport.parkNanos(now - lastMessageAt < 1_000_000_000L ? 500_000L : 5_000_000L);
    }

    private void flush() throws SQLException {
      if (changes.pending() > 0) {
        int stored = writer.write(changes.take());
        Instant commit = changes.lastCommit();
        if (commit != null) lagMillis = Math.max(0, System.currentTimeMillis() - commit.toEpochMilli());
        if (stored > 0) host.stored(stored);
      }
      // a full batch ends mid-transaction (it fills at a change, before the Commit): the transactions
      // completed before that one are in this batch or earlier ones, so a backlog confirms as it goes
      confirm(changes.lastCommitEnd());
    }

    /** Confirms up to {@code lsn}; never moves back (pgjdbc's received position can: a Begin carries its first change's). */
    private void confirm(long lsn) {
      if (lsn <= confirmed) return;
      confirmed = lsn;
      LogSequenceNumber at = LogSequenceNumber.valueOf(lsn);
      stream.setFlushedLSN(at);
      stream.setAppliedLSN(at);
    }
  }
}
