package io.cpns.api.message;

/**
 * PN GW to Server, after its link is authenticated: the Service Groups with members in its PNs,
 * to catch up on what changed while it was away (TS §5.3.2; answered with {@link GroupSync}).
 */
public record GroupSyncRequest() implements Message {
}
