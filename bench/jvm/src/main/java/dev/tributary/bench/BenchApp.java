package dev.tributary.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
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
    Map<String, String> args = parse(argv);
    String benchCase = required(args, "case");
    Format<?, ?, ?, ?, ?> format = Format.named(args.getOrDefault("format", "json"));
    if (benchCase.equals("join") && format.userSerde() == null) {
      System.out.println("UNAVAILABLE join: the " + args.get("format") + " format has no join table");
      System.exit(3);
    }
    Topology topology = build(format, benchCase, required(args, "input"), required(args, "output"), args.get("table"));

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, required(args, "app-id"));
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, required(args, "bootstrap"));
    props.put(StreamsConfig.STATE_DIR_CONFIG, required(args, "state-dir"));
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.parseInt(args.getOrDefault("threads", "1")));
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, args.getOrDefault("guarantee", StreamsConfig.AT_LEAST_ONCE));
    // The harness sets the same cache size on both sides: 0 forwards every update, 10 MiB is Kafka's default.
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.parseLong(args.getOrDefault("cache-bytes", "0")));
    if (args.containsKey("commit-interval-ms")) {
      props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.parseLong(args.get("commit-interval-ms")));
    }
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");

    KafkaStreams streams = new KafkaStreams(topology, props);
    CountDownLatch done = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      System.out.println("STATE " + now);
      System.out.flush();
      if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) done.countDown();
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close(Duration.ofSeconds(20));
      done.countDown();
    }));
    streams.start();
    done.await();
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

  private static Map<String, String> parse(String[] argv) {
    Map<String, String> out = new HashMap<>();
    for (String a : argv) {
      if (!a.startsWith("--") || !a.contains("=")) throw new IllegalArgumentException("expected --name=value, got " + a);
      int eq = a.indexOf('=');
      out.put(a.substring(2, eq), a.substring(eq + 1));
    }
    return out;
  }

  private static String required(Map<String, String> args, String name) {
    String v = args.get(name);
    if (v == null) throw new IllegalArgumentException("missing --" + name);
    return v;
  }
}
