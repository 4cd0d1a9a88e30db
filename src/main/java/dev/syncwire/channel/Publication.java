package dev.syncwire.channel;

/**
 * One accepted publication: its position in the channel's log and its payload, kept as encoded JSON so
 * that it is encoded once and shared by every subscriber. Exactly one of {@code dataJson} and
 * {@code patchJson} is set.
 */
public record Publication(String epoch, long seq, String key, String dataJson, String patchJson)
    implements java.io.Serializable {
}
