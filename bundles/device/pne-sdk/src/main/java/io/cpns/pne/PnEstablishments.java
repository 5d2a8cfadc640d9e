package io.cpns.pne;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Message;
import io.cpns.api.message.PnEstablishAck;
import io.cpns.api.message.PnEstablishNotify;
import io.cpns.api.message.PnInventoryPage;
import io.cpns.api.message.PnInventoryRequest;
import io.cpns.api.message.PnMember;
import io.cpns.api.message.PnSetupNotify;
import io.cpns.api.message.PnSetupNotifyResponse;
import io.cpns.api.message.PnSetupRequest;
import io.cpns.api.message.PnSetupResponse;
import io.cpns.api.message.PneAuthRequest;
import io.cpns.api.message.PneAuthResponse;
import io.cpns.api.message.SetupType;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import io.cpns.pne.internal.Establishment;
import io.cpns.pne.internal.LinkKeys;
import io.cpns.pne.internal.ServerSessions;
import io.cpns.session.InitiatorHandshake;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The PNE's side of PN Establishment (seed 004), in both roles: the PN Setup Request it makes
 * (§5.2.1.1) and the invitation it answers (PN Setup Notify, the relayed Authentication request,
 * PN Establishment Notify; §5.2.1.2). It keeps the PNs this PNE joined, SK_PNE per PN (in
 * {@link ServerSessions}) and how it set each up, to run it again when the Server's session is gone.
 * The PN GW's requests arrive on the PNE's inbound thread.
 */
