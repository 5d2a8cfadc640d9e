package io.cpns.api.message;

/** A request was carried out; nothing else to say. */
public record Ack() implements Message {
}
