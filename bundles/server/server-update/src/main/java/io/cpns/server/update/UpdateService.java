package io.cpns.server.update;

import io.cpns.api.message.GatewayInventory;
import io.cpns.server.store.UpdateStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Releases and rollouts on the Server (docs/updates.md §5). Operator calls; every failure is a
 * {@link io.cpns.api.CpnsException} whose message says what to do ({@code INVALID_ARGUMENT} for
 * bad input, {@code UNKNOWN_ENTITY} for an unknown rollout, release or gateway). Methods may block
 * on the database; call them from a shell or worker thread, not from a session's read loop.
 */
@ProviderType
public interface UpdateService {
    /**
     * Publishes a release directory as {@code bin/cpns-release} writes it ({@code manifest.cbor},
     * {@code manifest.sig}, {@code keys.cbor}, {@code keys.sig} and the jars): decoded, every jar
     * checked against its entry, copied under the Server's release directory, recorded.
     */
    UpdateStore.ReleaseRow publish(Path directory);

    /** Published releases, newest first. */
    List<UpdateStore.ReleaseRow> releases();

    /** Starts a rollout: targets resolved, waves drawn, the first wave offered to connected gateways. */
    RolloutView start(RolloutRequest request);

    Optional<RolloutView> rollout(String rolloutId);

    /** Every rollout, newest first. */
    List<RolloutView> rollouts();

    /** Stops new offers and wave changes; gateways already working carry on. */
    RolloutView pause(String rolloutId);

    /** Continues a paused rollout, accepting the failures so far (docs/updates.md §5). */
    RolloutView resume(String rolloutId);

    /** Ends a rollout for good and sends {@code update.cancel} to gateways not yet applying. */
    RolloutView cancel(String rolloutId);

    /** One gateway's progress in a rollout, with its status history. */
    Optional<GatewayProgress> progress(String rolloutId, io.cpns.api.EntityId gateway);

    /** Asks a connected gateway for its inventory ({@code update.inventory.req}); the answer is stored too. */
    CompletionStage<GatewayInventory> requestInventory(io.cpns.api.EntityId gateway);

    /** The last inventory a gateway reported or answered. */
    Optional<UpdateStore.InventoryRow> inventory(io.cpns.api.EntityId gateway);

    /** Labels for targeting: @return false if nothing changed. */
    boolean label(io.cpns.api.EntityId gateway, String label, boolean add);

    List<String> labels(io.cpns.api.EntityId gateway);
}
