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
import io.cpns.api.gateway.GroupKeyManager;
import io.cpns.api.message.GroupKeyRegister;
import io.cpns.api.message.SetupType;
import io.cpns.api.server.GroupRegistry;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.ServiceGroup;
import io.cpns.crypto.Suites;
import io.cpns.groupkey.GroupMessage;
import io.cpns.groupkey.GroupOpener;
import io.cpns.groupkey.GroupSealer;
import io.cpns.pne.IpTransport;
import io.cpns.pne.PneClient;
import io.cpns.pne.PneGroupKey;
import io.cpns.pne.PneGroupMessage;
import io.cpns.api.message.GroupMsg;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
 * The distributed topology of seed 003 §5.3.2 with two PN GWs: this framework runs the CPNS
 * Server and PN GW {@code gw-home}; a second PN GW, {@code gw-manager}, runs from the distribution
 * as its own process ({@code bin/cpns-gateway --config}) and is the Group Key Manager of
 * {@value #SG}. The manager creates every Group Key of the group and registers it on the Server,
 * which relays it to gw-home (indirect delivery); the manager's own PNEs get it directly.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class GroupKeyManagerIT extends PnTestBase {
    static final String MANAGER = "gw-manager";
    static final String SG = "sg-house";
    static final String HOMEKEYS = "sg-homekeys";
    private static final byte[] NEXT = "lights off at eleven".getBytes(StandardCharsets.UTF_8);

    private static ForkedRuntime manager;
    private static PneClient tv;
    private static PneClient radio;
    private static PneClient speaker;

    @Configuration
    public Option[] config() {
        return CpnsOptions.boot("keymanager", configs(Map.of()), "runtime", "core", "server", "gateway", "pne");
    }

    /** Not {@code @AfterClass}: Pax Exam runs that around every test method in the probe. */
    static void stopManager() throws InterruptedException {
        manager.stop();
    }

    GroupRegistry registry() {
        return osgi.service(GroupRegistry.class);
    }

    /** The second PN GW as a process of the distribution, its configuration a copy of etc/gateway/config with its own identity and ports. */
    void startManager() throws Exception {
        if (manager == null) {
            Path home = Files.createDirectories(Path.of(ctx.getProperty("cpns.data")).resolve(MANAGER));
            ServerEndpoint ep = osgi.service(ServerEndpoint.class);
            manager = ForkedRuntime.gateway(home, MANAGER, ep.listenAddress().getPort(), ep.generatedOperatorCa().orElseThrow(), USER, PASSWORD)
                    .configure("cpns.gw.keymanager", "groups=" + SG);
        }
        // ready = every component active (cpns-health's line); its link may authenticate before its handlers are there
        manager.start().awaitReady();
        Osgi.eventually(MANAGER + " connected to the Server", this::managerConnected, manager::tail);
        // its first PSK session can be the one gw-link drops to reconnect after the EUKey assignment: wait for the one it keeps
        Osgi.eventually(MANAGER + " synchronised its groups", () -> manager.thisStart().contains("Group Keys: synchronised with the Server"),
                manager::tail);
    }

    boolean managerConnected() {
        // its PSK session: the bootstrap connection (certificate) that assigned its EUKey is about to close
        return osgi.service(ServerEndpoint.class).sessions().stream().anyMatch(s -> s.entityId().equals(MANAGER) && s.tlsMode().equals("psk")
                && !s.suite().isEmpty());
    }

    String managerLog() {
        return manager.log();
    }

    int managerPanPort() {
        return manager.port("cpns.pan.ip");
    }

    /**
     * A PNE of the owner with its EUKey, in a 1-1 PN with gw-home or with the manager. It lives
     * through the whole class (the base class closes its PNEs after every test; m06 closes these).
     */
    PneClient member(String id, boolean atManager) throws Exception {
        PneClient c = atManager ? memberAtManager(id) : enrolledPne(id);
        if (!atManager) {
            c.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        clients.remove(c);
        return c;
    }

    private PneClient memberAtManager(String id) throws Exception {
        PneClient c = pne(config(id), new IpTransport("127.0.0.1", managerPanPort(), false));
        c.connect(EntityId.of(MANAGER));
        c.assignEuKey(USER, PASSWORD.toCharArray());
        Osgi.eventually(id + " ready on " + MANAGER, () -> {
            try {
                c.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
                return true;
            } catch (Exception e) { // right after PSK-TLS the PNE can be a moment ahead of the PN GW
                return false;
            }
        }, this::managerLog);
        return c;
    }

    /** A message sealed by one member under the current key opens at another. */
    static void oneReadsTheOther(PneClient from, PneClient to) {
        PneGroupKey k = from.groupKey(SG).orElseThrow();
        GroupMessage m = new GroupSealer(Suites.modern(), SG, k.epoch(), k.key(), from.id().value()).seal(NEXT);
        GroupOpener reader = new GroupOpener(Suites.modern(), SG);
        PneGroupKey theirs = to.groupKey(SG).orElseThrow();
        reader.rekeyed(theirs.epoch(), theirs.key());
        assertArrayEquals(NEXT, reader.open(m));
    }

    static ErrorCode refusal(PnTestBase.ThrowingRunnable r) {
        return expect(r).code();
    }

    /** Seed 003 §5.3.2: a PN GW is assigned to be the group's Group Key Manager; it creates the key of epoch 1. */
    @Test
    public void m01_createWithAManager_theManagerCreatesEpochOne_andRegistersItOnTheServer() throws Exception {
        startManager();
        ServiceGroup g = registry().create(SG, UserId.of(USER), EntityId.of(MANAGER));
        assertEquals(1, g.epoch());
        assertEquals(EntityId.of(MANAGER), g.keyManager());
        Osgi.eventually("the manager created it", () -> managerLog().contains(SG + " Group Key epoch 1 created (" + g.keyFingerprint() + ")"),
                this::managerLog);
        assertTrue(osgi.shell("server:group " + SG).contains("Group Key Manager: PN GW " + MANAGER));
        assertTrue(osgi.shell("server:groups").matches("(?s).*" + SG + " .* " + MANAGER + "\\R.*"));
        assertFalse("gw-home manages nothing", osgi.shell("gw:keymanager").contains(SG));
    }

    /**
     * Members on both PN GWs: the Server relays the manager's key to gw-home (indirect delivery);
     * the manager hands it to its own PNE without asking the Server (direct delivery).
     */
    @Test
    public void m02_join_membersOnBothGateways_holdTheManagersKey_indirectAndDirect() throws Exception {
        tv = member("pne-m-tv", false);
        radio = member("pne-m-radio", false);
        speaker = member("pne-m-speaker", true);
        registry().join(SG, tv.id());
        registry().join(SG, radio.id());
        ServiceGroup g = registry().join(SG, speaker.id());
        for (PneClient p : List.of(tv, radio, speaker)) {
            holds(p, g);
        }
        assertTrue(managerLog(), managerLog().contains(SG + ": Group Key epoch " + g.epoch() + " created here as Group Key Manager"));
        assertFalse(managerLog(), managerLog().contains("epoch " + g.epoch() + " pulled"));
        oneReadsTheOther(speaker, tv);
        oneReadsTheOther(tv, speaker);
    }

    /**
     * TS §5.3.3.2, messages to the group through the PN GWs: sealed by a member (sender, epoch,
     * counter), verified and relayed by its PN GW to the members there and, through the Server,
     * behind the other PN GW; and from the Server itself.
     */
    @Test
    public void m02b_groupMessages_relayedByThePnGws_acrossGateways_andFromTheServer() throws Exception {
        Map<PneClient, List<PneGroupMessage>> got = new java.util.HashMap<>();
        for (PneClient p : List.of(tv, radio, speaker)) {
            List<PneGroupMessage> in = new java.util.concurrent.CopyOnWriteArrayList<>();
            p.onGroupMessage(in::add);
            got.put(p, in);
        }
        speaker.sendToGroup(SG, "from the attic".getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        tv.sendToGroup(SG, "from the lounge".getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        registry().send(SG, "from the Server".getBytes(StandardCharsets.UTF_8));

        Osgi.eventually("every member got the others' messages", () -> got.get(tv).size() == 2 && got.get(radio).size() == 3
                && got.get(speaker).size() == 2, got::toString);
        // two paths (through the other PN GW and the Server, or from the Server): no order between them
        assertEquals(java.util.Set.of("pne-m-speaker", "cpns-server"), senders(got.get(tv)));
        assertEquals(java.util.Set.of("pne-m-tv", "cpns-server"), senders(got.get(speaker)));
        assertEquals("from the attic", new String(got.get(radio).stream().filter(m -> m.sender().equals("pne-m-speaker")).findFirst()
                .orElseThrow().payload(), StandardCharsets.UTF_8));
        assertTrue("sealed with the Group Key all the way (no exemption here)",
                got.values().stream().flatMap(List::stream).allMatch(PneGroupMessage::groupKeyProtected));
    }

    private static java.util.Set<String> senders(List<PneGroupMessage> messages) {
        return messages.stream().map(PneGroupMessage::sender).collect(java.util.stream.Collectors.toSet());
    }

    /** Bad group messages stop at the sender's PN GW with a typed error, and reach no member. */
    @Test
    public void m02c_groupMessages_spoofedReplayedStaleOrFromANonMember_refusedByThePnGw() throws Exception {
        List<PneGroupMessage> atRadio = new java.util.concurrent.CopyOnWriteArrayList<>();
        radio.onGroupMessage(atRadio::add);
        PneGroupKey k = tv.groupKey(SG).orElseThrow();
        GroupSealer sealer = new GroupSealer(Suites.modern(), SG, k.epoch(), k.key(), tv.id().value());
        GroupMessage m = sealer.seal(NEXT);
        GroupMsg sent = new GroupMsg(SG, m.sender(), m.epoch(), m.counter(), m.ciphertext(), null);
        tv.request(sent, java.time.Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
        Osgi.eventually("radio got it", () -> atRadio.size() == 1, atRadio::toString);

        assertEquals(ErrorCode.REPLAY, sendRefused(tv, sent)); // an answer: the link itself is sound and stays
        GroupMessage asRadio = new GroupSealer(Suites.modern(), SG, k.epoch(), k.key(), radio.id().value()).seal(NEXT);
        assertEquals(ErrorCode.FORBIDDEN, sendRefused(tv, new GroupMsg(SG, asRadio.sender(), asRadio.epoch(), asRadio.counter(),
                asRadio.ciphertext(), null)));
        GroupMessage stale = new GroupSealer(Suites.modern(), SG, k.epoch() - 1, k.key(), tv.id().value()).seal(NEXT);
        assertEquals(ErrorCode.UNEXPECTED_MESSAGE, sendRefused(tv, new GroupMsg(SG, stale.sender(), stale.epoch(), stale.counter(),
                stale.ciphertext(), null)));
        PneClient stranger = enrolledPne("pne-m-stranger");
        assertEquals(ErrorCode.FORBIDDEN, sendRefused(stranger, new GroupMsg(SG, stranger.id().value(), k.epoch(), 1, new byte[32], null)));
        try { // without a key the SDK asks its PN GW for it first, which refuses a non-member
            stranger.sendToGroup(SG, NEXT).toCompletableFuture().get(10, TimeUnit.SECONDS);
            throw new AssertionError("a non-member sent to " + SG);
        } catch (java.util.concurrent.ExecutionException e) {
            assertEquals("no key for a non-member", ErrorCode.FORBIDDEN, ((CpnsException) e.getCause()).code());
        }
        Osgi.sleep(300);
        assertEquals("nothing more reached radio", 1, atRadio.size());
    }

    private static ErrorCode sendRefused(PneClient from, GroupMsg m) throws Exception {
        try {
            from.request(m, java.time.Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
            throw new AssertionError("accepted: " + m);
        } catch (java.util.concurrent.ExecutionException e) {
            return ((CpnsException) e.getCause()).code();
        }
    }

    /** A leave: the manager creates the next key; the departed member cannot read what follows. */
    @Test
    public void m03_leave_theManagerRekeys_theDepartedCannotReadTheNextMessage() throws Exception {
        PneGroupKey departedKnew = radio.groupKey(SG).orElseThrow();
        ServiceGroup g = registry().leave(SG, radio.id());
        holds(tv, g);
        holds(speaker, g);
        Osgi.eventually("the departed member deleted the key", () -> radio.groupKey(SG).isEmpty(), () -> "");
        PneGroupKey k = speaker.groupKey(SG).orElseThrow();
        GroupMessage m = new GroupSealer(Suites.modern(), SG, k.epoch(), k.key(), speaker.id().value()).seal(NEXT);
        GroupOpener departed = new GroupOpener(Suites.modern(), SG);
        departed.rekeyed(k.epoch(), departedKnew.key());
        try {
            departed.open(m);
            fail("the departed member opened a message sealed after it left");
        } catch (CpnsException e) {
            assertEquals(ErrorCode.BAD_MAC, e.code());
        }
        oneReadsTheOther(speaker, tv);
    }

    /** With the manager offline no key can be made: every change fails UNAVAILABLE and nothing changes; back online, it works. */
    @Test
    public void m04_managerOffline_changesFailUnavailable_nothingChanges_thenResume() throws Exception {
        ServiceGroup before = registry().group(SG).orElseThrow();
        stopManager();
        Osgi.eventually(MANAGER + " gone", () -> !managerConnected(), () -> "");

        assertEquals(ErrorCode.UNAVAILABLE, refusal(() -> registry().update(SG)));
        assertEquals(ErrorCode.UNAVAILABLE, refusal(() -> registry().join(SG, radio.id())));
        assertEquals(ErrorCode.UNAVAILABLE, refusal(() -> registry().leave(SG, tv.id())));
        assertEquals(before, registry().group(SG).orElseThrow());
        assertEquals(before.epoch(), tv.groupKey(SG).orElseThrow().epoch());

        startManager();
        Osgi.eventually(speaker.id() + " back on " + MANAGER, () -> {
            try {
                speaker.connect(EntityId.of(MANAGER)); // with its LocalEUKey: PSK-TLS again
                return true;
            } catch (IOException e) {
                return false;
            }
        }, this::managerLog);
        ServiceGroup after = registry().update(SG);
        assertEquals(before.epoch() + 1, after.epoch());
        holds(tv, after);
        holds(speaker, after);
    }

    /** Only a PN GW of the owner that agrees (its configuration) manages a group; a refusal creates nothing. */
    @Test
    public void m05_refusals_aGatewayThatDoesNotAgree_aPne_aStranger() throws Exception {
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> registry().create("sg-other", UserId.of(USER), EntityId.of(MANAGER))));
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> registry().create("sg-other", UserId.of(USER), EntityId.of(GATEWAY))));
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> registry().create("sg-other", UserId.of(USER), tv.id())));
        assertEquals(ErrorCode.UNKNOWN_ENTITY, refusal(() -> registry().create("sg-other", UserId.of(USER), EntityId.of("gw-nobody"))));
        assertTrue(registry().group("sg-other").isEmpty());
        assertTrue(managerLog(), managerLog().contains("refused to manage sg-other"));
    }

    /**
     * gw-home (this framework's PN GW) agrees to manage {@value #HOMEKEYS} and the Server makes it
     * its Group Key Manager; the group has a member behind gw-home (tv) and one behind gw-manager
     * (speaker), so a key it makes reaches one directly and the other through the Server.
     */
    private ServiceGroup homeManaged() throws Exception {
        osgi.configure("cpns.gw.keymanager", Map.of("groups", HOMEKEYS));
        Osgi.eventually(GATEWAY + " agrees to manage " + HOMEKEYS, () -> {
            try {
                registry().create(HOMEKEYS, UserId.of(USER), EntityId.of(GATEWAY));
                return true;
            } catch (CpnsException e) { // the configuration is applied asynchronously
                return false;
            }
        }, () -> "");
        registry().join(HOMEKEYS, tv.id());
        ServiceGroup g = registry().join(HOMEKEYS, speaker.id());
        holds(tv, g);
        holds(speaker, g);
        return g;
    }

    /** Every member holds the Server's current key of the group (it may move meanwhile: the condition reads it anew). */
    void membersHoldTheServersKey(String groupId) {
        Osgi.eventually("tv and speaker hold the Server's " + groupId, () -> {
            ServiceGroup g = registry().group(groupId).orElseThrow();
            return List.of(tv, speaker).stream().allMatch(p -> p.groupKey(groupId)
                    .map(k -> k.epoch() == g.epoch() && Suites.fingerprint(k.key()).equals(g.keyFingerprint())).orElse(false));
        }, () -> registry().group(groupId) + " " + tv.groupKey(groupId) + " " + speaker.groupKey(groupId));
    }

    /**
     * Seed 003 §5.3.2, "CSKMF itself can trigger Group Key update, after which it alerts SMF": the
     * manager renews the key on its operator's command ({@code gw:grouprekey}) and registers it
     * ({@code group.key.register}); the Server stores it and relays it to the member behind the
     * other PN GW, and the manager's own member gets it directly.
     */
    @Test
    public void m05b_theManagerRekeysOnCommand_registersItOnTheServer_membersBehindBothPnGwsGetTheNewEpoch() throws Exception {
        ServiceGroup before = homeManaged();
        String out = osgi.shell("gw:grouprekey " + HOMEKEYS);
        ServiceGroup after = registry().group(HOMEKEYS).orElseThrow();
        assertEquals("the Server's registry has the manager's epoch", before.epoch() + 1, after.epoch());
        assertEquals(before.members(), after.members());
        assertTrue(out, out.contains("Group Key epoch " + after.epoch() + " (" + after.keyFingerprint() + ") made here and registered"));
        assertTrue(osgi.shell("server:group " + HOMEKEYS).contains("Group Key epoch " + after.epoch()));
        assertTrue(osgi.shell("gw:keymanager").contains(after.keyFingerprint()));
        holds(tv, after); // direct: from gw-home's own key
        holds(speaker, after); // indirect: the Server relayed it to gw-manager
        assertFalse(managerLog(), managerLog().contains(HOMEKEYS + " Group Key epoch")); // gw-manager only relays this group
    }

    /** A registration comes only from the group's manager and only for the Server's next epoch; a refusal changes nothing. */
    @Test
    public void m05c_registrations_onlyFromTheGroupsManager_onlyForTheNextEpoch() throws Exception {
        ServiceGroup house = registry().group(SG).orElseThrow();
        ServiceGroup home = registry().group(HOMEKEYS).orElseThrow();
        assertEquals("gw-home is not the manager of " + SG, ErrorCode.FORBIDDEN,
                refusal(() -> osgi.call(new GroupKeyRegister(SG, house.epoch() + 1, new byte[32]))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refusal(() -> osgi.call(new GroupKeyRegister(HOMEKEYS, home.epoch(), new byte[32]))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refusal(() -> osgi.call(new GroupKeyRegister(HOMEKEYS, home.epoch() + 2, new byte[32]))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refusal(() -> osgi.call(new GroupKeyRegister(HOMEKEYS, home.epoch() + 1, new byte[16]))));
        assertEquals(house, registry().group(SG).orElseThrow());
        assertEquals(home, registry().group(HOMEKEYS).orElseThrow());
        assertEquals("a command for a group it does not manage", ErrorCode.FORBIDDEN,
                refusal(() -> osgi.service(GroupKeyManager.class).rekey(SG)));
        osgi.call(new io.cpns.api.message.Ping(new byte[0])); // the refusals did not cost gw-home its session
        membersHoldTheServersKey(HOMEKEYS);
    }

    /**
     * The manager's own schedule ({@code rekeyHours}, by each key's age): switched on, it renews
     * the key promptly (already old enough) and again one period later; every member follows.
     */
    @Test
    public void m05d_theManagerRekeysOnItsOwnSchedule_byTheKeysAge() throws Exception {
        ServiceGroup before = registry().group(HOMEKEYS).orElseThrow();
        osgi.configure("cpns.gw.keymanager", Map.of("groups", HOMEKEYS, "rekeyHours", 0.001)); // 3.6 s
        Osgi.eventually("two rekeys by the manager's schedule", () -> registry().group(HOMEKEYS).orElseThrow().epoch() >= before.epoch() + 2,
                () -> String.valueOf(registry().group(HOMEKEYS)));
        membersHoldTheServersKey(HOMEKEYS);
        osgi.configure("cpns.gw.keymanager", Map.of("groups", "", "rekeyHours", 0.0));
        registry().delete(HOMEKEYS);
        Osgi.eventually("deleted at every member", () -> tv.groupKey(HOMEKEYS).isEmpty() && speaker.groupKey(HOMEKEYS).isEmpty(), () -> "");
    }

    /** Management handed back to the Server: the Server's key follows, the former manager forgets its own. */
    @Test
    public void m06_handBackToTheServer_newKeyFromTheServer_formerManagerForgets() throws Exception {
        String shown = osgi.shell("server:groupmanager " + SG + " none");
        assertTrue(shown, shown.contains("Group Key Manager: the Server"));
        ServiceGroup g = registry().group(SG).orElseThrow();
        assertEquals(null, g.keyManager());
        holds(tv, g);
        holds(speaker, g);
        Osgi.eventually("the former manager forgot its key", () -> managerLog().contains(SG + " no longer managed here"), this::managerLog);
        registry().delete(SG);
        Osgi.eventually("deleted at every member", () -> tv.groupKey(SG).isEmpty() && speaker.groupKey(SG).isEmpty(), () -> "");
        List.of(tv, radio, speaker).forEach(PneClient::close);
        stopManager();
    }

    /**
     * Either topology: a PN GW whose link to the Server was down when a member left and another
     * group was deleted catches up when the link is back ({@code group.sync.req}): the remaining
     * member gets the new key, the departed one and the deleted group's member delete theirs.
     */
    @Test
    public void m07_linkDownDuringChanges_thePnGwCatchesUpWhenItIsBack() throws Exception {
        PneClient lamp = enrolledPne("pne-s-lamp");
        PneClient fan = enrolledPne("pne-s-fan");
        for (PneClient p : List.of(lamp, fan)) {
            p.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        registry().create("sg-sync", UserId.of(USER));
        registry().join("sg-sync", lamp.id());
        holds(fan, registry().join("sg-sync", fan.id()));
        registry().create("sg-gone", UserId.of(USER));
        holds(lamp, registry().join("sg-gone", lamp.id()));

        osgi.bundle("io.cpns.gw.link").stop();
        Osgi.eventually("gw-home away", () -> osgi.service(ServerEndpoint.class).sessions().stream()
                .noneMatch(s -> s.entityId().equals(GATEWAY)), () -> "");
        ServiceGroup after = registry().leave("sg-sync", fan.id());
        registry().delete("sg-gone");
        Osgi.sleep(500);
        assertEquals("nothing reached gw-home meanwhile", after.epoch() - 1, lamp.groupKey("sg-sync").orElseThrow().epoch());

        osgi.bundle("io.cpns.gw.link").start();
        holds(lamp, after);
        Osgi.eventually("the departed and the deleted keys gone", () -> fan.groupKey("sg-sync").isEmpty()
                && lamp.groupKey("sg-gone").isEmpty(), () -> fan.groupKey("sg-sync") + " " + lamp.groupKey("sg-gone"));
        registry().delete("sg-sync");
    }
}
