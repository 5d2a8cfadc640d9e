package io.cpns.gw.pn;

import io.cpns.api.EntityId;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.gateway.GatewayIdentity;
import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneExpelListener;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.PnInventory;
import io.cpns.api.gateway.PnManagement;
import io.cpns.api.gateway.PnRecord;
import io.cpns.api.gateway.PneRequestHandler;
import io.cpns.api.gateway.PreAssignedKeys;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.gateway.ServerLinkListener;
import io.cpns.api.health.HealthContributor;
import io.cpns.api.message.Message;
import io.cpns.api.message.PnInventoryPage;
import io.cpns.api.message.SetupType;
import io.cpns.api.store.SecretStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The PN GW's PN component (seed 004 §5.2.1): its wiring, its wire entry point ({@link #handle}: PN
 * Setup Request, PN Inventory pages, relays), the persisted PN Inventory ({@link PnInventory}), and
 * the expels with their removals from the Server's PNs ({@link PnManagement}, TS §5.3.2). The
 * establishment itself, both flows of seed 004 (§5.2.1.1 PNE initiated, §5.2.1.2 PN GW initiated,
 * registration with the Server), runs in {@link Establishment}; an established PN's traffic in
 * {@link PnRouting}.
 */
@Component(configurationPid = "cpns.gw.pn", service = {PnInventory.class, PnManagement.class, PnGateway.class, HealthContributor.class,
    PneRequestHandler.class, ServerLinkListener.class}, immediate = true,
        property = {"hc.name=PN inventory", "hc.tags=cpns", "hc.tags=readiness", PneRequestHandler.TYPE + "=pn.setup.req", PneRequestHandler.TYPE + "=pn.inventory.req", PneRequestHandler.TYPE + "=relay"})
@Designate(ocd = PnGateway.Config.class)
public class PnGateway implements PnInventory, PnManagement, HealthContributor, PneRequestHandler, ServerLinkListener {
    @ObjectClassDefinition(name = "CPNS PN GW PN establishment", description = "PN Setup, registration with the Server, PN Inventory.")
    public @interface Config {
        @AttributeDefinition(description = "How long an invited PNE has to answer PN Setup Notify (ms)")
        int notifyTimeoutMillis() default 15000;

        @AttributeDefinition(description = "How long a PNE has to answer the Authentication request, including securing its link (ms)")
        int authTimeoutMillis() default 30000;

        @AttributeDefinition(description = "How long the CPNS Server has to answer a registration step (ms)")
        int serverTimeoutMillis() default 30000;

        @AttributeDefinition(description = "PNEs per PN Registration batch")
        int batchSize() default 100;

        @AttributeDefinition(description = "Registration batches of one PN in flight at once")
        int parallelBatches() default 2;

        @AttributeDefinition(description = "PN Inventory members per message: a larger PN Inventory goes in pages "
                + "(pn.inventory.req), so PN Setup Response and PN Establishment Notify stay within one frame")
        int inventoryPageSize() default 200;

        @AttributeDefinition(description = "Capability information of this PN GW's device, key=value,... (seed 004 step 4)")
        String capabilities() default "device=home-gateway";

        @AttributeDefinition(description = "Subscription information, key=value,... (seed 004 step 4)")
        String subscription() default "";
    }

    private final PneMessenger pnes;
    private final PreAssignedKeys preAssigned;
    private final SecretStore secrets;
    private final Logger log;
    private final Config config;
    private final InventoryStore inventory;
    private final PnRouting routing;
    private final StoreProblems problems = new StoreProblems();
    private final PendingRemovals expels;
    private final PendingRemovals withdrawals;
    private final UnsettledRegistrations unsettled;
    private final ExpelClock expelled = new ExpelClock();
    private final Establishment establishment;

    // optional and dynamic: while gw-link is being updated there is no link, and PN handling must stay
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServerLink server;

    // optional and dynamic: where this PN GW's EUKey is when it has a credential module (TS 5.3.3.2; gw-credential-pkcs11)
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile io.cpns.api.credential.CredentialModule credentials;

