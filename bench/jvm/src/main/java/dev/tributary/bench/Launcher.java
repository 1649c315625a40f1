package dev.tributary.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * What {@link BenchApp} and {@link StringBenchApp} share: their {@code --name=value} arguments, the settings every
 * benchmark run gives Kafka Streams, and running until SIGTERM with the {@code STATE <name>} lines the harness waits on.
 */
final class Launcher {
  private Launcher() {}

  static Map<String, String> parse(String[] argv) {
    Map<String, String> out = new HashMap<>();
    for (String a : argv) {
      int eq = a.indexOf('=');
      if (!a.startsWith("--") || eq < 0) throw new IllegalArgumentException("expected --name=value, got " + a);
      out.put(a.substring(2, eq), a.substring(eq + 1));
    }
    return out;
  }

  static String required(Map<String, String> args, String name) {
    String v = args.get(name);
    if (v == null) throw new IllegalArgumentException("missing --" + name);
    return v;
  }

  /**
   * --app-id, --bootstrap, --state-dir and [--guarantee] (default at_least_once), plus the thread count and record
   * cache size the caller chose; a single-broker cluster (replication 1), reading input from its start.
   */
  static Properties properties(Map<String, String> args, int threads, long cacheBytes) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, required(args, "app-id"));
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, required(args, "bootstrap"));
    props.put(StreamsConfig.STATE_DIR_CONFIG, required(args, "state-dir"));
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, args.getOrDefault("guarantee", StreamsConfig.AT_LEAST_ONCE));
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, cacheBytes);
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    return props;
  }

  /** Prints each state change as {@code STATE <name>}; returns on ERROR, NOT_RUNNING or SIGTERM (after closing). */
  static void runUntilStopped(Topology topology, Properties props) throws InterruptedException {
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
}
