package io.cpns.api.message;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A request a PN GW makes on behalf of one of its PNEs or of its user (seed 001 Key Assignment):
 * its refusal, even with a code that would end a session ({@code AUTH_FAILED}, {@code REPLAY},
 * {@code BAD_MAC}), concerns that party, so the PN GW's session to the Server stays up. Else any
 * PNE could cut its PN GW off by sending a wrong password.
 */
@ProviderType
public interface OnBehalf extends Message {
}
