package io.cpns.api.gateway;

import io.cpns.api.message.Envelope;

/** A message from a PNE (already verified and decrypted if its link has a session) and the link it came on. */
public record PneMessage(Envelope envelope, PneLink link) {
}
