package io.cpns.api.gateway;

/** States of the PN GW's link to the CPNS Server. */
public enum LinkState {
    /** No EUKey yet: waiting for the CPNS User's ID and password (TS §5.3.1). */
    UNASSIGNED,
    /** Opening TCP + PSK-TLS to the Server. */
    CONNECTING,
    /** TLS is up; running the message-level mutual authentication (TS §5.3.3.1.1). */
    AUTHENTICATING,
    /** Both sides authenticated; protected messages flow. */
    AUTHENTICATED,
    /** The last attempt failed; waiting before the next one. */
    BACKOFF,
    /** The link component is stopped. */
    STOPPED
}
