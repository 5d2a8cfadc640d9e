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
    // session layer
    ERROR("error", ErrorMessage.class, Category.CONTROL),
    SESSION_HELLO("sess.hello", SessionHello.class, Category.CONTROL),
    SESSION_CHALLENGE("sess.challenge", SessionChallenge.class, Category.CONTROL),
    SESSION_PROOF("sess.proof", SessionProof.class, Category.CONTROL),
    SESSION_CONFIRM("sess.confirm", SessionConfirm.class, Category.CONTROL),
    PROTECTED("protected", Protected.class, Category.CONTROL),
    // EUKey assignment (TS 5.3.1)
    EUKEY_ASSIGN_REQUEST("euk.assign.req", EuKeyAssignRequest.class, Category.REQUEST),
    EUKEY_ASSIGN_RESPONSE("euk.assign.resp", EuKeyAssignResponse.class, Category.RESPONSE),
    // liveness, entities
    PING("ping", Ping.class, Category.REQUEST),
    PONG("pong", Pong.class, Category.RESPONSE),
    ACK("ack", Ack.class, Category.RESPONSE),
    ENTITY_INFO_REQUEST("entity.info.req", EntityInfoRequest.class, Category.REQUEST),
    ENTITY_INFO("entity.info", EntityInfo.class, Category.RESPONSE),
    ENTITY_LIST_REQUEST("entity.list.req", EntityListRequest.class, Category.REQUEST),
    ENTITY_LIST("entity.list", EntityList.class, Category.RESPONSE),
    // CPNS Entity Discovery (seed 004 step 0)
    DISCOVERY_QUERY("disc.query", DiscoveryQuery.class, Category.REQUEST),
    DISCOVERY_ANNOUNCE("disc.announce", DiscoveryAnnounce.class, Category.RESPONSE),
    // a PNE's end-to-end TLS to the Server, carried by its PN GW (EUKey assignment to a PNE with UI)
    TUNNEL_OPEN("tunnel.open", TunnelOpen.class, Category.REQUEST),
    TUNNEL_OPENED("tunnel.opened", TunnelOpened.class, Category.RESPONSE),
    TUNNEL_DATA("tunnel.data", TunnelData.class, Category.ONEWAY),
    TUNNEL_CLOSE("tunnel.close", TunnelClose.class, Category.ONEWAY),
    // PN Establishment, PNE <-> PN GW (seed 004)
    PN_SETUP_REQUEST("pn.setup.req", PnSetupRequest.class, Category.REQUEST),
    PN_SETUP_RESPONSE("pn.setup.resp", PnSetupResponse.class, Category.RESPONSE),
    PN_SETUP_NOTIFY("pn.setup.notify", PnSetupNotify.class, Category.REQUEST),
    PN_SETUP_NOTIFY_RESPONSE("pn.setup.notify.resp", PnSetupNotifyResponse.class, Category.RESPONSE),
    PNE_AUTH_REQUEST("pne.auth.req", PneAuthRequest.class, Category.REQUEST),
    PNE_AUTH_RESPONSE("pne.auth.resp", PneAuthResponse.class, Category.RESPONSE),
    PN_ESTABLISH_NOTIFY("pn.establish.notify", PnEstablishNotify.class, Category.REQUEST),
    PN_ESTABLISH_ACK("pn.establish.ack", PnEstablishAck.class, Category.RESPONSE),
    PN_INVENTORY_REQUEST("pn.inventory.req", PnInventoryRequest.class, Category.REQUEST),
    PN_INVENTORY("pn.inventory", PnInventoryPage.class, Category.RESPONSE),
    GROUP_NOTIFY("group.notify", GroupNotify.class, Category.REQUEST),
    GROUP_KEY_PUSH("group.key.push", GroupKeyPush.class, Category.REQUEST),
    GROUP_KEY_REQUEST("group.key.req", GroupKeyRequest.class, Category.REQUEST),
    GROUP_KEY("group.key", GroupKey.class, Category.RESPONSE),
    GROUP_KEY_DELIVER("group.key.deliver", GroupKeyDeliver.class, Category.REQUEST),
    GROUP_KEY_DELETE("group.key.delete", GroupKeyDelete.class, Category.REQUEST),
    GROUP_TREE_DELIVER("group.tree.deliver", GroupTreeDeliver.class, Category.REQUEST),
    GROUP_TREE_REQUEST("group.tree.req", GroupTreeRequest.class, Category.REQUEST),
    GROUP_TREE("group.tree", GroupTree.class, Category.RESPONSE),
    GROUP_KEY_CREATE("group.key.create", GroupKeyCreate.class, Category.REQUEST),
    GROUP_KEY_REGISTER("group.key.register", GroupKeyRegister.class, Category.REQUEST),
    GROUP_SYNC_REQUEST("group.sync.req", GroupSyncRequest.class, Category.REQUEST),
    GROUP_SYNC("group.sync", GroupSync.class, Category.RESPONSE),
    GROUP_MSG("group.msg", GroupMsg.class, Category.REQUEST),
    GROUP_MEMBERSHIP("group.membership", GroupMembership.class, Category.REQUEST),
    // Key Assignment for a PNE without UI (seed 001 §7.x.2)
    KA_REGISTER_REQUEST("ka.register.req", KaRegisterRequest.class, Category.REQUEST),
    KA_INSTALL_REQUEST("ka.install.req", KaInstallRequest.class, Category.REQUEST),
    KA_TRIGGER("ka.trigger", KaTrigger.class, Category.REQUEST),
    KA_REQUEST("ka.req", KaRequest.class, Category.REQUEST),
    KA_RESPONSE("ka.resp", KaResponse.class, Category.RESPONSE),
    // PN Establishment, PN GW <-> Server (seed 004)
    PN_REGISTER_REQUEST("pn.register.req", PnRegisterRequest.class, Category.REQUEST),
    PN_AUTH_REQUEST("pn.auth.req", PnAuthRequest.class, Category.RESPONSE),
    PN_AUTH_RESPONSE("pn.auth.resp", PnAuthResponse.class, Category.REQUEST),
    PN_REGISTER_RESPONSE("pn.register.resp", PnRegisterResponse.class, Category.RESPONSE),
    PN_MEMBER_REMOVE("pn.member.remove", PnMemberRemove.class, Category.REQUEST),
    // PNE <-> Server end to end, routed by PN ID through the PN GW
    RELAY("relay", Relay.class, Category.REQUEST),
    RELAY_RESPONSE("relay.resp", RelayResponse.class, Category.RESPONSE),
    // signed remote updates of a PN GW (issue 11, docs/updates.md)
    UPDATE_OFFER("update.offer", UpdateOffer.class, Category.REQUEST),
    UPDATE_STATUS("update.status", UpdateStatus.class, Category.REQUEST),
    UPDATE_CANCEL("update.cancel", UpdateCancel.class, Category.REQUEST),
    UPDATE_INVENTORY_REQUEST("update.inventory.req", UpdateInventoryRequest.class, Category.REQUEST),
    UPDATE_INVENTORY("update.inventory", UpdateInventory.class, Category.RESPONSE),
    UPDATE_INVENTORY_REPORT("update.inventory.report", UpdateInventoryReport.class, Category.REQUEST);

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
    private final Category category;

    MessageType(String wireName, Class<? extends Message> body, Category category) {
        this.wireName = wireName;
        this.body = body;
        this.category = category;
    }

    public Category category() {
        return category;
    }

    /** Whether this type asks for a response. */
    public boolean isRequest() {
        return category == Category.REQUEST;
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
