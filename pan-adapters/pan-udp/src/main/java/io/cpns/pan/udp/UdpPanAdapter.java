package io.cpns.pan.udp;

import io.cpns.api.health.HealthContributor;
import io.cpns.pan.spi.PanAdapter;
import io.cpns.pan.spi.PanContext;
import io.cpns.pan.spi.PanSecurity;
import java.time.Clock;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * PNEs on a UDP segment (constrained IP devices without TCP or TLS): one datagram = one CPNS frame,
 * one link per source address, an empty datagram = link reset (either way). The PAN is insecure
 * ({@link PanSecurity#NONE}), so gw-pan runs the PNE–PN GW message-level session on every link
 * (TS §5.3.3.1.1). The adapter guide's worked example (docs/adapter-guide.md §8, decision D103).
 * {@link ConfigurationPolicy#REQUIRE}: off until an operator configures PID {@code cpns.pan.udp}.
 */
@Component(configurationPid = "cpns.pan.udp", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {PanAdapter.class, HealthContributor.class},
        property = {"hc.name=PAN adapter udp", "hc.tags=cpns", "hc.tags=readiness"})
@Designate(ocd = UdpPanAdapter.Config.class)
public class UdpPanAdapter implements PanAdapter, HealthContributor {
    static final String ID = "udp";

    @ObjectClassDefinition(name = "CPNS PAN adapter: UDP", description = "PNEs on a UDP segment, one datagram per CPNS frame.")
    public @interface Config {
        @AttributeDefinition(description = "Address to listen on (the gateway's address on the segment; 0.0.0.0 for all)")
        String host() default "127.0.0.1";

        @AttributeDefinition(description = "UDP port for PNEs (0 = any free port)")
        int port() default 7900;

        @AttributeDefinition(description = "Address announced to PNEs (host:port); empty = host and the bound port")
        String advertise() default "";

        @AttributeDefinition(description = "Largest CPNS frame = largest datagram (bytes, at most 65507). A larger "
                + "datagram on a link ends it with FRAME_TOO_LARGE; without a link it is dropped")
        int maxFrameBytes() default 65000;

        @AttributeDefinition(description = "A PNE link that receives no datagram for this long is ended, and the PNE told "
                + "with an empty datagram (s)")
        int idleTimeoutSeconds() default 300;

        @AttributeDefinition(description = "PNE links (source addresses) at once; datagrams from further addresses are "
                + "refused with an empty datagram and one log line a minute")
        int maxPeers() default 256;

        @AttributeDefinition(description = "Discovery answers per minute to all source addresses together (an answer is "
                + "larger than its query: a spoofed source must not turn the gateway into an amplifier). 0 = no limit")
        int discoveryAnswersPerMinute() default 120;

        @AttributeDefinition(description = "A port that cannot be bound (in use, address not up yet) is retried after this "
                + "long (ms), doubling up to 30 s; health is NOT READY meanwhile")
        int bindRetryMillis() default 1000;
    }

    private final UdpSettings settings;
    private final Logger log;
    private final Clock clock;
    private volatile Segment segment;

    @Activate
    public UdpPanAdapter(Config c, @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this(c, log, Clock.systemUTC());
    }

    /** With the clock that idle timeouts and log budgets read (tests move it by hand). */
    UdpPanAdapter(Config c, Logger log, Clock clock) {
        this.settings = new UdpSettings(c.host(), c.port(), c.advertise(), c.maxFrameBytes(), c.idleTimeoutSeconds(),
                c.maxPeers(), c.discoveryAnswersPerMinute(), c.bindRetryMillis());
        this.log = log;
        this.clock = clock;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public PanSecurity security() {
        return PanSecurity.NONE; // plain UDP: anyone on the segment can send under any source address
    }

    @Override
    public int maxFrameBytes() {
        return settings.maxFrameBytes();
    }

    /** Where PNEs send; empty while stopped or not bound. */
    @Override
    public List<String> addresses() {
        Segment s = segment;
        if (s == null || s.localPort() < 0) {
            return List.of();
        }
        return List.of(settings.advertise().isEmpty() ? settings.host() + ":" + s.localPort() : settings.advertise());
    }

    /** Starts the one reader thread, which binds the port (retrying while it cannot); called on the SCR thread, returns at once. */
    @Override
    public void start(PanContext context) {
        segment = Segment.start(settings, context, log, clock);
        log.info("UDP PAN on {}:{} (maxFrameBytes {}, maxPeers {})", settings.host(), settings.port(),
                settings.maxFrameBytes(), settings.maxPeers());
    }

    /** The port not bound yet, with how to recover; empty when bound or stopped. */
    @Override
    public List<String> problems() {
        Segment s = segment;
        String p = s == null ? null : s.bindProblem();
        return p == null ? List.of() : List.of(p);
    }

    /** Ends every link (each PNE told, each {@code closed} once) and frees the port; the instance may start again. */
    @Override
    public void stop() {
        Segment s = segment;
        segment = null;
        if (s != null) {
            try {
                s.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Links open now (tests). */
    int links() {
        Segment s = segment;
        return s == null ? 0 : s.links();
    }
}
