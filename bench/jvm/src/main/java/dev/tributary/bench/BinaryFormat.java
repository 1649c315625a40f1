package dev.tributary.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Fixed-layout big-endian records decoded to Java records by a custom serde, and long keys (the user number). Event
 * (34 bytes): id i64, ts i64, user i64, amountCents i32, page i32, country 2 ASCII bytes. Summary (30 bytes): id, ts,
 * user, amountCents, country lower-cased. No join table.
 */
final class BinaryFormat implements Format<Long, BinaryFormat.Event, BinaryFormat.Summary, Void, Void> {
  record Event(long id, long ts, long user, int amountCents, int page, String country) {}

  record Summary(long id, long ts, long user, int amountCents, String country) {}

  private static final int MIN_CENTS = (int) (BenchApp.MIN_AMOUNT * 100);

  private final Serde<Event> events = Serdes.serdeFrom(
      (Serializer<Event>) (topic, e) -> {
        if (e == null) return null;
        ByteBuffer b = ByteBuffer.allocate(34);
        b.putLong(e.id()).putLong(e.ts()).putLong(e.user()).putInt(e.amountCents()).putInt(e.page());
        b.put(e.country().getBytes(StandardCharsets.ISO_8859_1), 0, 2);
        return b.array();
      },
      (Deserializer<Event>) (topic, bytes) -> {
        if (bytes == null) return null;
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new Event(b.getLong(), b.getLong(), b.getLong(), b.getInt(), b.getInt(), new String(bytes, 32, 2, StandardCharsets.ISO_8859_1));
      });

  private final Serde<Summary> summaries = Serdes.serdeFrom(
      (Serializer<Summary>) (topic, s) -> {
        if (s == null) return null;
        ByteBuffer b = ByteBuffer.allocate(30);
        b.putLong(s.id()).putLong(s.ts()).putLong(s.user()).putInt(s.amountCents());
        b.put(s.country().getBytes(StandardCharsets.ISO_8859_1), 0, 2);
        return b.array();
      },
      (Deserializer<Summary>) (topic, bytes) -> {
        throw new UnsupportedOperationException("binary summaries are only written");
      });

  @Override public Serde<Long> keySerde() { return Serdes.Long(); }
  @Override public Serde<Event> eventSerde() { return events; }
  @Override public Serde<Summary> summarySerde() { return summaries; }
  @Override public Serde<Void> userSerde() { return null; }
  @Override public Serde<Void> enrichedSerde() { return null; }

  @Override
  public boolean keep(Event event) {
    return event.amountCents() >= MIN_CENTS;
  }

  @Override
  public Summary summarize(Event e) {
    return new Summary(e.id(), e.ts(), e.user(), e.amountCents(), e.country().toLowerCase());
  }

  @Override
  public Long userOf(Event event) {
    return event.user();
  }

  @Override
  public Void enrich(Event event, Void user) {
    throw new UnsupportedOperationException("the binary format has no join table");
  }
}
