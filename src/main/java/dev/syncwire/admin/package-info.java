/**
 * Operating a node: liveness, readiness and info endpoints, and the admin API on its own port. Also what
 * both HTTP ports share (those endpoints, reading JSON bodies, answering client mistakes), which the
 * transports use. Plugs in around the session and broker packages.
 */
package dev.syncwire.admin;
