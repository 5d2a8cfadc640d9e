package io.cpns.gw.mqtt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** A hostile MQTT client on a real socket: writes bytes no library would, and sees what the broker does. */
final class RawMqtt implements AutoCloseable {
    final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RawMqtt(String brokerUri) throws IOException {
        URI u = URI.create(brokerUri);
        socket = new Socket();
        socket.setSendBufferSize(64 * 1024); // keeps what the kernel accepts beyond the broker's reads small
        socket.connect(new InetSocketAddress(u.getHost(), u.getPort()), 10_000);
        socket.setSoTimeout((int) Pne.WAIT_SECONDS * 1000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    /** MQTT's variable byte integer (remaining length, properties length). */
    static byte[] varInt(int value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(4);
        do {
            int digit = value % 128;
            value /= 128;
            b.write(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
        return b.toByteArray();
    }

    static byte[] utf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] r = new byte[b.length + 2];
        r[0] = (byte) (b.length >> 8);
        r[1] = (byte) b.length;
        System.arraycopy(b, 0, r, 2, b.length);
        return r;
    }

    /**
     * The start of an MQTT 5 CONNECT announcing {@code remainingLength} bytes, nearly all of them
     * CONNECT properties (CVE-2026-44248: Netty up to 4.1.132 reads these before its size limit).
     * What follows it is {@link #userProperties(int)}.
     */
    static byte[] mqtt5ConnectHead(int remainingLength) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] variable = {0, 4, 'M', 'Q', 'T', 'T', 5, (byte) 0x02, 0, 60}; // clean start, keep alive 60 s
        int propertiesLength = remainingLength - variable.length - 4;
        b.write(0x10);
        b.writeBytes(varInt(remainingLength));
        b.writeBytes(variable);
        b.writeBytes(varInt(propertiesLength));
        return b.toByteArray();
    }

    /** An MQTT 3.1.1 CONNECT (clean session, keep-alive 60 s) with a user name and password. */
    static byte[] connect311(String clientId, String user, String password) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, (byte) 0xC2, 0, 60});
        body.writeBytes(utf8(clientId));
        body.writeBytes(utf8(user));
        body.writeBytes(utf8(password));
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x10);
        b.writeBytes(varInt(body.size()));
        b.writeBytes(body.toByteArray());
        return b.toByteArray();
    }

    /** A SUBSCRIBE (packet id 1) to one topic at QoS 1. */
    static byte[] subscribe(String topic) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0, 1});
        body.writeBytes(utf8(topic));
        body.write(1);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x82);
        b.writeBytes(varInt(body.size()));
        b.writeBytes(body.toByteArray());
        return b.toByteArray();
    }

    /** A QoS 0 PUBLISH of {@code size} payload bytes. */
    static byte[] publish(String topic, int size) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(utf8(topic));
        body.writeBytes(new byte[size]);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x30);
        b.writeBytes(varInt(body.size()));
        b.writeBytes(body.toByteArray());
        return b.toByteArray();
    }

    /** Reads exactly {@code n} bytes (fewer if the broker closes the connection first). */
    byte[] read(int n) throws IOException {
        return in.readNBytes(n);
    }

    /** {@code count} MQTT 5 user properties ("a" = "b"), 7 bytes each. */
    static byte[] userProperties(int count) {
        byte[] one = {0x26, 0, 1, 'a', 0, 1, 'b'};
        byte[] all = new byte[one.length * count];
        for (int i = 0; i < count; i++) {
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return all;
    }

    /**
     * Writes {@code chunk} again and again until {@code total} bytes went out or the broker closed
     * the connection.
     *
     * @return how many bytes the kernel took before the write failed (= total if it never did)
     */
    long flood(byte[] chunk, long total) {
        long written = 0;
        try {
            while (written < total) {
                int n = (int) Math.min(chunk.length, total - written);
                out.write(chunk, 0, n);
                written += n;
            }
            out.flush();
        } catch (SocketException closedByTheBroker) {
            return written;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return written;
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads until the broker closes the connection; what it sent before (a CONNACK, say). */
    byte[] readUntilClosed() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                b.write(buf, 0, n);
            }
        } catch (SocketException reset) {
            // closed with unread data on its side: a reset
        }
        return b.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
