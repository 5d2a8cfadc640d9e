package io.cpns.session.tls;

import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.bouncycastle.tls.TlsNoCloseNotifyException;

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
    public TlsConnection {
        in = new EndAtPeerClose(in);
    }

    public boolean pskAuthenticated() {
        return pskIdentity != null;
    }

    /**
     * A peer that closes its socket without close_notify ends the stream like one that sent it:
     * CPNS frames carry their length, so a cut inside a frame is still caught (as a truncated
     * frame) and a cut between frames loses nothing. Devices that power off do exactly this.
     */
    private static final class EndAtPeerClose extends FilterInputStream {
        EndAtPeerClose(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (TlsNoCloseNotifyException e) {
                return -1;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (TlsNoCloseNotifyException e) {
                return -1;
            }
        }
    }

    /** Closes the transport without waiting for the peer's close_notify (it may never come). */
    @Override
    public void close() throws IOException {
        transport.close();
    }
}
