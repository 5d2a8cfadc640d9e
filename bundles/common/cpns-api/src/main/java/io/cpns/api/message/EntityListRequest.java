package io.cpns.api.message;

/** Asks the Server for the entities of the requester's own user (TS §5.3.4). */
public record EntityListRequest() implements Message {
}
