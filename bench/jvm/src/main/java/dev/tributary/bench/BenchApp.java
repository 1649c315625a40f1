package dev.tributary.bench;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;

/**
 * Kafka Streams running one benchmark topology until SIGTERM. The topologies mirror bench/lib/topologies.mjs
 * (Tributary) operator for operator, for each record format ({@link Format}); see bench/README.md for what each case
 * measures.
 *
 * <p>Arguments: --case=stateless|count|windowed|join (stateful: count) --bootstrap=host:port --input=T --output=T
 * [--table=T] --app-id=ID --state-dir=DIR [--guarantee=at_least_once|exactly_once_v2] [--format=string|json|binary]
 * [--threads=N] (num.stream.threads, default 1) [--cache-bytes=N] (statestore.cache.max.bytes, default 0)
 * [--commit-interval-ms=N] (commit.interval.ms, default Kafka's). Prints {@code UNAVAILABLE <why>} and exits 3 when
 * the case does not exist for the format.
 */
public final class BenchApp {
  /** Records below this amount are dropped by the stateless filter (must match bench/lib/records.mjs). */
  static final double MIN_AMOUNT = 5.0;

  private BenchApp() {}

  public static void main(String[] argv) throws InterruptedException {
    Map<String, String> args = Launcher.parse(argv);
    String benchCase = Launcher.required(args, "case");
    Format<?, ?, ?, ?, ?> format = Format.named(args.getOrDefault("format", "json"));
    if (benchCase.equals("join") && format.userSerde() == null) {
      System.out.println("UNAVAILABLE join: the " + args.get("format") + " format has no join table");
      System.exit(3);
    }
    Topology topology = build(format, benchCase, Launcher.required(args, "input"), Launcher.required(args, "output"), args.get("table"));

    // The harness sets the same cache size on both sides: 0 forwards every update, 10 MiB is Kafka's default.
    Properties props = Launcher.properties(
        args, Integer.parseInt(args.getOrDefault("threads", "1")), Long.parseLong(args.getOrDefault("cache-bytes", "0")));
    if (args.containsKey("commit-interval-ms")) {
      props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.parseLong(args.get("commit-interval-ms")));
    }
    Launcher.runUntilStopped(topology, props);
  }

  static <K, E, S, U, R> Topology build(Format<K, E, S, U, R> f, String benchCase, String input, String output, String table) {
    StreamsBuilder builder = new StreamsBuilder();
    KStream<K, E> events = builder.stream(input, Consumed.with(f.keySerde(), f.eventSerde()));
    switch (benchCase) {
      case "stateless" -> events
          .filter((key, value) -> f.keep(value))
          .mapValues(f::summarize)
          .to(output, Produced.with(f.keySerde(), f.summarySerde()));
      case "count", "stateful" -> events
          .groupBy((key, value) -> f.userOf(value), Grouped.with(f.keySerde(), f.eventSerde()))
          .count(Materialized.as("counts"))
          .toStream()
          .to(output, Produced.with(f.keySerde(), Serdes.Long()));
      case "windowed" -> events
          .groupByKey(Grouped.with(f.keySerde(), f.eventSerde()))
          .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMinutes(1)))
          .count(Materialized.as("window-counts"))
          .toStream()
          .map((windowed, count) -> KeyValue.pair(windowed.key() + "@" + windowed.window().start(), count))
          .to(output, Produced.with(Serdes.String(), Serdes.Long()));
      case "join" -> {
        if (table == null) throw new IllegalArgumentException("--table is required for the join case");
        KTable<K, U> users = builder.table(table, Consumed.with(f.keySerde(), f.userSerde()), Materialized.as("users"));
        events.leftJoin(users, f::enrich).to(output, Produced.with(f.keySerde(), f.enrichedSerde()));
      }
      default -> throw new IllegalArgumentException("unknown case " + benchCase);
    }
    return builder.build();
  }
}
