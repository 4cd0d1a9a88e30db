/**
 * The test kit, shared by the tests and the benchmark ({@code dev.syncwire.bench}): nodes in this JVM
 * ({@link dev.syncwire.testing.TestNode}) or in their own, started from the jar
 * ({@link dev.syncwire.testing.NodeProcess}, several as a {@link dev.syncwire.testing.NodeGroup}), HAProxy in
 * front of them, free ports, and two clients: {@link dev.syncwire.testing.WsClient} for a test that waits for
 * frames and asserts on them, {@link dev.syncwire.testing.LoadSocket} for a load generator that drives
 * thousands of sockets on one event loop. Depends on the server's packages. What the benchmark uses must not
 * need JUnit, which the benchmark's jar leaves out.
 */
package dev.syncwire.testing;
