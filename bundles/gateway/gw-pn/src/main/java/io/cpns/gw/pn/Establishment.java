package io.cpns.gw.pn;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.FaultPoints;
import io.cpns.api.LogThrottle;
import io.cpns.api.Strings;
import io.cpns.api.credential.CredentialModule;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.gateway.GatewayIdentity;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.PnMemberRecord;
import io.cpns.api.gateway.PnRecord;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.Message;
import io.cpns.api.message.PnAuthRequest;
import io.cpns.api.message.PnAuthResponse;
import io.cpns.api.message.PnEstablishAck;
import io.cpns.api.message.PnEstablishNotify;
import io.cpns.api.message.PnMember;
import io.cpns.api.message.PnRegisterRequest;
import io.cpns.api.message.PnRegisterResponse;
import io.cpns.api.message.PnSetupNotify;
import io.cpns.api.message.PnSetupNotifyResponse;
import io.cpns.api.message.PnSetupRequest;
import io.cpns.api.message.PnSetupResponse;
import io.cpns.api.message.PneAuthRequest;
import io.cpns.api.message.PneAuthResponse;
import io.cpns.api.message.PneKeys;
import io.cpns.api.message.PnePresence;
import io.cpns.api.message.PneProof;
import io.cpns.api.message.PneVerdict;
import io.cpns.api.message.SetupType;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import java.util.HexFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.osgi.service.log.Logger;

/**
 * One job: a PN Establishment run with the CPNS Server for its candidates, both flows of seed 004
 * step by step. PNE initiated (§5.2.1.1: {@link #pneInitiated}, steps 2-15 after the PNE's PN Setup
 * Request) and PN GW initiated (§5.2.1.2: {@link #establish}, steps 1-16): invite the PNEs, register
 * them with the Server in batches (PN Registration, the Authentication request relayed to each PNE
 * with its LocalEUKey stored here, hash_PNE back), store the PN Inventory, tell each PNE its
 * hash_server. {@link PnGateway} owns the wiring, the wire entry point, the PN Inventory API and
 * the expels; an expel wins over a run in flight ({@link ExpelClock}).
 */
final class Establishment {
    /** A PNE taking part in an establishment: what it said, and its link when it said it. */
    record Candidate(PnePresence presence, boolean securePan) {
        EntityId id() {
            return EntityId.of(presence.pneId());
        }
    }

    /** A PNE the Server authenticated, with its hash_server. */
    record Joined(Candidate candidate, byte[] hashServer) {
    }

    private final PneMessenger pnes;
    private final SecretStore secrets;
    private final GatewayIdentity identity;
    private final Logger log;
    private final PnGateway.Config config;
    private final InventoryStore inventory;
    private final PnRouting routing;
    private final PendingRemovals expels;
    private final UnsettledRegistrations unsettled;
    private final ExpelClock expelled;
    private final Supplier<ServerLink> server;
    private final Supplier<CredentialModule> credentials;
    private final Runnable resendRemovals;
    /** The source address of each PN Setup Request under way, by PN ID: its lines spend that source's log budget. */
    private final Map<String, String> origins = new java.util.concurrent.ConcurrentHashMap<>();
    private final LogThrottle logBudget = new LogThrottle(20, Duration.ofMinutes(1), 1000, java.time.Clock.systemUTC());

    /**
     * @param server         gw-link's ServerLink as bound now (optional, dynamic: null while gw-link is updated)
     * @param credentials    the credential module as bound now, or null (TS 5.3.3.2)
     * @param resendRemovals sends the expels and withdrawals the Server has not confirmed, after each run
     */
    Establishment(PneMessenger pnes, SecretStore secrets, GatewayIdentity identity, Logger log, PnGateway.Config config,
                  InventoryStore inventory, PnRouting routing, PendingRemovals expels, UnsettledRegistrations unsettled,
                  ExpelClock expelled, Supplier<ServerLink> server, Supplier<CredentialModule> credentials, Runnable resendRemovals) {
        this.pnes = pnes;
        this.secrets = secrets;
        this.identity = identity;
        this.log = log;
        this.config = config;
        this.inventory = inventory;
        this.routing = routing;
        this.expels = expels;
        this.unsettled = unsettled;
        this.expelled = expelled;
        this.server = server;
        this.credentials = credentials;
        this.resendRemovals = resendRemovals;
    }

