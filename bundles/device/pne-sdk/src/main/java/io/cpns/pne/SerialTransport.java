package io.cpns.pne;

import com.fazecast.jSerialComm.SerialPort;
import io.cpns.codec.FrameSource;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.codec.SerialFrameReader;
import io.cpns.codec.SerialFrameWriter;
import io.cpns.codec.SerialFraming;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A serial line to the PN GW (jSerialComm): COBS + CRC-32C frames (docs/protocol.md), no TLS;
 * the PNE-GW secure session is the message-level one (TS §5.3.3.1.1). Opening and closing send
 * the line reset, and a line reset from the PN GW ends the link.
 */
public final class SerialTransport implements PneTransport {
    private final String port;
    private final int baud;
    private final int maxFrame;
    private final boolean panSecure;

    public SerialTransport(String port, int baud, int maxFrame) {
        this(port, baud, maxFrame, false);
    }

    public SerialTransport(String port, int baud, int maxFrame, boolean panSecure) {
        this.port = port;
        this.baud = baud;
        this.maxFrame = maxFrame;
        this.panSecure = panSecure;
    }

    @Override
    public String adapter() {
        return "serial";
    }

    @Override
    public boolean panSecure() {
        return panSecure;
    }

    @Override
    public boolean pskInTransport() {
        return false;
    }

    @Override
    public MessageChannel open(MessageCodec codec, String identity, byte[] psk) throws IOException {
        SerialPort p = open(port, baud);
        SerialFrameWriter writer = new SerialFrameWriter(p.getOutputStream(), maxFrame);
        writer.writeReset(); // whatever the PN GW knew of this line is over: a fresh link
        SerialFrameReader frames = new SerialFrameReader(new BufferedInputStream(p.getInputStream()), maxFrame);
        FrameSource reader = () -> {
            byte[] f = frames.read();
            return f == null || SerialFraming.isReset(f) ? null : f; // the PN GW ended the link
        };
        AtomicBoolean closed = new AtomicBoolean();
        return new MessageChannel(codec, reader, writer, () -> {
            if (closed.getAndSet(true)) {
                return; // once: a port closed twice could write its reset into the next link on a reused fd
            }
            try {
                writer.writeReset();
                SerialFrameWriter.linger(p::bytesAwaitingWrite); // the PN GW hears the reset
            } finally {
                p.closePort();
            }
        });
    }

    /** Opens a port 8N1, blocking reads, writes failing after 10 s, anything already buffered discarded. */
    static SerialPort open(String port, int baud) throws IOException {
        SerialPort p = SerialPort.getCommPort(port);
        p.setComPortParameters(baud, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
        p.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING, 0, 10000);
        if (!p.openPort()) {
            throw new IOException("cannot open serial port " + port + " (error " + p.getLastErrorCode() + ")");
        }
        p.flushIOBuffers();
        return p;
    }

    @Override
    public String toString() {
        return "serial:" + port;
    }
}
