package dev.syncwire.channel;

import java.util.List;

/**
 * Where a new subscription starts (docs/protocol.md §6.3): the channel's epoch and last seq, with the
 * publications after the subscriber's {@link Since} when {@code recovered}, else with a snapshot of the
 * channel's state (null for a channel without state).
 */
public record Position(String epoch, long seq, boolean recovered, List<Publication> pubs, String snapshotJson) {
}
