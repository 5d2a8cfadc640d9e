package io.cpns.codec;

import io.cpns.api.EntityKind;
import io.cpns.api.message.*;
import io.cpns.api.update.UpdateFailure;
import io.cpns.api.update.UpdateState;
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
        add(new Ack());
        Map<String, String> caps = Map.of("type", "tv", "ui", "true");
        add(new DiscoveryQuery(EntityKind.PNE, caps));
        add(new DiscoveryAnnounce("gw-1", List.of(new PanAccess("ip", "192.168.1.2:7800", false))));
        add(new TunnelOpen());
        add(new TunnelOpened());
        add(new TunnelData(r));
        add(new TunnelClose("done"));
        add(new PnSetupRequest(SetupType.INVITE, List.of("pne-2"), caps, List.of("movie-1"), r, true, "modern-v1"));
        List<PnMember> inventory = List.of(new PnMember("pne-1", caps, List.of()));
        add(new PnSetupResponse("pn-1", true, inventory, r));
        add(new PnSetupNotify("pn-1", "pne-1"));
        add(new PnSetupNotifyResponse(true, caps, List.of(), r, false, "legacy-v1"));
        add(new PneAuthRequest("pn-1", r, new byte[40]));
        add(new PneAuthResponse(r));
        add(new PnEstablishNotify("pn-1", inventory, r));
        add(new PnEstablishAck(true));
        add(new PnInventoryRequest("pn-1", 200));
        add(new PnInventoryPage("pn-1", 200, 201, inventory));
        add(new GroupNotify("sg-1", 3, List.of("pne-tv"), false));
        add(new GroupKeyPush("sg-1", 3, List.of("pne-tv"), new byte[32]));
        add(new GroupKeyRequest("sg-1"));
        add(new GroupKey("sg-1", 3, List.of("pne-tv"), new byte[32]));
        add(new GroupKeyDeliver("sg-1", 3, new byte[32]));
        add(new GroupKeyDelete("sg-1"));
        GroupTree tree = new GroupTree("sg-1", "cpns/group/sg-1", "tcp://127.0.0.1:1883", "pne-tv", new byte[32], new byte[32], 3,
                new byte[32], new byte[200]);
        add(tree);
        add(new GroupTreeDeliver(tree));
        add(new GroupTreeRequest("sg-1"));
        add(new GroupKeyCreate("sg-1", 4));
        add(new GroupKeyRegister("sg-1", 5, new byte[32]));
        add(new GroupSyncRequest());
        add(new GroupSync(List.of(new GroupNotify("sg-1", 3, List.of("pne-tv"), false))));
        add(new GroupMembership(List.of("sg-1", "sg-2")));
        add(new GroupMsg("sg-1", "pne-tv", 3, 77, new byte[20], null)); // (a PN GW's plaintext form: MessageCodecTest)
        add(new KaRegisterRequest("alice", new byte[12], new byte[30], Map.of("plan", "home")));
        add(new KaInstallRequest("alice", "modern-v1", new byte[12], new byte[30]));
        add(new KaTrigger("alice", new byte[32], 1_700_000_000L, new byte[32]));
        add(new KaRequest("pne-sensor", "alice", "modern-v1", new byte[32], 1_700_000_000L, new byte[32]));
        add(new KaResponse(new byte[32], new byte[40], new byte[32]));
        add(new PnRegisterRequest("pn-1", 1, caps, Map.of("plan", "home"), List.of(new PnePresence("pne-1", caps, List.of(), r, true, "modern-v1"))));
        add(new PnAuthRequest("pn-1", 1, r, List.of(new PneKeys("pne-1", 0, new byte[40], new byte[40]))));
        add(new PnAuthResponse("pn-1", 1, List.of(new PneProof("pne-1", r))));
        add(new PnRegisterResponse("pn-1", 1, true, List.of(new PneVerdict("pne-1", true, r))));
        add(new PnMemberRemove("pn-1", "pne-1", false));
        add(new Relay("pn-1", r));
        add(new RelayResponse(r));
        add(new UpdateOffer("ro-1", new byte[120], new byte[64], new byte[90], new byte[64], "https://server:8443/cpns/releases/7/", "02:00-04:00"));
        add(new UpdateStatus("ro-1", 7, UpdateState.ROLLED_BACK, UpdateFailure.HEALTH_FAILED, "gw-pn: component PnGateway unsatisfied", 1_700_000_000_000L));
        add(new UpdateCancel("ro-1"));
        add(new UpdateInventoryRequest());
        GatewayInventory inv = new GatewayInventory(7, List.of(new InstalledBundle("io.cpns.gw-pn", "1.0.0", "ACTIVE", 2, true)), true, "ro-1", UpdateState.TRIAL);
        add(new UpdateInventory(inv));
        add(new UpdateInventoryReport(inv));
    }

    private static void add(Message m) {
        ALL.put(m.type(), m);
    }

    private Samples() {
    }
}
