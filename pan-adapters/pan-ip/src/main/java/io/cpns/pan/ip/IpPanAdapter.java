package io.cpns.pan.ip;

import io.cpns.api.health.HealthContributor;
import io.cpns.pan.spi.PanAdapter;
import io.cpns.pan.spi.PanContext;
import io.cpns.pan.spi.PanSecurity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
@Component(configurationPid = "cpns.pan.ip", service = {PanAdapter.class, HealthContributor.class},
        property = {"hc.name=PAN adapter ip", "hc.tags=cpns", "hc.tags=readiness"})
@Designate(ocd = IpPanAdapter.Config.class)
public class IpPanAdapter implements PanAdapter, HealthContributor {
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

        @AttributeDefinition(description = "A new connection shows its first byte, and finishes PSK-TLS if it uses it, within "
                + "this long of connecting (ms), however slowly it sends")
        int handshakeTimeoutMillis() default 10000;

        @AttributeDefinition(description = "A plain (non-TLS) connection sends its first whole frame within this long of "
                + "connecting (ms)")
        int firstFrameTimeoutMillis() default 10000;

        @AttributeDefinition(description = "A PNE link that receives no whole frame for this long is closed (ms)")
        int idleTimeoutMillis() default 300000;

        @AttributeDefinition(description = "PNE connections open at once; more are refused at accept (each holds a thread)")
        int maxConnections() default 2000;

        @AttributeDefinition(description = "Connections from one address that have not proved a PSK (in the handshake, or "
                + "plain on a LAN not declared secure) open at once; more are refused at accept. 0 = no limit")
        int maxUnauthenticatedPerAddress() default 64;

        @AttributeDefinition(description = "Failed PSK-TLS handshakes from one address before it backs off")
        int handshakeFailuresFree() default 5;

        @AttributeDefinition(description = "First back-off after that (ms), doubling with each further failure up to 5 "
                + "minutes; meanwhile its TLS connections are refused without a handshake")
        int handshakeBackoffMillis() default 1000;

        @AttributeDefinition(description = "Discovery answers to one source address per minute; further queries are not "
                + "answered. 0 = no limit")
        int discoveryAnswersPerSource() default 10;

        @AttributeDefinition(description = "Discovery answers to all source addresses together per minute. 0 = no limit")
        int discoveryAnswersTotal() default 600;

        @AttributeDefinition(description = "A port that cannot be bound (in use, address not up yet) is retried after this "
                + "long (ms), doubling up to 30 s; health is NOT READY meanwhile")
        int bindRetryMillis() default 1000;
    }

    private final IpSettings settings;
    private final Logger log;
    private volatile ScheduledExecutorService timer;
    private volatile Acceptor acceptor;
    private volatile BindRetry<ServerSocket> listenerBind;
    private volatile BindRetry<Discovery> discoveryBind;
    private volatile ServerSocket listener;
    private volatile Discovery discovery;

    @Activate
    public IpPanAdapter(Config c, @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this.log = log;
        this.settings = new IpSettings(c.host(), c.port(), c.advertise(), c.secure(), c.tls12Psk(), c.discoveryGroup(),
                c.discoveryPort(), c.discoveryInterface(), c.announceSeconds(), c.maxFrameBytes(), c.handshakeTimeoutMillis(),
                c.firstFrameTimeoutMillis(), c.idleTimeoutMillis(), c.maxConnections(), c.maxUnauthenticatedPerAddress(),
                c.handshakeFailuresFree(), c.handshakeBackoffMillis(), c.discoveryAnswersPerSource(), c.discoveryAnswersTotal(),
                c.bindRetryMillis());
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

    /** Where PNEs connect; empty while the port is not bound. */
    @Override
    public List<String> addresses() {
        ServerSocket l = listener;
        if (l == null) {
            return List.of();
        }
        return List.of(settings.advertise().isBlank() ? settings.host() + ":" + l.getLocalPort() : settings.advertise());
    }

    /** The bound TCP port (tests, when configured as 0), or -1 while unbound. */
    public int port() {
        ServerSocket l = listener;
        return l == null ? -1 : l.getLocalPort();
    }

    /** Connection slots held now. */
    int slotsInUse() {
        Acceptor a = acceptor;
        return a == null ? 0 : a.slotsInUse();
    }

    /** A port this adapter cannot bind, while it keeps trying: the runtime is NOT READY. */
    @Override
    public List<String> problems() {
        List<String> p = new ArrayList<>(2);
        for (BindRetry<?> b : new BindRetry<?>[] {listenerBind, discoveryBind}) {
            String problem = b == null ? null : b.problem();
            if (problem != null) {
                p.add(problem);
            }
        }
        return p;
    }

    /** Binds the TCP port and discovery, each retried in the background while it cannot be bound; never fails. */
    @Override
    public void start(PanContext context) {
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "cpns-pan-ip-timer");
            th.setDaemon(true);
            return th;
        });
        timer = t;
        listener = null; // the same instance may be started again after stop()
        discovery = null;
        Acceptor a = new Acceptor(settings, context, security(), new Deadlines(t, settings.sweepMillis()), log);
        acceptor = a;
        BindRetry<ServerSocket> lb = new BindRetry<>("TCP port " + settings.port() + " on " + settings.host(), this::bindListener,
                l -> {
                    listener = l;
                    a.start(l);
                }, t, settings.bindRetryMillis(), log);
        listenerBind = lb;
        lb.start();
        if (settings.discoveryPort() > 0) {
            BindRetry<Discovery> db = new BindRetry<>("discovery UDP port " + settings.discoveryPort() + " on " + settings.host(),
                    () -> new Discovery(settings, context, log, t), d -> discovery = d, t, settings.bindRetryMillis(), log);
            discoveryBind = db;
            db.start();
        }
    }

    private ServerSocket bindListener() throws IOException {
        ServerSocket l = new ServerSocket();
        try {
            l.setReuseAddress(true);
            l.bind(new InetSocketAddress(InetAddress.getByName(settings.host()), settings.port()), 256);
            return l;
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
    }

    @Override
    public void stop() {
        for (BindRetry<?> b : new BindRetry<?>[] {listenerBind, discoveryBind}) {
            if (b != null) {
                b.cancel(); // waits for an attempt in progress: what it bound is closed below
            }
        }
        ServerSocket l = listener;
        if (l != null) {
            closeQuietly(l);
        }
        Discovery d = discovery;
        if (d != null) {
            d.close();
        }
        Acceptor a = acceptor;
        if (a != null) {
            a.closeAll();
        }
        ScheduledExecutorService t = timer;
        if (t != null) {
            t.shutdownNow();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
