package io.cpns.gw.groupkey;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.GatewayGroup;
import io.cpns.api.gateway.GatewayGroups;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.Ack;
import io.cpns.api.message.GroupKey;
import io.cpns.api.message.GroupKeyPush;
import io.cpns.api.message.GroupKeyRequest;
import io.cpns.api.message.GroupNotify;
import io.cpns.api.message.Message;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
 * The PN GW's end of Group Key delivery from the Server (TS §5.3.2 "deliver", seed 003 B.2.1):
 * a pushed key is stored; a notification is answered by pulling the key when this PN GW does not
 * hold that epoch yet; a group without members here, or deleted, is forgotten with its key.
 */
@Component(configurationPid = "cpns.gw.groupkey", service = {GatewayGroups.class, GroupKeyGateway.class}, immediate = true)
@Designate(ocd = GroupKeyGateway.Config.class)
public class GroupKeyGateway implements GatewayGroups {
    @ObjectClassDefinition(name = "CPNS PN GW Group Keys", description = "Group Keys delivered by the CPNS Server.")
    public @interface Config {
        @AttributeDefinition(description = "The CPNS Server answers a Group Key pull within this long (ms)")
        int pullTimeoutMillis() default 10000;

        @AttributeDefinition(description = "A member PNE acknowledges a unicast Group Key within this long (ms)")
        int pneTimeoutMillis() default 10000;
    }

    private final GroupKeyStore store;
    private final Logger log;
    private final Duration pullTimeout;

    // optional and dynamic: a gw-link update must not drop the keys this PN GW holds
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServerLink server;

    // optional and dynamic too: an update of gw-pan (PNE links) leaves the keys where they are
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile PneMessenger pnes;

    private final PneDelivery toPnes;

    @Activate
    public GroupKeyGateway(@Reference(name = "secrets") SecretStore secrets,
                           @Reference(name = "log", service = LoggerFactory.class) Logger log, Config config) {
        this.store = new GroupKeyStore(secrets);
        this.log = log;
        this.pullTimeout = Duration.ofMillis(config.pullTimeoutMillis());
        this.toPnes = new PneDelivery(() -> pnes, log, Duration.ofMillis(config.pneTimeoutMillis()));
        log.info("Group Keys loaded: {} Service Groups", store.all().size());
    }

    @Override
    public List<GatewayGroup> groups() {
        return store.all();
    }

    @Override
    public Optional<GatewayGroup> group(String groupId) {
        return store.get(groupId);
    }

    /** {@code group.key.push} (seed 003 B.2.1.2 step 8). */
    CompletionStage<Message> pushed(GroupKeyPush p) {
        try {
            accept(p.groupId(), p.epoch(), p.members(), p.groupKey(), "pushed");
        } finally {
            Bytes.wipe(p.groupKey());
        }
        return CompletableFuture.completedFuture(new Ack());
    }

    /** {@code group.notify} (seed 003 B.2.1.1 step 7): forget, or pull what this PN GW lacks (steps 8-11). */
    CompletionStage<Message> notified(GroupNotify n) {
        if (n.deleted() || n.members().isEmpty()) {
            List<String> former = store.get(n.groupId()).map(GatewayGroup::members).orElse(List.of());
            if (store.forget(n.groupId())) {
                log.info("Service Group {} {}: its Group Key deleted here", n.groupId(), n.deleted() ? "deleted" : "has no member here");
                toPnes.delete(n.groupId(), former);
            }
            return CompletableFuture.completedFuture(new Ack());
        }
        if (store.get(n.groupId()).map(g -> g.epoch() >= n.epoch()).orElse(false)) {
            return CompletableFuture.completedFuture(new Ack());
        }
        return pull(n.groupId()).thenApply(k -> new Ack());
    }

    /** Asks the Server for the current Group Key of a group (seed 003 B.2.1.1 steps 9-10). */
    CompletionStage<GatewayGroup> pull(String groupId) {
        ServerLink link = server;
        if (link == null) {
            return CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNAVAILABLE, "no server link on this PN GW"));
        }
        return link.request(new GroupKeyRequest(groupId), pullTimeout).thenApply(m -> {
            GroupKey k = (GroupKey) m;
            try {
                accept(k.groupId(), k.epoch(), k.members(), k.groupKey(), "pulled");
            } finally {
                Bytes.wipe(k.groupKey());
            }
            return store.get(groupId).orElseThrow();
        });
    }

    private void accept(String groupId, long epoch, List<String> members, byte[] key, String how) {
        List<String> former = store.get(groupId).map(GatewayGroup::members).orElse(List.of());
        if (members.isEmpty()) {
            store.forget(groupId);
            log.info("Service Group {} epoch {}: no member here any more, its Group Key deleted", groupId, epoch);
            toPnes.delete(groupId, former);
        } else if (store.put(groupId, epoch, members, key)) {
            log.info("Service Group {}: Group Key epoch {} {} ({} members here)", groupId, epoch, how, members.size());
            toPnes.delete(groupId, former.stream().filter(p -> !members.contains(p)).toList());
            toPnes.deliver(groupId, epoch, members, key);
        } else {
            log.debug("Service Group {}: epoch {} {} but not newer than the one held", groupId, epoch, how);
        }
    }

    /**
     * {@code group.key.req} from a PNE (pull, seed 003 "Pull from group members"): the current
     * Group Key of a group it is a member of, on a protected link only.
     */
    GroupKey pulledByPne(io.cpns.api.gateway.PneMessage request) {
        String groupId = ((GroupKeyRequest) request.envelope().body()).groupId();
        String pne = request.envelope().src().value();
        if (!PneDelivery.protectedLink(request.link())) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "a Group Key travels only on a protected link");
        }
        GatewayGroup g = store.get(groupId).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_GROUP,
                "no Service Group " + groupId + " on this PN GW"));
        if (!g.members().contains(pne)) {
            log.warn("PNE {} asked for the Group Key of {}, which it is not a member of", pne, groupId);
            throw new CpnsException(ErrorCode.FORBIDDEN, pne + " is not a member of " + groupId);
        }
        byte[] key = store.key(groupId).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_GROUP, "no Group Key of " + groupId));
        return new GroupKey(groupId, g.epoch(), g.members(), key);
    }

    /** A copy of a group's current Group Key, for delivery to its PNEs (the caller wipes it). */
    Optional<byte[]> groupKey(String groupId) {
        return store.key(groupId);
    }
}
