package dev.syncwire.bench;

/** Receives every publication frame a subscriber socket gets, on the load generator's event loop. */
interface PublicationListener {
  void onPublication(int subscriber, String frame);
}
