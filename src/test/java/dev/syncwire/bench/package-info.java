/**
 * The benchmark: a load generator that runs the same workloads (fan-out, idle connections, connection
 * storm) against a Syncwire node and against {@link dev.syncwire.bench.RawBroadcastServer}, the bare Vert.x
 * floor, and prints both side by side with their ratio. One client, one thin adapter per target, so
 * the client's own cost is the same for both. {@link dev.syncwire.bench.GatewayBench} runs the workloads of
 * Syncwire alone on nodes it starts; {@link dev.syncwire.bench.CodecBench} and
 * {@link dev.syncwire.bench.HistoryMemoryBench} are JMH micro-benchmarks. Nodes and client sockets come from
 * the test kit ({@code dev.syncwire.testing}). Compiled with the tests, packaged alone by {@code mvn package
 * -Pbench} into target/syncwire-bench.jar, never into the server's jar.
 */
package dev.syncwire.bench;