final class PnEstablishments implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PnEstablishments.class.getName());

    /** Secures the link to the PN GW with a new LocalEUKey (PSK-TLS on IP, the message-level session elsewhere). */
    interface Relink {
        void open(byte[] localEuKey) throws IOException;
    }

    private record Setup(SetupType type, List<String> invitees) {
    }

    private final PneConfig config;
    private final SecretStore keys;
    private final GatewayLink link;
    private final LinkKeys linkKeys;
    private final ServerSessions serverSessions;
    private final Executor inbound;
    private final Relink relink;
    private final Map<String, Establishment> underWay = new ConcurrentHashMap<>();
    private final Map<String, PnState> pns = new ConcurrentHashMap<>();
    /** How this PNE set up each PN itself (to run again when the Server's session is gone); invited PNs are absent. */
    private final Map<String, Setup> setups = new ConcurrentHashMap<>();
    /** A PN whose session was gone, and the PN this PNE established in its place: later calls follow. */
    private final Map<String, String> replacedBy = new ConcurrentHashMap<>();
    private final List<Consumer<PnState>> joinListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> invitations = new CopyOnWriteArrayList<>();
    private volatile Establishment initiating;

    PnEstablishments(PneConfig config, SecretStore keys, GatewayLink link, LinkKeys linkKeys, ServerSessions serverSessions,
            Executor inbound, Relink relink) {
        this.config = config;
        this.keys = keys;
        this.link = link;
        this.linkKeys = linkKeys;
        this.serverSessions = serverSessions;
        this.inbound = inbound;
        this.relink = relink;
    }

    void onInvited(Consumer<String> l) {
        invitations.add(l);
    }

    void onJoined(Consumer<PnState> l) {
        joinListeners.add(l);
    }

    List<PnState> pns() {
        return List.copyOf(pns.values());
    }

    Optional<PnState> pn(String pnId) {
        return Optional.ofNullable(pns.get(pnId));
    }

    /** See {@link PneClient#setup}. */
    CompletionStage<PnState> setup(SetupType type, List<String> invitees) {
        Establishment est = newEstablishment();
        initiating = est;
        PnSetupRequest req = new PnSetupRequest(type, invitees, config.capabilities(), config.contents(), est.randPne(),
                wantsLocalEuKey(), config.suite().name());
        return link.request(req, config.setupTimeout()).thenCompose(env -> {
            PnSetupResponse r = (PnSetupResponse) env.body();
            if (!r.authenticated()) {
                est.abandon();
                throw new CpnsException(ErrorCode.AUTH_FAILED, "the CPNS Server did not authenticate this PNE in PN " + r.pnId());
            }
            authenticateServer(est, r.pnId(), r.hashServer());
            setups.put(r.pnId(), new Setup(type, invitees == null ? List.of() : List.copyOf(invitees)));
            return inventory(r.pnId(), r.inventory(), r.inventoryTotal()).thenApply(all -> joined(r.pnId(), all));
        }).whenComplete((s, x) -> {
            if (initiating == est) {
                initiating = null;
            }
        });
    }

    /** The PN that now stands for {@code pnId} (itself, unless it was established again). */
    String current(String pnId) {
        String p = pnId;
        for (String next; (next = replacedBy.get(p)) != null; ) {
            p = next;
        }
        return p;
    }

    /** The PN Establishment this PNE made for {@code pnId} again (seed 004 §5.2.1.1); the old PN's session is dropped. Blocks. */
    String reestablish(String pnId) {
        Setup how = setups.getOrDefault(pnId, new Setup(SetupType.ONE_TO_ONE, List.of()));
        PnState now = Futures.join(setup(how.type(), how.invitees()));
        serverSessions.remove(pnId);
        setups.remove(pnId);
        pns.remove(pnId);
        replacedBy.put(pnId, now.pnId());
        LOG.log(System.Logger.Level.INFO, "PN " + pnId + " established again as PN " + now.pnId());
        return now.pnId();
    }

    /**
     * Seed 004 R01 (decision D22): the criterion is the PNE's UI alone, "regardless of security level
     * of underlying PAN"; the PAN decides only whether the PNE-PN GW session runs (step 7). So a PNE
     * whose PAN turns insecure already holds the key to secure its link.
     */
    private boolean wantsLocalEuKey() {
        return config.hasUi();
    }

    private Establishment newEstablishment() {
        byte[] euk = keys.get(PneClient.EUKEY).orElseThrow(() -> new CpnsException(ErrorCode.NOT_AUTHENTICATED,
                "PNE " + config.id() + " has no EUKey yet (TS §5.3.1: assignment comes before any PN)"));
        try {
            return new Establishment(new InitiatorHandshake(config.suite(), config.id(), config.serverId(), euk));
        } finally {
            Bytes.wipe(euk);
        }
    }

    /** PN Setup Notify (steps 2-3) or PN GW initiated PN Setup Request (§5.2.1.2 steps 1-4). */
    Message onNotify(PnSetupNotify n) {
        if (!config.acceptInvitations() || !keys.aliases(PneClient.EUKEY).contains(PneClient.EUKEY)) {
            return new PnSetupNotifyResponse(false, Map.of(), List.of(), null, false, config.suite().name());
        }
        Establishment est = newEstablishment();
        underWay.put(n.pnId(), est);
        invitations.forEach(l -> l.accept(n.pnId()));
        return new PnSetupNotifyResponse(true, config.capabilities(), config.contents(), est.randPne(), wantsLocalEuKey(),
                config.suite().name());
    }

    /**
     * The relayed Authentication request (steps 6-9): unwrap and keep the LocalEUKey, secure the
     * link with it if the PAN does not protect messages (on a secure PAN it is kept for the day the
     * PAN is not, R01), then answer hash_PNE over that link.
     */
    Message onAuthRequest(PneAuthRequest a) throws IOException {
        Establishment est = underWay.get(a.pnId());
        if (est == null && initiating != null) {
            est = initiating; // our own PN Setup Request: the PN ID arrives here first
            underWay.put(a.pnId(), est);
        }
        if (est == null) {
            throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "no PN Establishment under way for " + a.pnId());
        }
        if (a.wrappedLocalEuKey() != null) {
            byte[] euk = keys.get(PneClient.EUKEY).orElseThrow();
            byte[] lek = config.suite().unwrap(euk, a.wrappedLocalEuKey()); // BAD_MAC if not for our EUKey
            Bytes.wipe(euk);
            try (LinkKeys.Change change = linkKeys.install(lek, link.panSecure())) { // the replaced key stays until the PN is established
                try {
                    if (!link.panSecure()) {
                        relink.open(lek); // a link secured with the new key: PSK-TLS (IP) or the message-level session (serial)
                    }
                } catch (IOException | CpnsException e) {
                    change.undo(); // not proven to the PN GW, which therefore keeps (or gets back) its previous copy: so do we
                    throw e;
                }
            } finally {
                Bytes.wipe(lek);
            }
        }
        return new PneAuthResponse(est.hashPne(a.randServer()));
    }

    /**
     * PN Establishment Notify (step 15): verify hash_server and say whether it did; the PN is this
     * PNE's once the rest of a paged PN Inventory has arrived.
     */
    Message onEstablished(PnEstablishNotify n) {
        Establishment est = underWay.remove(n.pnId());
        if (est == null) {
            return new PnEstablishAck(false);
        }
        try {
            authenticateServer(est, n.pnId(), n.hashServer());
        } catch (CpnsException forged) { // hash_server did not verify: say so (step 15), keep no PN
            return new PnEstablishAck(false);
        }
        if (n.inventoryTotal() <= n.inventory().size()) {
            joined(n.pnId(), n.inventory());
        } else { // queued behind this answer: the PN GW has its ack before the first page request
            inbound.execute(() -> inventory(n.pnId(), n.inventory(), n.inventoryTotal()).whenComplete((all, x) -> {
                if (x == null) {
                    joined(n.pnId(), all);
                } else {
                    serverSessions.remove(n.pnId());
                    LOG.log(System.Logger.Level.WARNING, "PN " + n.pnId() + ": the rest of its PN Inventory did not arrive: " + x);
                }
            }));
        }
        return new PnEstablishAck(true);
    }

    /** Steps 14/15: hash_server proves the answer came from the CPNS Server holding this PNE's EUKey. */
    private void authenticateServer(Establishment est, String pnId, byte[] hashServer) {
        underWay.remove(pnId);
        if (!est.verifyServer(hashServer)) {
            throw new CpnsException(ErrorCode.AUTH_FAILED, "hash_server for PN " + pnId
                    + " did not verify: the answer did not come from the CPNS Server holding this PNE's EUKey");
        }
        byte[] sk = est.takeServerKey();
        try {
            serverSessions.put(pnId, est.suite(), sk);
        } finally {
            Bytes.wipe(sk);
        }
        linkKeys.established();
    }

    private PnState joined(String pnId, List<PnMember> inventory) {
        PnState state = new PnState(pnId, inventory, true);
        pns.put(pnId, state);
        joinListeners.forEach(l -> l.accept(state));
        return state;
    }

    /** The rest of a PN Inventory too large for one message ({@code total} > 0), page by page. */
    private CompletionStage<List<PnMember>> inventory(String pnId, List<PnMember> have, int total) {
        if (have.size() >= total) {
            return CompletableFuture.completedFuture(have);
        }
        return link.request(new PnInventoryRequest(pnId, have.size())).thenCompose(env -> {
            if (!(env.body() instanceof PnInventoryPage page) || page.from() != have.size() || page.members().isEmpty()) {
                throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "PN Inventory of " + pnId + ": no page from " + have.size());
            }
            List<PnMember> more = new ArrayList<>(have);
            more.addAll(page.members());
            return inventory(pnId, more, page.total());
        });
    }

    /** Abandons the establishments under way (their handshakes' secrets wiped). */
    @Override
    public void close() {
        underWay.values().forEach(Establishment::abandon);
    }
}
