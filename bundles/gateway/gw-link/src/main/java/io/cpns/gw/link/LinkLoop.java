package io.cpns.gw.link;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.credential.CredentialModule;
import io.cpns.api.gateway.LinkState;
import io.cpns.api.message.Ping;
import io.cpns.api.store.CorruptSecretException;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Bytes;
import io.cpns.session.ChannelHandshake;
import io.cpns.session.SecureChannel;
import io.cpns.session.tls.TlsClientEndpoint;
import io.cpns.session.tls.TlsConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.osgi.service.log.Logger;

/**
 * One job: keep the GW-Server session up (TS §5.3.3.1), on its own thread {@code cpns-gw-link}.
 * Without an EUKey it asks {@link ServerLinkComponent} for the configured assignment (TS §5.3.1);
 * with one it connects, runs PSK-TLS 1.3 with the EUKey (or a copy the credential module lends, TS
 * §5.3.3.2) and the message-level mutual authentication, pings while authenticated, and when the
 * Server goes away reconnects with {@link Backoff}. It holds the link's state for
 * {@code ServerLink.status()}; the request API, the listeners and the enrolment stay in the component.
 */
final class LinkLoop {
    private final Supplier<LinkSettings> settings;
    private final EuKeyCustody euKey;
    private final Supplier<MessageCodec> codec;
    private final ScheduledExecutorService timer;
    private final ServerRequests serverRequests;
    private final Runnable authenticated;
    private final Supplier<Duration> unassigned;
    private final Logger log;
    private final Thread thread;
    private final Object lock = new Object();
    private boolean wake;

    private volatile boolean running = true;
    private volatile LinkSession current;
    private volatile Socket connecting; // the attempt in progress, so deactivate/reconnect can abort it
    private volatile LinkState state = LinkState.UNASSIGNED;
    private volatile Instant since = Instant.now();
    private volatile String lastError = "";
    private volatile String euKeyProblem = ""; // the EUKey does not read back: for cpns:health
    private volatile String sessionKeyHolder = ""; // the module the current session was established with, or ""
    private volatile long sessions;

    /**
     * @param settings      the link's settings now (they change with the configuration)
     * @param timer         runs the keepalive pings and the sessions' request timeouts
     * @param authenticated after each authentication, on this loop's thread: tells the listeners
     * @param unassigned    without an EUKey, on this loop's thread: tries the configured assignment and
     *                      says how long to wait before looking again (zero: at once; {@link #wakeUp} ends a wait)
     */
    LinkLoop(Supplier<LinkSettings> settings, EuKeyCustody euKey, Supplier<MessageCodec> codec, ScheduledExecutorService timer,
             ServerRequests serverRequests, Runnable authenticated, Supplier<Duration> unassigned, Logger log) {
        this.settings = settings;
        this.euKey = euKey;
        this.codec = codec;
        this.timer = timer;
        this.serverRequests = serverRequests;
        this.authenticated = authenticated;
        this.unassigned = unassigned;
        this.log = log;
        this.thread = daemon(this::run, "cpns-gw-link");
    }

    void start() {
        thread.start();
    }

    /** Ends the loop: the session or the attempt in progress is closed, the thread joined (bounded). */
    void stop() throws InterruptedException {
        running = false;
        dropConnection();
        wakeUp();
        thread.interrupt();
        thread.join(5000);
    }

    /** After {@link #stop} and the timer's shutdown: an attempt that completed during the join is closed too. */
    void stopped() {
        dropConnection(); // an attempt that completed during the join above
        state = LinkState.STOPPED;
        since = Instant.now();
    }

    LinkState state() {
        return state;
    }

    Instant since() {
        return since;
    }

    String lastError() {
        return lastError;
    }

    /** Said by the configured assignment when it fails: shown in the status. */
    void lastError(String error) {
        lastError = error;
    }

    long sessions() {
        return sessions;
    }

    /** The authenticated session, or null. */
    LinkSession session() {
        return current;
    }

    /** The credential module the current session was established with, or "". */
    String sessionKeyHolder() {
        return sessionKeyHolder;
    }

    /** Why the EUKey does not read back, until the link authenticates, or "". */
    String euKeyProblem() {
        return euKeyProblem;
    }

    private void run() {
        LinkSettings initial = settings.get();
        Backoff backoff = new Backoff(initial.backoffInitial(), initial.backoffMax());
        while (running) {
            try {
                if (!euKey.has(settings.get())) {
                    setState(LinkState.UNASSIGNED);
                    Duration wait = unassigned.get();
                    if (!wait.isZero()) {
                        await(wait);
                    }
                    continue;
                }
                connectAndServe(backoff);
                lastError = "server closed the connection";
            } catch (CorruptSecretException e) {
                lastError = e.toString();
                unreadableEuKey(e);
            } catch (CpnsException e) {
                lastError = e.toString();
                log.warn("link to {} failed: {}", settings.get().server(), lastError);
            } catch (IOException e) {
                lastError = "I/O: " + e.getMessage();
                if (running) {
                    log.warn("link to {} lost: {}", settings.get().server(), lastError);
                }
            } catch (RuntimeException e) {
                lastError = e.toString();
                log.error("link to {} failed unexpectedly: {}", settings.get().server(), lastError, e);
            }
            if (!running) {
                break;
            }
            setState(LinkState.BACKOFF);
            Duration d = backoff.next();
            log.info("reconnecting to {} in {} ms", settings.get().server(), d.toMillis());
            await(d);
        }
    }

