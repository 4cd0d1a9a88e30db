package dev.syncwire.broker;

import dev.syncwire.channel.ChannelSettings;
import dev.syncwire.channel.StateLimits;
import dev.syncwire.config.SyncwireConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TenantChannelSettingsTest {
  private static final Function<String, ChannelSettings> SETTINGS = TenantChannelSettings.from(SyncwireConfig.fromJson(
      new JsonObject("{\"history\":{\"size\":50,\"ttlMs\":60000,\"maxBytes\":3000},"
          + "\"dedup\":{\"windowMs\":1000,\"maxKeys\":20},"
          + "\"state\":{\"maxEntities\":30,\"maxFields\":4,\"maxValueBytes\":100},"
          + "\"limits\":{\"outboundBufferBytes\":8192},"
          + "\"tenants\":[{\"id\":\"own\",\"anonymous\":true,\"history\":{\"size\":5,\"ttlMs\":7,\"maxBytes\":9}},"
          + "{\"id\":\"some\",\"anonymous\":true,\"history\":{\"size\":6}},"
          + "{\"id\":\"plain\",\"anonymous\":true}]}")));
  private static final StateLimits STATE = new StateLimits(30, 4, 100);

  @Test
  void aTenantWithoutHistoryOfItsOwnGetsTheNodesSettings() {
    ChannelSettings node = new ChannelSettings(50, 60000, 1000, 20, STATE, 4096, 3000);
    assertEquals(node, SETTINGS.apply("plain"));
    assertEquals(node, SETTINGS.apply("unknown"));
  }

  @Test
  void aTenantsHistorySizeAgeAndBytesReplaceOnlyThose() {
    assertEquals(new ChannelSettings(5, 7, 1000, 20, STATE, 4096, 9), SETTINGS.apply("own"));
    assertEquals(new ChannelSettings(6, 60000, 1000, 20, STATE, 4096, 3000), SETTINGS.apply("some"));
  }
}
