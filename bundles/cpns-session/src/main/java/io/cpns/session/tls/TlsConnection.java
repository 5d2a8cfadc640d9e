package io.cpns.session.tls;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * A TLS 1.3 connection after its handshake.
 *
 * @param pskIdentity the PSK identity both sides proved knowledge of, or {@code null} when the
 *                    handshake authenticated the server by certificate only (bootstrap)
 */
public record TlsConnection(Socket socket, InputStream in, OutputStream out, String pskIdentity) implements Closeable {
    public boolean pskAuthenticated() {
        return pskIdentity != null;
    }

    /** Closes the socket without waiting for the peer's close_notify (it may never come). */
    @Override
    public void close() throws IOException {
        socket.close();
    }
}
