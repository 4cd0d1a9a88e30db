package dev.syncwire.channel;

/** Bounds on one channel's state; a patch that would pass one is refused as too large. */
public record StateLimits(int maxEntities, int maxFields, int maxValueBytes) implements java.io.Serializable {
}
