package io.cpns.api.message;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import java.util.HashMap;
import java.util.Map;

/**
 * Every CPNS message type with its wire name (docs/protocol.md). The wire name is what the codec
 * writes; it never changes once released.
 */
public enum MessageType {
    ERROR("error", ErrorMessage.class, false),
    EUKEY_ASSIGN_REQUEST("euk.assign.req", EuKeyAssignRequest.class, true),
    EUKEY_ASSIGN_RESPONSE("euk.assign.resp", EuKeyAssignResponse.class, false),
    SESSION_HELLO("sess.hello", SessionHello.class, false),
    SESSION_CHALLENGE("sess.challenge", SessionChallenge.class, false),
    SESSION_PROOF("sess.proof", SessionProof.class, false),
    SESSION_CONFIRM("sess.confirm", SessionConfirm.class, false),
    PROTECTED("protected", Protected.class, false),
    PING("ping", Ping.class, true),
    PONG("pong", Pong.class, false),
    ENTITY_INFO_REQUEST("entity.info.req", EntityInfoRequest.class, true),
    ENTITY_INFO("entity.info", EntityInfo.class, false),
    ENTITY_LIST_REQUEST("entity.list.req", EntityListRequest.class, true),
    ENTITY_LIST("entity.list", EntityList.class, false);

    private static final Map<String, MessageType> BY_NAME = new HashMap<>();
    private static final Map<Class<?>, MessageType> BY_CLASS = new HashMap<>();

    static {
        for (MessageType t : values()) {
            BY_NAME.put(t.wireName, t);
            BY_CLASS.put(t.body, t);
        }
    }

    private final String wireName;
    private final Class<? extends Message> body;
    private final boolean request;

    MessageType(String wireName, Class<? extends Message> body, boolean request) {
        this.wireName = wireName;
        this.body = body;
        this.request = request;
    }

    /** Whether this type asks for a response (the others answer, or belong to the session layer). */
    public boolean isRequest() {
        return request;
    }

    public String wireName() {
        return wireName;
    }

    public Class<? extends Message> bodyClass() {
        return body;
    }

    /** The type of a wire name; an unknown name is a typed protocol error. */
    public static MessageType of(String wireName) {
        MessageType t = BY_NAME.get(wireName);
        if (t == null) {
            throw new CpnsException(ErrorCode.UNKNOWN_TYPE,
                    "unknown message type '" + io.cpns.api.Strings.printable(wireName) + "'");
        }
        return t;
    }

    public static MessageType of(Class<?> bodyClass) {
        MessageType t = BY_CLASS.get(bodyClass);
        if (t == null) {
            throw new IllegalArgumentException("not a registered CPNS message: " + bodyClass.getName());
        }
        return t;
    }
}
