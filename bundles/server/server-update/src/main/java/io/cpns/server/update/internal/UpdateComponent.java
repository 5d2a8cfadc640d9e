package io.cpns.server.update.internal;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.UserId;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.GatewayInventory;
import io.cpns.api.message.Message;
import io.cpns.api.message.UpdateInventoryReport;
import io.cpns.api.server.EntityRecord;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.SessionInfo;
import io.cpns.api.server.SessionListener;
import io.cpns.server.store.UpdateStore;
import io.cpns.server.update.GatewayProgress;
import io.cpns.server.update.RolloutRequest;
import io.cpns.server.update.RolloutView;
import io.cpns.server.update.Target;
import io.cpns.server.update.UpdateService;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
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
 * Releases and rollouts on the CPNS Server (docs/updates.md §5): {@link Updates} with the Server's
 * database, its endpoint (offers and cancels on the gateways' sessions, told when a gateway
 * authenticates) and a timer for deadlines, soak and waves.
 */
@Component(configurationPid = "cpns.server.update", service = {UpdateService.class, SessionListener.class, UpdateComponent.class,
    RequestHandler.class}, immediate = true,
        property = {RequestHandler.TYPE + "=update.status", RequestHandler.TYPE + "=update.inventory.report"})
@Designate(ocd = UpdateComponent.Config.class)
public class UpdateComponent implements UpdateService, SessionListener, RequestHandler {
    @ObjectClassDefinition(name = "CPNS Server updates", description = "Releases, rollouts and offers to PN GWs (docs/updates.md §5).")
    public @interface Config {
        @AttributeDefinition(description = "Directory of published releases (one sub-directory per releaseSeq). "
                + "Empty = ${cpns.data}/releases")
        String releaseDirectory() default "";

        @AttributeDefinition(description = "Operator root public keys (raw Ed25519, base64, comma-separated), the same as the "
                + "gateways' cpns.update.rootKeys. When set, a release whose keys document or manifest does not verify is not "
                + "published (a sanity check: the gateways decide). Empty = not checked here")
        String rootKeys() default "";

        @AttributeDefinition(description = "HTTPS base URL put in offers, ending in /cpns/releases/. "
                + "Empty = the artifact endpoint's own address (cpns.server.artifacts)")
        String artifactBaseUrl() default "";

        @AttributeDefinition(description = "How often deadlines, soak times and waves are evaluated (ms)")
        int tickMillis() default 1000;

        @AttributeDefinition(description = "A gateway answers an offer, cancel or inventory request within this long (ms)")
        int requestTimeoutMillis() default 30000;

        @AttributeDefinition(description = "An offer that found no session or was not answered is tried again after this long (ms); "
                + "a gateway that authenticates is offered at once")
        int offerRetryMillis() default 60000;
    }

    private final Logger log;
    private final UpdateStore store;
    private final EntityRegistry entities;
    private final Config config;
    private final Path releaseDirectory;
    private final Updates updates;
    private final ScheduledExecutorService timer;
    private final Publisher publisher;

    // optional and dynamic: updates are managed while the endpoint or the artifact endpoint is being updated
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServerEndpoint endpoint;

    /** Set by the artifact endpoint of this bundle when it starts (it references this component, not the reverse: no cycle). */
    private volatile ArtifactEndpoint artifacts;

    /** The wire entry points of this flow (RequestHandler, on the PN GW's session thread). */
    @Override
    public Message handle(Principal from, Envelope request) {
        return switch (request.type()) {
            case UPDATE_STATUS -> status(from, (io.cpns.api.message.UpdateStatus) request.body());
            case UPDATE_INVENTORY_REPORT -> inventoryReport(from, ((UpdateInventoryReport) request.body()).inventory());
            default -> throw Failures.unavailable(request.type(), "this server");
        };
    }

