package io.cpns.session.tls;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import org.osgi.annotation.versioning.ConsumerType;

/** A byte stream TLS can run on: a TCP socket, or a tunnel carried in CPNS messages. */
@ConsumerType
public interface Transport extends Closeable {
    InputStream in() throws IOException;

    OutputStream out() throws IOException;

    /** Read timeout for subsequent reads, 0 = none. */
    void readTimeout(int millis) throws IOException;

    String remote();

    /** A TCP socket, with TCP_NODELAY (TLS 1.3 handshakes stall ~8x without it: stack notes, trap 5). */
    static Transport of(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        return new Transport() {
            @Override
            public InputStream in() throws IOException {
                return socket.getInputStream();
            }

            @Override
            public OutputStream out() throws IOException {
                return socket.getOutputStream();
            }

            @Override
            public void readTimeout(int millis) throws IOException {
                socket.setSoTimeout(millis);
            }

            @Override
            public String remote() {
                return String.valueOf(socket.getRemoteSocketAddress());
            }

            @Override
            public void close() throws IOException {
                socket.close();
            }
        };
    }
}
