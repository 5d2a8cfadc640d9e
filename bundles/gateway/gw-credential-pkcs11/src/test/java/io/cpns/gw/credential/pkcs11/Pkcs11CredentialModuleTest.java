package io.cpns.gw.credential.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.crypto.Primitives;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.testkit.Configs;
import io.cpns.testkit.SoftHsm;
import io.cpns.testkit.TestLogger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PKCS#11 credential module against a real SoftHSM2 token (private token directory, see
 * {@link SoftHsm}); skipped, with the reason printed, where SoftHSM2 is not installed.
 */
class Pkcs11CredentialModuleTest {
    private static SoftHsm.Token token;
    private final TestLogger log = new TestLogger("pkcs11");

    @BeforeAll
    static void token() throws Exception {
        String why = SoftHsm.missing().orElse(null);
        if (why != null) {
            System.out.println("Pkcs11CredentialModuleTest skipped: " + why);
        }
        Assumptions.assumeTrue(why == null, why);
        token = SoftHsm.token();
    }

    private Pkcs11CredentialModule module(String label) {
        return module(label, token.pinFile());
    }

    private Pkcs11CredentialModule module(String label, Path pinFile) {
        return new Pkcs11CredentialModule(Configs.of(Pkcs11CredentialModule.Config.class, Map.of("library", SoftHsm.LIBRARY.toString(),
                "slot", token.slot(), "keyLabel", label, "pinFile", pinFile.toString())), Path.of("target"), log.logger());
    }

    private static String label() {
        return "euk-" + UUID.randomUUID();
    }

    @Test
    void importedKey_isFound_survivesANewLogin_andDerivesAsTheRawKeyWould() {
        String label = label();
        byte[] euKey = Randoms.bytes(32);
        Pkcs11CredentialModule m = module(label);
        assertFalse(m.holdsKey());
        assertEquals("", m.fingerprint());
        m.importKey(euKey);
        assertTrue(m.holdsKey());
        m.deactivate();

        Pkcs11CredentialModule again = module(label); // a restart: the key is a token object
        try {
            assertTrue(again.holdsKey());
            assertEquals(Suites.fingerprint(euKey), again.fingerprint());
            byte[] salt = Randoms.bytes(64);
            assertArrayEquals(Primitives.hmacSha256(salt, euKey), again.hkdfExtract(salt), "HKDF-Extract(salt, EUKey)");
            assertArrayEquals(Primitives.hmacSha256(new byte[32], euKey), again.hkdfExtract(new byte[0]), "RFC 5869: no salt = zeros");
        } finally {
            again.deactivate();
        }
    }

    /** TS §5.3.3.1.1 through the token: the PN GW side gets only the token's Extract; the Server side holds the raw EUKey. */
    @Test
    void handshakeThroughTheToken_authenticatesWithAServerHoldingTheEuKey() {
        byte[] euKey = Randoms.bytes(32);
        Pkcs11CredentialModule m = module(label());
        try {
            m.importKey(euKey);
            io.cpns.api.EntityId gw = io.cpns.api.EntityId.of("gw-1");
            io.cpns.api.EntityId srv = io.cpns.api.EntityId.of("cpns-server");
            var i = new io.cpns.session.InitiatorHandshake(Suites.modern(), gw, srv, m::hkdfExtract);
            var r = new io.cpns.session.ResponderHandshake(Suites.modern(), srv, gw, euKey, i.rand());
            var result = r.verify(i.prove(r.rand()));
            var session = i.confirm(result.proof());
            var codec = new io.cpns.codec.MessageCodec();
            var ping = new io.cpns.api.message.Envelope(gw, srv, 1, new io.cpns.api.message.Ping(new byte[] {5}));
            assertEquals(5, ((io.cpns.api.message.Ping) result.session().unprotect(session.protect(ping, codec), codec).body()).data()[0]);
        } finally {
            m.deactivate();
        }
    }

    @Test
    void localEuKey_unwrappedWithTheTokensAes_asTheServerWrappedIt() {
        byte[] euKey = Randoms.bytes(32);
        byte[] lek = Randoms.bytes(32);
        byte[] wrapped = Suites.modern().wrap(euKey, lek); // what the Server sends (seed 004 step 13)
        Pkcs11CredentialModule m = module(label());
        try {
            m.importKey(euKey);
            assertArrayEquals(lek, m.unwrap(wrapped));
            wrapped[9] ^= 1;
            assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> m.unwrap(wrapped)).code());
            assertEquals(ErrorCode.MALFORMED, assertThrows(CpnsException.class, () -> m.unwrap(new byte[20])).code());
        } finally {
            m.deactivate();
        }
    }

    @Test
    void secondImport_isRefused_theFirstKeyStays() {
        byte[] first = Randoms.bytes(32);
        Pkcs11CredentialModule m = module(label());
        try {
            m.importKey(first);
            assertEquals(ErrorCode.ALREADY_ASSIGNED, assertThrows(CpnsException.class, () -> m.importKey(Randoms.bytes(32))).code());
            assertEquals(Suites.fingerprint(first), m.fingerprint());
        } finally {
            m.deactivate();
        }
    }

    @Test
    void lentCopy_isWipedAfterUse() throws Exception {
        byte[] euKey = Randoms.bytes(32);
        Pkcs11CredentialModule m = module(label());
        try {
            m.importKey(euKey);
            byte[][] seen = new byte[1][];
            Boolean same = m.withKey(k -> {
                seen[0] = k;
                return java.util.Arrays.equals(k, euKey);
            });
            assertTrue(same);
            assertArrayEquals(new byte[32], seen[0]);
        } finally {
            m.deactivate();
        }
    }

    @Test
    void noKeyInTheToken_isATypedError() {
        Pkcs11CredentialModule m = module(label());
        try {
            assertEquals(ErrorCode.NOT_AUTHENTICATED, assertThrows(CpnsException.class, () -> m.hkdfExtract(new byte[0])).code());
        } finally {
            m.deactivate();
        }
    }

    @Test
    void wrongPin_noModule_oneLogLine_withoutThePin(@TempDir Path dir) throws Exception {
        Path pin = dir.resolve("pin");
        Files.createFile(pin, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(pin, "not-the-pin-42\n");
        assertEquals(ErrorCode.NOT_AUTHENTICATED, assertThrows(CpnsException.class, () -> module(label(), pin)).code());
        assertEquals(1, log.lines().size(), log.all());
        assertTrue(log.all().contains("not available"), log.all());
        assertFalse(log.all().contains("not-the-pin-42"), "the PIN is never logged");
    }

    @Test
    void pinFileReadableByOthers_isRefused(@TempDir Path dir) throws Exception {
        Path pin = dir.resolve("pin");
        Files.copy(token.pinFile(), pin);
        Files.setPosixFilePermissions(pin, PosixFilePermissions.fromString("rw-r--r--"));
        CpnsException e = assertThrows(CpnsException.class, () -> module(label(), pin));
        assertEquals(ErrorCode.FORBIDDEN, e.code());
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
    }

    @Test
    void noSuchLibrary_isUnavailable(@TempDir Path dir) {
        CpnsException e = assertThrows(CpnsException.class, () -> new Pkcs11CredentialModule(Configs.of(Pkcs11CredentialModule.Config.class,
                Map.of("library", dir.resolve("libnone.so").toString(), "slot", token.slot(), "pinFile", token.pinFile().toString())),
                dir, log.logger()));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
    }
}