    // whiteboard: gw-groupkey ends an expelled PNE's Group Keys and broker access at once (TS §5.3.2)
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<PneExpelListener> expelListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * The wire entry points of this flow (PneRequestHandler, on the PNE link's reader thread: each
     * returns at once and completes later): PN Setup (seed 004 §5.2.1.1), the PN Inventory, and
     * relays to the Server.
     */
    @Override
    public CompletionStage<Message> handle(PneMessage request) {
        return switch (request.envelope().type()) {
            case PN_SETUP_REQUEST -> pneInitiated(request);
            case PN_INVENTORY_REQUEST -> CompletableFuture.completedFuture(inventoryPage(request));
            case RELAY -> relay(request);
            default -> throw Failures.unavailable(request.envelope().type(), "this PN GW");
        };
    }

    @Activate
    public PnGateway(@Reference(name = "pnes") PneMessenger pnes, @Reference(name = "preAssigned") PreAssignedKeys preAssigned,
                     @Reference(name = "secrets") SecretStore secrets,
                     @Reference(name = "identity") GatewayIdentity identity,
                     @Reference(name = "log", service = LoggerFactory.class) Logger log, Config config) {
        this.pnes = pnes;
        this.preAssigned = preAssigned;
        this.secrets = secrets;
        this.log = log;
        this.config = config;
        recoverLocalKeyChanges();
        this.expels = new PendingRemovals(secrets, log, true);
        this.withdrawals = new PendingRemovals(secrets, log, false);
        this.unsettled = new UnsettledRegistrations(secrets, withdrawals, log);
        this.inventory = new InventoryStore(secrets);
        this.routing = new PnRouting(inventory, config.inventoryPageSize());
        for (InventoryStore.Quarantined q : inventory.quarantined()) {
            log.error(problems.quarantined(InventoryStore.PREFIX + q.pnId(), "PN Inventory record of PN " + q.pnId(),
                    "That PN is gone from this PN GW; the other PNs work, and its PNEs keep their keys and can join a new PN "
                    + "(gw:establish).", q.reason(), q.where()));
        }
        log.info("PN Inventory loaded: {} PNs{}", inventory.all().size(),
                inventory.quarantined().isEmpty() ? "" : " (" + inventory.quarantined().size() + " unreadable, set aside: see cpns:health)");
        this.establishment = new Establishment(pnes, secrets, identity, log, config, inventory, routing, expels, unsettled, expelled,
                () -> server, () -> credentials, this::resendRemovals);
        unsettled.recover(inventory::memberIds, expels::pending);
        Map<String, Set<String>> unsent = expels.all();
        if (!unsent.isEmpty()) {
            log.info("{} expelled PNE(s) still to be removed from PNs on the Server, sent when the link is up: {}", unsent.size(),
                    String.join(", ", unsent.keySet()));
        }
    }

    /** A previous run that died during PN Establishment left LocalEUKey changes unsettled: roll them back (D31). */
    private void recoverLocalKeyChanges() {
        LocalKeyChanges.Recovered r = LocalKeyChanges.recover(secrets);
        if (!r.rolledBack().isEmpty()) {
            log.warn("PN Establishment was cut short by a stop: the LocalEUKeys of {} PNE(s) rolled back to their previous keys, "
                    + "which they fall back to: {}", r.rolledBack().size(), String.join(", ", r.rolledBack()));
            // a link that came up with a key just dropped (before this component started) must not outlive it
            r.rolledBack().forEach(pne -> pnes.disconnect(EntityId.of(pne)));
        }
        for (LocalKeyChanges.Unreadable u : r.unreadable()) {
            log.error(problems.quarantined(LocalKeyChanges.PENDING + u.pneId(), "The unsettled LocalEUKey change of PNE " + u.pneId(),
                    "That PNE keeps the LocalEUKey this PN GW holds now; if it cannot connect with it, expel it (gw:expel) "
                    + "and invite it again.", u.reason(), u.where()));
        }
    }

