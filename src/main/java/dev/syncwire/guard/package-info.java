/** What keeps a node alive under pressure it did not choose: the memory guard. */
package dev.syncwire.guard;
