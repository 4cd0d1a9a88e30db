package dev.syncwire.client;

/** A position in a channel: what a subscription resumes after ({@code since}). */
public record Position(String epoch, long seq) {}
