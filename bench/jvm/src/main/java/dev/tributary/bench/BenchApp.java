package dev.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;

/**
 * Kafka Streams with one stream thread running one benchmark topology until SIGTERM. The topologies mirror
 * bench/lib/topologies.mjs (Tributary) operator for operator; see bench/README.md for what each case measures.
 *
 * <p>Arguments: --case=stateless|stateful|windowed|join --bootstrap=host:port --input=T --output=T [--table=T]
 * --app-id=ID --state-dir=DIR [--guarantee=at_least_once|exactly_once_v2].
 */
public final class BenchApp {
  /** Records below this amount are dropped by the stateless filter (must match bench/lib/records.mjs). */
  static final double MIN_AMOUNT = 5.0;

  private BenchApp() {}

  public static void main(String[] argv) throws InterruptedException {
    Map<String, String> args = parse(argv);
    String benchCase = required(args, "case");
    Topology topology = build(benchCase, required(args, "input"), required(args, "output"), args.get("table"));

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, required(args, "app-id"));
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, required(args, "bootstrap"));
    props.put(StreamsConfig.STATE_DIR_CONFIG, required(args, "state-dir"));
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, args.getOrDefault("guarantee", StreamsConfig.AT_LEAST_ONCE));
    // Tributary forwards every update (no record cache by default); the JVM does the same work with the cache off.
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

  static Topology build(String benchCase, String input, String output, String table) {
    Serde<String> str = Serdes.String();
    Serde<JsonNode> json = JsonSerde.serde();
    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, JsonNode> events = builder.stream(input, Consumed.with(str, json));
    switch (benchCase) {
      case "stateless" -> events
          .filter((key, value) -> value.get("amount").asDouble() >= MIN_AMOUNT)
          .mapValues(BenchApp::summarize)
          .to(output, Produced.with(str, json));
      case "stateful" -> events
          .groupBy((key, value) -> value.get("user").asText(), Grouped.with(str, json))
          .count(Materialized.as("counts"))
          .toStream()
          .to(output, Produced.with(str, Serdes.Long()));
      case "windowed" -> events
          .groupByKey(Grouped.with(str, json))
          .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMinutes(1)))
          .count(Materialized.as("window-counts"))
          .toStream()
          .map((windowed, count) -> KeyValue.pair(windowed.key() + "@" + windowed.window().start(), count))
          .to(output, Produced.with(str, Serdes.Long()));
      case "join" -> {
        if (table == null) throw new IllegalArgumentException("--table is required for the join case");
        KTable<String, JsonNode> users = builder.table(table, Consumed.with(str, json), Materialized.as("users"));
        events.leftJoin(users, BenchApp::enrich).to(output, Produced.with(str, json));
      }
      default -> throw new IllegalArgumentException("unknown case " + benchCase);
    }
    return builder.build();
  }

  static JsonNode summarize(JsonNode v) {
    ObjectNode out = JsonSerde.mapper().createObjectNode();
    out.set("id", v.get("id"));
    out.set("user", v.get("user"));
    out.put("amountCents", Math.round(v.get("amount").asDouble() * 100));
    out.put("country", v.get("country").asText().toLowerCase());
    out.set("ts", v.get("ts"));
    return out;
  }

  static JsonNode enrich(JsonNode event, JsonNode user) {
    ObjectNode out = JsonSerde.mapper().createObjectNode();
    out.set("id", event.get("id"));
    out.set("user", event.get("user"));
    out.set("amount", event.get("amount"));
    out.set("ts", event.get("ts"));
    if (user == null) {
      out.putNull("name");
      out.putNull("tier");
    } else {
      out.set("name", user.get("name"));
      out.set("tier", user.get("tier"));
    }
    return out;
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
