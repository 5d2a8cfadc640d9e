package io.cpns.server.endpoint;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.codec.MessageChannel;
import io.cpns.testkit.HostileFrames;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: a malformed frame gets our own short reason on the wire, never Jackson's text, class
 * names or {@code [Source: ...}: before authentication (the bootstrap port a stranger reaches)
 * and inside a PN GW's PSK-TLS connection. The Server uses the gateway's codec.
 */
class WireErrorsTest {
    @TempDir
    Path dir;
    ServerFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new ServerFixture(dir, Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    private static void assertOwnReason(String frame, Envelope answer) {
        assertNotNull(answer, frame + ": closed without an error");
        ErrorMessage err = assertInstanceOf(ErrorMessage.class, answer.body(), frame);
        HostileFrames.leak(err.detail()).ifPresent(leak -> fail(frame + ": '" + leak + "' reached the peer: " + err.detail()));
    }

    @Test
    void hostileFrames_onTheBootstrapConnection_getOurOwnShortReason() throws Exception {
        for (Map.Entry<String, byte[]> in : HostileFrames.all().entrySet()) {
            try (MessageChannel ch = f.bootstrap()) {
                ch.sendRaw(in.getValue());
                assertOwnReason(in.getKey(), ch.receive());
            }
        }
    }

    @Test
    void hostileFrames_insideAGatewaysConnection_getOurOwnShortReason() throws Exception {
        byte[] key = f.registerAndAssign("alice", "gw-1");
        for (Map.Entry<String, byte[]> in : HostileFrames.all().entrySet()) {
            try (ServerFixture.Client c = f.client("gw-1", key)) {
                c.ch.sendRaw(in.getValue());
                assertOwnReason(in.getKey(), c.ch.receive());
            }
        }
    }
}
