package io.cpns.demo;

import static io.cpns.demo.DemoSteps.check;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.UserId;
import io.cpns.api.gateway.GatewayGroups;
import io.cpns.api.gateway.GroupBroadcastInfo;
import io.cpns.api.gateway.MemberDelivery;
import io.cpns.api.server.GroupRegistry;
import io.cpns.api.server.ServiceGroup;
import io.cpns.crypto.Suites;
import io.cpns.groupkey.GroupMessage;
import io.cpns.groupkey.GroupOpener;
import io.cpns.groupkey.GroupSealer;
import io.cpns.demo.Runtimes.Services;
import io.cpns.pne.PneClient;
import io.cpns.api.message.GroupMsg;
import io.cpns.pne.PneGroupKey;
import io.cpns.pne.PneGroupMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The Service Group part of the demo (issue 4): a group's Group Key delivered by MQTT broadcast to
 * the speakers and by unicast to the TV, a member leaves, the broadcast Rekey reaches the others,
 * and the departed member cannot read the group's next message.
 */
final class GroupDemo {
    private static final String GROUP = "sg-living-room";
    private static final byte[] MESSAGE = "play: evening playlist, volume 30%".getBytes(StandardCharsets.UTF_8);

    private final DemoSteps steps;
    private final PneDemo pnes;
    private final String user;

    GroupDemo(DemoSteps steps, PneDemo pnes, String user) {
        this.steps = steps;
        this.pnes = pnes;
        this.user = user;
    }

    void run(Services gw, Services srv) throws Exception {
        steps.begin("Service Group " + GROUP + ": three speakers receive its Group Key by MQTT broadcast, pne-tv by unicast (TS 5.3.2)");
        List<PneClient> speakers = List.of(pnes.broadcastMember("pne-speaker-1"), pnes.broadcastMember("pne-speaker-2"),
                pnes.broadcastMember("pne-speaker-3"));
        PneClient tv = pnes.tv();
        GroupRegistry groups = srv.get(GroupRegistry.class);
        groups.create(GROUP, UserId.of(user));
        ServiceGroup g = groups.join(GROUP, List.of(speakers.get(0).id(), speakers.get(1).id(), speakers.get(2).id(), tv.id()));
        speakers.forEach(s -> holds(s, g));
        holds(tv, g);
        Runtimes.await("the speakers subscribed over MQTT", () -> speakers.stream().allMatch(s -> s.followsBroadcast(GROUP)), () -> "");
        check(!tv.followsBroadcast(GROUP), "pne-tv should receive by unicast");
        GroupBroadcastInfo b = gw.get(GatewayGroups.class).broadcast(GROUP).orElseThrow();
        steps.pass("Group Key epoch %d (%s) held by all 4: speakers over %s (key tree of %d, signed broadcast %d bytes), pne-tv %s",
                g.epoch(), g.keyFingerprint(), b.topic(), b.members(), b.lastBytes(), mode(gw, tv));

        PneClient departed = speakers.get(1);
        PneGroupKey knew = departed.groupKey(GROUP).orElseThrow();
        steps.begin("pne-speaker-2 leaves: one broadcast Rekey reaches the other speakers, pne-tv gets the new key by unicast");
        ServiceGroup after = groups.leave(GROUP, departed.id());
        holds(speakers.get(0), after);
        holds(speakers.get(2), after);
        holds(tv, after);
        Runtimes.await("pne-speaker-2 deleted the key", () -> departed.groupKey(GROUP).isEmpty(), () -> "");
        GroupBroadcastInfo rekey = gw.get(GatewayGroups.class).broadcast(GROUP).orElseThrow();
        for (PneClient s : List.of(speakers.get(0), speakers.get(2))) {
            MemberDelivery d = delivery(gw, s);
            check(d.mode() == MemberDelivery.Mode.BROADCAST && d.status() == MemberDelivery.Status.PUBLISHED && d.epoch() == after.epoch(), "not by broadcast: " + d);
        }
        steps.pass("epoch %d held by the 3 remaining members; the Rekey was %d wrapped keys in %d bytes; pne-speaker-2 deleted its key",
                after.epoch(), rekey.lastWrapped(), rekey.lastBytes());

        steps.begin("the next message to the group (AES-GCM under the new Group Key, TS 5.3.3.2) through the PN GW: members read it, "
                + "pne-speaker-2 cannot");
        List<PneGroupMessage> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (PneClient reader : List.of(speakers.get(2), tv, departed)) {
            reader.onGroupMessage(received::add);
        }
        PneGroupKey k = speakers.get(0).groupKey(GROUP).orElseThrow();
        GroupMessage m = new GroupSealer(Suites.modern(), GROUP, k.epoch(), k.key(), speakers.get(0).id().value()).seal(MESSAGE);
        // what PneClient.sendToGroup does, with the sealed message kept to show what an eavesdropper holds
        speakers.get(0).request(new GroupMsg(GROUP, m.sender(), m.epoch(), m.counter(), m.ciphertext(), null), java.time.Duration.ofSeconds(10))
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        Runtimes.await("pne-speaker-3 and pne-tv received it", () -> received.size() >= 2, received::toString);
        for (PneGroupMessage r : received) {
            check(java.util.Arrays.equals(MESSAGE, r.payload()) && r.groupKeyProtected(), "read something else: " + r);
        }
        GroupOpener old = new GroupOpener(Suites.modern(), GROUP);
        old.rekeyed(m.epoch(), knew.key()); // the best it has: the key from before it left
        try {
            old.open(m);
            throw new DemoSteps.Failure("the departed member read the message");
        } catch (CpnsException e) {
            check(e.code() == ErrorCode.BAD_MAC, "refused with " + e.code());
        }
        check(received.size() == 2, "the departed member was sent it: " + received);
        steps.pass("the PN GW verified and relayed it; pne-speaker-3 and pne-tv read \"%s\"; pne-speaker-2 was not sent it, and with its "
                + "old key a copy gives %s", new String(MESSAGE, StandardCharsets.UTF_8), ErrorCode.BAD_MAC);
        groups.delete(GROUP);
    }

    private static void holds(PneClient pne, ServiceGroup g) {
        Runtimes.await(pne.id() + " holding " + g.groupId() + " epoch " + g.epoch(),
                () -> pne.groupKey(g.groupId()).map(k -> k.epoch() == g.epoch()).orElse(false), () -> String.valueOf(pne.groupKey(g.groupId())));
        check(Suites.fingerprint(pne.groupKey(g.groupId()).orElseThrow().key()).equals(g.keyFingerprint()), pne.id() + " holds another key");
    }

    private static String mode(Services gw, PneClient pne) {
        return delivery(gw, pne).mode().wire();
    }

    private static MemberDelivery delivery(Services gw, PneClient pne) {
        return gw.get(GatewayGroups.class).deliveries(GROUP).stream().filter(d -> d.pneId().equals(pne.id().value())).findFirst()
                .orElseThrow(() -> new DemoSteps.Failure("no delivery status for " + pne.id()));
    }
}
