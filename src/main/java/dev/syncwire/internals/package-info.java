/**
 * The one door to Vert.x and Netty internals: {@link dev.syncwire.internals.VertxInternals}. Every other
 * package reaches them only through it (a test checks), so an upgrade of Vert.x or Netty has one class to
 * read. Depends on nothing of ours.
 */
package dev.syncwire.internals;
