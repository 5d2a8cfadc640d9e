package io.cpns.gw.pan;

import io.cpns.api.EntityId;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.TunnelClose;
import io.cpns.api.message.TunnelData;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A PNE's byte tunnel to the CPNS Server's bootstrap endpoint (EUKey assignment with UI, TS
 * §5.3.1): bytes from the PNE go to a TCP connection to the Server, and back. The PNE runs
 * server-authenticated TLS end to end through it, so the gateway carries only ciphertext. Bounded
 * in bytes and idle time: a bootstrap exchange is a few kilobytes.
 */
final class Tunnel {
    private final Link link;
    private final Socket server;
    private final EntityId gateway;
    private final int maxBytes;
    private final AtomicInteger bytes = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);
    private final Runnable onClose;

    Tunnel(Link link, Socket server, EntityId gateway, int maxBytes, Runnable onClose) {
        this.link = link;
        this.server = server;
        this.gateway = gateway;
        this.maxBytes = maxBytes;
        this.onClose = onClose;
    }

    void start() {
        Thread t = new Thread(this::pumpFromServer, "cpns-gw-tunnel-" + link.pne());
        t.setDaemon(true);
        t.start();
    }

    private void pumpFromServer() {
        byte[] buf = new byte[4096];
        try (InputStream in = server.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (!count(n)) {
                    close("tunnel exceeded " + maxBytes + " bytes");
                    return;
                }
                link.send(new Envelope(gateway, link.pne(), 0, new TunnelData(Arrays.copyOf(buf, n))));
            }
            close("server closed the tunnel");
        } catch (SocketTimeoutException e) {
            close("tunnel idle");
        } catch (IOException e) {
            close("tunnel broken (I/O error)"); // the JDK's text is not for the wire
        }
    }

    void fromPne(byte[] data) {
        if (closed.get()) {
            return;
        }
        if (!count(data.length)) {
            close("tunnel exceeded " + maxBytes + " bytes");
            return;
        }
        try {
            OutputStream out = server.getOutputStream();
            out.write(data);
            out.flush();
        } catch (IOException e) {
            close("tunnel broken (I/O error)"); // the JDK's text is not for the wire
        }
    }

    private boolean count(int n) {
        return bytes.addAndGet(n) <= maxBytes;
    }

    /**
     * Closes once, whichever end ends first (the Server's EOF on the pump thread, the PNE's
     * {@code tunnel.close} on the link's reader); {@link #awaitClosed} lets a {@code tunnel.open}
     * right behind the PNE's close wait for the slot instead of being refused. No lock is held
     * while sending: a failing send closes the link, which closes this tunnel again.
     */
    void close(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                link.send(new Envelope(gateway, link.pne(), 0, new TunnelClose(reason)));
            } catch (IOException | RuntimeException ignored) {
                // the PNE link is gone too
            }
        } finally {
            link.tunnelClosed(this);
            onClose.run();
            done.countDown();
        }
    }

    /**
     * If another thread is closing this tunnel, waits (bounded) until its {@code tunnel.close} is
     * sent and the slot freed, so the PNE hears it before the next tunnel's answer.
     */
    void awaitClosed(long millis) throws InterruptedException {
        if (closed.get()) {
            done.await(millis, TimeUnit.MILLISECONDS);
        }
    }
}
