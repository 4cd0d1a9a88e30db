package dev.syncwire.channel;

import java.util.Map;

/** What became of a publish. */
public sealed interface PublishOutcome {

  /** Accepted with the next seq; {@code versions} are the new field versions of a patch (else null). */
  record Accepted(Publication publication, Patch patch, Map<String, Long> versions) implements PublishOutcome {
  }

  /** The key was already accepted within the dedup window, as {@code seq}; nothing was applied. */
  record Duplicate(String epoch, long seq) implements PublishOutcome {
  }

  /** The patch's {@code if} failed; nothing was applied. */
  record Conflicted(ChannelState.Conflict conflict) implements PublishOutcome {
  }
}
