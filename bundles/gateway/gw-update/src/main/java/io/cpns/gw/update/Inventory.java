package io.cpns.gw.update;

import io.cpns.api.message.GatewayInventory;
import io.cpns.api.message.InstalledBundle;
import io.cpns.api.update.UpdateState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.startlevel.BundleStartLevel;

/** What this gateway runs (docs/updates.md §3.5): every bundle of the framework, the system bundle (Felix) included. */
final class Inventory {
    private Inventory() {
    }

    /** @param managed symbolic names a committed release brought */
    static GatewayInventory of(BundleContext ctx, long committedSeq, Set<String> managed, boolean ready, String rollout,
                               UpdateState state) {
        List<InstalledBundle> bundles = new ArrayList<>();
        for (Bundle b : ctx.getBundles()) {
            if (b.getSymbolicName() == null) {
                continue;
            }
            BundleStartLevel sl = b.adapt(BundleStartLevel.class);
            bundles.add(new InstalledBundle(b.getSymbolicName(), b.getVersion().toString(), state(b.getState()),
                    sl == null ? 0 : sl.getStartLevel(), managed.contains(b.getSymbolicName())));
        }
        return new GatewayInventory(committedSeq, bundles, ready, rollout, state);
    }

    static String state(int s) {
        return switch (s) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            default -> "INSTALLED";
        };
    }
}
