package dev.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** UTF-8 JSON values as Jackson trees: the JVM counterpart of Tributary's Serdes.json(). */
final class JsonSerde {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonSerde() {}

  static ObjectMapper mapper() {
    return MAPPER;
  }

  static Serde<JsonNode> serde() {
    Serializer<JsonNode> serializer = (topic, data) -> {
      if (data == null) return null;
      try {
        return MAPPER.writeValueAsBytes(data);
      } catch (IOException e) {
        throw new SerializationException("cannot write JSON for " + topic, e);
      }
    };
    Deserializer<JsonNode> deserializer = (topic, bytes) -> {
      if (bytes == null) return null;
      try {
        return MAPPER.readTree(bytes);
      } catch (IOException e) {
        throw new SerializationException("malformed JSON in " + topic, e);
      }
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
