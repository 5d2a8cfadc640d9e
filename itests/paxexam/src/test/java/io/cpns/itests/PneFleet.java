package io.cpns.itests;

import io.cpns.api.EntityId;
import io.cpns.api.message.SetupType;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Suites;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.pne.PneClient;
import io.cpns.pne.PneConfig;
import io.cpns.pne.PneTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * PNEs of the PNE SDK in the test's JVM, each with its keys in its own encrypted file store (its
 * "flash", kept across the gateway's deaths), all reaching one PN GW over its IP PAN. What the
 * fault-injection tests ask of a fleet after a crash: does every PNE connect again with PSK-TLS,
 * and does each hold the LocalEUKey its PN GW holds for it.
 */
final class PneFleet implements AutoCloseable {
    private final EntityId gateway;
    private final List<PneClient> pnes = new ArrayList<>();
    private final Map<PneClient, EncryptedFileStore> keys = new LinkedHashMap<>();

    /**
     * @param ids       Entity IDs of the PNEs
     * @param config    each PNE's configuration (with the Server's CA, for EUKey assignment)
     * @param transport a new transport to the PN GW
     * @param flash     directory under which each PNE keeps its keys
     */
    PneFleet(EntityId gateway, List<String> ids, Function<String, PneConfig> config, Supplier<PneTransport> transport, Path flash)
            throws IOException {
        this.gateway = gateway;
        for (String id : ids) {
            Path dir = Files.createDirectories(flash.resolve(id));
            EncryptedFileStore store = new EncryptedFileStore(dir, dir.resolve("master.key"));
            PneClient c = new PneClient(config.apply(id), transport.get(), store);
            pnes.add(c);
            keys.put(c, store);
        }
    }

    List<PneClient> pnes() {
        return pnes;
    }

    PneClient get(int i) {
        return pnes.get(i);
    }

    int size() {
        return pnes.size();
    }

    /** Each PNE connects without key and has its EUKey assigned through the PN GW's tunnel (TS §5.3.1). */
    void enrol(String userId, String password) throws IOException {
        for (PneClient c : pnes) {
            if (!c.hasEuKey()) {
                c.connect(gateway);
                c.assignEuKey(userId, password.toCharArray());
            }
        }
    }

    /**
     * Connects every PNE with its keys, up to {@code attempts} times each (a PNE the PN GW does not
     * yet serve is not locked out; one whose every PSK-TLS handshake fails is), then pings over the
     * link so the PN GW routes to it.
     *
     * @return the PNEs locked out: no protected link after every attempt, with the last reason
     */
    Map<String, String> connectAll(int attempts) {
        Map<String, String> lockedOut = new LinkedHashMap<>();
        for (PneClient c : pnes) {
            String reason = "";
            for (int i = 0; i < attempts; i++) {
                try {
                    c.connect(gateway);
                    if (!c.secured()) {
                        reason = "connected without a key";
                        break;
                    }
                    c.ping();
                    reason = "";
                    break;
                } catch (IOException | RuntimeException e) {
                    reason = e.toString();
                    Osgi.sleep(200);
                }
            }
            if (!reason.isEmpty()) {
                lockedOut.put(c.id().value(), reason);
            }
        }
        return lockedOut;
    }

    /** Waits until no PNE has a link (after the PN GW died, each notices its link end). */
    void awaitAllDisconnected() {
        Osgi.eventually("every PNE's link ended", () -> pnes.stream().noneMatch(PneClient::connected),
                () -> pnes.stream().filter(PneClient::connected).map(c -> c.id().value()).toList().toString());
    }

    /** {@code pnes.get(0)} sets up a PN with every connected PNE (seed 004 §5.2.1.1, type ALL). */
    CompletionStage<?> setupAll() {
        return pnes.get(0).setup(SetupType.ALL, List.of());
    }

    /** Sets up a PN with every PNE and waits until each PNE has joined it. */
    String establishAll() throws Exception {
        String pnId = pnes.get(0).setup(SetupType.ALL, List.of()).toCompletableFuture().get(120, TimeUnit.SECONDS).pnId();
        Osgi.eventually("every PNE in " + pnId, () -> pnes.stream().allMatch(c -> c.pn(pnId).isPresent()),
                () -> pnes.stream().filter(c -> c.pn(pnId).isEmpty()).map(c -> c.id().value()).toList().toString());
        return pnId;
    }

    /**
     * PNEs whose LocalEUKey differs from the one their PN GW holds (by fingerprint; "none" if
     * missing), e.g. {@code pne-3 -> "PNE 1a2b.. / PN GW 3c4d.."}.
     */
    Map<String, String> keyMismatches(SecretStore gatewayKeys) {
        Map<String, String> out = new LinkedHashMap<>();
        for (PneClient c : pnes) {
            String mine = fingerprint(keys.get(c).get(PneClient.LOCAL_EUKEY));
            String theirs = fingerprint(gatewayKeys.get("lek." + c.id().value()));
            if (!mine.equals(theirs)) {
                out.put(c.id().value(), "PNE " + mine + " / PN GW " + theirs);
            }
        }
        return out;
    }

    /** Each PNE's LocalEUKey by fingerprint ("none" if it has none). */
    Map<String, String> localEuKeys() {
        Map<String, String> out = new LinkedHashMap<>();
        keys.forEach((c, store) -> out.put(c.id().value(), fingerprint(store.get(PneClient.LOCAL_EUKEY))));
        return out;
    }

    /** What an operator does for a locked-out PNE: gives it the LocalEUKey its PN GW holds (or takes its own away). */
    void giveGatewayKeys(SecretStore gatewayKeys, Set<String> ids) {
        keys.forEach((c, store) -> {
            if (ids.contains(c.id().value())) {
                Optional<byte[]> k = gatewayKeys.get("lek." + c.id().value());
                k.ifPresentOrElse(key -> store.put(PneClient.LOCAL_EUKEY, key), () -> store.delete(PneClient.LOCAL_EUKEY));
                k.ifPresent(Bytes::wipe);
            }
        });
    }

    private static String fingerprint(Optional<byte[]> key) {
        return key.map(k -> {
            try {
                return Suites.fingerprint(k);
            } finally {
                Bytes.wipe(k);
            }
        }).orElse("none");
    }

    @Override
    public void close() {
        pnes.forEach(PneClient::close);
    }
}
