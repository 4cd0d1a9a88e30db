/**
 * Typed, immutable node configuration loaded from JSON, with a default for every key, overrides from
 * {@code -Dsyncwire.<key>} and {@code SYNCWIRE_<KEY>}, and validation that names the offending key.
 * {@link dev.syncwire.config.SyncwireConfig} holds the one table of keys; it reads them into one small
 * record per component ({@link dev.syncwire.config.HttpConfig}, {@link dev.syncwire.config.LimitsConfig},
 * ...), and those records are what the other packages receive. Depends on nothing of ours.
 */
package dev.syncwire.config;
