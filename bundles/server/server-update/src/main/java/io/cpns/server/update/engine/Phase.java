package io.cpns.server.update.engine;

import io.cpns.api.update.UpdateState;

/** Where one gateway of a rollout stands, as counted in {@link Figures}. */
public enum Phase {
    /** Its wave has not started. */
    WAITING,
    /** Its wave started; the offer is not yet acknowledged (offline, or in flight). */
    DUE,
    /** The offer was acknowledged; no status yet. */
    OFFERED,
    ACCEPTED, DOWNLOADING, DOWNLOADED, APPLYING, TRIAL,
    COMMITTED, ROLLED_BACK, REFUSED, FAILED, CANCELLED,
    /** Past its deadline without a final state: counted as failed. */
    TIMED_OUT;

    static Phase of(UpdateState s) {
        return valueOf(s.name());
    }
}
