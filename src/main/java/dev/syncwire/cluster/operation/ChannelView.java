package dev.syncwire.cluster.operation;

import java.util.Map;

/**
 * One channel of a {@link ChannelGroup} as the entry a channel operation reads and sets: the operations
 * of one channel stay unaware of the group around it. Setting null forgets the channel.
 */
final class ChannelView implements Map.Entry<String, ChannelEntry> {
  private final String key;
  private final ChannelGroup group;
  private boolean changed;

  ChannelView(String key, ChannelGroup group) {
    this.key = key;
    this.group = group;
  }

  @Override
  public String getKey() {
    return key;
  }

  @Override
  public ChannelEntry getValue() {
    return group.channels.get(key);
  }

  @Override
  public ChannelEntry setValue(ChannelEntry value) {
    changed = true;
    return value == null ? group.channels.remove(key) : group.channels.put(key, value);
  }

  /** Whether the operation set the channel, so that the group's entry must be set too. */
  boolean changed() {
    return changed;
  }
}
