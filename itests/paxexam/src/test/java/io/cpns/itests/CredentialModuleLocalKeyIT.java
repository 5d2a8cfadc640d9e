package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cpns.api.EntityId;
import io.cpns.api.credential.CredentialModule;
import io.cpns.api.gateway.GatewayIdentity;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.message.SetupType;
import io.cpns.api.store.SecretStore;
import io.cpns.pne.PnState;
import io.cpns.pne.PneClient;
import io.cpns.testkit.SoftHsm;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * A PN GW with its credential module from the first boot (issue 12 §5): the EUKey the Server
 * assigns goes straight into the token, never into the keystore; on a PAN that is not secure the
 * LocalEUKey's PN GW copy is unwrapped with the token's AES (seed 004 step 13), and the PNE's
 * link is secured with it. Skipped, with the reason printed, where SoftHSM2 is not installed.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CredentialModuleLocalKeyIT extends PnTestBase {
    private static final String ENABLED = "cpns.itest.softhsm.lek";

    @Configuration
    public Option[] config() throws Exception {
        Map<String, Map<String, Object>> c = configs(Map.of());
        String why = SoftHsm.missing().orElse(null);
        if (why == null) {
            SoftHsm.Token t = SoftHsm.token();
            c = new HashMap<>(c);
            c.put("cpns.gw.credential.pkcs11", Map.of("library", SoftHsm.LIBRARY.toString(), "slot", t.slot(),
                    "keyLabel", "euk-lek-" + System.nanoTime(), "pinFile", t.pinFile().toString()));
            System.setProperty(ENABLED, "true");
        } else {
            System.out.println("CredentialModuleLocalKeyIT skipped: " + why);
            System.clearProperty(ENABLED);
        }
        return CpnsOptions.boot("credential-module-lek", c, "runtime", "core", "server", "gateway", "pne");
    }

    @Test
    public void l01_assignedEuKey_inTheTokenOnly_localEuKeyUnwrappedThere_pneLinkSecured() throws Exception {
        Assume.assumeTrue("SoftHSM2 not installed (apt-get install softhsm2)", System.getProperty(ENABLED) != null);
        String alias = osgi.service(GatewayIdentity.class).euKeyAlias();
        assertTrue(osgi.service(CredentialModule.class).holdsKey());
        assertFalse("never in the keystore", osgi.service(SecretStore.class).aliases(alias).contains(alias));
        Osgi.eventually("the session through the token", () -> osgi.service(ServerLink.class).credentialModule().isPresent(),
                () -> osgi.service(ServerLink.class).status().toString());

        PneClient tv = enrolledPne("pne-l1-tv");
        assertFalse(tv.secured());
        PnState pn = tv.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertTrue(pn.serverAuthenticated());
        assertTrue("link secured with the LocalEUKey the token unwrapped", tv.secured());
        assertEquals("tls", osgi.service(PneMessenger.class).link(EntityId.of("pne-l1-tv")).orElseThrow().protectionName());
        assertTrue(tv.requestServer(pn.pnId(), new Ping(new byte[] {3})) instanceof Pong);
    }

    /**
     * Key Assignment's Subscription & Registration (seed 001 §7.x.2.1.1): the password goes to the
     * Server under PSK1, derived from the token's HKDF-Extract over the EUKey; the Server, holding
     * the EUKey, opens it (a wrong password is refused on its merits, not as a bad ciphertext).
     */
    @Test
    public void l02_keyAssignmentPsk1_fromTheToken() throws Exception {
        Assume.assumeTrue("SoftHSM2 not installed (apt-get install softhsm2)", System.getProperty(ENABLED) != null);
        io.cpns.api.gateway.KeyAssignmentService ka = osgi.service(io.cpns.api.gateway.KeyAssignmentService.class);
        assertEquals(io.cpns.api.ErrorCode.AUTH_FAILED, KeyAssignmentIT.failure(ka.register(USER, "not-it".toCharArray(), Map.of())));
        KeyAssignmentIT.done(ka.register(USER, PASSWORD.toCharArray(), Map.of("plan", "home")));
        assertTrue(osgi.service(ServerLink.class).credentialModule().isPresent());
    }
}
