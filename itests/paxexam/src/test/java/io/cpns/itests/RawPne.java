package io.cpns.itests;

import io.cpns.api.EntityId;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Ping;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.session.tls.Transport;
import java.io.IOException;
import java.net.Socket;

/** A PNE reduced to a socket: says who it is, then does only what the test makes it do. */
final class RawPne implements AutoCloseable {
    private final MessageChannel channel;
    private final EntityId id;
    private final EntityId gateway;

    private RawPne(MessageChannel channel, EntityId id, EntityId gateway) {
        this.channel = channel;
        this.id = id;
        this.gateway = gateway;
    }

    static RawPne connect(int port, String id) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(15_000); // safety net: a read the gateway never answers fails instead of hanging
        Transport t = Transport.of(s);
        return new RawPne(new MessageChannel(new MessageCodec(), t.in(), t.out(), 65536, t), EntityId.of(id),
                EntityId.of(PnTestBase.GATEWAY));
    }

    /** Identifies this PNE on the PAN (its first message); the answer is read and dropped. */
    void ping() throws IOException {
        channel.send(new Envelope(id, gateway, 1, new Ping(new byte[0])));
        channel.receive();
    }

    MessageChannel channel() {
        return channel;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
