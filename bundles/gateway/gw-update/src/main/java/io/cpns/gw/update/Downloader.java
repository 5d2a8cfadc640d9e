package io.cpns.gw.update;

import io.cpns.api.file.AtomicFile;
import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.UpdateFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * Downloads the jars of a release over HTTPS (docs/updates.md §3.3) into
 * {@code <data>/update/downloads/<releaseSeq>/<file>.part}, renamed to {@code <file>} when whole.
 * A cut download resumes where it stopped ({@code Range: bytes=N-}: a 206 whose
 * {@code Content-Range} starts at N and totals the manifest's size is appended, a 200 starts over).
 * Never more bytes than the manifest's size are written. Attempts without progress are bounded,
 * with back-off; a connection with no byte for {@code readTimeout} is an attempt that failed; the
 * whole download is bounded by {@code total}. Every way out is a result or an {@link UpdateException}.
 *
 * <p>Runs on the update agent's thread and blocks it (sleeps between attempts, reads); {@code
 * cancelled} is polled between reads and attempts.
 */
final class Downloader {
    /** How much room a release needs besides its downloads: the framework's cache keeps a copy of each jar it installs. */
    static final int CACHE_COPIES = 1;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");
    private static final int BUFFER = 16 * 1024;

    record Settings(Duration connectTimeout, Duration readTimeout, int attempts, Duration retryInitial, Duration retryMax,
                    Duration total, long reserveBytes) {
    }

    private final Settings s;
    private final SSLContext tls;
    private final Path dir;
    private final BooleanSupplier cancelled;
    private final Consumer<String> log;

    /**
     * @param dir       {@code downloads/<releaseSeq>}
     * @param cancelled polled between reads: true stops with CANCELLED
     * @param log       one line per failed attempt (warnings of the agent's log)
     */
    Downloader(Settings s, SSLContext tls, Path dir, BooleanSupplier cancelled, Consumer<String> log) {
        this.s = s;
        this.tls = tls;
        this.dir = dir;
        this.cancelled = cancelled;
        this.log = log;
    }

    /** Whether {@code base + e.file()} is whole already (downloaded before a restart or an earlier offer). */
    Path done(BundleEntry e) {
        return dir.resolve(e.file());
    }

    /**
     * Checks there is room for what is left to download, plus a copy of each jar in the framework's
     * cache, plus the reserve.
     *
     * @throws UpdateException FAILED / NO_SPACE
     */
    void checkSpace(List<BundleEntry> entries) throws UpdateException, IOException {
        io.cpns.update.journal.AtomicFiles.directory(dir);
        long need = s.reserveBytes();
        for (BundleEntry e : entries) {
            long have = Files.isRegularFile(done(e)) ? Files.size(done(e)) : Files.isRegularFile(part(e)) ? Files.size(part(e)) : 0;
            need += Math.max(0, e.size() - have) + CACHE_COPIES * e.size();
        }
        long free = Files.getFileStore(dir).getUsableSpace();
        if (free < need) {
            throw UpdateException.failed(UpdateFailure.NO_SPACE, "the release needs " + mib(need) + " MiB on " + dir.getParent()
                    + " (with a copy in the framework's cache and " + mib(s.reserveBytes()) + " MiB kept free), "
                    + mib(free) + " MiB are free");
        }
    }

    /** Downloads every entry (in order) and returns their files; each complete file has the manifest's size. */
    List<Path> fetchAll(String artifactUrl, List<BundleEntry> entries) throws UpdateException, InterruptedException {
        if (!artifactUrl.startsWith("https://")) {
            throw UpdateException.failed(UpdateFailure.DOWNLOAD_FAILED, "artifact URL is not https: " + Strings.clip(artifactUrl));
        }
        long deadline = System.nanoTime() + s.total().toNanos();
        HttpClient client = HttpClient.newBuilder().sslContext(tls).connectTimeout(s.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cpns-gw-update-download-watchdog");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Path> out = new java.util.ArrayList<>();
            for (BundleEntry e : entries) {
                out.add(fetch(client, watchdog, URI.create(artifactUrl + e.file()), e, deadline));
            }
            return out;
        } catch (IllegalArgumentException e) {
            throw UpdateException.failed(UpdateFailure.DOWNLOAD_FAILED, "not a URL: " + Strings.clip(artifactUrl));
        } finally {
            watchdog.shutdownNow();
        }
    }