    /** Records set aside at start, while their files are still in quarantine ({@code cpns:health}). */
    @Override
    public List<String> problems() {
        return problems.current();
    }

    // ---- PN Establishment (seed 004 §5.2.1), run by {@link Establishment} ----

    /** §5.2.1.1 step 1 arrives; the answer (step 14) completes when the whole establishment is done. */
    CompletionStage<Message> pneInitiated(PneMessage request) {
        return establishment.pneInitiated(request);
    }

    /** §5.2.1.2: this PN GW invites PNEs (Gogo {@code gw:establish}). */
    @Override
    public CompletionStage<PnRecord> establish(SetupType type, List<String> invitees) {
        return establishment.establish(type, invitees);
    }

    // ---- an established PN's traffic ({@link PnRouting}) ----

    /** {@code pn.inventory.req}: a member, on a protected link, reads its PN Inventory from {@code from} on. */
    PnInventoryPage inventoryPage(PneMessage request) {
        return routing.page(request);
    }

    /** Relay: PNE <-> Server end to end, routed by PN ID. */
    CompletionStage<Message> relay(PneMessage request) {
        return routing.relay(request, server, millis(config.serverTimeoutMillis()));
    }

    // ---- PnInventory, PnManagement ----

    @Override
    public List<PnRecord> pns() {
        return inventory.all().stream().sorted(java.util.Comparator.comparing(PnRecord::pnId)).toList();
    }

    @Override
    public Optional<PnRecord> pn(String pnId) {
        return inventory.get(pnId);
    }

    @Override
    public List<PnRecord> pnsOf(String pneId) {
        return pns().stream().filter(p -> p.hasMember(pneId)).toList();
    }

    @Override
    public boolean expel(String pneId) {
        List<PnRecord> affected;
        boolean found;
        synchronized (expelled.lock()) { // a batch in flight neither installs its key now nor puts one back when it settles
            expelled.expel(pneId);
            affected = pnsOf(pneId);
            // journaled first: from here on a lost link or a restart cannot keep it in the Server's PNs and Service Groups
            expels.add(pneId, affected.stream().map(PnRecord::pnId).toList());
            found = inventory.removeMember(pneId);
            secrets.delete(KeyStoreAliases.localEuKey(pneId));
            secrets.delete(LocalKeyChanges.PENDING + pneId); // a restart must not give it back its previous key
        }
        boolean hadPreAssigned = preAssigned.remove(pneId); // else it could authenticate and be invited again
        pnes.disconnect(EntityId.of(pneId));
        for (PneExpelListener l : expelListeners) {
            try {
                l.expelled(pneId);
            } catch (RuntimeException e) {
                log.warn("expel of {}: {} failed: {}", pneId, l.getClass().getSimpleName(), e.toString());
            }
        }
        ServerLink link = server;
        if (link == null && !affected.isEmpty()) {
            log.warn("PNE {} expelled while this PN GW has no link to the Server: its removal from {} PN(s) is sent when the link is up",
                    pneId, affected.size());
        }
        expels.send(link, millis(config.serverTimeoutMillis()));
        log.info("PNE {} expelled from {} PN(s); its LocalEUKey{} deleted", pneId, affected.size(),
                hadPreAssigned ? " and pre-assigned key" : "");
        return found;
    }

    /**
     * ServerLinkListener: the link to the Server is up (again), or gw-pn just started while it was:
     * the expels the Server has not confirmed ({@code pn.member.remove}, journaled) are sent now.
     * On gw-link's timer thread; gw-link obtains this component then, not while binding it (D33).
     */
    @Override
    public void authenticated() {
        resendRemovals();
    }

    /** The expels and withdrawals the Server has not confirmed are sent (again). */
    void resendRemovals() {
        expels.send(server, millis(config.serverTimeoutMillis()));
        withdrawals.send(server, millis(config.serverTimeoutMillis()));
    }

    private static Duration millis(int ms) {
        return Duration.ofMillis(ms);
    }
}
