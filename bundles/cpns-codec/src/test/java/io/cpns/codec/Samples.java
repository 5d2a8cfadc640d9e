package io.cpns.codec;

import io.cpns.api.EntityKind;
import io.cpns.api.message.*;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** One example body per message type; {@link MessageCodecTest} checks every type is here. */
final class Samples {
    static final Map<MessageType, Message> ALL = new EnumMap<>(MessageType.class);

    static {
        byte[] r = new byte[32];
        for (int i = 0; i < r.length; i++) {
            r[i] = (byte) i;
        }
        add(new ErrorMessage(203, "not yours"));
        add(new EuKeyAssignRequest("gw-1", EntityKind.GATEWAY, "alice", "pw".getBytes()));
        add(new EuKeyAssignResponse("gw-1", r));
        add(new SessionHello("modern-v1", r));
        add(new SessionChallenge("modern-v1", r));
        add(new SessionProof(r));
        add(new SessionConfirm(r));
        add(new Protected(7, r));
        add(new Ping(new byte[] {1, 2}));
        add(new Pong(new byte[] {1, 2}));
        add(new EntityInfoRequest("gw-1"));
        add(new EntityInfo("gw-1", EntityKind.GATEWAY, "alice"));
        add(new EntityListRequest());
        add(new EntityList(List.of(new EntityInfo("gw-1", EntityKind.GATEWAY, "alice"))));
    }

    private static void add(Message m) {
        ALL.put(m.type(), m);
    }

    private Samples() {
    }
}
