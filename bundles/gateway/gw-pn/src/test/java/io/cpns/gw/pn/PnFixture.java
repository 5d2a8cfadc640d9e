package io.cpns.gw.pn;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.LinkProtection;
import io.cpns.api.gateway.GatewayIdentity;
import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.crypto.Randoms;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.testkit.Configs;
import io.cpns.testkit.FieldReferences;
import io.cpns.testkit.MemoryPreAssignedKeys;
import io.cpns.testkit.RecordingPneMessenger;
import io.cpns.testkit.RecordingServerLink;
import io.cpns.testkit.TestLogger;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A real {@link PnGateway} over the gateway's real encrypted keystore (a temporary directory), with
 * the services of the other bundles it talks to replaced by recording ones the test answers (cpns-testkit):
 * the PNEs (gw-pan's routing table) and the CPNS Server (gw-link).
 */
final class PnFixture implements AutoCloseable {
    static final EntityId GW = EntityId.of("gw-home");
    /** Safety net only: a broken flow fails instead of hanging. */
    static final long WAIT_MILLIS = 5000;

    final Path dir;
    final EncryptedFileStore secrets;
    final TestLogger log = new TestLogger("gw-pn");
    final RecordingPneMessenger pnes = new RecordingPneMessenger(GW);
    final RecordingServerLink server = new RecordingServerLink(EntityId.of("cpns-server"));
    final MemoryPreAssignedKeys preAssigned = new MemoryPreAssignedKeys();
    final byte[] euKey = Randoms.bytes(32);
    final GatewayIdentity identity = () -> GW;
    PnGateway gateway;

    PnFixture(Path dir) throws IOException {
        this(dir, Map.of());
    }

    PnFixture(Path dir, Map<String, Object> config) throws IOException {
        this.dir = dir;
        secrets = new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"));
        secrets.put(KeyStoreAliases.euKey(GW), euKey);
        gateway = start(config);
        bindServer();
    }

    /** A PnGateway as SCR activates it (again, over the same keystore: a restart). */
    PnGateway start(Map<String, Object> config) {
        return new PnGateway(pnes, preAssigned, secrets, identity, log.logger(), Configs.of(PnGateway.Config.class, config));
    }

    /** gw-link's ServerLink bound (SCR sets the field reference). */
    void bindServer() {
        FieldReferences.bind(gateway, "server", server);
    }

    /** gw-link gone (being updated). */
    void unbindServer() {
        FieldReferences.bind(gateway, "server", null);
    }

    /** {@code body} from {@code pne} over a link protected by {@code p}, as gw-pan hands it to a flow. */
    static PneMessage from(EntityId pne, LinkProtection p, Message body) {
        return new PneMessage(new Envelope(pne, GW, 7, body), RecordingPneMessenger.link(pne, p));
    }

    @Override
    public void close() {
        secrets.close();
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    static ErrorCode errorOf(CompletionStage<?> stage) throws Exception {
        try {
            await(stage);
        } catch (java.util.concurrent.ExecutionException e) {
            return assertInstanceOf(CpnsException.class, e.getCause()).code();
        }
        throw new AssertionError("completed normally");
    }
}
