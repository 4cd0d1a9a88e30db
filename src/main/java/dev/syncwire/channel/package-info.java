/**
 * The channel log as pure logic: sequencing within an epoch, and (as it grows) history, the dedup
 * window, entity state and conflation. No I/O and no threads: the owner of a channel calls it from a
 * single event loop.
 */
package dev.syncwire.channel;
