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
    private static final byte ALERT_RECORD = 0x15;
    private static final byte FATAL = 2;
    private static final int MAX_RECORD = (1 << 14) + 2048;

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

    /**
     * Refuses a TLS client without a handshake: reads its first record (the ClientHello, so closing
     * does not reset the connection before the client reads the answer), answers with a fatal alert
     * and closes.
     */
    void refuseTls(byte alertDescription) throws IOException {
        try {
            byte[] header = in.readNBytes(5);
            if (header.length == 5) {
                int length = ((header[3] & 0xFF) << 8) | (header[4] & 0xFF);
                in.skipNBytes(Math.min(length, MAX_RECORD));
            }
            OutputStream out = socket.getOutputStream();
            out.write(new byte[] {ALERT_RECORD, 0x03, 0x03, 0x00, 0x02, FATAL, alertDescription});
            out.flush();
            socket.shutdownOutput();
        } finally {
            socket.close();
        }
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
