package io.cpns.gw.pan;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.LinkProtection;
import io.cpns.api.LogThrottle;
import io.cpns.api.Strings;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.message.DiscoveryQuery;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Protected;
import io.cpns.api.message.SessionChallenge;
import io.cpns.api.message.SessionConfirm;
import io.cpns.api.message.SessionHello;
import io.cpns.api.message.SessionProof;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Suites;
import io.cpns.pan.spi.FrameReceiver;
import io.cpns.pan.spi.PanConnection;
import io.cpns.session.ResponderHandshake;
import io.cpns.session.SecureSession;
import io.cpns.session.SessionSelector;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One PNE's link on a PAN, from the gateway's side: decodes frames, enforces who may say what,
 * runs the PNE-GW secure session where the PAN needs one, and hands messages to the host by
 * category. How the PNE's identity is established, in order of preference:
 * <ol>
 *   <li>{@code tls}: the adapter's PSK-TLS proved it (LocalEUKey or pre-assigned key);</li>
 *   <li>{@code session}: the message-level handshake (TS §5.3.3.1.1) with that key, on PANs
 *       without TLS (serial);</li>
 *   <li>{@code pan}: the PAN itself protects messages (TS §5.3.3.1), so its claim is trusted;</li>
 *   <li>otherwise the identity is only claimed: enough for discovery, the EUKey tunnel and PN Setup
 *       (whose Server-side authentication proves the PNE), not for anything routed further.</li>
 * </ol>
 */
final class Link implements FrameReceiver {
    private final PanConnection connection;
    private final LinkHost host;
    private final Instant since = Instant.now();
    private final Object sendLock = new Object();
    private volatile EntityId pne;
    private volatile boolean authenticated;
    private volatile LinkProtection protection;
    private volatile SecureSession session;
    private final AtomicReference<Tunnel> tunnel = new AtomicReference<>();
    private volatile boolean closed;
    /** The authenticated link this PNE moved to (it answered there a request sent on this link). */
    private volatile Link successor;
    private ResponderHandshake handshake;

    Link(PanConnection connection, LinkHost host) {
        this.connection = connection;
        this.host = host;
        String proven = connection.authenticatedIdentity();
        if (proven != null) {
            pne = EntityId.of(proven);
            authenticated = true;
            protection = LinkProtection.TLS;
        } else {
            protection = connection.security().sufficient() ? LinkProtection.PAN : LinkProtection.NONE;
        }
    }

    EntityId pne() {
        return pne;
    }

    boolean authenticated() {
        return authenticated;
    }

    PanConnection connection() {
        return connection;
    }

    PneLink info() {
        return new PneLink(pne == null ? "" : pne.value(), connection.adapterId(), connection.remote(), authenticated, protection, since);
    }

    void tunnel(Tunnel t) {
        tunnel.set(t);
    }

    /** Detaches {@code t} if it is still this link's tunnel: a late close never drops its successor. */
    void tunnelClosed(Tunnel t) {
        tunnel.compareAndSet(t, null);
    }

    Tunnel tunnel() {
        return tunnel.get();
    }

    // ---- receiving ----

    /** Never throws: an exception here would end the adapter's reader with the connection open. */
    @Override
    public void frame(byte[] frame) {
        Envelope opened = null;
        try {
            opened = open(host.codec().decode(frame));
            handle(opened);
        } catch (CpnsException e) {
            fail(e, answerId(opened));
        } catch (RuntimeException e) {
            host.log().error("link {} failed on a frame", describe(), e);
            fail(new CpnsException(ErrorCode.INTERNAL, "internal gateway error"), answerId(opened));
        }
    }

    /**
     * The id a refusal carries: a request's own, so the PNE fails that request at once instead of
     * at its timeout (docs/protocol.md §5); 0 for anything else, and for a frame that did not
     * decode or unprotect (its id is not known to be the PNE's).
     */
    private static long answerId(Envelope e) {
        return e != null && e.type().isRequest() ? e.id() : 0;
    }

