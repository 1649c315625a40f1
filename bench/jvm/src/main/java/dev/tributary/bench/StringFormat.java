package dev.tributary.bench;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** UTF-8 CSV values {@code id,user,page,amount,country,ts,agent,pad} and string keys, read by splitting the line. */
final class StringFormat implements Format<String, String, String, String, String> {
  private final Serde<String> str = Serdes.String();

  @Override public Serde<String> keySerde() { return str; }
  @Override public Serde<String> eventSerde() { return str; }
  @Override public Serde<String> summarySerde() { return str; }
  @Override public Serde<String> userSerde() { return str; }
  @Override public Serde<String> enrichedSerde() { return str; }

  @Override
  public boolean keep(String event) {
    return Double.parseDouble(event.split(",")[3]) >= BenchApp.MIN_AMOUNT;
  }

  @Override
  public String summarize(String event) {
    String[] f = event.split(",");
    return f[0] + "," + f[1] + "," + Math.round(Double.parseDouble(f[3]) * 100) + "," + f[4].toLowerCase() + "," + f[5];
  }

  @Override
  public String userOf(String event) {
    int first = event.indexOf(',');
    return event.substring(first + 1, event.indexOf(',', first + 1));
  }

  @Override
  public String enrich(String event, String user) {
    String[] f = event.split(",");
    String[] p = user == null ? new String[] {"", ""} : user.split(",");
    return f[0] + "," + f[1] + "," + f[3] + "," + f[5] + "," + p[0] + "," + p[1];
  }
}