    private Path fetch(HttpClient client, ScheduledExecutorService watchdog, URI uri, BundleEntry e, long deadline)
            throws UpdateException, InterruptedException {
        Path done = done(e);
        Path part = part(e);
        try {
            io.cpns.update.journal.AtomicFiles.directory(dir);
            if (Files.isRegularFile(done) && Files.size(done) == e.size()) {
                return done;
            }
            Files.deleteIfExists(done);
            if (Files.isRegularFile(part) && Files.size(part) > e.size()) {
                Files.delete(part);
            }
        } catch (IOException x) {
            throw io(x, "preparing " + part);
        }
        Backoff backoff = new Backoff(s.retryInitial(), s.retryMax());
        int failures = 0;
        String last = "";
        while (true) {
            if (cancelled.getAsBoolean()) {
                throw UpdateException.cancelled("cancelled by the Server while downloading " + e.file());
            }
            if (System.nanoTime() > deadline) {
                throw UpdateException.failed(UpdateFailure.DOWNLOAD_FAILED, "not complete within " + s.total().toMinutes()
                        + " min: " + e.file() + " (" + last + ")");
            }
            long before = size(part);
            try {
                if (attempt(client, watchdog, uri, e, part)) {
                    AtomicFile.move(part, done);
                    return done;
                }
                last = "connection ended after " + size(part) + " of " + e.size() + " bytes";
            } catch (UpdateException x) {
                throw x;
            } catch (IOException x) {
                if (noSpace(x)) {
                    throw UpdateException.failed(UpdateFailure.NO_SPACE, "disk full while writing " + part + ": " + x.getMessage());
                }
                last = x.getMessage() == null ? x.toString() : x.getMessage();
            }
            if (size(part) > before) { // progress: a cut, not a dead end
                failures = 1;
                backoff.reset();
            } else {
                failures++;
            }
            if (failures >= s.attempts()) {
                throw UpdateException.failed(UpdateFailure.DOWNLOAD_FAILED, "gave up on " + Strings.clip(uri.toString()) + " after "
                        + failures + " attempts without progress: " + Strings.clip(last));
            }
            Duration wait = backoff.next();
            log.accept("download of " + e.file() + " interrupted (" + Strings.clip(last) + "), " + size(part) + " of " + e.size()
                    + " bytes held; again in " + wait.toMillis() + " ms");
            sleep(wait, e);
        }
    }

    /** One request; true when the file is whole. */
    private boolean attempt(HttpClient client, ScheduledExecutorService watchdog, URI uri, BundleEntry e, Path part)
            throws IOException, UpdateException, InterruptedException {
        long have = size(part);
        // until the response headers: the TLS handshake and the server's first byte
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(s.connectTimeout().plus(s.readTimeout())).GET();
        if (have > 0) {
            req.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> r = client.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = r.body()) {
            int status = r.statusCode();
            boolean append;
            if (status == 206) {
                Matcher m = CONTENT_RANGE.matcher(r.headers().firstValue("Content-Range").orElse(""));
                if (!m.matches()) {
                    throw new IOException("206 without a byte Content-Range");
                }
                if (Long.parseLong(m.group(3)) != e.size()) {
                    throw sizeMismatch(e, "the server's file has " + m.group(3) + " bytes");
                }
                if (Long.parseLong(m.group(1)) != have) {
                    Files.deleteIfExists(part); // not where we stopped: start over
                    throw new IOException("206 from byte " + m.group(1) + ", asked from " + have);
                }
                append = true;
            } else if (status == 200) {
                long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
                if (length >= 0 && length != e.size()) {
                    throw sizeMismatch(e, "the server sends " + length + " bytes");
                }
                append = false;
                have = 0;
            } else if (status == 416 && have == e.size()) {
                return true;
            } else if (status == 416) {
                Files.deleteIfExists(part);
                throw new IOException("HTTP 416 for bytes " + have + "-");
            } else if (status >= 400 && status < 500 && status != 408 && status != 429) {
                throw UpdateException.failed(UpdateFailure.DOWNLOAD_FAILED, "HTTP " + status + " for " + Strings.clip(uri.toString()));
            } else {
                throw new IOException("HTTP " + status);
            }
            return copy(watchdog, body, part, append, have, e);
        }
    }

