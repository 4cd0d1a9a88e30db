/**
 * Starting a node: the launcher ({@link dev.syncwire.Syncwire}) reads and validates the configuration,
 * and {@link dev.syncwire.NodeVerticle} wires the services and deploys the verticles.
 */
package dev.syncwire;
