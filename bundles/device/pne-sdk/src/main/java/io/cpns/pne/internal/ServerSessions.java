package io.cpns.pne.internal;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Suites;
import io.cpns.session.SecureSession;
import io.cpns.session.SessionCounters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The PNE's SK_PNE sessions with the CPNS Server, one per PN (seed 004 step 14), kept in the PNE's
 * {@link SecretStore} (encrypted at rest, atomic writes) so they outlive a PNE restart
 * (D89). Per PN: alias {@code skpne.<PN ID>} holds suite and key, {@code skpnc.<PN ID>}
 * the counters: the send limit (a range reserved before use) and the highest receive counter
 * (recorded before an answer is handed out), so neither goes backwards across a restart.
 */
public final class ServerSessions implements AutoCloseable {
    static final String KEY = "skpne.";
    static final String COUNTERS = "skpnc.";

    private final SecretStore store;
    private final EntityId self;
    private final EntityId server;
    private final Map<String, SecureSession> open = new ConcurrentHashMap<>();

    public ServerSessions(SecretStore store, EntityId self, EntityId server) {
        this.store = store;
        this.self = self;
        this.server = server;
    }

    /** Keeps a new SK_PNE for {@code pnId} (the caller wipes {@code sk}), replacing any before it. */
    public void put(String pnId, String suite, byte[] sk) {
        store.delete(COUNTERS + pnId); // a key never meets another key's counters, even after a crash between the writes
        byte[] suiteBytes = suite.getBytes(StandardCharsets.US_ASCII);
        byte[] record = ByteBuffer.allocate(1 + suiteBytes.length + sk.length).put((byte) suiteBytes.length).put(suiteBytes).put(sk).array();
        try {
            store.put(KEY + pnId, record);
        } finally {
            Bytes.wipe(record);
        }
        writeCounters(pnId, 0, 0);
        SecureSession old = open.put(pnId, resume(pnId, suite, sk, 0, 0));
        if (old != null) {
            old.close();
        }
    }

    /** The session of {@code pnId}: in use, or resumed from the store after a restart. */
    public Optional<SecureSession> get(String pnId) {
        return Optional.ofNullable(open.computeIfAbsent(pnId, this::load));
    }

    /** Forgets the session of {@code pnId}, in memory and in the store. */
    public void remove(String pnId) {
        SecureSession s = open.remove(pnId);
        if (s != null) {
            s.close();
        }
        store.delete(KEY + pnId);
        store.delete(COUNTERS + pnId);
    }

    private SecureSession load(String pnId) {
        Optional<byte[]> record = store.get(KEY + pnId);
        if (record.isEmpty()) {
            return null;
        }
        byte[] r = record.get();
        byte[] sk = null;
        try {
            int n = r[0];
            String suite = new String(r, 1, n, StandardCharsets.US_ASCII);
            sk = Arrays.copyOfRange(r, 1 + n, r.length);
            long[] c = store.get(COUNTERS + pnId).map(ServerSessions::counters).orElse(new long[] {0, 0});
            return resume(pnId, suite, sk, c[0], c[1]);
        } finally {
            Bytes.wipe(r, sk);
        }
    }

    private SecureSession resume(String pnId, String suite, byte[] sk, long sendFrom, long receivedUpTo) {
        return SecureSession.resume(Suites.byName(suite), self, server, true, sk, sendFrom, receivedUpTo, new SessionCounters() {
            private long sendLimit = sendFrom;
            private long received = receivedUpTo;

            @Override
            public void reserveSend(long limit) {
                writeCounters(pnId, limit, received);
                sendLimit = limit;
            }

            @Override
            public void received(long seq) {
                writeCounters(pnId, sendLimit, seq);
                received = seq;
            }
        });
    }

    private void writeCounters(String pnId, long sendLimit, long received) {
        store.put(COUNTERS + pnId, ByteBuffer.allocate(16).putLong(sendLimit).putLong(received).array());
    }

    private static long[] counters(byte[] b) {
        if (b.length != 16) {
            throw new CpnsException(ErrorCode.MALFORMED, "SK_PNE counters of " + b.length + " bytes");
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        return new long[] {bb.getLong(), bb.getLong()};
    }

    /** Closes the sessions in memory; the store keeps them for the next start. */
    @Override
    public void close() {
        open.values().forEach(SecureSession::close);
        open.clear();
    }
}
