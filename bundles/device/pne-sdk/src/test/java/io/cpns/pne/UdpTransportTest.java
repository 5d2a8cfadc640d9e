package io.cpns.pne;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cpns.api.EntityId;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Ping;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The PNE's side of pan-udp against a real datagram socket playing the PN GW (adapter guide §8.5). */
class UdpTransportTest {
    private final MessageCodec codec = new MessageCodec();
    private final DatagramSocket gateway;
    private final UdpTransport transport;

    UdpTransportTest() throws IOException {
        gateway = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        gateway.setSoTimeout(2000);
        transport = new UdpTransport("127.0.0.1", gateway.getLocalPort(), 1000);
    }

    @AfterEach
    void close() {
        gateway.close();
    }

    private DatagramPacket receive() throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[2000], 2000);
        gateway.receive(p);
        return p;
    }

    @Test
    void aLink_opensWithAReset_carriesOneFramePerDatagram_fromThePnGwOnly_andEndsOnItsReset() throws Exception {
        assertEquals("udp", transport.adapter());
        assertFalse(transport.panSecure());
        assertFalse(transport.pskInTransport());
        MessageChannel ch = transport.open(codec, "pne-a", null);
        DatagramPacket reset = receive();
        assertEquals(0, reset.getLength(), "whatever the PN GW knew of this address is over");

        Envelope ping = new Envelope(EntityId.of("pne-a"), EntityId.of("gw-home"), 1, new Ping(new byte[] {7}));
        ch.send(ping);
        DatagramPacket frame = receive();
        Envelope sent = codec.decode(Arrays.copyOf(frame.getData(), frame.getLength()));
        assertEquals(1, sent.id());
        assertArrayEquals(new byte[] {7}, ((Ping) sent.body()).data());

        try (DatagramSocket stranger = new DatagramSocket()) { // not the PN GW: ignored
            stranger.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, frame.getSocketAddress()));
        }
        byte[] answer = codec.encode(new Envelope(EntityId.of("gw-home"), EntityId.of("pne-a"), 2, new Ping(new byte[] {8})));
        gateway.send(new DatagramPacket(answer, answer.length, frame.getSocketAddress()));
        assertEquals(2, ch.receive().id());
        gateway.send(new DatagramPacket(new byte[0], 0, frame.getSocketAddress()));
        assertNull(ch.receive(), "an empty datagram: the PN GW ended the link");
        ch.close();
        assertEquals(0, receive().getLength(), "closing tells the PN GW");
    }

    @Test
    void aFrameThatIsNotOneDatagram_isRefused_bothWays() throws Exception {
        MessageChannel ch = transport.open(codec, "pne-a", null);
        DatagramPacket reset = receive();
        assertThrows(IOException.class, () -> ch.sendRaw(new byte[1001]));
        assertThrows(IOException.class, () -> ch.sendRaw(new byte[0]), "an empty datagram would be a reset");
        gateway.send(new DatagramPacket(new byte[1001], 1001, reset.getSocketAddress()));
        assertThrows(IOException.class, ch::receive);
        ch.close();
    }

    @Test
    void closing_endsABlockedReceive_cleanly() throws Exception {
        MessageChannel ch = transport.open(codec, "pne-a", null);
        receive();
        Thread closer = new Thread(() -> {
            try {
                Thread.sleep(50);
                ch.close();
            } catch (Exception ignored) {
                // the assertion below fails instead
            }
        });
        closer.start();
        assertNull(ch.receive());
        closer.join();
    }
}
