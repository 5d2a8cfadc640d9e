package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.UserId;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.PnInventory;
import io.cpns.api.gateway.PnManagement;
import io.cpns.api.gateway.PnRecord;
import io.cpns.api.message.DiscoveryAnnounce;
import io.cpns.api.message.EntityInfo;
import io.cpns.api.message.EntityInfoRequest;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.message.Relay;
import io.cpns.api.message.SetupType;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.PnRegistry;
import io.cpns.api.server.RegisteredPn;
import io.cpns.pne.IpDiscovery;
import io.cpns.pne.PnState;
import io.cpns.pne.PneClient;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
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

/** Seed 004 over real sockets: discovery, EUKey assignment with UI, both PN Establishment flows, relay, failures. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class PnEstablishmentIT extends PnTestBase {
    @Configuration
    public Option[] config() {
        return CpnsOptions.boot("pn", configs(Map.of("notifyTimeoutMillis", 3000, "authTimeoutMillis", 8000)),
                "runtime", "core", "server", "gateway", "pne");
    }

    @Test
    public void e01_discovery_unicastAndMulticast_announceHowToReachTheGateway() throws Exception {
        DiscoveryAnnounce a = IpDiscovery.query(new InetSocketAddress("127.0.0.1", discoveryPort()), EntityId.of("pne-look"),
                Map.of(), Duration.ofSeconds(3)).orElseThrow();
        assertEquals(GATEWAY, a.gatewayId());
        assertEquals("ip", a.access().get(0).adapter());
        assertEquals("127.0.0.1:" + panPort(), a.access().get(0).address());
        assertFalse(a.access().get(0).secure());
        var multicast = IpDiscovery.query(new InetSocketAddress("239.255.77.77", discoveryPort()), EntityId.of("pne-look"), Map.of(),
                Duration.ofSeconds(3));
        if (multicast.isEmpty()) {
            System.out.println("[PnEstablishmentIT] multicast discovery not answered here (no multicast on loopback?); unicast verified");
        } else {
            assertEquals(GATEWAY, multicast.get().gatewayId());
        }
    }

    @Test
    public void e02_pneWithUi_getsItsEuKeyThroughTheGateway_onlyOnce() throws Exception {
        PneClient tv = enrolledPne("pne-tv");
        assertTrue(tv.hasEuKey());
        var record = osgi.service(EntityRegistry.class).find(EntityId.of("pne-tv")).orElseThrow();
        assertEquals(EntityKind.PNE, record.kind());
        assertEquals(UserId.of(USER), record.owner());
        CpnsException again = expect(() -> tv.assignEuKey(USER, PASSWORD.toCharArray()));
        assertEquals(ErrorCode.ALREADY_ASSIGNED, again.code());

        PneClient other = pne(config("pne-radio"), ip());
        other.connect(EntityId.of(GATEWAY));
        assertEquals(ErrorCode.AUTH_FAILED, expect(() -> other.assignEuKey(USER, "not-it".toCharArray())).code());
        assertFalse(other.hasEuKey());
    }

    @Test
    public void e03_pneInitiated_oneToOne_localEuKey_pskTls_hashServerVerified() throws Exception {
        PneClient tv = enrolledPne("pne-tv");
        assertFalse(tv.secured());
        PnState pn = tv.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertTrue(pn.serverAuthenticated());
        assertEquals(List.of("pne-tv"), pn.inventory().stream().map(m -> m.pneId()).toList());
        assertTrue("link secured with the LocalEUKey", tv.secured());
        assertEquals("tls", osgi.service(PneMessenger.class).link(EntityId.of("pne-tv")).orElseThrow().protection());
        PnRecord gw = osgi.service(PnInventory.class).pn(pn.pnId()).orElseThrow();
        assertEquals("pne-tv", gw.initiator());
        assertTrue(gw.members().get(0).localEuKey());
        RegisteredPn srv = osgi.service(PnRegistry.class).pn(pn.pnId()).orElseThrow();
        assertEquals(List.of(EntityId.of("pne-tv")), srv.members());
        assertEquals(EntityId.of(GATEWAY), srv.gateway());
    }

    @Test
    public void e04_pneInitiated_all_invitesEveryConnectedPne() throws Exception {
        PneClient tv = enrolledPne("pne-tv");
        PneClient radio = enrolledPne("pne-radio");
        PneClient lamp = enrolledPne("pne-lamp");
        List<PnState> joined = new CopyOnWriteArrayList<>();
        radio.onJoined(joined::add);
        lamp.onJoined(joined::add);
        PnState pn = tv.setup(SetupType.ALL, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(List.of("pne-lamp", "pne-radio", "pne-tv"), pn.inventory().stream().map(m -> m.pneId()).sorted().toList());
        Osgi.eventually("both invited PNEs notified", () -> joined.size() == 2, joined::toString);
        assertTrue(joined.stream().allMatch(PnState::serverAuthenticated));
        assertTrue(radio.secured() && lamp.secured());
    }

    @Test
    public void e05_gatewayInitiated_invite() throws Exception {
        PneClient radio = enrolledPne("pne-radio");
        PneClient lamp = enrolledPne("pne-lamp");
        PnRecord pn = osgi.service(PnManagement.class).establish(SetupType.INVITE, List.of("pne-radio", "pne-lamp"))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(GATEWAY, pn.initiator());
        assertEquals(List.of("pne-lamp", "pne-radio"), pn.members().stream().map(m -> m.pneId()).toList());
        Osgi.eventually("PNEs hold the PN", () -> radio.pn(pn.pnId()).isPresent() && lamp.pn(pn.pnId()).isPresent(), () -> "");
        assertTrue(radio.pn(pn.pnId()).get().serverAuthenticated());
    }

    @Test
    public void e06_relay_pneToServerEndToEnd_authorizedAsThePne() throws Exception {
        PneClient tv = enrolledPne("pne-tv");
        PnState pn = tv.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertTrue(tv.requestServer(pn.pnId(), new Ping(new byte[] {4, 2})) instanceof Pong);
        EntityInfo me = (EntityInfo) tv.requestServer(pn.pnId(), new EntityInfoRequest("pne-tv"));
        assertEquals(USER, me.userId());
        assertEquals(EntityKind.PNE, me.kind());
    }

    @Test
    public void e07_relayToAnUnknownPnId_isDroppedWithUnknownPn() throws Exception {
        PneClient tv = enrolledPne("pne-tv");
        tv.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        CompletionException e = expectAsync(() -> tv.request(new Relay("pn-nowhere", new byte[] {1}), Duration.ofSeconds(5)).join());
        assertEquals(ErrorCode.UNKNOWN_PN, ((CpnsException) e.getCause()).code());
    }

    static CompletionException expectAsync(Runnable r) {
        try {
            r.run();
        } catch (CompletionException e) {
            return e;
        }
        throw new AssertionError("expected a failure");
    }
}