    // ---- seed 004 §5.2.1.1: PNE initiated ----

    /** Step 1 arrives; the answer (step 14) completes when the whole establishment is done. */
    CompletionStage<Message> pneInitiated(PneMessage request) {
        PnSetupRequest r = (PnSetupRequest) request.envelope().body();
        EntityId initiator = request.envelope().src();
        String pnId = newPnId();
        long since = expelled.now();
        Candidate self = new Candidate(new PnePresence(initiator.value(), r.capabilities(), r.contents(), r.randPne(),
                r.localEuKeyRequested(), r.suite()), request.link().onSecurePan());
        List<EntityId> invitees = invitees(r.setupType(), r.invitees(), initiator);
        origins.put(pnId, source(request.link()));
        LogThrottle.Decision d = budget(pnId);
        if (d.log()) { // one line for the request, whatever it lists
            log.info("PN Setup Request from {} ({}, {} invitees{}, link {}): PN {}{}", initiator, r.setupType(), invitees.size(),
                    notEntityIds(r.setupType(), r.invitees()), request.link().protectionName(), pnId, d.suffix());
        }
        return invite(pnId, initiator, invitees)
                .thenCompose(invited -> {
                    List<Candidate> all = new ArrayList<>();
                    all.add(self);
                    all.addAll(invited);
                    return run(pnId, initiator.value(), all, since);
                })
                .<Message>thenApply(joined -> {
                    List<PnMember> members = PnRouting.members(inventory.get(pnId));
                    notifyJoined(pnId, joined, initiator); // step 15, for the others
                    Joined mine = joined.stream().filter(j -> j.candidate().id().equals(initiator)).findFirst().orElse(null);
                    return mine == null
                            ? new PnSetupResponse(pnId, false, List.of(), null)
                            : new PnSetupResponse(pnId, true, routing.firstPage(members), mine.hashServer(), routing.pagedTotal(members)); // step 14
                })
                .whenComplete((x, e) -> origins.remove(pnId));
    }

    /** Whether to log a line about PN {@code pnId}: a PNE's PN Setup Request spends its source's budget, so a flood of them cannot flood the log. */
    private LogThrottle.Decision budget(String pnId) {
        String source = origins.get(pnId);
        return source == null ? ALWAYS : logBudget.allow(source);
    }

    private static final LogThrottle.Decision ALWAYS = new LogThrottle.Decision(true, 0);

    /** The link's address without its port (or its serial line): PNEs behind one address share a log budget. */
    private static String source(PneLink link) {
        String r = link.remote();
        int colon = r.lastIndexOf(':');
        if (colon > 0 && colon < r.length() - 1 && r.substring(colon + 1).chars().allMatch(Character::isDigit)) {
            r = r.substring(0, colon);
        }
        return link.adapter() + ":" + r;
    }

    private static String notEntityIds(SetupType type, List<String> listed) {
        if (type != SetupType.INVITE) {
            return "";
        }
        long bad = listed.stream().filter(s -> {
            try {
                EntityId.of(s);
                return false;
            } catch (CpnsException e) {
                return true;
            }
        }).count();
        return bad == 0 ? "" : ", " + bad + " not Entity IDs (ignored)";
    }

    // ---- seed 004 §5.2.1.2: PN GW initiated ----

    /** §5.2.1.2, from {@link PnGateway#establish}: the answer completes when the whole establishment is done. */
    CompletionStage<PnRecord> establish(SetupType type, List<String> invitees) {
        if (type == SetupType.ONE_TO_ONE) {
            return CompletableFuture.failedFuture(new CpnsException(ErrorCode.INVALID_ARGUMENT,
                    "a PN GW initiated PN needs PNEs: use ALL or INVITE"));
        }
        String pnId = newPnId();
        long since = expelled.now();
        List<EntityId> targets = invitees(type, invitees, null);
        log.info("PN GW initiated PN Setup ({}, {} PNEs{}): PN {}", type, targets.size(), notEntityIds(type, invitees), pnId);
        return invite(pnId, identity.id(), targets) // steps 1-4
                .thenCompose(candidates -> run(pnId, identity.id().value(), candidates, since)) // steps 5-14
                .thenApply(joined -> {
                    notifyJoined(pnId, joined, null); // steps 15-16
                    return inventory.get(pnId).orElseThrow(() -> new CpnsException(ErrorCode.AUTH_FAILED,
                            "no PNE was authenticated by the CPNS Server: PN " + pnId + " not established"));
                });
    }

