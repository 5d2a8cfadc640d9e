package io.cpns.update.journal;

/** Where the update in progress stands, as the journal records it (docs/updates.md §4.3). */
public enum Phase {
    /** Nothing in progress: the committed set runs. */
    IDLE,
    /** The new set is being installed, or the framework restarting into it. */
    APPLYING,
    /** The new set runs; the trial checks are being made. */
    TRIAL,
    /** A check failed: the previous set is being restored. */
    ROLLING_BACK,
    /** Committed; the agent has yet to record the status for the Server. */
    COMMITTED,
    /** Restored (by the agent, or by the launcher's boot guard); the agent has yet to record the status. */
    ROLLED_BACK;

    /** Whether the new set may be (partly) installed: the launcher counts a boot in these phases. */
    public boolean tryingNewSet() {
        return this == APPLYING || this == TRIAL;
    }
}
