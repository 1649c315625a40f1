package dev.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** JSON values parsed to Jackson trees (as JSON.parse on the Node side) and string keys. */
final class JsonFormat implements Format<String, JsonNode, JsonNode, JsonNode, JsonNode> {
  private final Serde<String> str = Serdes.String();
  private final Serde<JsonNode> json = JsonSerde.serde();

  @Override public Serde<String> keySerde() { return str; }
  @Override public Serde<JsonNode> eventSerde() { return json; }
  @Override public Serde<JsonNode> summarySerde() { return json; }
  @Override public Serde<JsonNode> userSerde() { return json; }
  @Override public Serde<JsonNode> enrichedSerde() { return json; }

  @Override
  public boolean keep(JsonNode event) {
    return event.get("amount").asDouble() >= BenchApp.MIN_AMOUNT;
  }

  @Override
  public JsonNode summarize(JsonNode v) {
    ObjectNode out = JsonSerde.mapper().createObjectNode();
    out.set("id", v.get("id"));
    out.set("user", v.get("user"));
    out.put("amountCents", Math.round(v.get("amount").asDouble() * 100));
    out.put("country", v.get("country").asText().toLowerCase());
    out.set("ts", v.get("ts"));
    return out;
  }

  @Override
  public String userOf(JsonNode event) {
    return event.get("user").asText();
  }

  @Override
  public JsonNode enrich(JsonNode event, JsonNode user) {
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
}
