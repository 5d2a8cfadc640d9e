package io.cpns.gw.update;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.UpdateClass;
import io.cpns.api.update.UpdateFailure;
import io.cpns.api.update.UpdateState;
import io.cpns.gw.update.ArtifactServer.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a real HTTPS server (the JDK's) with faults injected: every way ends in a file or a terminal status. */
class DownloaderTest {
    @TempDir
    Path dir;
    ArtifactServer server;
    final byte[] jar = new byte[200_000];
    final List<String> warnings = new CopyOnWriteArrayList<>();
    final AtomicBoolean cancelled = new AtomicBoolean();
    BundleEntry entry;

    @BeforeEach
    void serve() throws Exception {
        new Random(11).nextBytes(jar);
        server = new ArtifactServer(dir.resolve("pki"));
        server.files.put("gw-pn-1.1.jar", jar);
        entry = new BundleEntry("gw-pn", "1.1.0", jar.length, MessageDigest.getInstance("SHA-256").digest(jar), 2, UpdateClass.HOT,
                "gw-pn-1.1.jar");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A stall is a second without a byte (the stall tests); otherwise half a minute, so a busy machine never looks stalled. */
    private Downloader downloader(int attempts, long reserve) throws Exception {
        return downloader(attempts, reserve, Duration.ofSeconds(30));
    }

    private Downloader downloader(int attempts, long reserve, Duration stall) throws Exception {
        Downloader.Settings s = new Downloader.Settings(Duration.ofSeconds(10), stall, attempts, Duration.ofMillis(1),
                Duration.ofMillis(20), Duration.ofMinutes(2), reserve);
        return new Downloader(s, OperatorTrust.context(server.operatorCa()), dir.resolve("downloads/8"), cancelled::get, warnings::add);
    }

    private Path fetch(Downloader d) throws Exception {
        return d.fetchAll(server.base(8), List.of(entry)).get(0);
    }

    private UpdateException failure(Downloader d) {
        return assertThrows(UpdateException.class, () -> fetch(d));
    }

    @Test
    void wholeFile_inOneRequest() throws Exception {
        Path f = fetch(downloader(3, 0));
        assertArrayEquals(jar, Files.readAllBytes(f));
        assertEquals(dir.resolve("downloads/8/gw-pn-1.1.jar"), f);
        assertEquals(List.of(""), server.ranges);
    }

    @Test
    void aCutDownload_resumesWithRange_fromWhereItStopped() throws Exception {
        server.cutAfter = 70_000;
        server.faults.addAll(List.of(Fault.CUT, Fault.CUT));
        Path f = fetch(downloader(2, 0));
        assertArrayEquals(jar, Files.readAllBytes(f));
        assertEquals(List.of("", "bytes=70000-", "bytes=140000-"), server.ranges);
        assertEquals(2, warnings.size(), warnings.toString());
        assertFalse(Files.exists(dir.resolve("downloads/8/gw-pn-1.1.jar.part")));
    }

    @Test
    void aServerThatIgnoresRange_isReadFromTheStartAgain() throws Exception {
        server.cutAfter = 50_000;
        server.faults.addAll(List.of(Fault.CUT, Fault.IGNORE_RANGE));
        assertArrayEquals(jar, Files.readAllBytes(fetch(downloader(3, 0))));
        assertEquals(List.of("", "bytes=50000-"), server.ranges);
    }

    @Test
    void aPartialFileLeftByAnEarlierRun_isResumed() throws Exception {
        Files.createDirectories(dir.resolve("downloads/8"));
        Files.write(dir.resolve("downloads/8/gw-pn-1.1.jar.part"), java.util.Arrays.copyOf(jar, 123_456));
        assertArrayEquals(jar, Files.readAllBytes(fetch(downloader(3, 0))));
        assertEquals(List.of("bytes=123456-"), server.ranges);
    }

    @Test
    void serverErrors_areRetried_thenGivenUp() throws Exception {
        server.faults.addAll(List.of(Fault.ERROR_500, Fault.ERROR_500));
        assertArrayEquals(jar, Files.readAllBytes(fetch(downloader(3, 0))));
        assertEquals(3, server.requests.get());

        Files.delete(dir.resolve("downloads/8/gw-pn-1.1.jar"));
        server.requests.set(0);
        server.faults.addAll(List.of(Fault.ERROR_500, Fault.ERROR_500, Fault.ERROR_500, Fault.ERROR_500));
        UpdateException x = failure(downloader(3, 0));
        assertEquals(UpdateState.FAILED, x.state);
        assertEquals(UpdateFailure.DOWNLOAD_FAILED, x.failure);
        assertTrue(x.detail.contains("HTTP 500"), x.detail);
        assertEquals(3, server.requests.get(), "bounded: 3 attempts without progress");
    }

    @Test
    void aStalledConnection_isGivenUpAfterTheReadTimeout_andResumed() throws Exception {
        server.cutAfter = 30_000;
        server.faults.add(Fault.STALL);
        assertArrayEquals(jar, Files.readAllBytes(fetch(downloader(3, 0, Duration.ofSeconds(1)))));
        assertEquals(List.of("", "bytes=30000-"), server.ranges);
        assertTrue(warnings.get(0).contains("no byte for 1000 ms"), warnings.toString());
    }

    @Test
    void aServerThatAlwaysStalls_endsInDownloadFailed() throws Exception {
        server.cutAfter = 0;
        server.faults.addAll(List.of(Fault.STALL, Fault.STALL, Fault.STALL));
        UpdateException x = failure(downloader(3, 0, Duration.ofSeconds(1)));
        assertEquals(UpdateFailure.DOWNLOAD_FAILED, x.failure);
        assertTrue(x.detail.contains("no byte for"), x.detail);
    }

    @Test
    void anotherLength_isSizeMismatch_atOnce() throws Exception {
        server.faults.add(Fault.SHORT_LENGTH);
        assertEquals(UpdateFailure.SIZE_MISMATCH, failure(downloader(3, 0)).failure);
        server.faults.add(Fault.LONG_BODY);
        assertEquals(UpdateFailure.SIZE_MISMATCH, failure(downloader(3, 0)).failure);
        assertFalse(Files.exists(dir.resolve("downloads/8/gw-pn-1.1.jar.part")), "no bytes beyond the manifest's size kept");
        server.cutAfter = 1000;
        server.faults.addAll(List.of(Fault.CUT, Fault.WRONG_TOTAL));
        assertEquals(UpdateFailure.SIZE_MISMATCH, failure(downloader(3, 0)).failure);
        assertEquals(4, server.requests.get(), "each mismatch ends it, no retry");
    }

    @Test
    void notFound_endsAtOnce() throws Exception {
        server.faults.add(Fault.NOT_FOUND);
        UpdateException x = failure(downloader(5, 0));
        assertEquals(UpdateFailure.DOWNLOAD_FAILED, x.failure);
        assertTrue(x.detail.contains("HTTP 404"), x.detail);
        assertEquals(1, server.requests.get());
    }

    @Test
    void aServerCertificateFromAnotherCa_isNeverTrusted() throws Exception {
        Path otherCa = io.cpns.pki.DevPki.ensure(dir.resolve("other-pki"), "localhost", Duration.ofDays(1)).caCert();
        Downloader.Settings s = new Downloader.Settings(Duration.ofSeconds(5), Duration.ofMillis(300), 2, Duration.ofMillis(1),
                Duration.ofMillis(5), Duration.ofMinutes(1), 0);
        Downloader d = new Downloader(s, OperatorTrust.context(otherCa), dir.resolve("downloads/8"), cancelled::get, warnings::add);
        UpdateException x = assertThrows(UpdateException.class, () -> d.fetchAll(server.base(8), List.of(entry)));
        assertEquals(UpdateFailure.DOWNLOAD_FAILED, x.failure);
        assertEquals(0, server.requests.get(), "no request got through the TLS handshake");
        assertThrows(UpdateException.class, () -> downloader(2, 0).fetchAll("http://localhost:1/", List.of(entry)));
    }

    @Test
    void notEnoughSpace_isNoSpace_beforeAnyByteIsFetched() throws Exception {
        UpdateException x = assertThrows(UpdateException.class, () -> downloader(3, Long.MAX_VALUE / 4).checkSpace(List.of(entry)));
        assertEquals(UpdateFailure.NO_SPACE, x.failure);
        downloader(3, 0).checkSpace(List.of(entry));
    }

    @Test
    void aCancel_endsTheDownload() throws Exception {
        server.faults.addAll(List.of(Fault.ERROR_500, Fault.ERROR_500, Fault.ERROR_500));
        cancelled.set(true);
        UpdateException x = failure(downloader(5, 0));
        assertEquals(UpdateState.CANCELLED, x.state);
    }
}
