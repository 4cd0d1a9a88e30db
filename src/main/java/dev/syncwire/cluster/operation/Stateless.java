package dev.syncwire.cluster.operation;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;

/** An operation that writes nothing of its own. */
abstract class Stateless<R> extends Identified implements EntryProcessor<String, ChannelEntry, R> {
  @Override
  public void writeData(ObjectDataOutput out) {
  }

  @Override
  public void readData(ObjectDataInput in) {
  }
}
