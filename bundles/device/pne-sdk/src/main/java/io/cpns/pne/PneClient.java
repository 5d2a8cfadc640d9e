package io.cpns.pne;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.GroupKeyDelete;
import io.cpns.api.message.GroupKeyDeliver;
import io.cpns.api.message.GroupMembership;
import io.cpns.api.message.GroupMsg;
import io.cpns.api.message.GroupTreeDeliver;
import io.cpns.api.message.KaInstallRequest;
import io.cpns.api.message.KaTrigger;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.message.PnEstablishNotify;
import io.cpns.api.message.PnSetupNotify;
import io.cpns.api.message.PneAuthRequest;
import io.cpns.api.message.Pong;
import io.cpns.api.message.Relay;
import io.cpns.api.message.RelayResponse;
import io.cpns.api.message.SetupType;
import io.cpns.api.store.SecretStore;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Bytes;
import io.cpns.pne.internal.Conn;
import io.cpns.pne.internal.LinkKeys;
import io.cpns.pne.internal.ServerSessions;
import io.cpns.session.SecureSession;
import io.cpns.session.SessionSelector;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One PNE. Keys live in a {@link SecretStore} under {@link #EUKEY}, {@link #LOCAL_EUKEY} and
 * {@link #PRE_ASSIGNED}; pass an encrypted file store to keep them across restarts.
 *
 * <p>Typical life: {@link #connect} to the PN GW found by discovery; {@link #assignEuKey} once (PNE
 * with UI, TS §5.3.1); then {@link #setup} a PN, or let the PN GW invite it. With its LocalEUKey
 * (or pre-assigned key), a restarted PNE reconnects authenticated and keeps its PN.
 *
 * <p>Threads. Each link has a reader thread that only reads: it never runs application code.
 * <ul>
 * <li>The stages this client returns ({@link #request}, {@link #setup}, {@link #pullGroupKey},
 * {@link #sendToGroup}, ...) complete on a thread of the SDK's callback pool
 * ({@code cpns-pne-callback}), so a callback attached to one runs there (or on the attaching
 * thread if the stage is already done). It may call this client, even synchronously, and may
 * block: the pool grows.
 * <li>{@link #onInvited}, {@link #onJoined}, {@link #onGroupKey}, {@link #onGroupKeyDelete} and
 * {@link #onGroupMessage} listeners run on this PNE's inbound thread (the PN GW's requests, one at a
 * time), on the callback pool (a stage's result), or on the MQTT client's thread (a broadcast Group
 * Key). They may call this client, but should return soon: the PN GW's next request waits behind
 * them.
 * <li>{@link #onDisconnect} runs on the ended link's reader thread once it stopped reading; it may
 * {@link #connect} again.
 * <li>The blocking methods ({@link #connect}, {@link #ping}, {@link #call}, {@link #requestServer},
 * {@link #assignEuKey}) wait on the calling thread.
 * </ul>
 */
public final class PneClient implements AutoCloseable {
    public static final String EUKEY = "euk";
    public static final String LOCAL_EUKEY = "lek";
    public static final String PRE_ASSIGNED = "pak";
    /** The LocalEUKey a PN Establishment replaced, kept until the new one is proven (empty: there was none). */
    public static final String PREVIOUS_LOCAL_EUKEY = LinkKeys.PREVIOUS;
    private static final System.Logger LOG = System.getLogger(PneClient.class.getName());
    /** One timer thread for every PNE in the process (the simulator runs hundreds). */
    private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cpns-pne-keepalive");
        t.setDaemon(true);
        return t;
    });

    /**
     * Where the stages this client returns complete, and so where callbacks attached to them run:
     * never the reader thread, whose blocking would stall the very answer a callback waits for. A
     * growing pool, shared by every PNE in the process: a callback may block on another of this
     * client's stages, which completes on another of its threads.
     */
    private static final ExecutorService CALLBACKS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cpns-pne-callback");
        t.setDaemon(true);
        return t;
    });

    private final PneConfig config;
    private final PneTransport transport;
    private final SecretStore keys;
    private final MessageCodec codec = new MessageCodec();
    /** The PN GW's requests to this PNE, answered one at a time, off the reader thread. */
    private final ExecutorService inbound;

    // the link to the PN GW, and the requests waiting for its answers
    private final LinkKeys linkKeys;
    private final Map<Long, CompletableFuture<Envelope>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(10);
    private final GatewayLink link = new Link();
    private volatile EntityId gateway;
    private volatile Conn conn;
    private volatile Runnable onDisconnect = () -> { };
    private volatile ScheduledFuture<?> keepalive;
    private volatile long lastSentNanos = System.nanoTime();

    // the flows, each in its own collaborator
    /** SK_PNE per PN, kept in {@link #keys} across restarts (D89). */
    private final ServerSessions serverSessions;
    private final PnEstablishments establishment;
    private final EuKeyTunnel euKeyTunnel;
    private final PneKeyAssignment keyAssignment;
    private final PneGroupKeys groups;

    public PneClient(PneConfig config, PneTransport transport, SecretStore keys) {
        this.config = config;
        this.keyAssignment = new PneKeyAssignment(config.id().value(), keys);
        this.transport = transport;
        this.keys = keys;
        this.linkKeys = new LinkKeys(keys, LOCAL_EUKEY, PRE_ASSIGNED);
        this.serverSessions = new ServerSessions(keys, config.id(), config.serverId());
        this.inbound = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cpns-pne-" + config.id());
            t.setDaemon(true);
            return t;
        });
        this.establishment = new PnEstablishments(config, keys, link, linkKeys, serverSessions, inbound, lek -> {
            open(lek);
            linkKeys.connectedWith(LOCAL_EUKEY);
        });
        this.euKeyTunnel = new EuKeyTunnel(config, keys, codec, link);
        this.groups = new PneGroupKeys(config.id().value(), keys, link, TIMERS);
    }

    public EntityId id() {
        return config.id();
    }

    public PneConfig config() {
        return config;
    }

    // ---- the link to the PN GW ----

    /**
     * Connects to the PN GW, authenticated if this PNE has a LocalEUKey or pre-assigned key and
     * its PAN does not protect messages itself: PSK-TLS on IP, the message-level session elsewhere.
     * Otherwise it pings, which tells the PN GW who is on the link (it can then invite this PNE).
     *
     * <p>Keys are tried in turn: the LocalEUKey, the one it replaced if the PN GW may have rolled
     * the change back after a crash (decision D31), the pre-assigned key. The first that
     * secures the link is the one the PN GW holds, and the one kept.
     */
    public void connect(EntityId gatewayId) throws IOException {
        this.gateway = gatewayId;
        Exception failed = null;
        if (!transport.panSecure()) {
            for (String alias : linkKeys.candidates()) {
                byte[] psk = keys.get(alias).orElse(null);
                try {
                    open(psk);
                    linkKeys.connectedWith(alias);
                    return;
                } catch (IOException | CpnsException e) {
                    failed = failed == null ? e : failed; // the LocalEUKey's failure says most
                } finally {
                    Bytes.wipe(psk);
                }
            }
        }
        if (failed != null && !linkKeys.mayHaveNoKey()) {
            if (failed instanceof IOException io) {
                throw io;
            }
            throw (CpnsException) failed;
        }
        open(null);
        linkKeys.connectedWith(null);
        ping(); // on a link without key, the PN GW learns who we are from our first message: invitable from now on
    }

    private void open(byte[] psk) throws IOException {
        boolean tls = psk != null && transport.pskInTransport();
        Conn old = conn;
        if (old != null && !tls) { // a serial line carries one link: end the old one first (quietly: not a disconnect)
            conn = null;
            try {
                old.closeAndJoin(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while closing the previous link");
            }
            old = null;
        }
        MessageChannel ch = transport.open(codec, config.id().value(), tls ? psk : null);
        Conn c = new Conn(ch, tls, config.id(), gateway);
        conn = c;
        c.start("cpns-pne-reader-" + config.id(), this::received, this::ended);
        if (psk != null && !tls) {
            await(c.startSession(config.suite(), psk), config.requestTimeout());
        }
        if (old != null) {
            old.close();
        }
        long every = config.keepalive().toMillis();
        if (every > 0 && keepalive == null) {
            keepalive = TIMERS.scheduleWithFixedDelay(this::keepalive, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** Pings an idle link; a PN GW that does not answer is gone, and the link is ended. */
    private void keepalive() {
        Conn c = conn;
        if (c == null || System.nanoTime() - lastSentNanos < config.keepalive().toNanos()) {
            return;
        }
        request(new Ping(new byte[0]), config.requestTimeout()).whenComplete((r, x) -> {
            if (x != null && conn == c) {
                c.close(); // its reader ends, and onDisconnect runs
            }
        });
    }

    /** Connected, and whether the link is protected (PSK-TLS, session, or a secure PAN). */
    public boolean connected() {
        return conn != null;
    }

    public boolean secured() {
        Conn c = conn;
        return c != null && (c.tls() || c.hasSession() || transport.panSecure());
    }

    public void onDisconnect(Runnable r) {
        onDisconnect = r;
    }

    private void ended(Conn c, String reason) {
        if (conn == c) {
            conn = null;
            CpnsException down = new CpnsException(ErrorCode.UNAVAILABLE, "link to the PN GW closed: " + reason);
            pending.values().forEach(f -> f.completeExceptionally(down));
            pending.clear();
            euKeyTunnel.linkEnded();
            onDisconnect.run();
        }
    }

    // ---- requests and answers ----

    private void received(Envelope e) {
        switch (e.type().category()) {
            case RESPONSE, CONTROL -> {
                CompletableFuture<Envelope> f = pending.remove(e.id());
                if (f != null) {
                    if (e.body() instanceof ErrorMessage err) {
                        f.completeExceptionally(err.toException());
                    } else {
                        f.complete(e);
                    }
                }
            }
            case REQUEST -> inbound.execute(() -> answer(e));
            case ONEWAY -> euKeyTunnel.received(e.body());
        }
    }

    /** Sends a request to the PN GW and completes with its response envelope. */
    public CompletableFuture<Envelope> request(Message m, Duration timeout) {
        Conn c = conn;
        CompletableFuture<Envelope> f = new CompletableFuture<>();
        if (c == null) {
            f.completeExceptionally(new CpnsException(ErrorCode.UNAVAILABLE, "not connected to a PN GW"));
            return f;
        }
        long id = ids.incrementAndGet();
        pending.put(id, f);
        lastSentNanos = System.nanoTime();
        try {
            c.send(new Envelope(config.id(), gateway, id, m));
        } catch (IOException e) {
            pending.remove(id);
            f.completeExceptionally(new CpnsException(ErrorCode.UNAVAILABLE, "sending failed: " + e.getMessage()));
        }
        // completed on CALLBACKS, never on the reader (or the timeout) thread: see the class comment
        return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenCompleteAsync((r, x) -> pending.remove(id), CALLBACKS);
    }

    /** A protected round trip to the PN GW. */
    public Pong ping() {
        return (Pong) Futures.join(request(new Ping(new byte[0]), config.requestTimeout())).body();
    }

    private void answer(Envelope e) {
        Message response;
        try {
            response = switch (e.type()) {
                case PN_SETUP_NOTIFY -> establishment.onNotify((PnSetupNotify) e.body());
                case PNE_AUTH_REQUEST -> establishment.onAuthRequest((PneAuthRequest) e.body());
                case PN_ESTABLISH_NOTIFY -> establishment.onEstablished((PnEstablishNotify) e.body());
                case PING -> new Pong(((Ping) e.body()).data());
                case GROUP_KEY_DELIVER -> groups.deliver((GroupKeyDeliver) e.body());
                case GROUP_KEY_DELETE -> groups.delete((GroupKeyDelete) e.body());
                case GROUP_MEMBERSHIP -> groups.membership((GroupMembership) e.body());
                case GROUP_TREE_DELIVER -> groups.tree(((GroupTreeDeliver) e.body()).tree());
                case GROUP_MSG -> groups.message((GroupMsg) e.body());
                case KA_INSTALL_REQUEST -> keyAssignment.onInstall((KaInstallRequest) e.body(), link);
                case KA_TRIGGER -> keyAssignment.onTrigger((KaTrigger) e.body(), link);
                default -> throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, e.type().wireName() + " is not for a PNE");
            };
        } catch (CpnsException x) {
            response = ErrorMessage.of(x);
        } catch (RuntimeException | IOException x) {
            response = ErrorMessage.of(new CpnsException(ErrorCode.INTERNAL, x.toString()));
        }
        Conn c = conn; // possibly a new, authenticated link opened while handling (seed 004 steps 6-7)
        if (c != null) {
            try {
                c.send(new Envelope(config.id(), gateway, e.id(), response));
            } catch (IOException ignored) {
                // link lost: the PN GW times the request out
            }
        }
    }

    // ---- Group Keys (TS §5.3.2) and messages to Service Groups (TS §5.3.3.2): PneGroupKeys ----

    /** The Group Key this PNE holds for a Service Group, if any. */
    public Optional<PneGroupKey> groupKey(String groupId) {
        return groups.key(groupId);
    }

    /** Pulls the current Group Key of a group this PNE is a member of from its PN GW (seed 003: pull from group members). */
    public CompletionStage<PneGroupKey> pullGroupKey(String groupId) {
        return groups.pull(groupId);
    }

    /** Asks the PN GW for this PNE's tree of a group it receives by broadcast (catch-up after missed Rekeys). */
    public CompletionStage<PneGroupKey> pullGroupTree(String groupId) {
        return groups.pullTree(groupId);
    }

    /** Whether this PNE follows a group's MQTT broadcasts: it was given the group's tree and is subscribed to its topic. */
    public boolean followsBroadcast(String groupId) {
        return groups.followsBroadcast(groupId);
    }

    /** Whether this PNE's MQTT connection to its PN GW's broker is up. */
    public boolean broadcastConnected() {
        return groups.broadcastConnected();
    }

    /**
     * Sends a message to a Service Group this PNE is a member of, sealed with the Group Key it
     * holds (sender, epoch, counter); its PN GW relays it to the other members. Without the key, or
     * when the PN GW says the key is not the current one, it first asks its PN GW for the key
     * ({@code group.key.req}): this is when a group delivered on request gets its key (seed 003
     * B.2.1.1: "delivered only when it is needed by a PNE").
     *
     * @return a stage failed with the PN GW's refusal: {@code FORBIDDEN} (not a member),
     *         {@code UNKNOWN_GROUP} (no such group there), {@code UNEXPECTED_MESSAGE} (an epoch the PN
     *         GW no longer or not yet holds)
     */
    public CompletionStage<Void> sendToGroup(String groupId, byte[] payload) {
        return groups.send(groupId, payload);
    }

    /** Told each time this PNE starts holding a newer Group Key (by unicast, pull or broadcast); on a PNE thread. */
    public void onGroupKey(Consumer<PneGroupKey> listener) {
        groups.onKey(listener);
    }

    /**
     * Told each time this PNE deletes a group's Group Key: the group was deleted or this PNE left it
     * ({@code group.key.delete}, the membership at link-up, or a broadcast Rekey that excluded it).
     * Called on a PNE thread; must not block.
     */
    public void onGroupKeyDelete(Consumer<String> listener) {
        groups.onDelete(listener);
    }

    /** Told of each message to one of this PNE's Service Groups that opened here (or came in the clear on a secure PAN). */
    public void onGroupMessage(Consumer<PneGroupMessage> listener) {
        groups.onMessage(listener);
    }

    // ---- Key Assignment without UI (seed 001 §7.x.2) ----

    /** Whether the PN GW installed this user's ID and password hash (seed 001 §7.x.2.2). */
    public boolean keyAssignmentInstalled(String userId) {
        return keyAssignment.installedFor(userId);
    }

    // ---- EUKey assignment to a PNE with UI (TS 5.3.1), through the PN GW's tunnel ----

    /**
     * Obtains this PNE's EUKey with its owner's User ID and password: server-authenticated TLS to
     * the CPNS Server, carried through the PN GW, which sees only ciphertext. Wipes the password.
     *
     * @throws CpnsException {@code ALREADY_ASSIGNED} (TS §5.3.1), {@code AUTH_FAILED}, {@code UNAVAILABLE}
     */
    public void assignEuKey(String userId, char[] password) {
        euKeyTunnel.assign(userId, password);
    }

    public boolean hasEuKey() {
        return euKeyTunnel.hasEuKey();
    }

    // ---- PN Establishment (seed 004): PnEstablishments ----

    /**
     * PNE initiated PN Establishment (seed 004 §5.2.1.1): completes when the PN GW answers with the
     * PN Inventory and hash_server, and this PNE verified hash_server.
     *
     * @throws CpnsException (in the stage) {@code AUTH_FAILED} if the Server did not authenticate
     *         this PNE, or hash_server did not verify (the Server is not authentic)
     */
    public CompletionStage<PnState> setup(SetupType type, List<String> invitees) {
        return establishment.setup(type, invitees);
    }

    /** PNs this PNE joined (and whose Server it authenticated). */
    public List<PnState> pns() {
        return establishment.pns();
    }

    public Optional<PnState> pn(String pnId) {
        return establishment.pn(pnId);
    }

    /** Called with the PN ID each time this PNE accepts an invitation (PN Setup Notify). */
    public void onInvited(Consumer<String> listener) {
        establishment.onInvited(listener);
    }

    /** Called each time this PNE joins a PN (either flow). */
    public void onJoined(Consumer<PnState> listener) {
        establishment.onJoined(listener);
    }

    // ---- PNE <-> Server, end to end through the PN GW (TS 5.3.3.1) ----

    /**
     * A request to another entity under the session TS §5.3.3.1 selects for the pair: to the PN
     * GW over this link (its PNE-GW session, or the PAN's security), to the CPNS Server end to end
     * under SK_PNE of {@code pnId} (relayed), and to another PNE not at all: no session exists for
     * that pair, messages between PNEs go hop by hop through the PN GW.
     *
     * @throws CpnsException {@code INVALID_ARGUMENT} for a PNE destination
     */
    public Message call(EntityId dst, String pnId, Message request) {
        EntityKind kind = dst.equals(gateway) ? EntityKind.GATEWAY : dst.equals(config.serverId()) ? EntityKind.SERVER : EntityKind.PNE;
        SessionSelector.Pair pair = SessionSelector.select(EntityKind.PNE, kind).orElseThrow(() -> new CpnsException(
                ErrorCode.INVALID_ARGUMENT, "no secure session between two PNEs (TS §5.3.3.1): send to " + dst + " through the PN GW"));
        return switch (pair) {
            case GATEWAY_PNE -> Futures.join(request(request, config.requestTimeout())).body();
            case SERVER_PNE -> requestServer(pnId, request);
            case SERVER_GATEWAY -> throw new IllegalStateException("a PNE is never one end of the Server-PN GW session");
        };
    }

    /**
     * A request to the CPNS Server, protected end to end with SK_PNE of {@code pnId} and routed by
     * the PN GW by PN ID. SK_PNE is kept in the {@link SecretStore}, so this works after a restart
     * of this PNE or of the Server without a new PN Establishment.
     *
     * <p>If the Server answers {@code SESSION_GONE} (it holds no SK_PNE for this PNE in that PN any
     * more), this PNE runs PN Establishment again (seed 004 §5.2.1.1: the PN Setup Request it made
     * for that PN, or {@code ONE_TO_ONE} for a PN it was invited to), which yields a new PN ID and
     * SK_PNE, and retries the request once there. Later calls with the old PN ID go to the new PN;
     * {@link #onJoined} reports it. Blocks: not to be called from a listener of this client.
     *
     * @throws CpnsException {@code NOT_AUTHENTICATED} if this PNE holds no SK_PNE for {@code pnId};
     *         the Server's or the PN GW's refusal otherwise
     */
    public Message requestServer(String pnId, Message request) {
        String pn = establishment.current(pnId);
        try {
            return relayOnce(pn, request);
        } catch (CpnsException e) {
            if (e.code() != ErrorCode.SESSION_GONE) {
                throw e;
            }
            LOG.log(System.Logger.Level.WARNING, "PN " + pn + ": the CPNS Server holds no session with this PNE any more ("
                    + e.getMessage() + "): establishing the PN again");
            String again = establishment.reestablish(pn);
            return relayOnce(again, request);
        }
    }

    private Message relayOnce(String pnId, Message request) {
        SecureSession s = serverSessions.get(pnId).orElseThrow(() ->
                new CpnsException(ErrorCode.NOT_AUTHENTICATED, "no session with the Server for PN " + pnId));
        long id = ids.incrementAndGet();
        byte[] inner = codec.encode(s.protect(new Envelope(config.id(), config.serverId(), id, request), codec));
        RelayResponse r = (RelayResponse) Futures.join(request(new Relay(pnId, inner), config.requestTimeout())).body();
        return s.unprotect(codec.decode(r.envelope()), codec).body();
    }

    // ---- helpers ----

    private static void await(CompletableFuture<Void> f, Duration timeout) throws IOException {
        try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CpnsException c) {
                throw c;
            }
            throw new IOException(e.getCause());
        } catch (TimeoutException e) {
            throw new CpnsException(ErrorCode.TIMEOUT, "PNE-GW session handshake timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /** This client's current link, as its collaborators see it. */
    private final class Link implements GatewayLink {
        @Override
        public CompletableFuture<Envelope> request(Message m) {
            return PneClient.this.request(m, config.requestTimeout());
        }

        @Override
        public CompletableFuture<Envelope> request(Message m, Duration timeout) {
            return PneClient.this.request(m, timeout);
        }

        @Override
        public void send(Message oneway) throws IOException {
            Conn c = conn;
            if (c == null) {
                throw new IOException("not connected to a PN GW");
            }
            c.send(new Envelope(config.id(), gateway, 0, oneway));
        }

        @Override
        public boolean secured() {
            return PneClient.this.secured();
        }

        @Override
        public boolean panSecure() {
            return transport.panSecure();
        }
    }

    @Override
    public void close() {
        ScheduledFuture<?> k = keepalive;
        if (k != null) {
            k.cancel(false);
        }
        Conn c = conn;
        conn = null;
        if (c != null) {
            try {
                c.closeAndJoin(2000); // the reader leaves the port before anyone opens the device again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        inbound.shutdownNow();
        groups.close();
        establishment.close();
        serverSessions.close();
    }
}
