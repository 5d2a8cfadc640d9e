package io.cpns.api.message;

import java.util.Objects;

/**
 * Server to PN GW on its session: install this release (docs/updates.md §3). The Server only
 * carries what the operator signed: {@code manifest} and {@code releaseKeys} are the exact signed
 * bytes. Answered with {@link Ack} once the offer is recorded, whatever its outcome; the outcome
 * (a refusal made at once included) and the progress follow as {@code update.status} requests (an
 * {@link UpdateStatus} is a request, so it cannot be the answer). A PN GW busy with another update
 * answers the error {@code BUSY} instead and records nothing: the Server offers it again later.
 *
 * @param rolloutId            the rollout this offer belongs to (echoed in every status)
 * @param manifest             canonical CBOR of a {@link io.cpns.api.update.ReleaseManifest}
 * @param manifestSignature    Ed25519 signature over {@code manifest} by the release key it names
 * @param releaseKeys          canonical CBOR of the {@link io.cpns.api.update.ReleaseKeys} in force
 * @param releaseKeysSignature Ed25519 signature over {@code releaseKeys} by the operator's root key
 * @param artifactUrl          HTTPS base URL; bundle {@code file} is fetched from {@code artifactUrl + file}
 * @param window               maintenance window in the gateway's local time, {@code "HH:MM-HH:MM"}, or null for any time
 */
public record UpdateOffer(String rolloutId, byte[] manifest, byte[] manifestSignature, byte[] releaseKeys,
        byte[] releaseKeysSignature, String artifactUrl, String window) implements Message {
    public UpdateOffer {
        Objects.requireNonNull(rolloutId, "rolloutId");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(manifestSignature, "manifestSignature");
        Objects.requireNonNull(releaseKeys, "releaseKeys");
        Objects.requireNonNull(releaseKeysSignature, "releaseKeysSignature");
        Objects.requireNonNull(artifactUrl, "artifactUrl");
    }
}