    @Activate
    public UpdateComponent(@Reference(name = "store") UpdateStore store, @Reference(name = "entities") EntityRegistry entities,
                           @Reference(name = "log", service = LoggerFactory.class) Logger log, Config config, BundleContext context) {
        this.log = log;
        this.store = store;
        this.entities = entities;
        this.config = config;
        this.releaseDirectory = (config.releaseDirectory().isBlank() ? io.cpns.api.DataDirectory.of(context::getProperty).resolve("releases")
                : Path.of(config.releaseDirectory())).toAbsolutePath();
        Duration timeout = Duration.ofMillis(config.requestTimeoutMillis());
        this.updates = new Updates(store, this::resolve, new EndpointLink(timeout), Clock.systemUTC(),
                new Updates.Settings(this::artifactBase, Duration.ofMillis(config.offerRetryMillis())), new Updates.Log() {
                    @Override
                    public void info(String line) {
                        log.info(line);
                    }

                    @Override
                    public void warn(String line) {
                        log.warn(line);
                    }
                });
        this.publisher = new Publisher(store, releaseDirectory, config.rootKeys().isBlank() ? List.of()
                : io.cpns.release.ReleaseVerifier.parseRootKeys(config.rootKeys()), Clock.systemUTC());
        publisher.clean().forEach(p -> log.warn("removed {}: left by a publish cut short", p));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cpns-server-rollouts");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tick, config.tickMillis(), config.tickMillis(), TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }

    private void tick() {
        try {
            updates.tick();
        } catch (RuntimeException e) {
            log.error("rollout tick failed", e);
        }
    }

    Path releaseDirectory() {
        return releaseDirectory;
    }

    void artifactEndpoint(ArtifactEndpoint a) {
        this.artifacts = a;
    }

    boolean lists(long releaseSeq, String file) {
        return updates.lists(releaseSeq, file);
    }

    private String artifactBase() {
        if (!config.artifactBaseUrl().isBlank()) {
            String b = config.artifactBaseUrl();
            return b.endsWith("/") ? b : b + "/";
        }
        ArtifactEndpoint a = artifacts;
        return a == null ? null : a.baseUrl();
    }

    /** Gateways of a target: PN GWs known to the Server only. */
    private List<String> resolve(Target t) {
        List<EntityRecord> gateways = switch (t.kind()) {
            case ALL -> entities.list();
            case OWNER -> entities.listByOwner(UserId.of(t.values().get(0)));
            case LABEL -> store.labelled(t.values().get(0)).stream().map(entities::find).flatMap(Optional::stream).toList();
            case LIST -> {
                List<EntityRecord> out = new ArrayList<>();
                List<String> unknown = new ArrayList<>();
                for (String id : t.values()) {
                    Optional<EntityRecord> r = entities.find(EntityId.of(id));
                    if (r.isPresent() && r.get().kind() == EntityKind.GATEWAY) {
                        out.add(r.get());
                    } else {
                        unknown.add(id);
                    }
                }
                if (!unknown.isEmpty()) {
                    throw new CpnsException(ErrorCode.UNKNOWN_ENTITY, "not PN GWs known to this Server: " + String.join(", ", unknown));
                }
                yield out;
            }
        };
        return gateways.stream().filter(r -> r.kind() == EntityKind.GATEWAY).map(r -> r.id().value()).distinct().toList();
    }

    /** The Server's endpoint as the {@link Updates.GatewayLink}. */
    private final class EndpointLink implements Updates.GatewayLink {
        private final Duration timeout;

        EndpointLink(Duration timeout) {
            this.timeout = timeout;
        }

        @Override
        public Set<String> connected() {
            ServerEndpoint ep = endpoint;
            return ep == null ? Set.of() : ep.sessions().stream().map(SessionInfo::entityId).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        }

        @Override
        public CompletionStage<Message> send(String gateway, Message request) {
            ServerEndpoint ep = endpoint;
            if (ep == null) {
                return CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNAVAILABLE, "the Server's endpoint is not running"));
            }
            return ep.request(EntityId.of(gateway), request, timeout);
        }
    }

    // ---- SessionListener ----

    @Override
    public void authenticated(Principal who) {
        if (who.kind() == EntityKind.GATEWAY) {
            timer.execute(() -> {
                try {
                    updates.connected(who.entity());
                } catch (RuntimeException e) {
                    log.error("offers to {} at its authentication failed", who.entity(), e);
                }
            });
        }
    }

    // ---- requests from gateways (handlers) ----

    Message status(Principal from, io.cpns.api.message.UpdateStatus s) {
        requireGateway(from, "update.status");
        return updates.status(from.entity().value(), s);
    }

    Message inventoryReport(Principal from, GatewayInventory inv) {
        requireGateway(from, "update.inventory.report");
        return updates.inventory(from.entity().value(), inv);
    }

    private static void requireGateway(Principal from, String what) {
        if (from.kind() != EntityKind.GATEWAY) {
            throw new CpnsException(ErrorCode.FORBIDDEN, what + " is for PN GWs");
        }
    }

    // ---- UpdateService ----

    @Override
    public UpdateStore.ReleaseRow publish(Path directory) {
        UpdateStore.ReleaseRow r = publisher.publish(directory.toAbsolutePath());
        log.info("release {} ({}) published from {}: {} bundle(s), {} bytes, key {}", r.releaseSeq(), r.name(), directory, r.files().size(),
                r.totalBytes(), r.keyId());
        return r;
    }

    @Override
    public List<UpdateStore.ReleaseRow> releases() {
        return updates.releases();
    }

    @Override
    public RolloutView start(RolloutRequest request) {
        return updates.start(request);
    }

    @Override
    public Optional<RolloutView> rollout(String rolloutId) {
        return updates.rollout(rolloutId);
    }

    @Override
    public List<RolloutView> rollouts() {
        return updates.rollouts();
    }

    @Override
    public RolloutView pause(String rolloutId) {
        return updates.pause(rolloutId);
    }

    @Override
    public RolloutView resume(String rolloutId) {
        return updates.resume(rolloutId);
    }

    @Override
    public RolloutView cancel(String rolloutId) {
        return updates.cancel(rolloutId);
    }

    @Override
    public Optional<GatewayProgress> progress(String rolloutId, EntityId gateway) {
        return updates.progress(rolloutId, gateway);
    }

    @Override
    public CompletionStage<GatewayInventory> requestInventory(EntityId gateway) {
        return updates.requestInventory(gateway);
    }

    @Override
    public Optional<UpdateStore.InventoryRow> inventory(EntityId gateway) {
        return updates.inventory(gateway);
    }

    @Override
    public boolean label(EntityId gateway, String label, boolean add) {
        EntityId.of(label); // the same syntax as IDs: no spaces or separators in a label
        if (add) {
            if (entities.find(gateway).filter(r -> r.kind() == EntityKind.GATEWAY).isEmpty()) {
                throw new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no PN GW " + gateway);
            }
            return store.addLabel(gateway, label);
        }
        return store.removeLabel(gateway, label);
    }

    @Override
    public List<String> labels(EntityId gateway) {
        return store.labels(gateway);
    }
}