    /** Copies the body, never past the manifest's size; a stall longer than {@code readTimeout} closes it. */
    private boolean copy(ScheduledExecutorService watchdog, InputStream body, Path part, boolean append, long have, BundleEntry e)
            throws IOException, UpdateException {
        long[] lastRead = {System.nanoTime()};
        java.util.concurrent.atomic.AtomicBoolean stalled = new java.util.concurrent.atomic.AtomicBoolean();
        Thread reader = Thread.currentThread();
        long check = Math.max(10, s.readTimeout().toMillis() / 4);
        // the JDK's response stream does not wake a blocked read when closed: the reader is interrupted too
        ScheduledFuture<?> dog = watchdog.scheduleWithFixedDelay(() -> {
            if (System.nanoTime() - lastRead[0] > s.readTimeout().toNanos() && stalled.compareAndSet(false, true)) {
                reader.interrupt();
                try {
                    body.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }, check, check, TimeUnit.MILLISECONDS);
        long n = have;
        boolean tooLong = false;
        try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[BUFFER];
            while (true) {
                if (cancelled.getAsBoolean()) {
                    throw UpdateException.cancelled("cancelled by the Server while downloading " + e.file());
                }
                int r;
                try {
                    r = body.read(buf);
                } catch (IOException x) {
                    throw stall(stalled, n, x);
                }
                if (stalled.get()) {
                    throw stall(stalled, n, null);
                }
                if (r < 0) {
                    break;
                }
                lastRead[0] = System.nanoTime();
                if (n + r > e.size()) {
                    tooLong = true;
                    break;
                }
                out.write(buf, 0, r);
                n += r;
            }
        } finally {
            dog.cancel(false);
            if (stalled.get()) {
                Thread.interrupted(); // the watchdog's interrupt, not a stop of the agent
            }
        }
        if (tooLong) {
            Files.deleteIfExists(part);
            throw sizeMismatch(e, "the server sends more than " + e.size() + " bytes");
        }
        if (n < e.size()) {
            // the body ended cleanly (fixed length met or last chunk): that is the server's whole file
            Files.deleteIfExists(part);
            throw sizeMismatch(e, "the server's file ends after " + n + " bytes");
        }
        return true;
    }

    private IOException stall(java.util.concurrent.atomic.AtomicBoolean stalled, long n, IOException x) {
        if (!stalled.get()) {
            return x;
        }
        Thread.interrupted();
        return new IOException("no byte for " + s.readTimeout().toMillis() + " ms after " + n + " bytes");
    }

    private Path part(BundleEntry e) {
        return dir.resolve(e.file() + ".part");
    }

    private static long size(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static UpdateException sizeMismatch(BundleEntry e, String what) {
        return UpdateException.failed(UpdateFailure.SIZE_MISMATCH, e.file() + ": the manifest says " + e.size() + " bytes, " + what);
    }

    private static UpdateException io(IOException x, String doing) {
        return noSpace(x) ? UpdateException.failed(UpdateFailure.NO_SPACE, doing + ": " + x.getMessage())
                : UpdateException.failed(UpdateFailure.DOWNLOAD_FAILED, doing + ": " + x);
    }

    static boolean noSpace(IOException x) {
        return x.getMessage() != null && x.getMessage().contains("No space left on device");
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    /** Waits out a back-off, a cancel ending it early. */
    private void sleep(Duration d, BundleEntry e) throws InterruptedException, UpdateException {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            if (cancelled.getAsBoolean()) {
                throw UpdateException.cancelled("cancelled by the Server while downloading " + e.file());
            }
            Thread.sleep(Math.max(1, Math.min(200, (end - System.nanoTime()) / 1_000_000)));
        }
    }
}
