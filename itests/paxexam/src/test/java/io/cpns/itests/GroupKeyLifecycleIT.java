package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.api.gateway.GatewayGroups;
import io.cpns.api.gateway.GroupKeyTraffic;
import io.cpns.api.message.SetupType;
import io.cpns.api.server.GroupRegistry;
import io.cpns.api.server.ServiceGroup;
import io.cpns.pne.PneClient;
import io.cpns.pne.PneGroupMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The Group Key lifecycle of TS §5.3.2 and seed 003 B.2.1 with real PNEs: delivery on request
 * (B.2.1.1: a key "is delivered only when it is needed by a PNE"), counted by the PN GW where it
 * receives and sends keys; and a group deleted while a member PNE was offline (TS §5.3.2 "SG member
 * PNEs delete Group Key").
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class GroupKeyLifecycleIT extends PnTestBase {
    private static final String ON_REQUEST = "sg-od";
    private static final String AT_ONCE = "sg-ea";

    @Configuration
    public Option[] config() {
        Map<String, Map<String, Object>> c = configs(Map.of());
        c.put("cpns.server.groups", Map.of("delivery", "pull"));
        c.put("cpns.gw.groupkey", Map.of("onRequestGroups", ON_REQUEST));
        return CpnsOptions.boot("gklife", c, "runtime", "core", "server", "gateway", "pne");
    }

    @Test
    public void l01_onRequest_nothingIsFetchedOrSent_untilAMemberAsks_thenOnlyToIt() throws Exception {
        PneClient a = member("pne-od-a");
        PneClient b = member("pne-od-b");
        List<PneGroupMessage> atB = new CopyOnWriteArrayList<>();
        b.onGroupMessage(atB::add);
        GroupRegistry groups = osgi.service(GroupRegistry.class);
        groups.create(ON_REQUEST, UserId.of(USER));
        groups.join(ON_REQUEST, EntityId.of("pne-od-a"));
        ServiceGroup g = groups.join(ON_REQUEST, EntityId.of("pne-od-b"));
        Osgi.eventually("epoch " + g.epoch() + " announced to the PN GW", () -> announced(ON_REQUEST) == g.epoch(),
                () -> String.valueOf(osgi.service(GatewayGroups.class).traffic(ON_REQUEST)));
        Osgi.sleep(500); // an eager PN GW would pull and deliver now
        assertTrue(traffic(ON_REQUEST).onRequest());
        assertEquals("nothing fetched from the Server", 0, traffic(ON_REQUEST).fromServer());
        assertEquals("nothing sent to a member", Map.of(), traffic(ON_REQUEST).toPnes());
        assertTrue("no key held by the PN GW", osgi.service(GatewayGroups.class).group(ON_REQUEST).isEmpty());
        assertTrue(a.groupKey(ON_REQUEST).isEmpty());
        assertTrue(b.groupKey(ON_REQUEST).isEmpty());
        String shown = osgi.shell("gw:group " + ON_REQUEST);
        assertTrue(shown, shown.contains("no Group Key held here; delivery on request") && shown.contains("0 from the Server"));

        // a asks (the explicit call): one fetch, one key, to a only
        assertEquals(g.epoch(), a.pullGroupKey(ON_REQUEST).toCompletableFuture().get(10, TimeUnit.SECONDS).epoch());
        holds(a, g);
        assertEquals(1, traffic(ON_REQUEST).fromServer());
        assertEquals(Map.of("pne-od-a", 1L), traffic(ON_REQUEST).toPnes());
        assertTrue(b.groupKey(ON_REQUEST).isEmpty());

        // a sends to the group: b needs the key to open it, and asks; the PN GW fetches nothing again
        a.sendToGroup(ON_REQUEST, "one".getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        Osgi.eventually("b opened it", () -> atB.size() == 1, atB::toString);
        assertEquals("one", new String(atB.get(0).payload(), StandardCharsets.UTF_8));
        holds(b, g);
        assertEquals(1, traffic(ON_REQUEST).fromServer());
        assertEquals(Map.of("pne-od-a", 1L, "pne-od-b", 1L), traffic(ON_REQUEST).toPnes());

        // a new epoch is announced, not fetched; a's next message fetches it once, and each member gets it once
        ServiceGroup g2 = groups.update(ON_REQUEST);
        Osgi.eventually("epoch " + g2.epoch() + " announced", () -> announced(ON_REQUEST) == g2.epoch(),
                () -> String.valueOf(osgi.service(GatewayGroups.class).traffic(ON_REQUEST)));
        Osgi.eventually("the older key no longer held", () -> osgi.service(GatewayGroups.class).group(ON_REQUEST).isEmpty(), () -> "");
        assertEquals(1, traffic(ON_REQUEST).fromServer());
        a.sendToGroup(ON_REQUEST, "two".getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        Osgi.eventually("b opened it", () -> atB.size() == 2, atB::toString);
        assertEquals("two", new String(atB.get(1).payload(), StandardCharsets.UTF_8));
        holds(a, g2);
        holds(b, g2);
        assertEquals(2, traffic(ON_REQUEST).fromServer());
        assertEquals(Map.of("pne-od-a", 2L, "pne-od-b", 2L), traffic(ON_REQUEST).toPnes());
    }

    @Test
    public void l02_atOnce_everyMemberGetsEachKeyUnasked() throws Exception {
        PneClient a = member("pne-od-a");
        PneClient b = member("pne-od-b");
        GroupRegistry groups = osgi.service(GroupRegistry.class);
        groups.create(AT_ONCE, UserId.of(USER));
        groups.join(AT_ONCE, EntityId.of("pne-od-a"));
        ServiceGroup g = groups.join(AT_ONCE, EntityId.of("pne-od-b"));
        holds(a, g);
        holds(b, g);
        GroupKeyTraffic t = traffic(AT_ONCE);
        assertFalse(t.onRequest());
        assertTrue(String.valueOf(t), t.fromServer() >= 1);
        assertTrue(String.valueOf(t), t.toPnes().get("pne-od-a") >= 1 && t.toPnes().get("pne-od-b") >= 1);
    }

    /** TS §5.3.2: a member offline while its group is deleted deletes the key when its link is back. */
    @Test
    public void l03_aGroupDeletedWhileAMemberIsOffline_isDeletedThereAtItsLinkUp() throws Exception {
        PneClient c = member("pne-away");
        PneClient d = member("pne-away-2"); // in no other group: its list at link-up is empty
        GroupRegistry groups = osgi.service(GroupRegistry.class);
        groups.create("sg-gone", UserId.of(USER));
        groups.create("sg-stay", UserId.of(USER));
        groups.join("sg-gone", EntityId.of("pne-away"));
        ServiceGroup gone = groups.join("sg-gone", EntityId.of("pne-away-2"));
        holds(c, gone);
        holds(d, gone);
        holds(c, groups.join("sg-stay", EntityId.of("pne-away")));
        c.close();
        d.close();
        for (String id : List.of("pne-away", "pne-away-2")) {
            Osgi.eventually(id + " offline at the PN GW", () -> osgi.service(io.cpns.api.gateway.PneMessenger.class)
                    .link(EntityId.of(id)).isEmpty(), () -> "");
        }

        groups.delete("sg-gone");
        Osgi.eventually("the PN GW forgot sg-gone", () -> osgi.service(GatewayGroups.class).group("sg-gone").isEmpty(), () -> "");

        PneClient back = pne(config("pne-away"), ip());
        List<String> deleted = new CopyOnWriteArrayList<>();
        back.onGroupKeyDelete(deleted::add);
        assertTrue("still held while offline", back.groupKey("sg-gone").isPresent());
        back.connect(EntityId.of(GATEWAY));
        assertTrue(back.secured());
        Osgi.eventually("pne-away told it deleted sg-gone", () -> !deleted.isEmpty(), () -> "");
        assertEquals(List.of("sg-gone"), deleted);
        assertTrue(back.groupKey("sg-gone").isEmpty());
        assertTrue("a group it still belongs to stays", back.groupKey("sg-stay").isPresent());

        PneClient back2 = pne(config("pne-away-2"), ip());
        List<String> deleted2 = new CopyOnWriteArrayList<>();
        back2.onGroupKeyDelete(deleted2::add);
        back2.connect(EntityId.of(GATEWAY));
        Osgi.eventually("pne-away-2 told it deleted sg-gone", () -> !deleted2.isEmpty(), () -> "");
        assertEquals(List.of("sg-gone"), deleted2);
        assertTrue(back2.groupKey("sg-gone").isEmpty());
    }

    /** A PNE in a PN of its own (PNE-initiated 1-1), connected with its LocalEUKey. */
    private PneClient member(String id) throws Exception {
        PneClient p = enrolledPne(id);
        if (!p.secured()) {
            p.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        return p;
    }

    private long announced(String groupId) {
        return osgi.service(GatewayGroups.class).traffic(groupId).map(GroupKeyTraffic::announcedEpoch).orElse(-1L);
    }

    private GroupKeyTraffic traffic(String groupId) {
        return osgi.service(GatewayGroups.class).traffic(groupId).orElseThrow(() -> new AssertionError("no " + groupId + " at the PN GW"));
    }
}
