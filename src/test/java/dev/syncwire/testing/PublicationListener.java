package dev.syncwire.testing;

/** Receives every publication frame a subscriber socket gets, on the load generator's event loop. */
public interface PublicationListener {
  void onPublication(int subscriber, String frame);
}
