package io.cpns.gw.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.api.gateway.LinkState;
import io.cpns.crypto.KeyAssignmentCrypto;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.gw.credential.pkcs11.Pkcs11CredentialModule;
import io.cpns.testkit.BundleContexts;
import io.cpns.testkit.Configs;
import io.cpns.testkit.SoftHsm;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The link with its EUKey in a credential module (TS §5.3.3.2 condition 2): a real PKCS#11 token
 * (SoftHSM2, see {@link SoftHsm}) and the {@link TestServer}; skipped, with the reason printed,
 * where SoftHSM2 is not installed.
 */
class CredentialModuleLinkTest {
    private static SoftHsm.Token token;

    @TempDir
    Path dir;
    LinkFixture f;

    @BeforeAll
    static void token() throws Exception {
        String why = SoftHsm.missing().orElse(null);
        if (why != null) {
            System.out.println("CredentialModuleLinkTest skipped: " + why);
        }
        Assumptions.assumeTrue(why == null, why);
        token = SoftHsm.token();
    }

    @BeforeEach
    void setUp() throws Exception {
        f = new LinkFixture(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        f.close();
    }

    private Pkcs11CredentialModule module() {
        return new Pkcs11CredentialModule(Configs.of(Pkcs11CredentialModule.Config.class, Map.of("library", SoftHsm.LIBRARY.toString(),
                "slot", token.slot(), "keyLabel", "euk-" + UUID.randomUUID(), "pinFile", token.pinFile().toString())),
                BundleContexts.withProperties(Map.of("cpns.data", dir.toString())), f.log.logger());
    }

    /** A module that comes while the link is up: the keystore's EUKey moves into it, and sessions are keyed through it. */
    @Test
    void keystoreEuKeyMovesIntoTheModule() throws Exception {
        f.authenticated();
        byte[] key = f.secrets.get(KeyStoreAliases.euKey(LinkFixture.GW)).orElseThrow();
        Pkcs11CredentialModule m = module();
        f.link.setCredentialModule(m); // SCR binds it: the link authenticates again, through the module
        f.server.session();
        f.await(LinkState.AUTHENTICATED);
        assertTrue(m.holdsKey());
        assertTrue(f.secrets.get(KeyStoreAliases.euKey(LinkFixture.GW)).isEmpty(), "the keystore's copy is deleted");
        assertEquals(Suites.fingerprint(key), f.link.status().euKeyFingerprint());
        assertEquals(Optional.of(m.description()), f.link.credentialModule());
        byte[] nonce = Randoms.bytes(12);
        byte[] enc = f.link.encryptWithPsk1(nonce, "alice", "pw".toCharArray()); // seed 001 §7.x.2.1.1, in the module
        assertArrayEquals("pw".toCharArray(), KeyAssignmentCrypto.decryptPassword(key, KeyAssignmentCrypto.PSK1, nonce,
                LinkFixture.GW.value(), "alice", enc));
    }

    /** The module goes: the EUKey went with it, so the link waits (no key) until it is back. */
    @Test
    void withoutItsModuleTheLinkHasNoKeyUntilItReturns() throws Exception {
        f.authenticated();
        Pkcs11CredentialModule m = module();
        f.link.setCredentialModule(m);
        f.server.session();
        f.await(LinkState.AUTHENTICATED);
        f.link.removeCredentialModule(m);
        f.await(LinkState.UNASSIGNED);
        assertTrue(f.log.all().contains("the EUKey is in it, so this PN GW cannot authenticate until it returns"), f.log.all());
        f.link.setCredentialModule(m);
        f.server.session();
        f.await(LinkState.AUTHENTICATED);
    }
}
