package io.cpns.api.gateway;

import java.time.Instant;
import java.util.Objects;

/**
 * How a member PNE of a Service Group gets its Group Key from this PN GW, and how far it got: for
 * {@code gw:group} and the box's own UI.
 *
 * @param mode    how the key goes to it
 * @param epoch   the last Group Key epoch sent to it (unicast: acknowledged; broadcast: published)
 * @param status  how far that epoch got
 * @param failure why it failed ({@link Status#FAILED}), else null
 */
public record MemberDelivery(String pneId, Mode mode, long epoch, Status status, String failure, Instant at) {

    /** How a member gets its Group Key. */
    public enum Mode {
        /** MQTT, with the key tree. */
        BROADCAST,
        /** Pushed on its PNE link. */
        UNICAST,
        /** On its PNE link, when the member asks (a group delivered on request). */
        REQUEST;

        /** The name {@code gw:group} shows. */
        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** How far the last epoch sent got. */
    public enum Status {
        /** Acknowledged by the member (unicast) or its key tree answered (broadcast welcome). */
        DELIVERED,
        /** Published on the broker (broadcast). */
        PUBLISHED,
        /** Not connected: it gets the key when it is back. */
        PENDING,
        /** Not sent or not acknowledged: {@link MemberDelivery#failure()} says why. */
        FAILED;

        /** The name {@code gw:group} shows. */
        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public MemberDelivery {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(status, "status");
        if ((status == Status.FAILED) != (failure != null)) {
            throw new IllegalArgumentException("a failure reason goes with FAILED and only with it");
        }
    }

    /** A delivery that failed for {@code why}. */
    public static MemberDelivery failed(String pneId, Mode mode, long epoch, String why, Instant at) {
        return new MemberDelivery(pneId, mode, epoch, Status.FAILED, String.valueOf(why), at);
    }

    /** Whether the member has the epoch or it is out on the broker ({@code delivered} or {@code published}). */
    public boolean reached() {
        return status == Status.DELIVERED || status == Status.PUBLISHED;
    }

    /** The status as {@code gw:group} shows it: {@code delivered}, {@code published}, {@code pending} or {@code failed: <why>}. */
    public String statusText() {
        return status == Status.FAILED ? "failed: " + failure : status.wire();
    }
}