    private List<EntityId> invitees(SetupType type, List<String> listed, EntityId initiator) {
        Set<EntityId> out = new LinkedHashSet<>();
        switch (type) {
            case ONE_TO_ONE -> { }
            case ALL -> pnes.links().stream().filter(l -> !l.pneId().isEmpty()).forEach(l -> out.add(EntityId.of(l.pneId())));
            case INVITE -> listed.forEach(s -> {
                try {
                    out.add(EntityId.of(s));
                } catch (CpnsException e) {
                    // not an Entity ID: ignored, counted in the request's one line
                }
            });
        }
        if (initiator != null) {
            out.remove(initiator);
        }
        return List.copyOf(out);
    }

    /**
     * Steps 2-3 (or §5.2.1.2 steps 1-4): ask each PNE; those that accept bring rand_PNE and
     * capabilities. One line for all of them, never one per invitee (a request may list thousands).
     */
    private CompletionStage<List<Candidate>> invite(String pnId, EntityId initiator, List<EntityId> targets) {
        List<CompletableFuture<Candidate>> answers = new ArrayList<>();
        Outcomes declined = new Outcomes();
        Outcomes absent = new Outcomes();
        Outcomes silent = new Outcomes();
        for (EntityId pne : targets) {
            answers.add(pnes.request(pne, new PnSetupNotify(pnId, initiator.value()), millis(config.notifyTimeoutMillis()))
                    .toCompletableFuture().handle((resp, err) -> {
                        if (err != null) {
                            Throwable c = Failures.cause(err);
                            if (c instanceof CpnsException x && x.code() == ErrorCode.UNAVAILABLE) {
                                absent.add(null); // not connected: counted, not named (a request may list thousands made up)
                            } else {
                                silent.add(pne + " (" + codeOf(c) + ")");
                            }
                            return null;
                        }
                        PnSetupNotifyResponse r = (PnSetupNotifyResponse) resp.envelope().body();
                        if (!r.accept()) {
                            declined.add(pne.value());
                            return null;
                        }
                        return new Candidate(new PnePresence(pne.value(), r.capabilities(), r.contents(), r.randPne(),
                                r.localEuKeyRequested(), r.suite()), resp.link().onSecurePan());
                    }));
        }
        return CompletableFuture.allOf(answers.toArray(new CompletableFuture[0]))
                .thenApply(x -> {
                    List<Candidate> accepted = answers.stream().map(CompletableFuture::join).filter(c -> c != null).toList();
                    LogThrottle.Decision d = targets.isEmpty() ? new LogThrottle.Decision(false, 0) : budget(pnId);
                    if (d.log()) {
                        log.info("PN {}: {} of {} invited PNEs accepted{}{}{}{}", pnId, accepted.size(), targets.size(),
                                declined.describe("declined"), absent.describe("not connected"), silent.describe("did not answer"),
                                d.suffix());
                    }
                    return accepted;
                });
    }

    /** Some PNEs and what became of them, for one log line: how many, and the first few by name. */
    private static final class Outcomes {
        private static final int NAMED = 5;
        private final java.util.Queue<String> first = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();

        /** @param what the PNE and its outcome, or null to count it only */
        void add(String what) {
            if (count.incrementAndGet() <= NAMED && what != null) {
                first.add(what);
            }
        }

        String describe(String label) {
            int n = count.get();
            if (n == 0) {
                return "";
            }
            return "; " + n + " " + label + (first.isEmpty() ? "" : ": " + names());
        }

        String names() {
            return String.join(", ", first) + (count.get() > first.size() ? ", ..." : "");
        }
    }

    private static String codeOf(Throwable t) {
        return t instanceof CpnsException c ? c.code().name() : t.getClass().getSimpleName();
    }

