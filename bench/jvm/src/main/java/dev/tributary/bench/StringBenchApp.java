package dev.tributary.bench;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
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
    Map<String, String> args = Launcher.parse(argv);
    Topology topology = build(Launcher.required(args, "case"), Launcher.required(args, "input"), Launcher.required(args, "output"));
    Launcher.runUntilStopped(topology, Launcher.properties(args, 1, 0L));
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
