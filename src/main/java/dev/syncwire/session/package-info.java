/**
 * Sessions: one logged-in client on any transport. A {@link dev.syncwire.session.Session} runs the
 * protocol state machine, owns its subscriptions, limits and outbound buffer; an
 * {@link dev.syncwire.session.EventLoopHub} holds the sessions of one event loop and fans publications
 * out to them with one flush per socket per turn. Depends on protocol, channel, auth, config (its
 * records), internals and the broker seam; transports plug in through
 * {@link dev.syncwire.session.Transport}.
 */
package dev.syncwire.session;
