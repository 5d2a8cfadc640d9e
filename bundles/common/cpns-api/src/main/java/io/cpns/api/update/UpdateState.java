package io.cpns.api.update;

/**
 * Where one offered release stands on one gateway (after TR-369's software-module states and
 * hawkBit's DDI feedback). The gateway reports each change in {@code update.status}; the terminal
 * ones are persisted and sent again after a reconnect until the Server acknowledges them.
 */
public enum UpdateState {
    /** Offer received and verified; waiting for its maintenance window or its turn. */
    ACCEPTED(false),
    DOWNLOADING(false),
    /** Every bundle downloaded and checked (size, SHA-256). */
    DOWNLOADED(false),
    /** The journal is written and the bundles are being installed (or the framework restarting). */
    APPLYING(false),
    /** Installed; the trial checks run (docs/updates.md §4). */
    TRIAL(false),
    /** Trial passed, the release's sequence is now the highest committed. */
    COMMITTED(true),
    /** Trial or apply failed; the previous set is running again and the release is marked bad. */
    ROLLED_BACK(true),
    /** Refused before touching the framework ({@link UpdateFailure} says why). */
    REFUSED(true),
    /** Could not be carried out (download retries exhausted, no space), framework untouched. */
    FAILED(true),
    /** Cancelled by the Server before it was applied. */
    CANCELLED(true);

    private final boolean terminal;

    UpdateState(boolean terminal) {
        this.terminal = terminal;
    }

    public boolean terminal() {
        return terminal;
    }
}