    /** Decrypts a protected message; refuses a clear one once the session is up (errors excepted). */
    private Envelope open(Envelope e) {
        SecureSession s = session;
        if (e.body() instanceof Protected) {
            if (s == null) {
                throw new CpnsException(ErrorCode.NOT_AUTHENTICATED, "protected message without a session");
            }
            return s.unprotect(e, host.codec());
        } else if (s != null && !(e.body() instanceof ErrorMessage)) {
            throw new CpnsException(ErrorCode.NOT_AUTHENTICATED, "the session is established: " + e.type().wireName() + " must be protected");
        }
        return e;
    }

    private void handle(Envelope e) {
        identify(e.src());
        boolean discovery = e.dst().equals(EntityId.BROADCAST) && e.body() instanceof DiscoveryQuery;
        if (!discovery) {
            requireGatewayPair(e.dst());
        }
        switch (e.type().category()) {
            case CONTROL -> control(e);
            case REQUEST -> host.requestFromPne(this, e);
            case RESPONSE -> host.responseFromPne(this, e);
            case ONEWAY -> host.oneWayFromPne(this, e);
        }
    }

    /**
     * TS §5.3.3.1: the session protecting a message follows from its source and destination. On
     * this link only the PNE-PN GW session (or the PAN's own security) applies; anything else is
     * refused with the reason, so a PNE cannot make the gateway carry a message unprotected.
     */
    private void requireGatewayPair(EntityId dst) {
        SessionSelector.Pair pair = SessionSelector.select(EntityKind.PNE, host.kindOf(dst)).orElseThrow(() ->
                new CpnsException(ErrorCode.INVALID_ARGUMENT, "no secure session exists between two PNEs (TS §5.3.3.1): "
                        + "messages to " + dst + " go hop by hop through the PN GW"));
        if (pair == SessionSelector.Pair.SERVER_PNE) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "messages to the CPNS Server " + dst
                    + " are protected end to end with SK_PNE: send them inside a relay (TS §5.3.3.1)");
        }
    }

    /** The first message names the PNE; every later one must come from the same PNE. */
    private void identify(EntityId src) {
        EntityId known = pne;
        if (known == null) {
            if (host.reserved(src)) { // the PN GW's, the CPNS Server's, cpns.broadcast
                throw new CpnsException(ErrorCode.FORBIDDEN, "a PNE cannot use the Entity ID " + src + " (reserved)");
            }
            pne = src;
            if (protection == LinkProtection.PAN) {
                authenticated = true; // the PAN protects its messages: its claim is as good as its pairing
            }
            host.identified(this);
        } else if (!known.equals(src)) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "link of " + known + " carries a message from " + src);
        }
    }

    private void control(Envelope e) {
        if (e.body() instanceof SessionHello h) {
            startHandshake(e, h);
        } else if (e.body() instanceof SessionProof p) {
            finishHandshake(e, p);
        } else if (e.body() instanceof ErrorMessage err && e.id() != 0) {
            host.responseFromPne(this, e); // the PNE's answer to one of our requests: fails it now, not at its timeout
        } else if (e.body() instanceof ErrorMessage err) {
            LogThrottle.Decision d = host.logThrottle().allow(sourceKey());
            if (d.log()) {
                host.log().info("PNE {} reports {}: {}{}", pne, err.errorCode(), Strings.printable(err.detail()), d.suffix());
            }
        } else {
            throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, e.type().wireName() + " is not expected from a PNE");
        }
    }

    /** PNE-GW mutual authentication with the LocalEUKey or pre-assigned key (seed 004 steps 6-7). */
    private synchronized void startHandshake(Envelope e, SessionHello h) {
        if (protection == LinkProtection.TLS || protection == LinkProtection.PAN) { // protected by other means than this handshake
            throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "this link is already protected (" + protection.wire() + ")");
        }
        if (!host.settings().suites().contains(h.suite())) {
            throw new CpnsException(ErrorCode.UNSUPPORTED_SUITE, "suite " + Strings.printable(h.suite()) + " not accepted");
        }
        Duration wait = max(host.handshakeFailures().delay(idKey()), host.handshakeFailures().delay(sourceKey()));
        if (!wait.isZero()) { // refused unchecked: a guesser learns nothing while it waits
            throw new CpnsException(ErrorCode.RATE_LIMITED, "too many failed PNE-GW handshakes for " + pne
                    + " or from this address: try again in " + (wait.toSeconds() + 1) + " s");
        }
        byte[] psk = host.psk(pne.value()).orElse(null);
        if (psk == null) {
            handshakeFailed();
            throw new CpnsException(ErrorCode.AUTH_FAILED, "no LocalEUKey or pre-assigned key for " + pne);
        }
        ResponderHandshake started;
        try {
            started = new ResponderHandshake(Suites.byName(h.suite()), host.gatewayId(), pne, psk, h.rand());
        } finally {
            Bytes.wipe(psk);
        }
        handshake = started;
        sendClear(e.reply(new SessionChallenge(h.suite(), started.rand())));
        long timeout = host.settings().handshakeTimeout().toMillis();
        CompletableFuture.delayedExecutor(timeout, TimeUnit.MILLISECONDS).execute(() -> expire(started));
    }

    /** A PNE that said hello and never proved its key does not keep the handshake (and the link) forever. */
    private void expire(ResponderHandshake h) {
        synchronized (this) {
            if (handshake != h) {
                return;
            }
            handshake = null;
            h.destroy();
        }
        fail(new CpnsException(ErrorCode.TIMEOUT, "PNE-GW handshake not completed in "
                + host.settings().handshakeTimeout().toMillis() + " ms"));
    }

    private synchronized void finishHandshake(Envelope e, SessionProof p) {
        if (handshake == null) {
            throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "sess.proof without sess.hello");
        }
        ResponderHandshake.Result r;
        try {
            r = handshake.verify(p.proof());
        } catch (CpnsException wrongKey) {
            handshakeFailed();
            throw wrongKey;
        } finally {
            handshake = null;
        }
        host.handshakeFailures().succeeded(idKey());
        // protected and routable before the PNE learns it is, so whatever it does next finds the link so;
        // under the send lock, so no protected message overtakes the confirm
        synchronized (sendLock) {
            session = r.session();
            protection = LinkProtection.SESSION;
            authenticated = true;
            host.log().info("PNE {} authenticated on {} link {} (message-level session, suite {})", pne, connection.adapterId(),
                    connection.remote(), r.session().suiteName());
            host.identified(this);
            sendClear(e.reply(new SessionConfirm(r.proof())));
        }
    }

    private String idKey() {
        return "pne:" + pne.value();
    }

    private String sourceKey() {
        return "source:" + connection.adapterId() + ":" + source();
    }

    /** Counts a failed handshake against the claimed Entity ID and the source; says so once when they must wait. */
    private void handshakeFailed() {
        Duration forId = host.handshakeFailures().failed(idKey());
        Duration forSource = host.handshakeFailures().failed(sourceKey());
        Duration wait = max(forId, forSource);
        if (!wait.isZero() && host.logThrottle().allow(sourceKey()).log()) {
            host.log().warn("PNE-GW handshakes rate-limited for {} s: {} failures for {}, {} from {}", wait.toSeconds(),
                    host.handshakeFailures().failures(idKey()), pne, host.handshakeFailures().failures(sourceKey()), source());
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    // ---- sending ----

    /** Sends to the PNE, protected if this link has a session; under one lock so counters stay in order. */
    void send(Envelope e) throws IOException {
        synchronized (sendLock) {
            SecureSession s = session;
            connection.send(host.codec().encode(s == null ? e : s.protect(e, host.codec())));
        }
    }

    private void sendClear(Envelope e) {
        try {
            synchronized (sendLock) {
                connection.send(host.codec().encode(e));
            }
        } catch (IOException x) {
            connection.close();
        }
    }

    /**
     * A typed error to the PNE (unprotected: it may not share our session) and, if fatal, close.
     * One log line, within the source's budget. Never throws: whatever goes wrong here, a link
     * that must close is closed, so its adapter frees the connection.
     */
    void fail(CpnsException e) {
        fail(e, 0);
    }

    /** As {@link #fail(CpnsException)}, answering the PNE's request {@code id} (0: none). */
    private void fail(CpnsException e, long id) {
        try {
            LogThrottle.Decision d = host.logThrottle().allow(sourceKey());
            if (d.log()) {
                host.log().warn("PNE link {} refused: {}{}", describe(), e.toString(), d.suffix());
            }
            if (e.getCause() != null) { // a library's own words: for us, never for the peer
                host.log().debug("PNE link {}: {}", describe(), Strings.printable(e.getCause().toString()));
            }
            EntityId to = pne == null ? host.gatewayId() : pne;
            try {
                sendClear(new Envelope(host.gatewayId(), to, id, ErrorMessage.of(e)));
            } catch (RuntimeException unencodable) {
                sendClear(new Envelope(host.gatewayId(), to, id, new ErrorMessage(e.code().code(), "refused")));
            }
        } catch (RuntimeException bug) {
            host.log().error("PNE link {}: sending the error failed; closing", describe(), bug);
            close();
            return;
        }
        if (e.code().closesConnection()) {
            close();
        }
    }

    private void close() {
        try {
            connection.close();
        } catch (RuntimeException e) {
            host.log().error("PNE link {} did not close cleanly", describe(), e);
        }
    }

    /** A request refused with {@code error}: one line, within the source's budget (never one per item of the request). */
    void refused(Envelope request, ErrorMessage error) {
        LogThrottle.Decision d = host.logThrottle().allow(sourceKey());
        if (d.log()) {
            host.log().warn("PNE link {}: {} {} refused: {}: {}{}", describe(), request.type().wireName(), request.id(),
                    error.errorCode(), Strings.printable(error.detail()), d.suffix());
        }
    }

    @Override
    public void broken(CpnsException e) {
        fail(e);
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * The PNE answered, on {@code proven} (authenticated), a request the PN GW sent only on this
     * link: both links are this PNE, which moved (seed 004 steps 6-9: a link secured with its new
     * LocalEUKey). Answers still owed on this link go there.
     */
    void movedTo(Link proven) {
        if (proven != this) {
            successor = proven;
        }
    }

    /** This link, or the one its PNE moved to (and on, a few hops at most). */
    Link current() {
        Link l = this;
        for (int hops = 0; hops < 8 && l.successor != null; hops++) {
            l = l.successor;
        }
        return l;
    }

    @Override
    public void closed(String reason) {
        closed = true;
        SecureSession s = session;
        if (s != null) {
            s.close();
        }
        Tunnel t = tunnel.get();
        if (t != null) {
            t.close("PNE link closed");
        }
        host.closed(this, reason);
    }

    String describe() {
        return (pne == null ? "?" : pne.value()) + "@" + connection.adapterId() + ":" + Strings.printable(connection.remote());
    }

    /** The peer's address without its port ("192.0.2.7" of "/192.0.2.7:40312"), else the whole remote (a serial line): per-source limits. */
    String source() {
        String r = String.valueOf(connection.remote());
        int colon = r.lastIndexOf(':');
        if (colon <= 0 || colon == r.length() - 1 || !r.substring(colon + 1).chars().allMatch(Character::isDigit)) {
            return r;
        }
        String host = r.substring(0, colon);
        return host.substring(host.lastIndexOf('/') + 1);
    }
}
