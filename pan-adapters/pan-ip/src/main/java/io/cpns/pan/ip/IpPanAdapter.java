package io.cpns.pan.ip;

import io.cpns.pan.spi.PanAdapter;
import io.cpns.pan.spi.PanContext;
import io.cpns.pan.spi.PanSecurity;
import io.cpns.session.tls.TlsConnection;
import io.cpns.session.tls.TlsServerEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The IP LAN as a PAN. PNEs connect over TCP to one port: first contact in the clear (a PNE with
 * no key yet), then PSK-TLS with their LocalEUKey or pre-assigned key (TLS 1.3 external PSK; TLS
 * 1.2 PSK suites for small devices). Discovery: UDP multicast group plus unicast queries.
 */
@Component(configurationPid = "cpns.pan.ip", service = PanAdapter.class)
@Designate(ocd = IpPanAdapter.Config.class)
public class IpPanAdapter implements PanAdapter {
    static final String ID = "ip";

    @ObjectClassDefinition(name = "CPNS PAN adapter: IP", description = "PNEs on the home IP network.")
    public @interface Config {
        @AttributeDefinition(description = "Address to listen on (the gateway's LAN address; 0.0.0.0 for all)")
        String host() default "127.0.0.1";

        @AttributeDefinition(description = "TCP port for PNEs (0 = any free port)")
        int port() default 7800;

        @AttributeDefinition(description = "Address announced to PNEs (host:port); empty = host and port")
        String advertise() default "";

        @AttributeDefinition(description = "Declare this LAN a secure PAN (it protects every CPNS message itself, e.g. "
                + "a dedicated encrypted segment): PNEs then need no LocalEUKey and no TLS")
        boolean secure() default false;

        @AttributeDefinition(description = "Also accept TLS 1.2 PSK cipher suites (small devices without TLS 1.3)")
        boolean tls12Psk() default true;

        @AttributeDefinition(description = "Discovery multicast group")
        String discoveryGroup() default "239.255.77.77";

        @AttributeDefinition(description = "Discovery UDP port (0 = no discovery)")
        int discoveryPort() default 7400;

        @AttributeDefinition(description = "Network interface for discovery multicast (empty = system default)")
        String discoveryInterface() default "";

        @AttributeDefinition(description = "Unsolicited announcement interval (s); 0 = only answer queries")
        int announceSeconds() default 30;

        @AttributeDefinition(description = "Largest frame accepted from a PNE (bytes); larger is FRAME_TOO_LARGE and the connection closes")
        int maxFrameBytes() default 65536;

        @AttributeDefinition(description = "A new connection shows its first bytes, and finishes PSK-TLS if it uses it, within this long (ms)")
        int handshakeTimeoutMillis() default 10000;

        @AttributeDefinition(description = "A silent PNE connection is closed after this long (ms)")
        int idleTimeoutMillis() default 300000;

        @AttributeDefinition(description = "PNE connections open at once; more are refused at accept (each holds a thread)")
        int maxConnections() default 2000;
    }

    private final IpSettings settings;
    private final Logger log;
    private final Set<IpConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;
    private volatile Discovery discovery;
    private volatile Semaphore slots;

    @Activate
    public IpPanAdapter(Config c, @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this.log = log;
        this.settings = new IpSettings(c.host(), c.port(), c.advertise(), c.secure(), c.tls12Psk(), c.discoveryGroup(),
                c.discoveryPort(), c.discoveryInterface(), c.announceSeconds(), c.maxFrameBytes(), c.handshakeTimeoutMillis(),
                c.idleTimeoutMillis(), c.maxConnections());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public PanSecurity security() {
        return settings.secure() ? PanSecurity.FULL : PanSecurity.NONE;
    }

    @Override
    public int maxFrameBytes() {
        return settings.maxFrameBytes();
    }

    @Override
    public List<String> addresses() {
        ServerSocket l = listener;
        if (!settings.advertise().isBlank()) {
            return List.of(settings.advertise());
        }
        return l == null ? List.of() : List.of(settings.host() + ":" + l.getLocalPort());
    }

    /** The bound TCP port (tests, when configured as 0). */
    public int port() {
        return listener.getLocalPort();
    }

    @Override
    public void start(PanContext context) throws IOException {
        slots = new Semaphore(settings.maxConnections());
        ServerSocket l = new ServerSocket();
        l.setReuseAddress(true);
        l.bind(new InetSocketAddress(InetAddress.getByName(settings.host()), settings.port()), 256);
        listener = l;
        TlsServerEndpoint tls = new TlsServerEndpoint(context::psk, null, settings.tls12Psk());
        Thread accept = new Thread(() -> acceptLoop(l, tls, context), "cpns-pan-ip-accept");
        accept.setDaemon(true);
        accept.start();
        if (settings.discoveryPort() > 0) {
            discovery = new Discovery(settings, context, log);
        }
    }

    private void acceptLoop(ServerSocket l, TlsServerEndpoint tls, PanContext context) {
        while (!l.isClosed()) {
            try {
                Socket s = l.accept();
                if (!slots.tryAcquire()) {
                    log.warn("PNE connection from {} refused: maxConnections reached", s.getRemoteSocketAddress());
                    s.close();
                    continue;
                }
                Thread t = new Thread(() -> serve(s, tls, context), "cpns-pan-ip-" + s.getPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!l.isClosed()) {
                    log.error("accept failed: {}", e.toString());
                    sleep();
                }
            }
        }
    }

    private void serve(Socket s, TlsServerEndpoint tls, PanContext context) {
        IpConnection c;
        try {
            SniffedTransport t = new SniffedTransport(s);
            t.readTimeout(settings.handshakeTimeoutMillis());
            if (t.startsWithTls()) {
                TlsConnection tc = tls.accept(t, settings.handshakeTimeoutMillis(), settings.idleTimeoutMillis());
                c = new IpConnection(t, tc.in(), tc.out(), tc.pskIdentity(), PanSecurity.FULL, settings.maxFrameBytes(), this::released);
            } else {
                t.readTimeout(settings.idleTimeoutMillis());
                c = new IpConnection(t, t.in(), t.out(), null, security(), settings.maxFrameBytes(), this::released);
            }
        } catch (IOException | RuntimeException e) {
            log.info("PNE connection from {} failed before CPNS: {}", s.getRemoteSocketAddress(), e.getMessage());
            closeQuietly(s);
            slots.release();
            return;
        }
        connections.add(c);
        context.connected(c);
        c.pump();
        connections.remove(c);
    }

    private void released() {
        slots.release();
    }

    @Override
    public void stop() {
        ServerSocket l = listener;
        if (l != null) {
            closeQuietly(l);
        }
        Discovery d = discovery;
        if (d != null) {
            d.close();
        }
        connections.forEach(IpConnection::close);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
