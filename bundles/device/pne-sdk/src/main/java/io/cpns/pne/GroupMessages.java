package io.cpns.pne;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.GroupMsg;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Suites;
import io.cpns.groupkey.GroupMessage;
import io.cpns.groupkey.GroupOpeners;
import io.cpns.groupkey.GroupSealer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A PNE's messages to its Service Groups (TS §5.3.3.2): sealed under the Group Key it holds, one
 * sealer and one opener (with its replay window) per group and epoch. A message in the clear is
 * accepted only on a secure PAN, where the PN GW may send it so.
 */
final class GroupMessages {
    private record Keyed<T extends AutoCloseable>(long epoch, T value) {
    }

    private final String self;
    private final Function<String, Optional<PneGroupKey>> keys;
    private final Map<String, Keyed<GroupSealer>> sealers = new HashMap<>();
    private final GroupOpeners openers = new GroupOpeners(Suites.modern());
    private final List<Consumer<PneGroupMessage>> listeners = new CopyOnWriteArrayList<>();

    GroupMessages(String self, Function<String, Optional<PneGroupKey>> keys) {
        this.self = self;
        this.keys = keys;
    }

    void onMessage(Consumer<PneGroupMessage> listener) {
        listeners.add(listener);
    }

    /** Seals a payload under the group's current key, for {@code group.msg}. */
    synchronized GroupMsg seal(String groupId, byte[] payload) {
        PneGroupKey k = key(groupId);
        Keyed<GroupSealer> s = sealers.get(groupId);
        if (s == null || s.epoch() != k.epoch()) {
            close(s);
            s = new Keyed<>(k.epoch(), new GroupSealer(Suites.modern(), groupId, k.epoch(), k.key(), self));
            sealers.put(groupId, s);
        }
        Bytes.wipe(k.key());
        GroupMessage m = s.value().seal(payload);
        return new GroupMsg(groupId, self, m.epoch(), m.counter(), m.ciphertext(), null);
    }

    /** {@code group.msg} from the PN GW: opened (REPLAY, BAD_MAC, UNEXPECTED_MESSAGE) or, on a secure PAN only, taken as sent. */
    void received(GroupMsg m, boolean securePan) {
        PneGroupMessage out;
        if (m.sealed()) {
            out = new PneGroupMessage(m.groupId(), m.sender(), m.epoch(), open(m), true);
        } else if (securePan) {
            key(m.groupId()); // a member's message all the same: UNKNOWN_GROUP otherwise
            out = new PneGroupMessage(m.groupId(), m.sender(), m.epoch(), m.plaintext(), false);
        } else {
            throw new CpnsException(ErrorCode.FORBIDDEN, "a group message in the clear is accepted only on a secure PAN (TS 5.3.3.2)");
        }
        listeners.forEach(l -> l.accept(out));
    }

    synchronized void forget(String groupId) {
        close(sealers.remove(groupId));
        openers.forget(groupId);
    }

    private byte[] open(GroupMsg m) {
        PneGroupKey k = key(m.groupId());
        try {
            return openers.open(new GroupMessage(m.groupId(), m.sender(), m.epoch(), m.counter(), m.ciphertext()), k.epoch(), k::key);
        } finally {
            Bytes.wipe(k.key());
        }
    }

    private PneGroupKey key(String groupId) {
        return keys.apply(groupId).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_GROUP, "no Group Key of " + groupId + " here"));
    }

    private static void close(Keyed<?> k) {
        if (k != null) {
            try {
                k.value().close();
            } catch (Exception ignored) {
                // wiping a key does not fail
            }
        }
    }
}
