package io.cpns.pan.serial;

import io.cpns.pan.spi.PanAdapter;
import io.cpns.pan.spi.PanContext;
import io.cpns.pan.spi.PanSecurity;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Serial lines as a PAN: one PNE per line (UART, RS-232, USB CDC), CPNS frames in COBS + CRC-32C
 * ({@link io.cpns.codec.SerialFraming}), no TLS, so the PNE-PN GW secure session is the
 * message-level one (TS §5.3.3.1.1) with the LocalEUKey or pre-assigned key. Only active when
 * configured ({@code cpns.pan.serial} with at least one port). Adding or removing a port leaves
 * the other lines, and their PNEs, untouched.
 */
@Component(configurationPid = "cpns.pan.serial", configurationPolicy = ConfigurationPolicy.REQUIRE, service = PanAdapter.class)
@Designate(ocd = SerialPanAdapter.Config.class)
public class SerialPanAdapter implements PanAdapter {
    static final String ID = "serial";

    @ObjectClassDefinition(name = "CPNS PAN adapter: serial", description = "PNEs on serial lines, one PNE per line.")
    public @interface Config {
        @AttributeDefinition(description = "Serial ports, one PNE link each (/dev/ttyUSB0, /dev/ttyS1, COM3)")
        String[] ports() default {};

        @AttributeDefinition(description = "Line speed (baud), 8N1")
        int baudRate() default 115200;

        @AttributeDefinition(description = "Declare these lines a secure PAN (physically protected, point to point): "
                + "PNEs then need no LocalEUKey and no PNE-GW session")
        boolean secure() default false;

        @AttributeDefinition(description = "Largest frame accepted from a PNE (bytes); a larger one is dropped like line noise")
        int maxFrameBytes() default 65536;

        @AttributeDefinition(description = "A silent PNE link is ended after this long (s); the PNE's next frame starts a new one")
        int idleTimeoutSeconds() default 300;

        @AttributeDefinition(description = "A port that cannot be opened, or disappears, is retried this often (ms)")
        int reopenMillis() default 2000;
    }

    private final Logger log;
    private final Map<String, SerialLine> lines = new ConcurrentHashMap<>();
    private volatile LineSettings settings;
    private volatile Set<String> ports;
    private volatile PanContext context;

    @Activate
    public SerialPanAdapter(Config c, @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this.log = log;
        apply(c);
    }

    private void apply(Config c) {
        settings = new LineSettings(c.baudRate(), c.secure() ? PanSecurity.FULL : PanSecurity.NONE, c.maxFrameBytes(),
                Duration.ofSeconds(c.idleTimeoutSeconds()), Duration.ofMillis(c.reopenMillis()));
        // a .cfg file gives one comma-separated string, Config Admin clients an array: accept both
        ports = new LinkedHashSet<>(Arrays.stream(c.ports()).flatMap(p -> Arrays.stream(p.split(",")))
                .map(String::trim).filter(p -> !p.isEmpty()).toList());
    }

    /** New ports open, removed ones close; a changed line setting restarts every line. */
    @Modified
    void modified(Config c) {
        LineSettings before = settings;
        apply(c);
        PanContext ctx = context;
        if (ctx == null) {
            return;
        }
        lines.entrySet().removeIf(e -> {
            boolean drop = !ports.contains(e.getKey()) || !before.equals(settings);
            if (drop) {
                e.getValue().stop();
            }
            return drop;
        });
        ports.forEach(p -> lines.computeIfAbsent(p, k -> SerialLine.start(k, settings, ctx, log)));
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public PanSecurity security() {
        return settings.security();
    }

    @Override
    public int maxFrameBytes() {
        return settings.maxFrameBytes();
    }

    @Override
    public void start(PanContext ctx) {
        context = ctx;
        ports.forEach(p -> lines.computeIfAbsent(p, k -> SerialLine.start(k, settings, ctx, log)));
    }

    @Override
    public void stop() {
        context = null;
        lines.values().forEach(SerialLine::stop);
        lines.clear();
    }

    @Override
    public List<String> addresses() {
        return List.copyOf(ports);
    }
}
