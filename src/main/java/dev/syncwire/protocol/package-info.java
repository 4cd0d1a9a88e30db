/**
 * The wire protocol: command and server frame types, error and close codes, channel-name rules and the
 * JSON codec. Pure data and encoding; depends on nothing else in Syncwire and performs no I/O.
 */
package dev.syncwire.protocol;
