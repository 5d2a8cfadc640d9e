package io.cpns.server.endpoint;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.LogThrottle;
import io.cpns.api.Strings;
import io.cpns.api.UserId;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.EuKeyAssignRequest;
import io.cpns.api.message.EuKeyAssignResponse;
import io.cpns.api.message.Message;
import io.cpns.api.message.Category;
import io.cpns.api.message.SessionHello;
import io.cpns.api.server.EntityRecord;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.Principal;
import io.cpns.api.server.SessionInfo;
import io.cpns.api.server.UserRegistry;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Bytes;
import io.cpns.session.ChannelHandshake;
import io.cpns.session.SecureChannel;
import io.cpns.session.SecureSession;
import io.cpns.session.tls.TlsConnection;
import io.cpns.session.tls.TlsServerEndpoint;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.osgi.service.log.Logger;

/**
 * One connection to the Server, from TLS handshake to close. Two paths: bootstrap (certificate
 * TLS: one EUKey assignment, then close) and session (PSK-TLS, message-level mutual
 * authentication, then protected requests until either side closes). Every failure sends a typed
 * error where the peer can still read it, is logged once without secrets, and ends the connection
 * when its error code says so.
 */
final class ServerConnection implements Runnable {
    private final Socket socket;
    private final TlsServerEndpoint tls;
    private final MessageCodec codec;
    private final Settings settings;
    private final UserRegistry users;
    private final EntityRegistry entities;
    private final Dispatcher dispatcher;
    private final Logger log;
    private final ScheduledExecutorService timer;
    private final Instant since = Instant.now();
    private final String remote;
    /** Where password attempts and unauthenticated log lines are counted (see {@link Sources}). */
    private final String source;
    private final LogThrottle unauthenticated;
    /** Told each authenticated principal (session listeners); must not block. */
    private final java.util.function.Consumer<Principal> authenticated;
    private volatile String tlsMode = "handshake";
    private volatile Principal principal;
    private volatile SecureChannel secure;
    private volatile MessageChannel channel;
    private volatile ScheduledFuture<?> deadline;
    /** The Server's own requests on this session (push to a PN GW), by id, until answered. */
    private final java.util.Map<Long, java.util.concurrent.CompletableFuture<Message>> pending = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();

    ServerConnection(Socket socket, TlsServerEndpoint tls, MessageCodec codec, Settings settings, UserRegistry users,
                     EntityRegistry entities, Dispatcher dispatcher, Logger log, ScheduledExecutorService timer,
                     LogThrottle unauthenticated, java.util.function.Consumer<Principal> authenticated) {
        this.socket = socket;
        this.tls = tls;
        this.codec = codec;
        this.settings = settings;
        this.users = users;
        this.entities = entities;
        this.dispatcher = dispatcher;
        this.log = log;
        this.timer = timer;
        this.remote = String.valueOf(socket.getRemoteSocketAddress());
        this.source = Sources.of(socket.getRemoteSocketAddress());
        this.unauthenticated = unauthenticated;
        this.authenticated = authenticated;
    }

    @Override
    public void run() {
        // One deadline for TLS + authentication (or the whole bootstrap exchange): a per-read timeout
        // alone lets a peer that drips a byte every few seconds hold this thread forever.
        ScheduledFuture<?> deadline = timer.schedule(this::handshakeExpired, settings.handshakeTimeoutMillis(), TimeUnit.MILLISECONDS);
        this.deadline = deadline;
        try {
            TlsConnection t = tls.accept(socket, settings.handshakeTimeoutMillis(), settings.handshakeTimeoutMillis());
            channel = new MessageChannel(codec, t.in(), t.out(), settings.maxFrameBytes(), t);
            if (t.pskAuthenticated()) {
                tlsMode = "psk";
                runSession(EntityId.of(t.pskIdentity()));
            } else {
                tlsMode = "certificate";
                runBootstrap();
            }
        } catch (CpnsException e) {
            fail(e);
        } catch (SocketTimeoutException e) {
            String suffix = throttled();
            if (suffix != null) {
                log.info("connection {} closed: idle or handshake timeout{}", who(), suffix);
            }
        } catch (IOException e) {
            String suffix = throttled();
            if (suffix != null && channel == null) {
                log.warn("TLS handshake from {} failed: {}{}", remote, Strings.printable(String.valueOf(e.getMessage())), suffix);
            } else if (suffix != null && !socket.isClosed()) {
                log.info("connection {} lost: {}{}", who(), Strings.printable(String.valueOf(e.getMessage())), suffix);
            }
        } catch (RuntimeException e) {
            log.error("connection {} failed unexpectedly: {}", who(), e.toString(), e);
            fail(new CpnsException(ErrorCode.INTERNAL, "internal server error"));
        } finally {
            deadline.cancel(false);
            close();
        }
    }

