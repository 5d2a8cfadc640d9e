package io.cpns.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.UserId;
import io.cpns.api.gateway.GatewayGroups;
import io.cpns.api.gateway.GroupBroker;
import io.cpns.api.gateway.LinkState;
import io.cpns.api.gateway.MemberDelivery;
import io.cpns.api.message.SetupType;
import io.cpns.api.server.GroupRegistry;
import io.cpns.api.server.ServiceGroup;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Primitives;
import io.cpns.crypto.Suites;
import io.cpns.groupkey.GroupMessage;
import io.cpns.groupkey.GroupOpener;
import io.cpns.groupkey.GroupSealer;
import io.cpns.pne.PneClient;
import io.cpns.pne.PneGroupKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * Group Key delivery to PNEs by MQTT broadcast, hybrid with unicast (TS §5.3.2; issue 4 §2): the
 * same flows against whichever broker the subclass configures (embedded, Mosquitto).
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public abstract class AbstractGroupBroadcastIT extends PnTestBase {
    private static final byte[] NEXT = "the next message to the group".getBytes(StandardCharsets.UTF_8);

    static Map<String, Map<String, Object>> broadcastConfigs(Map<String, Object> broker) {
        Map<String, Map<String, Object>> c = new HashMap<>(configs(Map.of()));
        c.put("cpns.gw.broker", broker);
        return c;
    }

    /** A PNE with its EUKey, in a 1-1 PN with this PN GW, receiving Group Keys by broadcast or by unicast only. */
    PneClient member(String id, boolean broadcast) throws Exception {
        PneClient c = enrolledPne(config(id).withBroadcast(broadcast));
        c.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        return c;
    }

    GroupRegistry registry() {
        return osgi.service(GroupRegistry.class);
    }

    ServiceGroup group(String groupId, PneClient... members) {
        registry().create(groupId, UserId.of(USER));
        ServiceGroup g = null;
        for (PneClient m : members) {
            g = registry().join(groupId, m.id());
        }
        return g;
    }

    MemberDelivery delivery(String groupId, PneClient pne) {
        return osgi.service(GatewayGroups.class).deliveries(groupId).stream().filter(d -> d.pneId().equals(pne.id().value()))
                .findFirst().orElseThrow(() -> new AssertionError("no delivery status for " + pne.id()));
    }

    /** Issue 4 §2: the key reaches broadcast-capable members over MQTT and the others by unicast, per member. */
    @Test
    public void b01_created_keyByBroadcastToCapableMembers_byUnicastToTheRest() throws Exception {
        PneClient tv = member("pne-b1-tv", true);
        PneClient radio = member("pne-b1-radio", true);
        PneClient fridge = member("pne-b1-fridge", false);
        ServiceGroup g = group("sg-b1", tv, radio, fridge);

        for (PneClient p : List.of(tv, radio, fridge)) {
            holds(p, g);
        }
        Osgi.eventually("subscribed over MQTT", () -> tv.followsBroadcast("sg-b1") && radio.followsBroadcast("sg-b1")
                && tv.broadcastConnected() && radio.broadcastConnected(), () -> "");
        assertFalse(fridge.followsBroadcast("sg-b1"));
        Osgi.eventually("delivery status", () -> delivery("sg-b1", fridge).status() == MemberDelivery.Status.DELIVERED, () -> "");
        assertEquals(MemberDelivery.Mode.BROADCAST, delivery("sg-b1", tv).mode());
        assertEquals(MemberDelivery.Mode.UNICAST, delivery("sg-b1", fridge).mode());
        String shown = osgi.shell("gw:group sg-b1");
        assertTrue(shown, shown.contains("pne-b1-tv") && shown.contains("broadcast") && shown.contains("unicast"));
        registry().delete("sg-b1");
        Osgi.eventually("deleted at every member", () -> tv.groupKey("sg-b1").isEmpty() && fridge.groupKey("sg-b1").isEmpty()
                && !tv.followsBroadcast("sg-b1"), () -> "");
    }

    /**
     * Issue 4 §2/§3: a leave is one broadcast Rekey; the remaining members hold the new key, the
     * departed one does not and cannot read the group's next message with what it had.
     */
    @Test
    public void b02_leave_rekeyReachesTheOthers_departedCannotReadTheNextMessage() throws Exception {
        PneClient tv = member("pne-b2-tv", true);
        PneClient radio = member("pne-b2-radio", true);
        PneClient lamp = member("pne-b2-lamp", true);
        ServiceGroup before = group("sg-b2", tv, radio, lamp);
        for (PneClient p : List.of(tv, radio, lamp)) {
            holds(p, before);
        }
        PneGroupKey departedKnew = radio.groupKey("sg-b2").orElseThrow();

        ServiceGroup after = registry().leave("sg-b2", radio.id());
        holds(tv, after);
        holds(lamp, after);
        assertEquals(MemberDelivery.Mode.BROADCAST, delivery("sg-b2", tv).mode());
        assertEquals(after.epoch(), delivery("sg-b2", tv).epoch());
        Osgi.eventually("the departed member deleted the key and stopped following", () -> radio.groupKey("sg-b2").isEmpty()
                && !radio.followsBroadcast("sg-b2"), () -> "");

        PneGroupKey k = tv.groupKey("sg-b2").orElseThrow();
        GroupMessage m = new GroupSealer(Suites.modern(), "sg-b2", k.epoch(), k.key(), tv.id().value()).seal(NEXT);
        GroupOpener lampReads = new GroupOpener(Suites.modern(), "sg-b2");
        lampReads.rekeyed(lamp.groupKey("sg-b2").orElseThrow().epoch(), lamp.groupKey("sg-b2").orElseThrow().key());
        assertArrayEquals(NEXT, lampReads.open(m));
        GroupOpener departed = new GroupOpener(Suites.modern(), "sg-b2");
        departed.rekeyed(k.epoch(), departedKnew.key()); // its best try: the old key, under the new epoch
        try {
            departed.open(m);
            fail("the departed member opened a message sealed after it left");
        } catch (CpnsException e) {
            assertEquals(ErrorCode.BAD_MAC, e.code());
        }
        registry().delete("sg-b2");
    }

    /** Issue 4 §2: a member that was away gets the current key unasked when its link is back, without a rejoin. */
    @Test
    public void b03_memberAway_getsTheCurrentKeyUnaskedWhenBack() throws Exception {
        PneClient tv = member("pne-b3-tv", true);
        PneClient radio = member("pne-b3-radio", true);
        PneClient lamp = member("pne-b3-lamp", true);
        ServiceGroup g = group("sg-b3", tv, radio);
        holds(radio, g);
        radio.close();
        clients.remove(radio);
        Osgi.eventually("radio gone", () -> osgi.service(io.cpns.api.gateway.PneMessenger.class).link(EntityId.of("pne-b3-radio")).isEmpty(),
                () -> "");
        registry().join("sg-b3", lamp.id());
        ServiceGroup now = registry().leave("sg-b3", lamp.id()); // two Rekeys it missed
        holds(tv, now);

        PneClient back = enrolledPne(config("pne-b3-radio").withBroadcast(true)); // same key store: its EUKey, no new setup
        holds(back, now);
        Osgi.eventually("follows again", () -> back.followsBroadcast("sg-b3"), () -> "");
        ServiceGroup later = registry().update("sg-b3");
        holds(back, later);
        holds(tv, later);
        registry().delete("sg-b3");
    }

    /** A broker restart (its bundle updated) loses connections and retained messages; members reconnect and follow. */
    @Test
    public void b04_brokerRestart_membersReconnectAndFollowTheNextRekey() throws Exception {
        PneClient tv = member("pne-b4-tv", true);
        PneClient radio = member("pne-b4-radio", true);
        PneClient lamp = member("pne-b4-lamp", true);
        ServiceGroup g = group("sg-b4", tv, radio, lamp);
        for (PneClient p : List.of(tv, radio, lamp)) {
            holds(p, g);
        }
        osgi.bundle("io.cpns.gw.mqtt").update();
        ServiceGroup after = registry().leave("sg-b4", lamp.id());
        holds(tv, after);
        holds(radio, after);
        registry().delete("sg-b4");
    }

    /** Hot swap of gw-groupkey: the trees come back from the secret store; members follow the next Rekey without a rejoin. */
    @Test
    public void b05_gwGroupkeyUpdate_keepsTreesAndMembers() throws Exception {
        PneClient tv = member("pne-b5-tv", true);
        PneClient radio = member("pne-b5-radio", true);
        ServiceGroup g = group("sg-b5", tv, radio);
        holds(tv, g);
        holds(radio, g);
        // subscribed, so the next Rekey reaches tv by broadcast (not yet subscribed, it gets its tree by unicast)
        Osgi.eventually("subscribed over MQTT", () -> tv.followsBroadcast("sg-b5"), () -> "");
        osgi.bundle("io.cpns.gw.groupkey").update();
        ServiceGroup after = registry().leave("sg-b5", radio.id());
        holds(tv, after);
        assertEquals(MemberDelivery.Mode.BROADCAST, delivery("sg-b5", tv).mode());
        assertEquals(MemberDelivery.Status.PUBLISHED, delivery("sg-b5", tv).status());
        registry().delete("sg-b5");
    }

    /** Hybrid fallback: with no broker every member gets the key by unicast; when the broker is back, broadcast resumes. */
    @Test
    public void b06_withoutABroker_unicastToAll_thenBroadcastResumes() throws Exception {
        PneClient tv = member("pne-b6-tv", true);
        osgi.bundle("io.cpns.gw.mqtt").stop();
        try {
            ServiceGroup g = group("sg-b6", tv);
            holds(tv, g);
            assertFalse(tv.followsBroadcast("sg-b6"));
            Osgi.eventually("by unicast", () -> delivery("sg-b6", tv).mode() == MemberDelivery.Mode.UNICAST, () -> delivery("sg-b6", tv).toString());
        } finally {
            osgi.bundle("io.cpns.gw.mqtt").start();
        }
        Osgi.eventually("welcomed once the broker is back", () -> tv.followsBroadcast("sg-b6"), () -> "");
        ServiceGroup later = registry().update("sg-b6");
        holds(tv, later);
        Osgi.eventually("by broadcast", () -> delivery("sg-b6", tv).status() == MemberDelivery.Status.PUBLISHED, () -> delivery("sg-b6", tv).toString());
        registry().delete("sg-b6");
    }

    /**
     * Issue 10 §1 (TS §5.3.2 "When SG member PNE leaves or is expelled from Service Group, CPNS
     * Server updates Group Key"): {@code gw:expel} takes the PNE out of every Service Group. Its
     * broker credentials stop working at once, the Server rekeys each group without it, the others
     * hold the new key, and it gets no further key.
     */
    @Test
    public void b07_expel_revokesTheBrokerAtOnce_rekeysEveryGroupWithoutIt() throws Exception {
        PneClient tv = member("pne-b7-tv", true);
        PneClient radio = member("pne-b7-radio", true);
        PneClient fridge = member("pne-b7-fridge", false);
        ServiceGroup house = group("sg-b7", tv, radio, fridge);
        ServiceGroup music = group("sg-b7-music", tv, radio);
        for (PneClient p : List.of(tv, radio, fridge)) {
            holds(p, house);
        }
        holds(tv, music);
        holds(radio, music);
        Osgi.eventually("radio follows both groups over MQTT", () -> radio.followsBroadcast("sg-b7") && radio.followsBroadcast("sg-b7-music")
                && radio.broadcastConnected(), () -> "");
        char[] password = brokerPassword("pne-b7-radio");

        String said = osgi.shell("gw:expel pne-b7-radio");
        assertTrue(said, said.contains("pne-b7-radio expelled"));
        try {
            mqttConnect("pne-b7-radio", password);
            fail("the broker let the expelled PNE connect with its credentials");
        } catch (MqttException refused) {
            assertTrue(refused.toString(), refused.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION
                    || refused.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED);
        }

        for (ServiceGroup before : List.of(house, music)) {
            Osgi.eventually("the Server rekeyed " + before.groupId() + " without it", () -> registry().group(before.groupId()).orElseThrow()
                    .epoch() > before.epoch() && !registry().group(before.groupId()).orElseThrow().hasMember(radio.id()),
                    () -> String.valueOf(registry().group(before.groupId())));
        }
        ServiceGroup houseNow = registry().group("sg-b7").orElseThrow();
        ServiceGroup musicNow = registry().group("sg-b7-music").orElseThrow();
        holds(tv, houseNow);
        holds(fridge, houseNow);
        holds(tv, musicNow);
        Osgi.eventually("the PN GW holds both without it", () -> !osgi.service(GatewayGroups.class).group("sg-b7").orElseThrow().members()
                .contains("pne-b7-radio") && !osgi.service(GatewayGroups.class).group("sg-b7-music").orElseThrow().members()
                .contains("pne-b7-radio"), () -> String.valueOf(osgi.service(GatewayGroups.class).groups()));
        assertEquals("only tv in the key tree", 1, osgi.service(GatewayGroups.class).broadcast("sg-b7").orElseThrow().members());

        ServiceGroup later = registry().update("sg-b7"); // one more: by broadcast to the tree, which no longer holds it
        holds(tv, later);
        holds(fridge, later);
        assertTrue("the expelled PNE got no further key", radio.groupKey("sg-b7").map(k -> k.epoch() <= house.epoch()).orElse(true));
        assertTrue(radio.groupKey("sg-b7-music").map(k -> k.epoch() <= music.epoch()).orElse(true));
        registry().delete("sg-b7");
        registry().delete("sg-b7-music");
    }

    /**
     * Issue 10 §2 "a restart after a group change deletes the key tree": the PN GW's bundles start
     * again in an order a slow box may give them, the link (and its catch-up, group.sync.req) before
     * the PN Inventory (gw-pn), after a member left while the PN GW was down. The key tree stays and
     * the broadcast members stay broadcast.
     */
    @Test
    public void b08_restartWithThePnInventoryLast_keepsTheKeyTree_membersStayBroadcast() throws Exception {
        PneClient tv = member("pne-b8-tv", true);
        PneClient radio = member("pne-b8-radio", true);
        PneClient lamp = member("pne-b8-lamp", true);
        ServiceGroup before = group("sg-b8", tv, radio, lamp);
        for (PneClient p : List.of(tv, radio, lamp)) {
            holds(p, before);
        }
        for (String b : List.of("io.cpns.gw.pn", "io.cpns.gw.groupkey", "io.cpns.gw.link")) {
            osgi.bundle(b).stop();
        }
        Osgi.eventually("the PN GW away", () -> osgi.service(io.cpns.api.server.ServerEndpoint.class).sessions().stream()
                .noneMatch(s -> s.entityId().equals(GATEWAY)), () -> "");
        ServiceGroup after = registry().leave("sg-b8", lamp.id());

        osgi.bundle("io.cpns.gw.groupkey").start();
        osgi.bundle("io.cpns.gw.link").start();
        osgi.awaitLink(LinkState.AUTHENTICATED);
        long until = System.nanoTime() + 3_000_000_000L; // the catch-up may run now, without the PN Inventory
        while (System.nanoTime() < until && osgi.service(GatewayGroups.class).group("sg-b8").map(x -> x.epoch() < after.epoch()).orElse(true)) {
            Osgi.sleep(50);
        }
        osgi.bundle("io.cpns.gw.pn").start();

        holds(tv, after);
        holds(radio, after);
        Osgi.eventually("the key tree kept, with tv and radio", () -> osgi.service(GatewayGroups.class).broadcast("sg-b8")
                .map(i -> i.members() == 2).orElse(false), () -> String.valueOf(osgi.service(GatewayGroups.class).broadcast("sg-b8")));
        Osgi.eventually("tv by broadcast", () -> delivery("sg-b8", tv).mode() == MemberDelivery.Mode.BROADCAST, () -> delivery("sg-b8", tv).toString());
        ServiceGroup later = registry().update("sg-b8");
        holds(tv, later);
        holds(radio, later);
        assertEquals(MemberDelivery.Mode.BROADCAST, delivery("sg-b8", radio).mode());
        registry().delete("sg-b8");
    }

    /** The broker password the PN GW derives for a PNE (docs/groupkey.md §6): what the PNE was given. */
    char[] brokerPassword(String pne) {
        byte[] key = osgi.service(SecretStore.class).get("gwb.broker").orElseThrow();
        byte[] mac = Primitives.hmacSha256(key, "CPNS-v1 broker password".getBytes(StandardCharsets.US_ASCII), pne.getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac).toCharArray();
    }

    /** An MQTT 3.1.1 CONNECT as {@code user} (client ID = user name, as the PN GW requires); closed again if granted. */
    void mqttConnect(String user, char[] password) throws MqttException {
        MqttClient c = new MqttClient(osgi.service(GroupBroker.class).uri(), user, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(user);
        o.setPassword(password);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setConnectionTimeout(5);
        try {
            c.connect(o);
            c.disconnect();
        } finally {
            c.close(true);
        }
    }
}
