package dev.tributary.bench;

import org.apache.kafka.common.serialization.Serde;

/**
 * One wire format of the benchmark's records (bench/lib/formats.mjs is the Node side; change both together): the
 * serdes and field functions the topologies of {@link BenchApp} need, so each case is written once for every format.
 *
 * @param <K> key type (the user: {@code u123} or its number)
 * @param <E> event value type
 * @param <S> summary value type (the stateless case's output)
 * @param <U> user profile type (the join's table), or Void when the format has no join table
 * @param <R> enriched value type (the join's output)
 */
interface Format<K, E, S, U, R> {
  Serde<K> keySerde();

  Serde<E> eventSerde();

  Serde<S> summarySerde();

  /** Null when the format has no join table. */
  Serde<U> userSerde();

  Serde<R> enrichedSerde();

  /** The stateless filter: the event's amount is at least {@link BenchApp#MIN_AMOUNT}. */
  boolean keep(E event);

  S summarize(E event);

  /** The count's grouping key. */
  K userOf(E event);

  R enrich(E event, U user);

  static Format<?, ?, ?, ?, ?> named(String name) {
    return switch (name) {
      case "string" -> new StringFormat();
      case "json" -> new JsonFormat();
      case "binary" -> new BinaryFormat();
      default -> throw new IllegalArgumentException("unknown format " + name + " (string, json or binary)");
    };
  }
}
