package io.cpns.pan.ip;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The figure, measured rather than asserted (it takes about a minute): 700 slow connections
 * with the default settings, half dripping a TLS ClientHello and half a plain frame, a byte every
 * 4 s each; threads of the adapter and connections still open 15 s later (past the 10 s deadlines),
 * all from one address, then from 700 addresses. Run:
 * {@code mvn -B -o test -pl pan-adapters/pan-ip -am -Dtest=SlowConnectionsMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false -Dcpns.measure=true}
 */
@EnabledIfSystemProperty(named = "cpns.measure", matches = "true")
class SlowConnectionsMeasurement {
    private static final int CONNECTIONS = 700;

    @Test
    void slowConnections_fromOneAddress_andFromManyAddresses() throws Exception {
        measure("one address (127.0.0.1)", i -> "127.0.0.1");
        measure("700 addresses (127.0.1.1 ...)", i -> "127.0." + (1 + i / 250) + "." + (1 + i % 250));
    }

    private interface Source {
        String address(int i);
    }

    private void measure(String label, Source source) throws Exception {
        try (AdapterFixture f = new AdapterFixture()) {
            f.start(Map.of("maxFrameBytes", 65536));
            int before = panIpThreads();
            List<Socket> sockets = new ArrayList<>();
            int refusedAtConnect = 0;
            for (int i = 0; i < CONNECTIONS; i++) {
                try {
                    Socket s = f.dial(InetAddress.getByName(source.address(i)));
                    s.getOutputStream().write(i % 2 == 0 ? new byte[] {0x16, 0x03, 0x01, 0x40, 0x00} : new byte[] {0, 0, 1, 0});
                    sockets.add(s);
                } catch (IOException e) {
                    refusedAtConnect++;
                }
            }
            Thread.sleep(300);
            int peakThreads = panIpThreads() - before;
            int peakOpen = stillOpen(sockets);
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < 15_000_000_000L) {
                Thread.sleep(4000);
                for (Socket s : sockets) { // a byte every 4 s: every per-read timeout stays happy
                    try {
                        OutputStream out = s.getOutputStream();
                        out.write(0);
                        out.flush();
                    } catch (IOException closedByTheGateway) {
                        // counted below
                    }
                }
            }
            System.out.printf("[SlowConnectionsMeasurement] %d slow connections from %s: after 0.3 s %d open, %d pan-ip threads; "
                            + "after 15 s %d open, %d pan-ip threads, %d slots in use (%d refused at connect)%n",
                    CONNECTIONS, label, peakOpen, peakThreads, stillOpen(sockets), panIpThreads() - before, f.adapter.slotsInUse(),
                    refusedAtConnect);
        }
    }

    /** Connections the gateway has not closed: a read sees neither end of stream nor a reset. */
    private static int stillOpen(List<Socket> sockets) throws IOException {
        int open = 0;
        for (Socket s : sockets) {
            s.setSoTimeout(1);
            try {
                if (s.getInputStream().read() >= 0) {
                    open++;
                }
            } catch (SocketTimeoutException silent) {
                open++;
            } catch (IOException reset) {
                // closed
            }
        }
        return open;
    }

    private static int panIpThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("cpns-pan-ip-")).count();
    }
}
