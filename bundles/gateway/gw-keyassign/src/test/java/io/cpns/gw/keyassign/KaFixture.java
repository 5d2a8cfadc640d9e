package io.cpns.gw.keyassign;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.LinkProtection;
import io.cpns.api.gateway.GatewayEnrolment;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.crypto.KeyAssignmentCrypto;
import io.cpns.crypto.Randoms;
import io.cpns.testkit.Configs;
import io.cpns.testkit.FieldReferences;
import io.cpns.testkit.MemoryPreAssignedKeys;
import io.cpns.testkit.RecordingPneMessenger;
import io.cpns.testkit.RecordingServerLink;
import io.cpns.testkit.TestLogger;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A real {@link KeyAssignmentGateway} with the services of the other bundles replaced by ones the
 * test drives: the PNEs and the CPNS Server record what they are sent and the test answers
 * (cpns-testkit); gw-link's PSK1 encryption is done here with a known EUKey, so the test can
 * decrypt what the Server would.
 */
final class KaFixture {
    static final EntityId GW = EntityId.of("gw-home");
    static final long WAIT_MILLIS = 5000;

    final TestLogger log = new TestLogger("gw-keyassign");
    final RecordingPneMessenger pnes = new RecordingPneMessenger(GW);
    final RecordingServerLink server = new RecordingServerLink(EntityId.of("cpns-server"));
    final MemoryPreAssignedKeys preAssigned = new MemoryPreAssignedKeys();
    /** PSK1: this PN GW's EUKey (seed 001 §7.x.2.1.1). */
    final byte[] psk1 = Randoms.bytes(32);
    final KeyAssignmentGateway gateway;

    KaFixture() {
        this(Map.of());
    }

    KaFixture(Map<String, Object> config) {
        gateway = new KeyAssignmentGateway(new Enrolment(), preAssigned, log.logger(), Configs.of(KeyAssignmentGateway.Config.class, config));
        bind(true, true);
    }

    /** gw-link's and gw-pan's services bound or gone (SCR sets the field references). */
    void bind(boolean serverLink, boolean panLinks) {
        FieldReferences.bind(gateway, "server", serverLink ? server : null);
        FieldReferences.bind(gateway, "pnes", panLinks ? pnes : null);
    }

    /** A PNE linked to this PN GW, its link protected by {@code p}. */
    void linked(EntityId pne, LinkProtection p) {
        pnes.links.add(RecordingPneMessenger.link(pne, p));
    }

    static PneMessage from(EntityId pne, LinkProtection p, Message body) {
        return new PneMessage(new Envelope(pne, GW, 7, body), RecordingPneMessenger.link(pne, p));
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    static ErrorCode errorOf(CompletionStage<?> stage) throws Exception {
        try {
            await(stage);
        } catch (ExecutionException e) {
            return assertInstanceOf(CpnsException.class, e.getCause()).code();
        }
        throw new AssertionError("completed normally");
    }

    /** gw-link's part: the password under PSK1, the key never leaving it. */
    private final class Enrolment implements GatewayEnrolment {
        @Override
        public boolean hasEuKey() {
            return true;
        }

        @Override
        public void assignEuKey(String userId, char[] password) {
            throw new UnsupportedOperationException("not used by gw-keyassign");
        }

        @Override
        public byte[] encryptWithPsk1(byte[] nonce, String userId, char[] password) {
            return KeyAssignmentCrypto.encryptPassword(psk1, KeyAssignmentCrypto.PSK1, nonce, GW.value(), userId, password);
        }
    }
}
