package io.cpns.itests;

import io.cpns.api.EntityId;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.codec.FrameReader;
import io.cpns.codec.FrameWriter;
import io.cpns.codec.MessageCodec;
import java.util.HexFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** OpenSSL's {@code s_client} as a PNE: a standard PSK-TLS peer sending one CPNS ping through pan-ip. */
final class OpensslPne {
    private OpensslPne() {
    }

    static Pong ping(int port, String identity, byte[] psk, String gatewayId, List<String> versionArgs)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-psk", HexFormat.of().formatHex(psk),
                "-psk_identity", identity, "-quiet", "-nocommands"));
        cmd.addAll(versionArgs);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread watchdog = new Thread(() -> {
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroy();
                }
            } catch (InterruptedException ignored) {
                p.destroy();
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            MessageCodec codec = new MessageCodec();
            new FrameWriter(p.getOutputStream(), 65536).write(codec.encode(
                    new Envelope(EntityId.of(identity), EntityId.of(gatewayId), 1, new Ping(new byte[] {1, 2, 3}))));
            byte[] frame = new FrameReader(p.getInputStream(), 65536).read();
            if (frame == null) {
                throw new IOException("s_client ended without an answer (handshake refused?)");
            }
            return (Pong) codec.decode(frame).body();
        } finally {
            p.destroy();
            watchdog.interrupt();
        }
    }
}
