/**
 * The benchmark: a load generator that runs the same workloads (fan-out, idle connections, connection
 * storm) against a Syncwire node and against {@link dev.syncwire.bench.RawBroadcastServer}, the bare Vert.x
 * floor, and prints both side by side with their ratio. One client, one thin adapter per target, so
 * the client's own cost is the same for both.
 */
package dev.syncwire.bench;
