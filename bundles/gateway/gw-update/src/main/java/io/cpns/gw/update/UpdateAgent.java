package io.cpns.gw.update;

import io.cpns.api.dispatch.Failures;
import io.cpns.api.gateway.GroupBroker;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.gateway.ServerLinkListener;
import io.cpns.api.gateway.ServerRequestHandler;
import io.cpns.api.health.Health;
import io.cpns.api.health.HealthContributor;
import io.cpns.api.message.MessageType;
import io.cpns.api.message.UpdateCancel;
import io.cpns.api.message.UpdateInventoryRequest;
import io.cpns.api.message.UpdateOffer;
import io.cpns.api.message.UpdateStatus;
import io.cpns.update.journal.FileInstallGuard;
import io.cpns.update.journal.Journal;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.hooks.resolver.ResolverHookFactory;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
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
 * The PN GW's update agent (issue 11; docs/updates.md §3, §4): answers the Server's
 * {@code update.offer}, {@code update.cancel} and {@code update.inventory.req} on the gateway's
 * session, carries releases out, reports their status and the inventory. Its own bundle is
 * RESTART class (docs/updates.md §4.1): it is never swapped under a transaction it runs.
 *
 * <p>Every reference but the log is optional and dynamic: an update swaps the bundles of the
 * link, the PAN, the health report and the broker under it, and must not deactivate the agent
 * that is carrying it out. Gogo: {@code gw:release} (where updates stand) and {@code gw:releases}
 * (the history).
 */
@Component(configurationPid = "cpns.gw.update", immediate = true,
        service = {ServerLinkListener.class, HealthContributor.class, UpdateAgent.class},
        property = {"hc.name=Update agent", "hc.tags=cpns", "hc.tags=readiness", "osgi.command.scope=gw", "osgi.command.function=release", "osgi.command.function=releases"})
@Designate(ocd = UpdateConfig.class)
public class UpdateAgent implements ServerLinkListener, HealthContributor {
    /** Framework property (etc/gateway/role.properties): the operator's pinned root keys. */
    static final String ROOT_KEYS = "cpns.update.rootKeys";

    @Reference(service = LoggerFactory.class)
    private Logger log;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServerLink link;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Health health;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile PneMessenger pnes;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile GroupBroker broker;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigurationAdmin configAdmin;

    private BundleContext ctx;
    private Path dataDir;
    private volatile Settings settings;
    private Agent agent;
    private String problem = "";
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private BundleListener bundleListener;
    private FileInstallGuard fileInstall;

