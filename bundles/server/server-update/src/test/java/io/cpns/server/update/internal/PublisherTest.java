package io.cpns.server.update.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.release.ReleaseVerifier;
import io.cpns.server.store.JdbcStores;
import io.cpns.server.store.OpenStore;
import io.cpns.server.store.UpdateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publishing a release directory signed with cpns-release, into a real H2 store and a real directory. */
class PublisherTest {
    @TempDir
    Path dir;
    private OpenStore db;
    private UpdateStore store;
    private final SignedRelease signer = new SignedRelease();
    private final long future = Instant.now().plusSeconds(86400).getEpochSecond();

    @BeforeEach
    void open() throws Exception {
        db = JdbcStores.open("jdbc:h2:mem:p" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 2);
        store = db.updateStore();
    }

    @AfterEach
    void close() {
        db.close();
    }

    private Publisher publisher(List<byte[]> roots) {
        return new Publisher(store, dir.resolve("releases"), roots, Clock.systemUTC());
    }

    private static String refusal(Runnable r) {
        CpnsException e = assertThrows(CpnsException.class, r::run);
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        return e.getMessage();
    }

    @Test
    void aSignedRelease_isCopiedAndRecorded_withItsExactBytes_andPublishingItAgainChangesNothing() throws Exception {
        Path src = dir.resolve("out");
        signer.write(src, 7, future, "gw-pn", "pan-ip");
        Publisher p = publisher(ReleaseVerifier.parseRootKeys(signer.rootKeyProperty()));
        UpdateStore.ReleaseRow r = p.publish(src);
        assertEquals(7, r.releaseSeq());
        assertEquals(2, r.files().size());
        assertArrayEquals(Files.readAllBytes(src.resolve("manifest.cbor")), store.release(7).orElseThrow().manifest());
        assertArrayEquals(Files.readAllBytes(src.resolve("keys.sig")), store.release(7).orElseThrow().releaseKeysSignature());
        for (UpdateStore.ReleaseFile f : r.files()) {
            assertArrayEquals(Files.readAllBytes(src.resolve(f.file())), Files.readAllBytes(dir.resolve("releases/7").resolve(f.file())));
        }
        assertEquals(r.releaseSeq(), p.publish(src).releaseSeq(), "the same release again: nothing to do");
        assertEquals(1, store.releases().size());
    }

    @Test
    void aTamperedJar_aBadSignature_aForeignRoot_anExpiredRelease_areRefused_andLeaveNothing() throws Exception {
        Path src = dir.resolve("out");
        signer.write(src, 8, future, "gw-pn");
        Path jar = src.resolve("gw-pn-1.0.8.jar");
        byte[] good = Files.readAllBytes(jar);
        byte[] bad = good.clone();
        bad[bad.length - 30] ^= 1;
        Files.write(jar, bad);
        assertTrue(refusal(() -> publisher(List.of()).publish(src)).contains("HASH_MISMATCH"));
        Files.write(jar, good);

        byte[] sig = Files.readAllBytes(src.resolve("manifest.sig"));
        sig[0] ^= 1;
        Files.write(src.resolve("manifest.sig"), sig);
        assertTrue(refusal(() -> publisher(List.of()).publish(src)).contains("BAD_SIGNATURE"));
        sig[0] ^= 1;
        Files.write(src.resolve("manifest.sig"), sig);

        SignedRelease other = new SignedRelease();
        assertTrue(refusal(() -> publisher(ReleaseVerifier.parseRootKeys(other.rootKeyProperty())).publish(src)).contains("BAD_SIGNATURE"));

        Path old = dir.resolve("old");
        signer.write(old, 9, Instant.now().minusSeconds(60).getEpochSecond(), "gw-pn");
        assertTrue(refusal(() -> publisher(List.of()).publish(old)).contains("EXPIRED"));

        Files.write(src.resolve("manifest.cbor"), new byte[] {(byte) 0xa0});
        assertTrue(refusal(() -> publisher(List.of()).publish(src)).contains("MALFORMED"));
        Files.delete(src.resolve("keys.cbor"));
        assertTrue(refusal(() -> publisher(List.of()).publish(src)).contains("no keys.cbor"));

        assertEquals(List.of(), store.releases());
        assertFalse(Files.exists(dir.resolve("releases/8")));
        assertFalse(Files.exists(dir.resolve("releases/9")));
    }

    @Test
    void anotherManifestUnderAPublishedSequence_isRefused() throws Exception {
        signer.write(dir.resolve("a"), 10, future, "gw-pn");
        signer.write(dir.resolve("b"), 10, future, "gw-pn", "pan-ip");
        Publisher p = publisher(List.of());
        p.publish(dir.resolve("a"));
        assertTrue(refusal(() -> p.publish(dir.resolve("b"))).contains("higher releaseSeq"));
        assertEquals(1, store.release(10).orElseThrow().files().size());
    }

    @Test
    void clean_removesWhatAPublishCutShortLeft() throws Exception {
        signer.write(dir.resolve("a"), 11, future, "gw-pn");
        Publisher p = publisher(List.of());
        p.publish(dir.resolve("a"));
        Files.createDirectories(dir.resolve("releases/12"));
        Files.createDirectories(dir.resolve("releases/.13.tmp"));
        assertEquals(2, p.clean().size());
        assertTrue(Files.isDirectory(dir.resolve("releases/11")));
        assertFalse(Files.exists(dir.resolve("releases/12")));
        assertFalse(Files.exists(dir.resolve("releases/.13.tmp")));
    }
}
