package io.cpns.server.store;

import io.cpns.api.EntityId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Signed remote updates on the Server's side (issue 11, docs/updates.md §5; schema version 7):
 * published releases, gateway labels, rollouts with their waves and per-gateway progress, the
 * history of every {@code update.status}, and the last inventory of each gateway. States and
 * failures are stored by name ({@link io.cpns.api.update.UpdateState}, {@link io.cpns.api.update.UpdateFailure}).
 * Times are epoch milliseconds on the Server, except {@link StatusRow#gatewayAt()}.
 */
@ProviderType
public interface UpdateStore {
    /** One bundle of a published release, from its manifest. */
    record ReleaseFile(String file, String symbolicName, String version, long size, byte[] sha256, String updateClass,
                       int startLevel) {
    }

    /**
     * A published release: the signed bytes exactly as the operator's tool wrote them, and what the
     * Server read from them (for listings and for the artifact endpoint's list of files).
     */
    record ReleaseRow(long releaseSeq, String name, String product, String role, long expires, String keyId, long keysSeq,
                      byte[] manifest, byte[] manifestSignature, byte[] releaseKeys, byte[] releaseKeysSignature,
                      Instant publishedAt, List<ReleaseFile> files) {
        public ReleaseRow {
            files = List.copyOf(files);
        }

        public long totalBytes() {
            return files.stream().mapToLong(ReleaseFile::size).sum();
        }
    }

    /** @return false if a release with this sequence is already published (nothing changed) */
    boolean insertRelease(ReleaseRow release);

    Optional<ReleaseRow> release(long releaseSeq);

    /** Every published release, newest first. */
    List<ReleaseRow> releases();

    // ---- gateway labels (rollout targets) ----

    /** @return false if the gateway had the label already */
    boolean addLabel(EntityId gateway, String label);

    boolean removeLabel(EntityId gateway, String label);

    List<String> labels(EntityId gateway);

    List<EntityId> labelled(String label);

    // ---- rollouts ----

    /** A rollout's own row: what the operator asked for and where it stands. */
    record RolloutRow(String rolloutId, long releaseSeq, String target, String waves, int successPercent, int failurePercent,
                      long soakMillis, long deadlineMillis, String window, String state, String reason, Instant createdAt,
                      Instant updatedAt) {
    }

    /** One wave: how many gateways, and when it started, met its success threshold, and what a resume accepted. */
    record WaveRow(int wave, int size, Long startedAt, Long successAt, int failureBase, boolean accepted) {
    }

    /** One gateway of a rollout: its wave, when the offer was acknowledged, its latest state. */
    record MemberRow(String gatewayId, int wave, Long offeredAt, String state, String failure, Long stateAt, boolean timedOut) {
    }

    /** A rollout as stored. */
    record StoredRollout(RolloutRow rollout, List<WaveRow> waves, List<MemberRow> members) {
    }

    /**
     * Inserts a rollout with its waves and members in one transaction.
     *
     * @return false if the rollout ID is taken (nothing changed)
     * @throws io.cpns.api.CpnsException {@code INVALID_ARGUMENT} if the release is not published
     */
    boolean insertRollout(RolloutRow rollout, List<WaveRow> waves, List<MemberRow> members);

    /**
     * Writes what changed in one transaction: the rollout's row (if not null), these waves and
     * members (updated by key), and a status to the history (if not null; a repeat of the same
     * gateway, rollout and state is not an error).
     *
     * @return whether {@code status} was new (false also when it is null)
     */
    boolean updateRollout(String rolloutId, RolloutRow rollout, List<WaveRow> waves, List<MemberRow> members, StatusRow status);

    Optional<StoredRollout> rollout(String rolloutId);

    /** Every rollout's row, newest first. */
    List<RolloutRow> rollouts();

    /** IDs of rollouts in any of these states. */
    List<String> rolloutsIn(List<String> states);

    // ---- status history ----

    /**
     * One {@code update.status} as received: idempotent per (rollout, gateway, state).
     *
     * @param gatewayAt when the gateway entered the state (its clock, epoch ms)
     */
    record StatusRow(String rolloutId, String gatewayId, String state, long releaseSeq, String failure, String detail,
                     long gatewayAt, Instant receivedAt) {
    }

    /** A gateway's statuses for one rollout, in the order received. */
    List<StatusRow> statuses(String rolloutId, EntityId gateway);

    // ---- inventories ----

    record InventoryBundle(String symbolicName, String version, String state, int startLevel, boolean managed) {
    }

    /** The last inventory a gateway reported (or answered). */
    record InventoryRow(String gatewayId, long committedSeq, boolean ready, String rolloutId, String state, Instant reportedAt,
                        List<InventoryBundle> bundles) {
        public InventoryRow {
            bundles = List.copyOf(bundles);
        }
    }

    /** Replaces the gateway's inventory, atomically. */
    void putInventory(InventoryRow inventory);

    Optional<InventoryRow> inventory(EntityId gateway);
}
