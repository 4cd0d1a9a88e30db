package dev.syncwire.client;

/**
 * A change of the client's state, or of its transport.
 *
 * @param state     {@code disconnected}, {@code connecting}, {@code connected} or {@code closed}
 * @param transport {@code websocket}, {@code sse}, {@code longpoll}, or {@code null} when not connected
 * @param reason    why, when there is a reason to give ({@code gave_up}, {@code closed_4003}, ...)
 */
public record StateEvent(String state, String transport, String reason) {}
