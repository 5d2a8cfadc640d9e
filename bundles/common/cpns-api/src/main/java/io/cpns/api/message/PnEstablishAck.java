package io.cpns.api.message;

/** A PNE's answer to {@link PnEstablishNotify}: whether hash_server verified (it authenticated the Server). */
public record PnEstablishAck(boolean serverAuthenticated) implements Message {
}
