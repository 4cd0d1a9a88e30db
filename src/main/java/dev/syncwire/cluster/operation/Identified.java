package dev.syncwire.cluster.operation;

import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

/** A Hazelcast type of this package; subclasses give their id ({@link ClusterSerialization}). */
abstract class Identified implements IdentifiedDataSerializable {
  @Override
  public int getFactoryId() {
    return ClusterSerialization.FACTORY_ID;
  }
}
