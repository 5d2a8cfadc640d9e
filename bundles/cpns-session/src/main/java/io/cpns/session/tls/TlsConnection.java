package io.cpns.session.tls;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A TLS connection after its handshake.
 *
 * @param transport   what it runs on
 * @param in          decrypted application data
 * @param out         application data to encrypt
 * @param pskIdentity the PSK identity both sides proved knowledge of, or {@code null} when the
 *                    handshake authenticated the server by certificate only (bootstrap)
 * @param tls12       negotiated TLS 1.2 (PSK suites for small devices) rather than 1.3
 */
public record TlsConnection(Transport transport, InputStream in, OutputStream out, String pskIdentity, boolean tls12)
        implements Closeable {
    public boolean pskAuthenticated() {
        return pskIdentity != null;
    }

    /** Closes the transport without waiting for the peer's close_notify (it may never come). */
    @Override
    public void close() throws IOException {
        transport.close();
    }
}
