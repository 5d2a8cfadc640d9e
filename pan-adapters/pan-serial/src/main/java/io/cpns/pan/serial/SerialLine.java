package io.cpns.pan.serial;

import com.fazecast.jSerialComm.SerialPort;
import io.cpns.codec.SerialFrameReader;
import io.cpns.codec.SerialFrameWriter;
import io.cpns.codec.SerialFraming;
import io.cpns.api.LogThrottle;
import io.cpns.pan.spi.PanContext;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import org.osgi.service.log.Logger;

/**
 * One serial port and the PNE link on it. A line has no connect or disconnect: the link begins with
 * the first frame after the line opened or after a line reset, and ends at a line reset (from the
 * PNE or from us), an idle timeout, or the port going away. A port that fails is retried.
 */
final class SerialLine {
    private final String port;
    private final LineSettings settings;
    private final PanContext context;
    private final Logger log;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile SerialPort serial;
    private volatile SerialFrameWriter writer;
    private volatile SerialConnection link;
    private volatile long lastFrameNanos = System.nanoTime();
    private final LogThrottle unexpectedLog = new LogThrottle(1, Duration.ofMinutes(10), 100, Clock.systemUTC());

    private SerialLine(String port, LineSettings settings, PanContext context, Logger log) {
        this.port = port;
        this.settings = settings;
        this.context = context;
        this.log = log;
        this.thread = new Thread(this::run, "cpns-pan-serial-" + port);
        thread.setDaemon(true);
    }

    static SerialLine start(String port, LineSettings settings, PanContext context, Logger log) {
        SerialLine line = new SerialLine(port, settings, context, log);
        line.thread.start();
        return line;
    }

    String port() {
        return port;
    }

    LineSettings settings() {
        return settings;
    }

    private void run() {
        try {
            openAndServe();
        } catch (LinkageError e) { // jSerialComm's native library could not be loaded: nothing to retry
            log.error("serial line {} unavailable: serial port support failed to load: {}", port, e.toString());
        }
    }

    /**
     * Hands a frame to the line's link, starting one if none is open. A gateway failure on it (a
     * bug, an error detail that cannot be encoded) ends that link with a reset, logged once per
     * kind of failure and ten minutes; the line stays open for the PNE's next link.
     */
    private void deliver(byte[] frame) {
        SerialConnection c = link;
        try {
            if (c == null) {
                c = new SerialConnection(this);
                link = c;
                context.connected(c);
            }
            c.deliver(frame);
        } catch (Throwable t) {
            unexpected("on a frame; the link ends", t);
            if (c != null) {
                c.end("internal error (" + t.getClass().getSimpleName() + ")", true);
            }
        }
    }

    /** A failure nobody expected that the line survives: the stack once per kind and ten minutes. */
    void unexpected(String what, Throwable t) {
        LogThrottle.Decision d = unexpectedLog.allow(t.getClass().getName());
        if (d.log()) {
            log.error("serial line {}: unexpected {} {}{}", port, t.toString(), what, d.suffix(), t);
        }
    }

    private void openAndServe() {
        boolean warned = false;
        while (running) {
            SerialPort p = open();
            if (p == null) {
                if (!warned) {
                    log.warn("serial port {} cannot be opened; retrying every {} ms", port, settings.reopenDelay().toMillis());
                    warned = true;
                }
                pause();
                continue;
            }
            warned = false;
            log.info("serial line {} open ({} baud, {})", port, settings.baudRate(), settings.security());
            try {
                serve(p);
            } catch (IOException | RuntimeException e) {
                if (running) {
                    log.warn("serial line {} lost: {}", port, e.toString());
                }
            } catch (LinkageError e) {
                throw e;
            } catch (Error e) { // the line is reopened rather than left dead with its thread
                if (running) {
                    log.error("serial line {} lost: unexpected {}", port, e.toString(), e);
                }
            } finally {
                endLink("serial line closed", false);
                p.closePort();
                serial = null;
            }
            if (running) {
                pause();
            }
        }
    }

    private SerialPort open() {
        SerialPort p;
        try {
            p = SerialPort.getCommPort(port);
        } catch (RuntimeException e) { // no such device (yet): a USB adapter not plugged in; retried like a busy port
            return null;
        }
        p.setComPortParameters(settings.baudRate(), 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
        // reads wake every second so idle links are noticed; a PNE that stops reading fails our writes after 10 s
        p.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING, 1000, 10000);
        if (!p.openPort()) {
            return null;
        }
        serial = p;
        return p;
    }

    /** Reads frames until the port closes; an empty frame is a line reset. */
    private void serve(SerialPort p) throws IOException {
        writer = new SerialFrameWriter(p.getOutputStream(), settings.maxFrameBytes());
        writer.writeReset(); // a PNE still holding a link from before (gateway restart) starts afresh
        byte[] hello = context.announcement(); // unsolicited CPNS Entity Discovery answer (seed 004 step 0)
        if (hello != null) {
            writer.write(hello);
        }
        SerialFrameReader reader = new SerialFrameReader(
                new BufferedInputStream(new WakingInputStream(p.getInputStream(), this::tick, () -> running)), settings.maxFrameBytes());
        byte[] frame;
        while (running && (frame = reader.read()) != null) {
            lastFrameNanos = System.nanoTime();
            if (SerialFraming.isReset(frame)) {
                endLink("line reset by the PNE", false);
                continue;
            }
            deliver(frame);
        }
    }

    private void tick() {
        SerialConnection c = link;
        if (c != null && System.nanoTime() - lastFrameNanos > settings.idleTimeout().toNanos()) {
            c.end("idle timeout", true);
        }
    }

    void write(byte[] frame) throws IOException {
        SerialFrameWriter w = writer;
        if (w == null || serial == null) {
            throw new IOException("serial line " + port + " is not open");
        }
        w.write(frame);
    }

    void writeReset() {
        SerialFrameWriter w = writer;
        if (w != null && serial != null) {
            try {
                w.writeReset();
            } catch (IOException ignored) {
                // the line is going anyway
            }
        }
    }

    /** Called by the link when it ends, whoever ended it. */
    void ended(SerialConnection c) {
        if (link == c) {
            link = null;
        }
    }

    private void endLink(String reason, boolean resetLine) {
        SerialConnection c = link;
        if (c != null) {
            c.end(reason, resetLine);
        }
    }

    void stop() {
        running = false;
        endLink("PAN adapter stopped", true);
        SerialPort p = serial;
        if (p != null) {
            SerialFrameWriter.linger(p::bytesAwaitingWrite); // the PNE hears the reset
            p.closePort(); // wakes the reader
        }
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("serial line {} closed", port);
    }

    private void pause() {
        try {
            Thread.sleep(settings.reopenDelay().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
