package io.cpns.pan.ip;

import io.cpns.session.tls.Transport;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * A TCP transport whose first byte is peeked: a TLS record starts with {@code 0x16} (handshake),
 * a CPNS frame with its length's high byte, which is 0 for any frame under 16 MiB. So one port
 * serves a PNE's first, keyless contact and its PSK-TLS connections.
 */
final class SniffedTransport implements Transport {
    private static final int TLS_HANDSHAKE_RECORD = 0x16;

    private final Socket socket;
    private final BufferedInputStream in;
    private final Transport tcp;

    SniffedTransport(Socket socket) throws IOException {
        this.socket = socket;
        this.tcp = Transport.of(socket);
        this.in = new BufferedInputStream(socket.getInputStream(), 8192);
    }

    /** @return true if the peer starts a TLS handshake; -1 (closed before a byte) is not TLS */
    boolean startsWithTls() throws IOException {
        in.mark(1);
        int first = in.read();
        in.reset();
        return first == TLS_HANDSHAKE_RECORD;
    }

    @Override
    public InputStream in() {
        return in;
    }

    @Override
    public OutputStream out() throws IOException {
        return socket.getOutputStream();
    }

    @Override
    public void readTimeout(int millis) throws IOException {
        tcp.readTimeout(millis);
    }

    @Override
    public String remote() {
        return tcp.remote();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
