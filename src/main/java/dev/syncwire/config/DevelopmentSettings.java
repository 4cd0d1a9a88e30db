package dev.syncwire.config;

import io.netty.util.NetUtil;

import java.util.ArrayList;
import java.util.List;

/**
 * Settings that make a first start easy and have no place in production: the shipped
 * {@code conf/node.json} uses all of them. The node logs one warning for each that is in force.
 */
public final class DevelopmentSettings {
  /** The admin key of the shipped {@code conf/node.json}: public, so anyone may use an admin API with it. */
  public static final String EXAMPLE_ADMIN_KEY = "dev-admin-key-change-me";

  private DevelopmentSettings() {
  }

  /** One line for each development setting in {@code config}, in the order of the keys. */
  public static List<String> inForce(SyncwireConfig config) {
    List<String> warnings = new ArrayList<>();
    if (listensEverywhere(config.http().host())) {
      String key = SyncwireConfig.HTTP_HOST.path();
      warnings.add("development setting: the client port listens on all interfaces (" + key + " " + config.http().host()
          + "); set " + key + " to the interface clients or the load balancer reach");
    }
    if (EXAMPLE_ADMIN_KEY.equals(config.admin().key())) {
      warnings.add("development setting: " + SyncwireConfig.ADMIN_KEY.path() + " is the published example key; anyone"
          + " who can reach the admin port can use the admin API: set a secret of your own");
    }
    for (TenantConfig tenant : config.tenants()) {
      if (tenant.anonymous() && tenant.clientPublish()) {
        warnings.add("development setting: tenant '" + tenant.id() + "' lets anonymous clients publish"
            + " (anonymous and clientPublish both true); give it keys, or turn one of them off");
      }
    }
    return warnings;
  }

  // 0.0.0.0 and :: (in any spelling) bind every interface.
  private static boolean listensEverywhere(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    byte[] address = NetUtil.createByteArrayFromIpAddressString(h);
    if (address == null) {
      return false;
    }
    for (byte b : address) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}
