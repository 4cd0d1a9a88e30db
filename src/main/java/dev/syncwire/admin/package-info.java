/**
 * Operating a node: liveness, readiness and info endpoints, and the admin API on its own port.
 * Plugs in around the session and broker packages; nothing depends on it.
 */
package dev.syncwire.admin;