    @Activate
    void activate(BundleContext ctx, UpdateConfig config) {
        this.ctx = ctx;
        this.dataDir = io.cpns.api.DataDirectory.of(ctx::getProperty);
        this.settings = Settings.from(config);
        Path updateDir = dataDir.resolve("update");
        Services services = new Services() {
            @Override
            public Health health() {
                return health;
            }

            @Override
            public ServerLink link() {
                return link;
            }

            @Override
            public PneMessenger pnes() {
                return pnes;
            }

            @Override
            public GroupBroker broker() {
                return broker;
            }
        };
        String rootKeys = Optional.ofNullable(ctx.getProperty(ROOT_KEYS)).orElse("").trim();
        String noRootKey = null;
        ReleaseCheck check = null;
        if (rootKeys.isEmpty()) {
            noRootKey = "no root key is pinned (" + ROOT_KEYS + " is empty in etc/gateway/role.properties): every offer is refused";
            log.info("remote updates are off: {}", noRootKey);
        } else {
            try {
                check = SignedReleases.pinned(rootKeys);
            } catch (IllegalArgumentException e) {
                noRootKey = ROOT_KEYS + " cannot be read (" + e.getMessage() + "): every offer is refused";
                problem = noRootKey + "; fix etc/gateway/role.properties and restart";
                log.error(problem);
            }
        }
        try {
            io.cpns.update.journal.AtomicFiles.directory(updateDir);
            Agent[] self = new Agent[1];
            fileInstall = new FileInstallGuard(ctx, () -> self[0] == null ? java.util.Set.of() : self[0].managed(), line -> log.warn(line),
                    r -> new Thread(r, "cpns-gw-update-fileinstall").start());
            agent = new Agent(ctx, updateDir, services, check == null ? SignedReleases.none() : check, settings, log,
                    this::operatorCa, fileInstall, noRootKey);
            self[0] = agent;
        } catch (IOException | RuntimeException e) {
            problem = "the update agent cannot read its state in " + updateDir + " (" + e.getMessage() + "): offers are not answered;"
                    + " move the damaged file away (docs/operator-guide.md, reading and recovering an update)";
            log.error(problem, e);
            return;
        }
        registrations.add(ctx.registerService(ResolverHookFactory.class, fileInstall, null));
        registrations.add(ctx.registerService(org.osgi.framework.hooks.bundle.CollisionHook.class, fileInstall, null));
        registrations.add(ctx.registerService(org.osgi.framework.hooks.bundle.FindHook.class, fileInstall, null));
        // (the launcher registered the same guard for the bundles managed at boot, before FileInstall's first scan)
        bundleListener = e -> {
            fileInstall.bundleChanged(e);
            if (e.getType() == BundleEvent.INSTALLED || e.getType() == BundleEvent.UPDATED || e.getType() == BundleEvent.UNINSTALLED) {
                agent.bundlesChanged();
            }
        };
        ctx.addBundleListener(bundleListener);
        fileInstall.sweep();
        registerHandler();
        agent.start();
    }

    @Modified
    void modified(UpdateConfig config) {
        settings = Settings.from(config);
        if (agent != null) {
            agent.configure(settings);
        }
    }

    @Deactivate
    void deactivate() {
        registrations.forEach(r -> {
            try {
                r.unregister();
            } catch (IllegalStateException ignored) {
                // gone with the framework
            }
        });
        registrations.clear();
        if (bundleListener != null) {
            ctx.removeBundleListener(bundleListener);
        }
        if (agent != null) {
            agent.stop();
        }
    }

    /**
     * The wire entry points of the update flow: registered only once the agent runs (a Server's
     * offer to an agent that could not read its state gets UNAVAILABLE). On gw-link's thread for
     * the Server's requests; each answers at once (the download runs on the agent's own thread).
     */
    private void registerHandler() {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(ServerRequestHandler.TYPE, new String[] {MessageType.UPDATE_OFFER.wireName(), MessageType.UPDATE_CANCEL.wireName(),
            MessageType.UPDATE_INVENTORY_REQUEST.wireName()});
        ServerRequestHandler h = request -> {
            MessageType type = MessageType.of(request.getClass());
            try {
                return CompletableFuture.completedFuture(switch (type) {
                    case UPDATE_OFFER -> agent.offer((UpdateOffer) request);
                    case UPDATE_CANCEL -> agent.cancel((UpdateCancel) request);
                    case UPDATE_INVENTORY_REQUEST -> agent.inventory();
                    default -> throw Failures.unavailable(type, "this PN GW");
                });
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        };
        registrations.add(ctx.registerService(ServerRequestHandler.class, h, props));
    }

    /** The operator CA the artifact server's certificate must chain to (docs/updates.md §3.3). */
    private Path operatorCa() {
        String own = settings.operatorCaFile();
        if (!own.isEmpty()) {
            return Path.of(own);
        }
        ConfigurationAdmin cm = configAdmin;
        if (cm != null) {
            try {
                Configuration[] cs = cm.listConfigurations("(service.pid=cpns.gw.link)");
                if (cs != null && cs.length > 0 && cs[0].getProperties() != null) {
                    Object v = cs[0].getProperties().get("operatorCaFile");
                    if (v != null && !String.valueOf(v).isBlank()) {
                        return Path.of(String.valueOf(v).trim());
                    }
                }
            } catch (IOException | org.osgi.framework.InvalidSyntaxException e) {
                log.warn("cannot read configuration cpns.gw.link: {}", e.toString());
            }
        }
        return io.cpns.api.DataDirectory.operatorCa(dataDir);
    }

    // ---- ServerLinkListener, HealthContributor ----

    @Override
    public void authenticated() {
        if (agent != null) {
            agent.authenticated();
        }
    }

    @Override
    public List<String> problems() {
        return problem.isEmpty() ? List.of() : List.of(problem);
    }

    // ---- Gogo ----

    /**
     * {@code gw:release [--help]}: printed rather than returned (Apache Karaf's {@code bin/client}
     * drops a return value; issue 14 §2). No Gogo types: the Gogo import of this bundle is optional.
     */
    public void release(String... args) {
        if (help(args, "gw:release [--help]\n    the committed release, the one under way, the outbox")) {
            return;
        }
        System.out.println(releaseText());
        System.out.flush();
    }

    /** {@code gw:releases [--help]}, printed. */
    public void releases(String... args) {
        if (help(args, "gw:releases [--help]\n    the outcome of every offer received (newest last)")) {
            return;
        }
        System.out.println(releasesText());
        System.out.flush();
    }

    private static boolean help(String[] args, String usage) {
        if (args.length == 0) {
            return false;
        }
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(usage + "\n    -h, --help                   show this help");
            return true;
        }
        throw new IllegalArgumentException("no arguments: " + usage.lines().findFirst().orElse(""));
    }