    private void connectAndServe(Backoff backoff) throws IOException {
        LinkSettings s = settings.get();
        setState(LinkState.CONNECTING);
        CredentialModule module = euKey.module();
        if (module != null) {
            euKey.moveIntoModule(module, s);
            if (!module.holdsKey()) {
                throw new CpnsException(ErrorCode.NOT_AUTHENTICATED, "credential module " + module.description() + " holds no EUKey");
            }
        }
        byte[] key = module != null ? null : euKey.keystoreKey(s);
        LinkSession session;
        Socket socket = new Socket();
        connecting = socket;
        try {
            if (!running) {
                throw new IOException("link stopping");
            }
            socket.connect(new InetSocketAddress(s.serverHost(), s.serverPort()), s.connectTimeoutMillis());
            TlsConnection tls = module != null
                    ? module.withKey(k -> TlsClientEndpoint.psk(socket, s.gatewayId().value(), k, s.handshakeTimeoutMillis(),
                            s.handshakeTimeoutMillis())) // Bouncy Castle's PSK-TLS needs the key itself: lent for this handshake
                    : TlsClientEndpoint.psk(socket, s.gatewayId().value(), key, s.handshakeTimeoutMillis(), s.handshakeTimeoutMillis());
            MessageChannel ch = new MessageChannel(codec.get(), tls.in(), tls.out(), s.maxFrameBytes(), tls);
            setState(LinkState.AUTHENTICATING);
            try {
                LinkSession[] self = new LinkSession[1];
                session = new LinkSession(new SecureChannel(ch, module != null
                        ? ChannelHandshake.initiate(ch, s.suite(), s.gatewayId(), s.serverId(), module::hkdfExtract)
                        : ChannelHandshake.initiate(ch, s.suite(), s.gatewayId(), s.serverId(), key)),
                        s.gatewayId(), s.serverId(), timer, request -> serverRequests.accept(self[0], request));
                self[0] = session;
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            tls.transport().readTimeout((int) Math.min(Integer.MAX_VALUE, s.keepalive().toMillis() * 3 + s.requestTimeout().toMillis()));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        } finally {
            connecting = null;
            Bytes.wipe(key);
        }
        ScheduledFuture<?> keepalive = null;
        try {
            if (!running || s != settings.get()) {
                return; // stopped or reconfigured while authenticating: this session is not wanted
            }
            current = session;
            sessionKeyHolder = module == null ? "" : module.description();
            euKeyProblem = "";
            sessions++;
            backoff.reset();
            lastError = "";
            setState(LinkState.AUTHENTICATED);
            log.info("PN GW {} authenticated with CPNS Server {} at {} (PSK-TLS 1.3 + {} session{})", s.gatewayId(), s.serverId(),
                    s.server(), session.suite(), module == null ? "" : ", EUKey in credential module " + module.description());
            authenticated.run();
            keepalive = timer.scheduleWithFixedDelay(() -> keepalive(session, s), s.keepalive().toMillis(),
                    s.keepalive().toMillis(), TimeUnit.MILLISECONDS);
            session.readLoop();
        } finally {
            if (keepalive != null) {
                keepalive.cancel(false);
            }
            current = null;
            sessionKeyHolder = "";
            session.close();
        }
    }

    /** Said once in the log, and in cpns:health until the link authenticates: nothing works without the EUKey. */
    private void unreadableEuKey(CorruptSecretException e) {
        LinkSettings s = settings.get();
        String line = "the EUKey of PN GW " + s.gatewayId() + " does not read back (" + e.getMessage() + "): this PN GW "
                + "cannot authenticate to the CPNS Server, so no PN, relay or Service Group works. Restore the file and the "
                + "keystore's master.key from a backup, then gw:reconnect; without a backup, move the file away, have the Server's "
                + "operator remove this PN GW (server:entityremove " + s.gatewayId() + ") and assign a new EUKey (gw:assign)";
        if (!line.equals(euKeyProblem)) {
            log.error(line);
        }
        euKeyProblem = line;
    }

    private void keepalive(LinkSession session, LinkSettings s) {
        session.request(new Ping(new byte[0]), s.requestTimeout()).whenComplete((r, e) -> {
            if (e != null && current == session) {
                log.warn("keepalive to {} failed ({}): dropping the connection", s.server(), e.getMessage());
                session.close();
            }
        });
    }

    /** Closes the session or aborts the attempt in progress; the loop connects again at once. */
    void reconnect() {
        dropConnection();
        wakeUp();
    }

    /** Closes the session, or aborts the connection attempt in progress. */
    private void dropConnection() {
        LinkSession c = current;
        if (c != null) {
            c.close();
        }
        Socket s = connecting;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private void setState(LinkState s) {
        if (running && state != s) { // after deactivate the state stays STOPPED
            state = s;
            since = Instant.now();
        }
    }

    /** Waits {@code d}, or until {@link #wakeUp} or the stop. */
    void await(Duration d) {
        synchronized (lock) {
            long deadline = System.nanoTime() + d.toNanos();
            while (running && !wake) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            wake = false;
        }
    }

    /** Ends the loop's wait: a new EUKey or configuration is looked at now. */
    void wakeUp() {
        synchronized (lock) {
            wake = true;
            lock.notifyAll();
        }
    }

    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
