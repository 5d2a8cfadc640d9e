package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.api.server.GroupRegistry;
import io.cpns.api.server.ServiceGroup;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.pne.PneClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.Before;
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
 * The fault-injection suite for Service Groups (docs/fault-injection.md): a PN GW of the
 * distribution, forked, with its console; PNE SDK members receiving by MQTT broadcast from its
 * embedded broker; the CPNS Server in this framework. The PN GW is killed with {@code kill -9} at
 * each step of a Group Key delivery and of its Group Key Manager's key creation, and its broker is
 * restarted (a configuration change, a bundle update, the whole PN GW killed). After each: every
 * member reconnects and holds the Server's Group Key (epoch and fingerprint), the PN GW's secret
 * store (as on disk) holds that epoch, and no LocalEUKey is lost.
 *
 * <p>{@code -Dcpns.faults.members} sets the group's size (default 3; the campaign 20).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class GroupKeyFaultsIT extends ForkedGatewayBase {
    static final String GW = "gw-groups";
    static final String SG = "sg-faults";
    static final String MANAGED = "sg-managed";
    /** The steps of a Group Key delivery at the PN GW, in the order it reaches them. */
    static final List<String> STEPS = List.of("groupkey.stored", "groupkey.tree.stored");

    private static ForkedRuntime gw;
    private static PneFleet fleet;

    @Configuration
    public Option[] config() {
        return serverOnly("group-faults");
    }

    GroupRegistry registry() {
        return osgi.service(GroupRegistry.class);
    }

    /** The PN GW (also Group Key Manager of {@value #MANAGED}), and its members in a PN, once for the class. */
    @Before
    public void gatewayAndMembers() throws Exception {
        if (gw != null) {
            return;
        }
        gw = gateway(GW, Map.of("cpns.gw.keymanager", List.of("groups=" + MANAGED))).terminal();
        gw.start().awaitReady();
        awaitLinked(GW);
        fleet = fleet(gw, "pne-g", Integer.getInteger("cpns.faults.members", 3), c -> c.withBroadcast(true));
        fleet.enrol(USER, PASSWORD);
        fleet.establishAll();
        registry().create(SG, UserId.of(USER));
        for (PneClient p : fleet.pnes()) {
            registry().join(SG, p.id());
        }
        ServiceGroup g = registry().group(SG).orElseThrow();
        fleet.pnes().forEach(p -> PnTestBase.holds(p, g));
    }

    /** Started again (armed at {@code faultPoints}), linked, every member back. */
    void restart(String... faultPoints) throws Exception {
        gw.start(faultPoints).awaitReady();
        awaitLinked(GW);
        assertEquals("members locked out", Map.of(), fleet.connectAll(5));
    }

    /** Every member holds the Server's Group Key, the PN GW's store holds its epoch, every LocalEUKey agrees. */
    void everyMemberAtTheServersEpoch(String groupId) throws Exception {
        ServiceGroup now = registry().group(groupId).orElseThrow();
        for (PneClient p : fleet.pnes()) {
            if (now.hasMember(p.id())) {
                PnTestBase.holds(p, now);
            }
        }
        Osgi.eventually("the PN GW's store at epoch " + now.epoch(), () -> Stores.epochOf(gw.keystoreDir(), "gk." + groupId) == now.epoch(),
                gw::tail);
        EncryptedFileStore keys = gw.keystore();
        try {
            assertEquals("LocalEUKeys that differ from the PN GW's", Map.of(), fleet.keyMismatches(keys));
        } finally {
            keys.close();
        }
    }

    /**
     * A Group Key pushed by the Server; the PN GW killed once it stored it (nothing delivered yet),
     * then once it stored the new key tree (its broadcast not yet published); each time started
     * again on what it left on disk.
     */
    @Test
    public void g01_killNine_atEachStepOfGroupKeyDelivery_everyMemberAtTheServersEpoch() throws Exception {
        gw.stop();
        fleet.awaitAllDisconnected();
        restart(STEPS.get(0));
        for (int i = 0; i < STEPS.size(); i++) {
            ServiceGroup before = registry().group(SG).orElseThrow();
            ServiceGroup changed = registry().update(SG);
            assertEquals(before.epoch() + 1, changed.epoch());
            gw.awaitFaultPoint(STEPS.get(i));
            gw.kill9();
            fleet.awaitAllDisconnected();
            if (i + 1 < STEPS.size()) {
                restart(STEPS.get(i + 1));
            } else {
                restart();
            }
            everyMemberAtTheServersEpoch(SG);
            assertTrue("the key tree kept", Stores.exists(gw.keystoreDir(), "gt." + SG));
            for (PneClient p : fleet.pnes()) {
                Osgi.eventually(p.id() + " follows " + SG + " over MQTT", () -> p.followsBroadcast(SG) && p.broadcastConnected(), () -> "");
            }
        }
    }

    /**
     * The PN GW manages a group's keys (seed 003 §5.3.2): killed once it made the next one, before
     * the Server registered it. The change fails at the Server; back up, the next change makes
     * that epoch again and every store agrees on it.
     */
    @Test
    public void g02_killNine_ofTheGroupKeyManager_afterCreatingAKey_theNextChangeMakesItAgain() throws Exception {
        registry().create(MANAGED, UserId.of(USER), EntityId.of(GW));
        for (PneClient p : fleet.pnes()) {
            registry().join(MANAGED, p.id());
        }
        everyMemberAtTheServersEpoch(MANAGED);
        ServiceGroup before = registry().group(MANAGED).orElseThrow();
        gw.stop();
        fleet.awaitAllDisconnected();
        restart("keymanager.created");

        CompletableFuture<Object> change = CompletableFuture.supplyAsync(() -> {
            try {
                return registry().update(MANAGED);
            } catch (RuntimeException refused) {
                return refused;
            }
        });
        gw.awaitFaultPoint("keymanager.created");
        gw.kill9();
        fleet.awaitAllDisconnected();
        assertTrue("the Server could not change the group", change.get(60, TimeUnit.SECONDS) instanceof RuntimeException);
        assertEquals(before.epoch(), registry().group(MANAGED).orElseThrow().epoch());
        restart();

        ServiceGroup next = registry().update(MANAGED);
        assertEquals(before.epoch() + 1, next.epoch());
        everyMemberAtTheServersEpoch(MANAGED);
        Osgi.eventually("the manager holds that key", () -> managed(next), gw::tail);
    }

    private boolean managed(ServiceGroup g) {
        try {
            return gw.shell("gw:keymanager").lines().anyMatch(l -> l.startsWith(g.groupId() + " ") && l.contains(" " + g.epoch() + " ")
                    && l.contains(g.keyFingerprint()));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * The embedded broker restarts: its configuration changed (FileInstall applies the file), then
     * {@code gw-mqtt} updated at the console, then the whole PN GW killed while a member left.
     * After each, a rekey reaches every member at the Server's epoch, over MQTT again.
     */
    @Test
    public void g03_brokerRestarts_configChange_bundleUpdate_killNine_everyMemberAtTheServersEpoch() throws Exception {
        int port = gw.port("cpns.gw.broker");
        gw.configure("cpns.gw.broker", "port=" + port, "maxMessageBytes=16384");
        Osgi.eventually("the broker restarted", () -> gw.thisStart().lines().filter(l -> l.contains("MQTT broker") && l.contains("listening"))
                .count() >= 2, gw::tail);
        registry().update(SG);
        everyMemberAtTheServersEpoch(SG);
        followAll();

        gw.updateBundle("io.cpns.gw.mqtt");
        Osgi.eventually("the broker restarted again", () -> gw.thisStart().lines().filter(l -> l.contains("MQTT broker") && l.contains("listening"))
                .count() >= 3, gw::tail);
        registry().update(SG);
        everyMemberAtTheServersEpoch(SG);
        followAll();

        gw.kill9();
        fleet.awaitAllDisconnected();
        PneClient gone = fleet.get(fleet.size() - 1);
        ServiceGroup left = registry().leave(SG, gone.id()); // while the PN GW is down
        restart();
        everyMemberAtTheServersEpoch(SG);
        Osgi.eventually(gone.id() + " dropped the key", () -> gone.groupKey(SG).map(k -> k.epoch() < left.epoch()).orElse(true), () -> "");
        followAll();
    }

    private void followAll() {
        ServiceGroup g = registry().group(SG).orElseThrow();
        for (PneClient p : fleet.pnes()) {
            if (g.hasMember(p.id())) {
                Osgi.eventually(p.id() + " follows " + SG + " over MQTT", () -> p.followsBroadcast(SG) && p.broadcastConnected(), () -> "");
            }
        }
    }
}
