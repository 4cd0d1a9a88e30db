package dev.syncwire.cluster.operation;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.query.Predicate;

import java.io.IOException;
import java.util.Map;

/** Selects the entries of one tenant. */
public final class TenantKeys extends Identified implements Predicate<String, ChannelEntry> {
  private String prefix;

  TenantKeys() {
  }

  public TenantKeys(String tenant) {
    this.prefix = tenant + "/";
  }

  @Override
  public boolean apply(Map.Entry<String, ChannelEntry> entry) {
    return entry.getKey().startsWith(prefix);
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.TENANT_KEYS;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(prefix);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    prefix = in.readString();
  }
}
