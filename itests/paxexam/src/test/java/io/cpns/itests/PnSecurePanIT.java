package io.cpns.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cpns.api.EntityId;
import io.cpns.api.gateway.PnInventory;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.message.DiscoveryAnnounce;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.message.SetupType;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.pne.IpDiscovery;
import io.cpns.pne.IpTransport;
import io.cpns.pne.PnState;
import io.cpns.pne.PneClient;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
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
 * A PAN that protects every CPNS message itself (pan-ip declared {@code secure}): no PNE-PN GW
 * session runs (TS §5.3.3.1.1, seed 004 R01), yet a PNE with UI gets its LocalEUKey all the same
 * (R01: "regardless of security level of underlying PAN", decision D22); the PN still forms, and
 * the Server still authenticates each PNE.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class PnSecurePanIT extends PnTestBase {
    @Configuration
    public Option[] config() {
        Map<String, Map<String, Object>> c = configs(Map.of());
        Map<String, Object> ip = new HashMap<>(c.get("cpns.pan.ip"));
        ip.put("secure", true);
        c.put("cpns.pan.ip", ip);
        return CpnsOptions.boot("secure-pan", c, "runtime", "core", "server", "gateway", "pne");
    }

    private IpTransport securePan() {
        return new IpTransport("127.0.0.1", panPort(), true);
    }

    @Test
    public void p01_discovery_saysThePanIsSecure() throws Exception {
        DiscoveryAnnounce a = IpDiscovery.query(new InetSocketAddress("127.0.0.1", discoveryPort()), EntityId.of("pne-look"),
                Map.of(), Duration.ofSeconds(3)).orElseThrow();
        assertTrue(a.access().get(0).secure());
    }

    @Test
    public void p02_pneWithUi_onASecurePan_getsALocalEuKey_noPneGwSession_stillAuthenticatedByTheServer() throws Exception {
        EncryptedFileStore flash = store("pne-tv");
        PneClient tv = pne(config("pne-tv"), securePan(), flash);
        tv.connect(EntityId.of(GATEWAY));
        tv.assignEuKey(USER, PASSWORD.toCharArray());
        assertTrue("the PAN protects the link", tv.secured());
        PnState pn = tv.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertTrue(pn.serverAuthenticated());
        assertTrue(osgi.service(PnInventory.class).pn(pn.pnId()).orElseThrow().members().get(0).localEuKey());
        assertTrue(flash.aliases(PneClient.LOCAL_EUKEY).contains(PneClient.LOCAL_EUKEY));
        assertEquals("pan", osgi.service(PneMessenger.class).link(EntityId.of("pne-tv")).orElseThrow().protectionName());
        assertTrue(tv.requestServer(pn.pnId(), new Ping(new byte[] {1})) instanceof Pong);
    }

    /**
     * TS §5.3.3.2: Group Key protection may be left out only for a member on a secure PAN whose PN GW
     * uses a credential module with the Server. The setting alone is no credential module (issue 12
     * §5): it is refused, and the member keeps the Group Key (with a module: CredentialModuleIT).
     */
    @Test
    public void p03_groupMessageExemption_needsTheSecurePan_andTheGatewaysCredentialModule() throws Exception {
        PneClient radio = pne(config("pne-radio"), securePan(), store("pne-radio"));
        radio.connect(EntityId.of(GATEWAY));
        radio.assignEuKey(USER, PASSWORD.toCharArray());
        Osgi.eventually("pne-radio linked", () -> osgi.service(PneMessenger.class).link(EntityId.of("pne-radio")).isPresent(), () -> "");
        io.cpns.api.gateway.GatewayGroups groups = osgi.service(io.cpns.api.gateway.GatewayGroups.class);
        assertTrue("a secure PAN alone is not enough", groups.groupKeyRequired("pne-radio"));
        assertTrue("an unknown PNE needs it", groups.groupKeyRequired("pne-nowhere"));

        osgi.configure("cpns.gw.groupkey", Map.of("credentialModule", true));
        try {
            Osgi.eventually("the setting refused", () -> osgi.service(io.cpns.api.health.Health.class).report().problems().stream()
                    .anyMatch(p -> p.contains("credentialModule=true refused")), () -> "");
            assertTrue("the setting without a module in use is no credential module",
                    osgi.service(io.cpns.api.gateway.GatewayGroups.class).groupKeyRequired("pne-radio"));
            assertTrue(osgi.service(io.cpns.api.gateway.GatewayGroups.class).groupKeyRequired("pne-nowhere"));
        } finally {
            osgi.configure("cpns.gw.groupkey", Map.of("credentialModule", false));
        }
        Osgi.eventually("back to required", () -> osgi.service(io.cpns.api.gateway.GatewayGroups.class).groupKeyRequired("pne-radio"), () -> "");
    }

    /**
     * TS §5.3.3.2 applied to real group messages: a member's message reaches another member on
     * the secure PAN sealed with the Group Key while the PN GW has no credential module, and still
     * sealed when only the setting claims one (issue 12 §5; in the clear with a real module:
     * CredentialModuleIT).
     */
    @Test
    public void p04_groupMessages_sealedWithoutTheCredentialModule_evenWithTheSettingAlone() throws Exception {
        PneClient[] m = new PneClient[2];
        String[] ids = {"pne-p4-radio", "pne-p4-lamp"};
        for (int i = 0; i < 2; i++) {
            m[i] = pne(config(ids[i]), securePan(), store(ids[i]));
            m[i].connect(EntityId.of(GATEWAY));
            m[i].assignEuKey(USER, PASSWORD.toCharArray());
            m[i].setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        io.cpns.api.server.GroupRegistry registry = osgi.service(io.cpns.api.server.GroupRegistry.class);
        registry.create("sg-p4", io.cpns.api.UserId.of(USER));
        io.cpns.api.server.ServiceGroup g = registry.join("sg-p4", List.of(m[0].id(), m[1].id()));
        for (PneClient p : m) {
            Osgi.eventually(p.id() + " holds epoch " + g.epoch(), () -> p.groupKey("sg-p4").map(k -> k.epoch() == g.epoch()).orElse(false),
                    () -> "");
        }
        List<io.cpns.pne.PneGroupMessage> atLamp = new java.util.concurrent.CopyOnWriteArrayList<>();
        m[1].onGroupMessage(atLamp::add);

        m[0].sendToGroup("sg-p4", new byte[] {1}).toCompletableFuture().get(10, TimeUnit.SECONDS);
        Osgi.eventually("lamp got it", () -> atLamp.size() == 1, atLamp::toString);
        assertTrue("no credential module: sealed", atLamp.get(0).groupKeyProtected());

        osgi.configure("cpns.gw.groupkey", Map.of("credentialModule", true));
        try {
            Osgi.eventually("the setting refused", () -> osgi.service(io.cpns.api.health.Health.class).report().problems().stream()
                    .anyMatch(p -> p.contains("credentialModule=true refused")), () -> "");
            Osgi.eventually("sent again", () -> {
                try {
                    m[0].sendToGroup("sg-p4", new byte[] {2}).toCompletableFuture().get(10, TimeUnit.SECONDS);
                    return true;
                } catch (Exception e) { // UNAVAILABLE while gw-groupkey restarts with its new configuration
                    return false;
                }
            }, () -> "");
            Osgi.eventually("lamp got the second", () -> atLamp.size() == 2, atLamp::toString);
            assertTrue("secure PAN + the setting alone: still sealed", atLamp.get(1).groupKeyProtected());
            assertEquals(ids[0], atLamp.get(1).sender());
            assertArrayEquals(new byte[] {2}, atLamp.get(1).payload());
        } finally {
            osgi.configure("cpns.gw.groupkey", Map.of("credentialModule", false));
        }
        registry.delete("sg-p4");
    }

    /**
     * Issue 10 §1: an expelled PNE on a secure PAN can link again at once (the PAN protects the link,
     * no LocalEUKey needed), but it is out of every Service Group: no message to the group is relayed
     * to it, not even in the clear under the §5.3.3.2 exemption the others get.
     */
    @Test
    public void p05_expelled_backOnTheSecurePan_noGroupMessageRelayedToIt() throws Exception {
        osgi.configure("cpns.gw.groupkey", Map.of("credentialModule", true)); // asked for, refused without a module: sealed for all
        try {
            String[] ids = {"pne-p5-tv", "pne-p5-radio", "pne-p5-lamp"};
            PneClient[] m = new PneClient[3];
            for (int i = 0; i < 3; i++) {
                m[i] = pne(config(ids[i]), securePan(), store(ids[i]));
                m[i].connect(EntityId.of(GATEWAY));
                m[i].assignEuKey(USER, PASSWORD.toCharArray());
                m[i].setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            io.cpns.api.server.GroupRegistry registry = osgi.service(io.cpns.api.server.GroupRegistry.class);
            registry.create("sg-p5", io.cpns.api.UserId.of(USER));
            io.cpns.api.server.ServiceGroup g = registry.join("sg-p5", List.of(m[0].id(), m[1].id(), m[2].id()));
            for (PneClient p : m) {
                holds(p, g);
            }
            assertTrue(osgi.shell("gw:expel " + ids[1]).contains("expelled"));
            Osgi.eventually("its link closed", () -> !m[1].connected(), () -> "");
            PneClient back = pne(config(ids[1]), securePan(), store(ids[1]));
            back.connect(EntityId.of(GATEWAY));
            Osgi.eventually(ids[1] + " linked again", () -> osgi.service(PneMessenger.class).link(EntityId.of(ids[1])).isPresent(), () -> "");
            List<io.cpns.pne.PneGroupMessage> atBack = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<io.cpns.pne.PneGroupMessage> atLamp = new java.util.concurrent.CopyOnWriteArrayList<>();
            back.onGroupMessage(atBack::add);
            m[2].onGroupMessage(atLamp::add);

            for (byte n = 1; n <= 2; n++) {
                byte[] payload = {n};
                Osgi.eventually("sent", () -> { // the tv may be a moment behind the Server's rekey: its PN GW refuses the old epoch
                    try {
                        m[0].sendToGroup("sg-p5", payload).toCompletableFuture().get(10, TimeUnit.SECONDS);
                        return true;
                    } catch (Exception e) {
                        return false;
                    }
                }, () -> "");
                int expected = n;
                Osgi.eventually("lamp got message " + n, () -> atLamp.size() == expected, atLamp::toString);
            }
            assertEquals("nothing relayed to the expelled PNE", List.of(), atBack);
            registry.delete("sg-p5");
        } finally {
            osgi.configure("cpns.gw.groupkey", Map.of("credentialModule", false));
        }
    }
    /**
     * Seed 004 R01 (decision D22): a PNE with UI gets its LocalEUKey on a secure PAN; once the
     * operator declares that PAN insecure, the PNE secures its link with that key (PSK-TLS, TS
     * §5.3.3.1.1) and reaches the Server under the SK_PNE of the same PN: no new PN Setup.
     * Runs last: it leaves the PAN declared secure again.
     */
    @Test
    public void p06_panDeclaredInsecure_thePneSecuresItsLinkWithTheLocalEuKeyItGotOnTheSecurePan_noNewPnSetup() throws Exception {
        String id = "pne-p6-tv";
        EncryptedFileStore flash = store(id);
        PneClient tv = pne(config(id), securePan(), flash);
        tv.connect(EntityId.of(GATEWAY));
        tv.assignEuKey(USER, PASSWORD.toCharArray());
        PnState pn = tv.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        PnInventory inventory = osgi.service(PnInventory.class);
        assertTrue("UI: a LocalEUKey on the secure PAN too", inventory.pn(pn.pnId()).orElseThrow().members().get(0).localEuKey());
        assertTrue(flash.aliases(PneClient.LOCAL_EUKEY).contains(PneClient.LOCAL_EUKEY));
        tv.close();

        osgi.configure("cpns.pan.ip", Map.of("secure", false));
        try {
            Osgi.eventually("the PAN announced insecure", () -> {
                try {
                    return IpDiscovery.query(new InetSocketAddress("127.0.0.1", discoveryPort()), EntityId.of("pne-look"), Map.of(),
                            Duration.ofSeconds(1)).map(a -> !a.access().get(0).secure()).orElse(false);
                } catch (Exception e) { // the adapter restarting
                    return false;
                }
            }, () -> "");
            PneClient moved = pne(config(id), ip(), flash);
            List<PnState> joined = new java.util.concurrent.CopyOnWriteArrayList<>();
            moved.onJoined(joined::add);
            Osgi.eventually("linked under PSK-TLS with the LocalEUKey", () -> {
                try {
                    moved.connect(EntityId.of(GATEWAY));
                    return true;
                } catch (Exception e) { // the adapter restarting with its new configuration
                    return false;
                }
            }, () -> "");
            assertTrue(moved.secured());
            Osgi.eventually("the PN GW sees the link", () -> osgi.service(PneMessenger.class).link(EntityId.of(id)).isPresent(), () -> "");
            io.cpns.api.gateway.PneLink link = osgi.service(PneMessenger.class).link(EntityId.of(id)).orElseThrow();
            assertTrue(link.authenticated());
            assertEquals("tls", link.protectionName());

            assertTrue(moved.requestServer(pn.pnId(), new Ping(new byte[] {6})) instanceof Pong);
            assertEquals("no new PN Setup", List.of(), joined);
            assertEquals(List.of(pn.pnId()), inventory.pnsOf(id).stream().map(io.cpns.api.gateway.PnRecord::pnId).toList());
        } finally {
            osgi.configure("cpns.pan.ip", Map.of("secure", true));
        }
    }

    /**
     * Seed 003 "CPNS Server may check security level within PN", end to end: the Server keeps the
     * PNE Info and the protection of the PNE's link its PN GW reported at registration (here
     * {@code pan}), and a Service Group requiring {@code session} gets no Group Key to that member
     * (its PN GW, with no member qualifying, holds none and hands out none); lowered to {@code pan},
     * the member gets the next key.
     */
    @Test
    public void p07_groupRequiringASession_noGroupKeyForAMemberRegisteredOnASecurePan_untilItAcceptsPan() throws Exception {
        String id = "pne-p7-lamp";
        PneClient lamp = pne(config(id), securePan(), store(id));
        lamp.connect(EntityId.of(GATEWAY));
        lamp.assignEuKey(USER, PASSWORD.toCharArray());
        PnState pn = lamp.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        io.cpns.api.server.PnRegistry pns = osgi.service(io.cpns.api.server.PnRegistry.class);
        io.cpns.api.server.PneInfo info = pns.pneInfo(EntityId.of(id)).orElseThrow();
        assertEquals(io.cpns.api.LinkProtection.PAN, info.protection());
        assertEquals(EntityId.of(GATEWAY), info.gateway());
        assertEquals("true", info.capabilities().get("ui"));
        assertTrue(pns.gatewayInfo(EntityId.of(GATEWAY)).orElseThrow().capabilities().containsKey("device"));

        io.cpns.api.server.GroupRegistry registry = osgi.service(io.cpns.api.server.GroupRegistry.class);
        registry.create("sg-p7", io.cpns.api.UserId.of(USER));
        holds(lamp, registry.join("sg-p7", List.of(lamp.id())));

        io.cpns.api.server.ServiceGroup strict = registry.requireProtection("sg-p7", io.cpns.api.LinkProtection.SESSION);
        io.cpns.api.gateway.GatewayGroups gw = osgi.service(io.cpns.api.gateway.GatewayGroups.class);
        Osgi.eventually("the PN GW holds no key of sg-p7", () -> gw.group("sg-p7").isEmpty(), () -> String.valueOf(gw.group("sg-p7")));
        Exception refused = null;
        try {
            lamp.pullGroupKey("sg-p7").toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) { // in the stage, or at once
            refused = e;
        }
        assertTrue("no Group Key for a member below the group's minimum", refused != null);
        assertFalse(lamp.groupKey("sg-p7").map(k -> k.epoch() >= strict.epoch()).orElse(false));
        // asking the Server itself, end to end under SK_PNE: told why
        io.cpns.api.message.Message why = lamp.requestServer(pn.pnId(), new io.cpns.api.message.GroupKeyRequest("sg-p7"));
        assertEquals(io.cpns.api.ErrorCode.INSUFFICIENT_PROTECTION, ((io.cpns.api.message.ErrorMessage) why).errorCode());

        holds(lamp, registry.requireProtection("sg-p7", io.cpns.api.LinkProtection.PAN));
        registry.delete("sg-p7");
    }
}
