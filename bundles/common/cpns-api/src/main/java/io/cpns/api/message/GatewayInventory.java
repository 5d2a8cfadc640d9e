package io.cpns.api.message;

import io.cpns.api.update.UpdateState;
import java.util.List;

/**
 * What a gateway runs (docs/updates.md §3), carried by {@link UpdateInventory} and {@link UpdateInventoryReport}.
 *
 * @param committedSeq  the highest committed {@code releaseSeq}, 0 for none
 * @param bundles       every bundle in the framework
 * @param ready         whether the readiness report ({@code cpns:health}) is green
 * @param rolloutId     the rollout being carried out, or null
 * @param state         its state, or null
 */
public record GatewayInventory(long committedSeq, List<InstalledBundle> bundles, boolean ready, String rolloutId,
        UpdateState state) {
    public GatewayInventory {
        bundles = Maps.of(bundles);
    }
}