    /** Steps 4-13 for every batch in turn; the PN is in the inventory if any PNE joined. */
    private CompletionStage<List<Joined>> run(String pnId, String initiator, List<Candidate> candidates, long since) {
        ServerLink link = server.get();
        if (link == null) {
            return CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNAVAILABLE, "no server link on this PN GW"));
        }
        int size = Math.max(1, config.batchSize());
        List<List<Candidate>> batches = new ArrayList<>();
        for (int from = 0; from < candidates.size(); from += size) {
            batches.add(candidates.subList(from, Math.min(candidates.size(), from + size)));
        }
        // parallelBatches lanes, each running its share of the batches one after the other
        int lanes = Math.max(1, Math.min(config.parallelBatches(), batches.size()));
        List<CompletableFuture<List<Joined>>> results = new ArrayList<>();
        // a batch this PN GW could not store: if no PNE joined, the PNE hears that, not "the Server did not authenticate" it
        java.util.concurrent.atomic.AtomicReference<CpnsException> storage = new java.util.concurrent.atomic.AtomicReference<>();
        for (int lane = 0; lane < lanes; lane++) {
            CompletionStage<List<Joined>> chain = CompletableFuture.completedFuture(new ArrayList<>());
            for (int b = lane; b < batches.size(); b += lanes) {
                int number = b + 1;
                List<Candidate> part = batches.get(b);
                chain = chain.thenCompose(acc -> batch(link, pnId, number, part, since).exceptionally(e -> {
                    Optional<CpnsException> full = StorageFailure.of(e);
                    full.ifPresent(x -> storage.compareAndSet(null, x));
                    LogThrottle.Decision d = budget(pnId);
                    if (d.log()) {
                        log.warn("PN {} batch {} ({} PNEs) failed, its PNEs did not join: {}{}", pnId, number, part.size(),
                                full.isPresent() ? StorageFailure.describe(e) : cause(e), d.suffix());
                    }
                    return List.of();
                }).thenApply(j -> {
                    acc.addAll(j);
                    return acc;
                }));
            }
            results.add(chain.toCompletableFuture());
        }
        return CompletableFuture.allOf(results.toArray(new CompletableFuture[0])).thenApply(x -> {
            List<Joined> joined = new ArrayList<>();
            results.forEach(r -> joined.addAll(r.join()));
            return joined;
        }).thenApply(joined -> {
            synchronized (expelled.lock()) { // an expel while the batches ran wins: it joins nothing here, and leaves the Server's PN
                List<String> out = joined.stream().map(j -> j.candidate().presence().pneId()).filter(p -> expelled.expelledSince(p, since)).toList();
                joined.removeIf(j -> out.contains(j.candidate().presence().pneId()));
                out.forEach(p -> expels.add(p, List.of(pnId)));
            }
            if (!joined.isEmpty()) { // step 13: the PN GW stores the PN Inventory locally
                Instant now = Instant.now();
                try {
                    inventory.merge(pnId, initiator, joined.stream().map(j -> new PnMemberRecord(j.candidate().presence().pneId(),
                            j.candidate().presence().capabilities(), j.candidate().presence().contents(),
                            j.candidate().presence().localEuKeyRequested(), now)).toList());
                } catch (RuntimeException e) { // the Server's PN is withdrawn when this establishment ends (or at the next start)
                    log.warn("PN {} not stored in the PN Inventory, its PNEs did not join: {}", pnId, StorageFailure.of(e).isPresent()
                            ? StorageFailure.describe(e) : e.toString());
                    throw StorageFailure.of(e).map(RuntimeException.class::cast).orElse(e);
                }
                FaultPoints.reach("pn.inventory.stored");
            }
            LogThrottle.Decision d = budget(pnId);
            if (d.log()) {
                log.info("PN {}: {} of {} PNEs joined{}", pnId, joined.size(), candidates.size(), d.suffix());
            }
            if (joined.isEmpty() && storage.get() != null) {
                throw storage.get();
            }
            return joined;
        }).whenComplete((j, e) -> { // whatever happened: what the Server may hold and this PN GW does not is withdrawn
            unsettled.finished(pnId, inventory.memberIds(pnId), p -> expelled.expelledSince(p, since));
            resendRemovals.run();
        });
    }

    private CompletionStage<List<Joined>> batch(ServerLink link, String pnId, int batch, List<Candidate> part, long since) {
        Map<String, Candidate> byId = new HashMap<>();
        part.forEach(c -> byId.put(c.presence().pneId(), c));
        LocalKeyChanges keys = new LocalKeyChanges(secrets, pne -> expelled.expelledSince(pne, since), expelled.lock());
        Duration serverTimeout = millis(config.serverTimeoutMillis());
        return link.request(new PnRegisterRequest(pnId, batch, pairs(config.capabilities()), pairs(config.subscription()),
                        part.stream().map(Candidate::presence).toList()), serverTimeout) // step 4
                .thenCompose(m -> relayAuthentication(pnId, (PnAuthRequest) m, byId, keys)) // steps 5-9
                .thenCompose(proofs -> {
                    unsettled.sending(pnId, proofs.stream().map(PneProof::pneId).toList()); // the Server may register them from now on
                    return link.request(new PnAuthResponse(pnId, batch, proofs), serverTimeout); // step 10
                })
                .thenApply(m -> {
                    List<Joined> joined = new ArrayList<>();
                    List<String> refused = new ArrayList<>();
                    for (PneVerdict v : ((PnRegisterResponse) m).results()) { // steps 11-12
                        Candidate c = byId.get(v.pneId());
                        if (c != null && v.authenticated()) {
                            joined.add(new Joined(c, v.hashServer()));
                        } else {
                            refused.add(v.pneId());
                        }
                    }
                    unsettled.refused(pnId, refused);
                    keys.settle(joined.stream().map(j -> j.candidate().presence().pneId()).collect(Collectors.toSet()));
                    FaultPoints.reach("pn.registered");
                    return joined;
                })
                .whenComplete((j, err) -> {
                    if (err != null) {
                        keys.settle(Set.of()); // no stray LocalEUKey from a batch that failed
                    }
                });
    }

    /**
     * Steps 5-9: keep the PN GW's copy of each LocalEUKey (unwrapped with this PN GW's EUKey), relay
     * each PNE its Authentication request, collect hash_PNE. On a PAN that does not protect
     * messages, a PNE must answer over a secure session with this PN GW: the one it secured with
     * its new LocalEUKey (UI) or with its pre-assigned key (no UI, seed 004 R01).
     */
    private CompletionStage<List<PneProof>> relayAuthentication(String pnId, PnAuthRequest auth, Map<String, Candidate> byId,
                                                                LocalKeyChanges keys) {
        List<PneKeys> admitted = new ArrayList<>();
        Outcomes refused = new Outcomes();
        for (PneKeys k : auth.pnes()) {
            if (!byId.containsKey(k.pneId())) {
                continue;
            }
            if (k.status() != 0) {
                refused.add(k.pneId() + " (" + ErrorCode.of(k.status()) + ")");
                continue;
            }
            if (keys.expelled(k.pneId())) {
                continue; // expelled since the establishment started
            }
            if (k.localEuKeyForGateway() != null && !storeLocalEuKey(k, keys)) { // step 6: "decrypts ... and stores"
                continue; // expelled this very moment
            }
            admitted.add(k);
        }
        FaultPoints.reach("pn.lek.stored");
        List<CompletableFuture<PneProof>> answers = new ArrayList<>();
        Instant installed = Instant.now();
        for (PneKeys k : admitted) {
            Candidate c = byId.get(k.pneId());
            boolean withLocalKey = k.localEuKeyForGateway() != null;
            answers.add(pnes.request(c.id(), new PneAuthRequest(pnId, auth.randServer(), k.localEuKeyForPne()),
                    millis(config.authTimeoutMillis())).toCompletableFuture().handle((resp, err) -> {
                        if (err != null) {
                            LogThrottle.Decision d = budget(pnId);
                            if (d.log()) {
                                log.info("PNE {} did not complete the Authentication request for {}: {}{}", k.pneId(), pnId,
                                        Strings.printable(cause(err)), d.suffix());
                            }
                            return null;
                        }
                        PneLink l = resp.link();
                        // a link secured before the new LocalEUKey existed was secured with another key
                        boolean secured = c.securePan() || l.authenticated() && (!withLocalKey || !l.since().isBefore(installed));
                        if (!secured) { // R01: no unprotected hop in a PN
                            LogThrottle.Decision d = budget(pnId);
                            if (d.log() && withLocalKey) {
                                log.warn("PNE {} answered outside a session with its new LocalEUKey: not joined to {}{}", k.pneId(), pnId,
                                        d.suffix());
                            } else if (d.log()) {
                                log.warn("PNE {} has no UI and no pre-assigned key session on an insecure PAN (seed 004 R01): "
                                        + "not joined to {}; set its key with gw:preassign{}", k.pneId(), pnId, d.suffix());
                            }
                            return null;
                        }
                        if (withLocalKey && !c.securePan()) {
                            FaultPoints.reach("pn.auth.answered");
                            keys.proven(k.pneId());
                            FaultPoints.reach("pn.lek.proven");
                        }
                        // the link that carried hash_PNE: the Server records it to check security within the PN (seed 003)
                        return new PneProof(k.pneId(), ((PneAuthResponse) resp.envelope().body()).hashPne(), l.protectionName());
                    }));
        }
        LogThrottle.Decision d = refused.count.get() == 0 ? new LogThrottle.Decision(false, 0) : budget(pnId);
        if (d.log()) {
            log.warn("CPNS Server refused {} PNE(s) for PN {}: {}{}", refused.count.get(), pnId, refused.names(), d.suffix());
        }
        FaultPoints.reach("pn.auth.sent");
        return CompletableFuture.allOf(answers.toArray(new CompletableFuture[0]))
                .thenApply(x -> answers.stream().map(CompletableFuture::join).filter(p -> p != null).toList());
    }

    private boolean storeLocalEuKey(PneKeys k, LocalKeyChanges keys) {
        CredentialModule module = credentials.get();
        if (module != null && module.holdsKey()) { // the EUKey is in the module: the unwrap runs there
            byte[] lek = module.unwrap(k.localEuKeyForGateway());
            try {
                return keys.install(k.pneId(), lek);
            } finally {
                Bytes.wipe(lek);
            }
        }
        byte[] gwKey = secrets.get(identity.euKeyAlias()).orElseThrow(() -> new CpnsException(ErrorCode.NOT_AUTHENTICATED,
                "this PN GW has no EUKey"));
        byte[] lek = null;
        try {
            lek = Suites.modern().unwrap(gwKey, k.localEuKeyForGateway()); // AES key wrap, the same in every suite
            return keys.install(k.pneId(), lek);
        } finally {
            Bytes.wipe(gwKey, lek);
        }
    }

    /** Step 15 (and §5.2.1.2 steps 15-16): the PN Inventory and each PNE's hash_server. */
    private void notifyJoined(String pnId, List<Joined> joined, EntityId except) {
        List<PnMember> members = PnRouting.members(inventory.get(pnId));
        for (Joined j : joined) {
            EntityId pne = j.candidate().id();
            if (pne.equals(except)) {
                continue;
            }
            PnEstablishNotify notify = new PnEstablishNotify(pnId, routing.firstPage(members), j.hashServer(), routing.pagedTotal(members));
            pnes.request(pne, notify, millis(config.notifyTimeoutMillis()))
                    .whenComplete((resp, err) -> {
                        LogThrottle.Decision d = budget(pnId);
                        if (err != null && d.log()) {
                            log.info("PNE {} did not acknowledge PN {}: {}{}", pne, pnId, Strings.printable(cause(err)), d.suffix());
                        } else if (err == null && !((PnEstablishAck) resp.envelope().body()).serverAuthenticated() && d.log()) {
                            log.warn("PNE {} could not authenticate the CPNS Server (hash_server) for PN {}{}", pne, pnId, d.suffix());
                        }
                    });
        }
    }

    private static String newPnId() {
        return "pn-" + HexFormat.of().formatHex(Randoms.bytes(6));
    }

    static Map<String, String> pairs(String s) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String kv : s.split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                m.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        return m;
    }

    private static Duration millis(int ms) {
        return Duration.ofMillis(ms);
    }

    private static String cause(Throwable t) {
        return String.valueOf(Failures.cause(t));
    }
}
