package dev.whiskfeed.capture.wal;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.whiskfeed.capture.ChangesParams.Op;
import dev.whiskfeed.capture.FilterType;
import dev.whiskfeed.error.WhiskfeedException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one replication session's decoded pgoutput messages into events, with no I/O of its own:
 * it follows the transaction a change belongs to, the tables' shapes as the Relation messages
 * describe them, each feed's operations, columns and row filter, and collects the events of the
 * changes in the order they came, for the {@link SlotReader} to store.
 *
 * <p>An event's id comes from its transaction's commit position, its feed and the change's index
 * within the transaction, counted per table before any filter ({@link EventIds}): two feeds of one
 * table get different ids, and a transaction decoded again after a crash gives the same ones.
 */
final class ChangeAssembler {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeAssembler.class);

  /** The WAL feeds of a table (blocking). */
  interface Feeds {
    /** The feeds of the table, for a change whose transaction arrived at {@code txReceivedAt} (nano clock). */
    List<WalFeed> feedsOf(String schema, String table, long txReceivedAt) throws Exception;

    /** A feed changed: read them again before the next change (the lifecycle's mark in the WAL). */
    void invalidate();
  }

  /** How the source prints and compares its column types (blocking: may read its catalog). */
  interface Types {
    /** How {@code to_jsonb} prints a value of type {@code oid}; a {@link WhiskfeedException} when WAL capture cannot. */
    PgType resolve(int oid) throws Exception;

    /** How a row filter compares a value of type {@code oid}. */
    FilterType filterType(int oid) throws Exception;

    /** Types may have changed (a Relation message follows DDL): forget every answer. */
    void clear();
  }

  private final Feeds feeds;
  private final Types types;
  private final Map<Integer, Relation> relations = new HashMap<>();
  private final Map<Integer, Integer> counters = new HashMap<>();
  private final Map<Long, WalFilter> filters = new HashMap<>();
  private List<EventWriter.Event> events = new ArrayList<>();
  private boolean inTx;
  private long txLsn;
  private long txReceivedAt;
  private String txTime;
  private long lastCommitEnd;
  private Instant lastCommit;

  ChangeAssembler(Feeds feeds, Types types) {
    this.feeds = feeds;
    this.types = types;
  }

  /** Takes the next message of the stream, received at {@code receivedAt} (nano clock). */
  void accept(PgOutput.Message m, long receivedAt) throws Exception {
    if (m instanceof PgOutput.Begin b) {
      inTx = true;
      txLsn = b.finalLsn();
      txReceivedAt = receivedAt;
      txTime = b.commitTime().toString();
      counters.clear();
    } else if (m instanceof PgOutput.Commit c) {
      inTx = false;
      lastCommitEnd = c.endLsn();
      lastCommit = c.commitTime();
    } else if (m instanceof PgOutput.Relation r) {
      relations.put(r.oid(), relation(r));
    } else if (m instanceof PgOutput.Insert i) {
      change(i.relationOid(), Op.INSERT, null, ChangeEncoder.texts(i.newTuple(), null), true);
    } else if (m instanceof PgOutput.Update u) {
      // without REPLICA IDENTITY FULL (a partition) the old row is absent, or its key columns only
      String[] old = u.oldTuple() == null ? null : ChangeEncoder.texts(u.oldTuple(), null);
      String[] now = ChangeEncoder.texts(u.newTuple(), u.oldIsKeyOnly() ? null : old);
      change(u.relationOid(), Op.UPDATE, old, now, !u.oldIsKeyOnly());
    } else if (m instanceof PgOutput.Delete d) {
      change(d.relationOid(), Op.DELETE, ChangeEncoder.texts(d.oldTuple(), null), null, !d.oldIsKeyOnly());
    } else if (m instanceof PgOutput.Truncate t) {
      for (int oid : t.relationOids()) truncate(oid);
    } else if (m instanceof PgOutput.LogicalMessage lm && WalDdl.MESSAGE_PREFIX.equals(lm.prefix())) {
      feeds.invalidate(); // a feed changed: the changes after this mark see it
    }
    // Origin and Type messages carry nothing to capture
  }

  /** Whether a transaction has begun and not yet committed. */
  boolean inTransaction() {
    return inTx;
  }

  /** Where the last committed transaction ends in the log: the slot may be confirmed up to here once its events are stored. */
  long lastCommitEnd() {
    return lastCommitEnd;
  }

  /** Commit time of the last committed transaction, or null. */
  Instant lastCommit() {
    return lastCommit;
  }

  /** The events collected and not yet taken. */
  int pending() {
    return events.size();
  }

  /** The events collected so far, in order; the assembler forgets them. */
  List<EventWriter.Event> take() {
    List<EventWriter.Event> taken = events;
    events = new ArrayList<>();
    return taken;
  }

  private Relation relation(PgOutput.Relation r) throws Exception {
    types.clear(); // a Relation message follows DDL: a composite type may have changed too
    List<String> names = new ArrayList<>(r.columns().size());
    List<PgType> columnTypes = new ArrayList<>(r.columns().size());
    List<Integer> oids = new ArrayList<>(r.columns().size());
    for (PgOutput.Column c : r.columns()) {
      names.add(c.name());
      columnTypes.add(type(r, c));
      oids.add(c.typeOid());
    }
    return new Relation(r.oid(), r.schema(), r.name(), names, columnTypes, oids);
  }

  /**
   * A column type added after CREATE that WAL capture cannot print (a cast to json decides its
   * JSON) is printed as its text, never stopping the reader; the capture check disables the feed.
   */
  private PgType type(PgOutput.Relation r, PgOutput.Column c) throws Exception {
    try {
      return types.resolve(c.typeOid());
    } catch (WhiskfeedException e) {
      LOG.warn("{} {} {} {}", kv("event", "capture.column.unprintable"), kv("table", r.schema() + "." + r.name()),
          kv("column", c.name()), kv("error", e.getMessage()));
      return PgType.STRING;
    }
  }

  private void change(int relationOid, Op op, String[] old, String[] now, boolean oldIsWhole) throws Exception {
    Relation rel = relation(relationOid);
    int index = counters.merge(relationOid, 1, Integer::sum) - 1;
    for (WalFeed feed : feeds.feedsOf(rel.schema(), rel.name(), txReceivedAt)) {
      if (feed.where() != null && !filter(feed, rel).matches(op == Op.DELETE ? old : now)) continue;
      String payload = ChangeEncoder.encode(rel, feed, op, old, now, oldIsWhole);
      if (payload != null) add(feed, index, op.name(), payload);
    }
  }

  /** The feed's row filter bound to the relation's columns, bound again when either changed. */
  private WalFilter filter(WalFeed feed, Relation rel) throws Exception {
    WalFilter f = filters.get(feed.id());
    if (f == null || !f.boundTo(feed.where(), rel)) {
      f = WalFilter.bind(feed.where(), rel, i -> types.filterType(rel.typeOid(i)));
      if (!f.bound()) {
        LOG.warn("{} {} {}", kv("event", "capture.filter.unbound"), kv("feed", feed.id()),
            kv("table", rel.schema() + "." + rel.name()));
      }
      filters.put(feed.id(), f);
    }
    return f;
  }

  private void truncate(int relationOid) throws Exception {
    Relation rel = relation(relationOid);
    int index = counters.merge(relationOid, 1, Integer::sum) - 1;
    for (WalFeed feed : feeds.feedsOf(rel.schema(), rel.name(), txReceivedAt)) {
      String payload = ChangeEncoder.truncate(rel, feed);
      if (payload != null) add(feed, index, "TRUNCATE", payload);
    }
  }

  private Relation relation(int oid) {
    Relation rel = relations.get(oid);
    if (rel == null) throw new IllegalStateException("change of relation " + oid + " before its Relation message");
    return rel;
  }

  private void add(WalFeed feed, int index, String op, String payload) {
    events.add(new EventWriter.Event(EventIds.of(txLsn, feed.id(), index), feed.id(), op, payload, txTime));
  }
}
