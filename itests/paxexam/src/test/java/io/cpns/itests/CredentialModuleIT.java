package io.cpns.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cpns.api.EntityId;
import io.cpns.api.credential.CredentialModule;
import io.cpns.api.gateway.GatewayGroups;
import io.cpns.api.gateway.GatewayIdentity;
import io.cpns.api.gateway.LinkState;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.health.Health;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.message.SetupType;
import io.cpns.api.store.SecretStore;
import io.cpns.pne.IpTransport;
import io.cpns.pne.PneClient;
import io.cpns.pne.PneGroupMessage;
import io.cpns.testkit.SoftHsm;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.Assume;
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
 * TS §5.3.3.2 condition 2 made real (issue 12 §5): the PN GW's EUKey in a PKCS#11 token (a private
 * SoftHSM2 token) through bundle gw-credential-pkcs11, the session with the Server established
 * through it, and the Group Key exemption applied only then; {@code credentialModule=true} alone
 * is refused. Skipped, with the reason printed, where SoftHSM2 is not installed.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class CredentialModuleIT extends PnTestBase {
    private static final String SLOT = "cpns.itest.softhsm.slot";
    private static final String PIN = "cpns.itest.softhsm.pinFile";
    private static final String LABEL = "cpns.itest.softhsm.label";

    @Configuration
    public Option[] config() throws Exception {
        String why = SoftHsm.missing().orElse(null);
        if (why == null) { // the token is made in this (driver) JVM; the probe reads where it is from system properties
            SoftHsm.Token t = SoftHsm.token();
            System.setProperty(SLOT, Long.toString(t.slot()));
            System.setProperty(PIN, t.pinFile().toString());
            System.setProperty(LABEL, "euk-it-" + System.nanoTime());
        } else {
            System.out.println("CredentialModuleIT skipped: " + why);
            System.clearProperty(SLOT);
        }
        Map<String, Map<String, Object>> c = configs(Map.of());
        Map<String, Object> ip = new HashMap<>(c.get("cpns.pan.ip"));
        ip.put("secure", true);
        c.put("cpns.pan.ip", ip);
        return CpnsOptions.boot("credential-module", c, "runtime", "core", "server", "gateway", "pne");
    }

    private static void assumeSoftHsm() {
        Assume.assumeTrue("SoftHSM2 not installed (apt-get install softhsm2)", System.getProperty(SLOT) != null);
    }

    private Map<String, Object> moduleConfig() { // SoftHsm.LIBRARY's path: the testkit is not in the framework
        return Map.of("library", "/usr/lib/softhsm/libsofthsm2.so", "slot", Long.parseLong(System.getProperty(SLOT)),
                "keyLabel", System.getProperty(LABEL), "pinFile", System.getProperty(PIN));
    }

    private final Map<String, String> pnIds = new HashMap<>();

    private PneClient onSecurePan(String id) throws Exception {
        PneClient p = pne(config(id), new IpTransport("127.0.0.1", panPort(), true), store(id));
        p.connect(EntityId.of(GATEWAY));
        p.assignEuKey(USER, PASSWORD.toCharArray());
        pnIds.put(id, p.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS).pnId());
        return p;
    }

    private String health() {
        return String.join("\n", osgi.service(Health.class).report().problems());
    }

    /** Before issue 12 §5 the setting alone exempted the member: it is refused now, in the log and in cpns:health. */
    @Test
    public void c01_settingAlone_isRefused_theGroupKeyStays() throws Exception {
        PneClient radio = onSecurePan("pne-c1-radio");
        osgi.configure("cpns.gw.groupkey", Map.of("credentialModule", true));
        try {
            Osgi.eventually("the refusal in cpns:health", () -> health().contains("credentialModule=true refused"), this::health);
            assertTrue("no credential module in use: Group Key required", osgi.service(GatewayGroups.class).groupKeyRequired(radio.id().value()));
            assertTrue(osgi.shell("cpns:health").contains("credentialModule=true refused"));
        } finally {
            osgi.configure("cpns.gw.groupkey", Map.of("credentialModule", false));
        }
    }

    /**
     * With the token configured: the keystore's EUKey moves into it, the link authenticates through
     * it (the Server cannot tell: same wire), PNE relays work, and the exemption applies: a group
     * message reaches a member on the secure PAN in the clear.
     */
    @Test
    public void c02_withTheModule_theSessionUsesTheToken_andTheExemptionApplies() throws Exception {
        assumeSoftHsm();
        String alias = osgi.service(GatewayIdentity.class).euKeyAlias();
        String fingerprint = osgi.service(ServerLink.class).status().euKeyFingerprint();
        long sessions = osgi.service(ServerLink.class).status().sessions();
        osgi.configure("cpns.gw.credential.pkcs11", moduleConfig());
        Osgi.eventually("the link authenticated through the token", () -> osgi.service(ServerLink.class).credentialModule().isPresent(),
                () -> osgi.service(ServerLink.class).status().toString());
        assertTrue(osgi.service(ServerLink.class).status().sessions() > sessions);
        assertTrue(osgi.service(CredentialModule.class).holdsKey());
        assertTrue("the configured slot", osgi.service(CredentialModule.class).description().contains("slot " + System.getProperty(SLOT)));
        assertFalse("the EUKey left the keystore", osgi.service(SecretStore.class).aliases(alias).contains(alias));
        assertEquals("the same EUKey", fingerprint, osgi.service(ServerLink.class).status().euKeyFingerprint());
        assertTrue(osgi.shell("gw:link").contains(fingerprint));

        PneClient[] m = {onSecurePan("pne-c2-radio"), onSecurePan("pne-c2-lamp")};
        assertTrue("a relay through the link", m[0].requestServer(pnIds.get("pne-c2-radio"), new Ping(new byte[] {1})) instanceof Pong);

        osgi.configure("cpns.gw.groupkey", Map.of("credentialModule", true));
        try {
            io.cpns.api.server.GroupRegistry registry = osgi.service(io.cpns.api.server.GroupRegistry.class);
            registry.create("sg-c2", io.cpns.api.UserId.of(USER));
            io.cpns.api.server.ServiceGroup g = registry.join("sg-c2", List.of(m[0].id(), m[1].id()));
            for (PneClient p : m) {
                holds(p, g);
            }
            Osgi.eventually("the exemption applied", () -> !osgi.service(GatewayGroups.class).groupKeyRequired(m[1].id().value()), this::health);
            assertFalse(health(), health().contains("credentialModule=true refused"));
            List<PneGroupMessage> atLamp = new CopyOnWriteArrayList<>();
            m[1].onGroupMessage(atLamp::add);
            Osgi.eventually("sent", () -> {
                try {
                    m[0].sendToGroup("sg-c2", new byte[] {2}).toCompletableFuture().get(10, TimeUnit.SECONDS);
                    return true;
                } catch (Exception e) { // UNAVAILABLE while gw-groupkey restarts with its new configuration
                    return false;
                }
            }, () -> "");
            Osgi.eventually("lamp got it", () -> !atLamp.isEmpty(), atLamp::toString);
            assertFalse("secure PAN + credential module in use: in the clear", atLamp.get(atLamp.size() - 1).groupKeyProtected());
            assertArrayEquals(new byte[] {2}, atLamp.get(atLamp.size() - 1).payload());
            registry.delete("sg-c2");
        } finally {
            osgi.configure("cpns.gw.groupkey", Map.of("credentialModule", false));
        }
    }

    /** The module gone (configuration deleted): no session with the EUKey it holds, and the setting is refused again. */
    @Test
    public void c03_moduleGone_noExemption_backWhenItReturns() throws Exception {
        assumeSoftHsm();
        PneClient radio = onSecurePan("pne-c3-radio");
        osgi.configure("cpns.gw.groupkey", Map.of("credentialModule", true));
        try {
            Osgi.eventually("the exemption applied", () -> !osgi.service(GatewayGroups.class).groupKeyRequired(radio.id().value()), this::health);
            osgi.service(org.osgi.service.cm.ConfigurationAdmin.class).getConfiguration("cpns.gw.credential.pkcs11", "?").delete();
            Osgi.eventually("refused again", () -> osgi.service(GatewayGroups.class).groupKeyRequired(radio.id().value())
                    && health().contains("credentialModule=true refused"), this::health);
            Osgi.eventually("no session without the token", () -> osgi.service(ServerLink.class).status().state() != LinkState.AUTHENTICATED,
                    () -> osgi.service(ServerLink.class).status().toString());
        } finally {
            osgi.configure("cpns.gw.credential.pkcs11", moduleConfig());
            osgi.awaitLink(LinkState.AUTHENTICATED);
            osgi.configure("cpns.gw.groupkey", Map.of("credentialModule", false));
        }
        assertTrue(osgi.service(ServerLink.class).credentialModule().isPresent());
    }
}
