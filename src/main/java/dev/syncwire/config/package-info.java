/**
 * Typed, immutable node configuration loaded from JSON, with a default for every key, overrides from
 * {@code -Dsyncwire.<key>} and {@code SYNCWIRE_<KEY>}, and validation that names the offending key.
 */
package dev.syncwire.config;
