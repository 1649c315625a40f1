package dev.tributary.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;

/**
 * The String workload of bench/lib/string-ab.mjs on Kafka Streams: small String records, so the per-record cost of
 * the client and the runtime dominates. One stream thread, record cache off, as BenchApp. The topologies mirror
 * buildStringTopology in bench/lib/string-app.mjs operator for operator.
 *
 * <p>Arguments: --case=stateless|stateful|windowed --bootstrap=host:port --input=T --output=T --app-id=ID
 * --state-dir=DIR [--guarantee=at_least_once|exactly_once_v2].
 */
public final class StringBenchApp {
  private StringBenchApp() {}

  public static void main(String[] argv) throws InterruptedException {
    Map<String, String> args = new HashMap<>();
    for (String a : argv) {
      int eq = a.indexOf('=');
      if (!a.startsWith("--") || eq < 0) throw new IllegalArgumentException("expected --name=value, got " + a);
      args.put(a.substring(2, eq), a.substring(eq + 1));
    }
    Topology topology = build(args.get("case"), args.get("input"), args.get("output"));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, args.get("app-id"));
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("bootstrap"));
    props.put(StreamsConfig.STATE_DIR_CONFIG, args.get("state-dir"));
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, args.getOrDefault("guarantee", StreamsConfig.AT_LEAST_ONCE));
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
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

  static Topology build(String benchCase, String input, String output) {
    Serde<String> str = Serdes.String();
    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, String> events = builder.stream(input, Consumed.with(str, str));
    switch (benchCase) {
      case "stateless" -> events
          .filter((key, value) -> value.charAt(value.length() - 1) != '7')
          .mapValues(value -> value.toUpperCase())
          .to(output, Produced.with(str, str));
      case "stateful" -> events
          .groupBy((key, value) -> value.substring(0, value.indexOf('|')), Grouped.with(str, str))
          .count(Materialized.as("counts"))
          .toStream()
          .to(output, Produced.with(str, Serdes.Long()));
      case "windowed" -> events
          .groupByKey(Grouped.with(str, str))
          .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMinutes(1)))
          .count(Materialized.as("window-counts"))
          .toStream()
          .map((windowed, count) -> KeyValue.pair(windowed.key() + "@" + windowed.window().start(), count))
          .to(output, Produced.with(str, Serdes.Long()));
      default -> throw new IllegalArgumentException("unknown case " + benchCase);
    }
    return builder.build();
  }
}
