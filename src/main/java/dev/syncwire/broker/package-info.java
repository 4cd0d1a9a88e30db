/**
 * Where publications meet subscribers. {@link dev.syncwire.broker.ChannelBroker} is the seam: it
 * sequences a publish at the channel's owner and hands each accepted publication once to every
 * {@link dev.syncwire.broker.PublicationSink} (one per event loop with subscribers). The single-node
 * implementation keeps owners on channel shards in this process; the cluster implements the same
 * interface across nodes.
 */
package dev.syncwire.broker;