    private void handshakeExpired() {
        if (principal == null) {
            String suffix = throttled();
            if (suffix != null) {
                log.warn("connection {} closed: not authenticated within {} ms{}", remote, settings.handshakeTimeoutMillis(), suffix);
            }
            close();
        }
    }

    /**
     * Whether to write a line about this connection: always once authenticated; before that, within
     * the per-source budget. Null to skip, else the suffix to append (how many were left out).
     */
    private String throttled() {
        if (principal != null) {
            return "";
        }
        LogThrottle.Decision d = unauthenticated.allow(source);
        return d.log() ? d.suffix() : null;
    }

    /** The bootstrap's one request once read: its refusal carries this id. 0 otherwise (errors that answer no request). */
    private volatile long bootstrapRequestId;

    /** Bootstrap (certificate TLS, docs/security.md): exactly one EUKey assignment (TS §5.3.1), then close. */
    private void runBootstrap() throws IOException {
        Envelope e = channel.receive();
        if (e == null) {
            return;
        }
        if (!(e.body() instanceof EuKeyAssignRequest req)) {
            throw new CpnsException(ErrorCode.NOT_AUTHENTICATED,
                    "only " + "euk.assign.req" + " is allowed before the entity has an EUKey; got " + e.type().wireName());
        }
        bootstrapRequestId = e.id(); // every refusal from here on answers this request (docs/protocol.md §2)
        char[] password = utf8Chars(req.password());
        Bytes.wipe(req.password());
        try {
            EntityId entity = EntityId.of(req.entityId());
            UserId user = UserId.of(req.userId());
            if (!entity.equals(e.src()) || !e.dst().equals(settings.serverId())) {
                throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "entityId must be the envelope source and dst the server");
            }
            if (entity.equals(settings.serverId()) || entity.equals(EntityId.BROADCAST)) {
                throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "the Server's own Entity ID and the broadcast ID cannot be assigned");
            }
            if (req.kind() == EntityKind.SERVER) {
                throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "bootstrap assigns EUKeys to PN GWs and PNEs only");
            }
            try {
                users.authenticate(user, password, source); // a PNE's tunnelled attempt counts against its PN GW's address
            } catch (CpnsException refused) {
                answer(refused); // AUTH_FAILED, RATE_LIMITED or BUSY: the registry logged it, throttled per source
                return;
            }
            if (socket.isClosed()) {
                return; // the deadline expired while the password was checked: do not assign a key nobody receives
            }
            byte[] key = entities.assignEuKey(entity, req.kind(), user); // a PNE's request arrives through its PN GW's tunnel
            try {
                channel.send(e.reply(new EuKeyAssignResponse(entity.value(), key)));
            } finally {
                Bytes.wipe(key);
            }
            log.info("bootstrap from {}: EUKey assigned to {} {} of CPNS User {}", remote, req.kind(), entity, user);
        } finally {
            Bytes.wipe(password);
        }
    }

    /** PSK-TLS succeeded for {@code identity}; now the message-level mutual authentication (TS §5.3.3.1.1). */
    private void runSession(EntityId identity) throws IOException {
        Envelope hello = channel.receive();
        if (hello == null) {
            return;
        }
        if (!(hello.body() instanceof SessionHello h)) {
            throw new CpnsException(ErrorCode.NOT_AUTHENTICATED, "expected sess.hello, got " + hello.type().wireName());
        }
        if (!hello.src().equals(identity) || !hello.dst().equals(settings.serverId())) {
            throw new CpnsException(ErrorCode.AUTH_FAILED, "sess.hello from " + hello.src() + " on a TLS session of " + identity);
        }
        if (!settings.suites().contains(h.suite())) {
            throw new CpnsException(ErrorCode.UNSUPPORTED_SUITE, "suite " + h.suite() + " not accepted; accepted: " + settings.suites());
        }
        EntityRecord record = entities.find(identity)
                .orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no entity " + identity));
        byte[] psk = entities.euKey(identity).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no EUKey for " + identity));
        try {
            secure = new SecureChannel(channel, ChannelHandshake.respond(channel, hello, settings.serverId(), psk));
        } finally {
            Bytes.wipe(psk);
        }
        principal = new Principal(identity, record.kind(), record.owner());
        deadline.cancel(false);
        if (!record.confirmed()) {
            entities.confirm(identity); // the entity holds its EUKey: from now on it cannot be re-assigned
        }
        socket.setSoTimeout(settings.idleTimeoutMillis());
        log.info("{} {} of CPNS User {} authenticated from {} (suite {})", record.kind(), identity, record.owner(), remote, h.suite());
        authenticated.accept(principal);
        serve();
    }

    private void serve() throws IOException {
        Envelope request;
        while ((request = secure.receive()) != null) { // REPLAY, BAD_MAC, FORBIDDEN: fatal, handled by run()
            if (answered(request)) {
                continue;
            }
            if (!request.type().isRequest()) {
                throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, request.type().wireName() + " is not a request");
            }
            Message response;
            boolean last = false;
            try {
                response = dispatcher.dispatch(principal, request);
            } catch (RuntimeException e) {
                CpnsException wire = Failures.toWire(e, "internal server error");
                if (Failures.isBug(wire)) { // a handler bug must not cost the peer its session
                    log.error("handler for {} failed on request {} from {}", request.type().wireName(), request.id(), principal.entity(),
                            wire.getCause());
                } else {
                    log.info("{} {} from {} refused: {}", request.type().wireName(), request.id(), principal.entity(), wire + cause(wire));
                }
                response = ErrorMessage.of(wire);
                // a refusal of what a PN GW asked on a PNE's or user's behalf does not end the PN GW's session
                last = wire.code().closesConnection() && !(request.body() instanceof io.cpns.api.message.OnBehalf);
            }
            secure.send(request.reply(response));
            if (last) {
                return;
            }
        }
    }

    /**
     * A request of the Server's own to the entity of this session (push): answered on this
     * session's read loop; fails with {@code UNAVAILABLE} if the session is not (or no longer) up.
     */
    java.util.concurrent.CompletableFuture<Message> request(Message m) {
        java.util.concurrent.CompletableFuture<Message> f = new java.util.concurrent.CompletableFuture<>();
        SecureChannel s = secure;
        Principal p = principal;
        if (s == null || p == null || socket.isClosed()) {
            f.completeExceptionally(new CpnsException(ErrorCode.UNAVAILABLE, "no session with " + (p == null ? remote : p.entity())));
            return f;
        }
        long id = ids.incrementAndGet();
        pending.put(id, f);
        f.whenComplete((r, x) -> pending.remove(id));
        try {
            s.send(new Envelope(settings.serverId(), p.entity(), id, m));
        } catch (IOException | RuntimeException e) {
            f.completeExceptionally(new CpnsException(ErrorCode.UNAVAILABLE, "sending to " + p.entity() + " failed: " + e.getMessage()));
        }
        return f;
    }

    /** An answer (or error) to one of the Server's own requests; anything else is the peer's request. */
    private boolean answered(Envelope e) {
        Category c = e.type().category();
        if (c != Category.RESPONSE && !(c == Category.CONTROL && e.body() instanceof ErrorMessage)) {
            return false;
        }
        java.util.concurrent.CompletableFuture<Message> f = pending.get(e.id());
        if (f == null && (e.id() <= 0 || e.id() > ids.get())) { // never asked: the peer is confused or lying
            throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, e.type().wireName() + " " + e.id() + " answers no request");
        }
        if (f == null) {
            log.debug("late answer {} {} from {} (its request timed out)", e.type().wireName(), e.id(), who());
        } else if (e.body() instanceof ErrorMessage err) {
            f.completeExceptionally(err.toException());
        } else {
            f.complete(e.body());
        }
        return true;
    }

    /** Sends the error unprotected (the peer may not share a session key with us) and logs it. */
    private void fail(CpnsException e) {
        String suffix = throttled();
        if (suffix != null) {
            log.warn("connection {} closed: {}{}", who(), Strings.printable(e + cause(e)), suffix);
        }
        answer(e);
    }

    /** Sends the error unprotected, without a log line. */
    private void answer(CpnsException e) {
        MessageChannel c = channel;
        if (c != null && !socket.isClosed()) {
            try {
                EntityId peer = principal != null ? principal.entity() : settings.serverId();
                c.send(new Envelope(settings.serverId(), peer, bootstrapRequestId, ErrorMessage.of(e)));
            } catch (IOException | RuntimeException ignored) {
                // the peer is gone or the channel is broken: nothing more to tell it
            }
        }
    }

    void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
        CpnsException down = new CpnsException(ErrorCode.UNAVAILABLE, "session with " + who() + " closed");
        pending.values().forEach(f -> f.completeExceptionally(down));
        SecureChannel s = secure;
        if (s != null) {
            s.session().close();
        }
    }

    Instant since() {
        return since;
    }

    /** The authenticated entity of this connection, or null. */
    EntityId entity() {
        Principal p = principal;
        return p == null ? null : p.entity();
    }

    SessionInfo info() {
        Principal p = principal;
        SecureSession s = secure == null ? null : secure.session();
        return new SessionInfo(p == null ? "" : p.entity().value(), p == null ? "" : p.user().value(), remote, tlsMode,
                s == null ? "" : s.suiteName(), since, s == null ? 0 : s.received(), s == null ? 0 : s.sent());
    }

    private static String cause(CpnsException e) {
        return e.getCause() == null ? "" : " (cause: " + e.getCause() + ")";
    }

    private String who() {
        Principal p = principal;
        return p == null ? remote : p.entity() + "@" + remote;
    }

    private static char[] utf8Chars(byte[] utf8) {
        CharBuffer cb = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(utf8));
        char[] out = new char[cb.remaining()];
        cb.get(out);
        java.util.Arrays.fill(cb.array(), '\0');
        return out;
    }
}
