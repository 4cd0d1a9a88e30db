package dev.syncwire.channel;

import java.util.Map;

/**
 * What became of a publish, decided once by the channel's log ({@link ChannelLog#publish}) wherever
 * its owner runs; the broker translates it for the client.
 */
public sealed interface PublishOutcome {

  /**
   * Accepted with the next seq. {@code patch} and {@code versions} (the new field versions) serve
   * conflation; they are null for data, and once the outcome has crossed the cluster, since the
   * publication's {@code patchJson} carries both.
   */
  record Accepted(Publication publication, Patch patch, Map<String, Long> versions) implements PublishOutcome {
  }

  /** The key was already accepted within the dedup window, as {@code seq}; nothing was applied. */
  record Duplicate(String epoch, long seq) implements PublishOutcome {
  }

  /**
   * The patch's {@code if} failed; {@code currentJson} gives the current version (and value) of each
   * field it named. Nothing was applied.
   */
  record Conflicted(String message, String currentJson) implements PublishOutcome {
  }

  /** The patch does not parse, is not valid, or would pass a state limit ({@code reason}); nothing was applied. */
  record Refused(PatchException.Kind reason, String message) implements PublishOutcome {
  }
}
