package io.cpns.demo;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.api.gateway.GatewayGroups;
import io.cpns.api.gateway.GroupBroadcastInfo;
import io.cpns.api.message.Ack;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.GroupKeyDeliver;
import io.cpns.api.server.GroupRegistry;
import io.cpns.api.server.ServiceGroup;
import io.cpns.codec.MessageCodec;
import io.cpns.demo.Runtimes.Services;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The rekey figures of {@code bin/cpns-load --rekey}: a Service Group of all N PNEs of the PN (each
 * receiving by MQTT broadcast), then one member leaves; how long until every remaining member
 * holds the new Group Key (p50/p99, measured by each simulated PNE against the moment this JVM
 * asked the Server for the leave), and the bytes of that rekey against naive unicast.
 */
final class RekeyRound {
    /** TLS 1.3 record overhead around one AES-GCM record: 5 header + 1 content type + 16 tag. */
    private static final int TLS_RECORD = 22;
    /** The CPNS frame's length prefix (protocol.md §1). */
    private static final int FRAME = 4;

    private final Services server;
    private final Services gateway;
    private final PrintStream simInput;
    private final Map<String, String> simResult;

    RekeyRound(Services server, Services gateway, PrintStream simInput, Map<String, String> simResult) {
        this.server = server;
        this.gateway = gateway;
        this.simInput = simInput;
        this.simResult = simResult;
    }

    /** One table row: | members | group built in (s) | p50 | p99 | max | broadcast bytes | fan-out bytes | naive unicast bytes | */
    String run(String user, String gatewayId, List<String> members) throws IOException {
        GroupRegistry groups = server.get(GroupRegistry.class);
        String sg = "sg-load-" + members.size();
        groups.create(sg, UserId.of(user));
        long joinedAt = micros(Instant.now());
        ServiceGroup g = groups.join(sg, members.stream().map(EntityId::of).toList()); // one Group Key for all: one tree build
        Map<String, String> all = await(sg, g.epoch(), joinedAt, members.size());
        double built = Double.parseDouble(all.get("rekey_max_ms")) / 1000;
        System.out.printf("group %s: %d members joined at once; %s of them hold epoch %d after %.1f s (welcome by unicast each)%n", sg,
                members.size(), all.get("rekey_n"), g.epoch(), built);

        settle(sg, members.size());
        String departed = members.get(members.size() / 2);
        long t0 = micros(Instant.now());
        ServiceGroup after = groups.leave(sg, EntityId.of(departed));
        Map<String, String> r = await(sg, after.epoch(), t0, members.size() - 1);
        GroupBroadcastInfo b = gateway.get(GatewayGroups.class).broadcast(sg).orElseThrow();
        int remaining = members.size() - 1;
        long fanOut = (long) remaining * (publishPacket(b.topic(), b.lastBytes()) + 4); // each subscriber's PUBLISH and its PUBACK
        long naive = (long) remaining * unicastBytes(gatewayId, members.get(0), sg, after.epoch());
        System.out.printf("leave of %s: %s of %d remaining members hold epoch %d; p50 %s ms, p99 %s ms, max %s ms; "
                        + "broadcast %d bytes (%d wrapped keys, tree height %d), broker fan-out %d bytes, naive unicast %d bytes%n",
                departed, r.get("rekey_n"), remaining, after.epoch(), r.get("rekey_p50_ms"), r.get("rekey_p99_ms"), r.get("rekey_max_ms"),
                b.lastBytes(), b.lastWrapped(), b.height(), fanOut, naive);
        groups.delete(sg);
        return String.format("| %d | %.1f | %s | %s | %s | %s | %d | %d | %d |", members.size(), built, r.get("rekey_n"),
                r.get("rekey_p50_ms"), r.get("rekey_p99_ms"), r.get("rekey_max_ms"), b.lastBytes(), fanOut, naive);
    }

    /** Waits until the simulator's PNEs are subscribed to the group's topic and caught up, so the leave is measured alone. */
    private void settle(String sg, int n) {
        simResult.remove("settled");
        simInput.printf("settle %s %d%n", sg, n);
        simInput.flush();
        Runtimes.await("the simulator's PNEs subscribed", () -> simResult.containsKey("settled"), () -> "", java.time.Duration.ofMinutes(5));
        System.out.printf("%s of %d PNEs subscribed to %s%n", simResult.get("settled"), n, sg);
    }

    /** Asks the simulator when {@code n} PNEs hold {@code epoch}, and waits for its answer. */
    private Map<String, String> await(String sg, long epoch, long t0, int n) {
        simResult.remove("rekey_n");
        simInput.printf("await %s %d %d %d%n", sg, epoch, t0, n);
        simInput.flush();
        Runtimes.await("the simulator's rekey report", () -> simResult.containsKey("rekey_n"), () -> "", java.time.Duration.ofMinutes(5));
        return Map.copyOf(simResult);
    }

    /** MQTT 3.1.1 PUBLISH, QoS 1: fixed header (1 + remaining-length bytes), topic (2 + length), packet id (2), payload. */
    static int publishPacket(String topic, int payload) {
        int remaining = 2 + topic.getBytes(StandardCharsets.UTF_8).length + 2 + payload;
        int lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
        return 1 + lengthBytes + remaining;
    }

    /** One member's naive delivery: {@code group.key.deliver} and its {@code ack}, each a frame in a PSK-TLS 1.3 record. */
    static int unicastBytes(String gatewayId, String pne, String groupId, long epoch) throws IOException {
        MessageCodec codec = new MessageCodec();
        byte[] deliver = codec.encode(new Envelope(EntityId.of(gatewayId), EntityId.of(pne), 1_000_000, new GroupKeyDeliver(groupId, epoch,
                new byte[32])));
        byte[] ack = codec.encode(new Envelope(EntityId.of(pne), EntityId.of(gatewayId), 1_000_000, new Ack()));
        return deliver.length + FRAME + TLS_RECORD + ack.length + FRAME + TLS_RECORD;
    }

    static long micros(Instant i) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, i);
    }
}