    /** The committed release, the one under way, the outbox. */
    private String releaseText() {
        if (agent == null) {
            return "update agent not running: " + problem;
        }
        Journal j = agent.journal();
        StringBuilder s = new StringBuilder()
                .append("committed release ").append(j.committedSeq() == 0 ? "none (the distribution's bundles)" : j.committedSeq())
                .append("\nkeys document     ").append(j.keysSeq() == 0 ? "none yet" : j.keysSeq())
                .append("\nmanaged bundles   ").append(agent.managed().isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(agent.managed())));
        Optional<UpdateStatus> now = agent.inProgress();
        s.append("\nin progress       ").append(now.map(u -> "release " + u.releaseSeq() + " of rollout " + u.rolloutId() + ": "
                + u.state()).orElse("nothing"));
        if (j.phase() != io.cpns.update.journal.Phase.IDLE) {
            s.append("\njournal           ").append(j.phase()).append(", release ").append(j.seq()).append(", set ").append(j.from().isEmpty()
                    ? "distribution" : j.from()).append(" -> ").append(j.to()).append(j.restart() ? ", by a restart" : ", hot")
                    .append(", boot attempts ").append(j.bootAttempts());
        }
        long pending = agent.history().stream().filter(e -> !e.acked()).count();
        s.append("\nbad releases      ").append(j.bad().isEmpty() ? "none" : String.join(", ", j.bad().stream()
                .map(b -> b.substring(0, b.indexOf(':'))).toList()))
                .append("\nnot yet reported  ").append(pending).append(" status(es)")
                .append("\nrestarts          ").append(agent.restartable() ? "by the CPNS launcher" : "not possible (no CPNS launcher)");
        if (!problem.isEmpty()) {
            s.append("\nproblem           ").append(problem);
        }
        return s.toString();
    }

    /** The outcome of every offer received (newest last). */
    private String releasesText() {
        if (agent == null) {
            return "update agent not running: " + problem;
        }
        StringBuilder s = new StringBuilder();
        for (History.Entry e : agent.history()) {
            UpdateStatus u = e.status();
            s.append(Instant.ofEpochMilli(u.at())).append("  rollout ").append(u.rolloutId()).append("  release ").append(u.releaseSeq())
                    .append("  ").append(u.state()).append(u.failure() == null ? "" : " " + u.failure())
                    .append(e.acked() ? "" : "  (not yet reported)")
                    .append(u.detail() == null ? "" : "\n    " + u.detail()).append('\n');
        }
        return s.length() == 0 ? "no offer received yet" : s.toString().trim();
    }
}
