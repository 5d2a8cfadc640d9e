package io.cpns.pne;

import com.fazecast.jSerialComm.SerialPort;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.codec.SerialFrameReader;
import io.cpns.codec.SerialFrameWriter;
import java.io.IOException;

/**
 * A serial line to the PN GW (jSerialComm): COBS + CRC-32C frames (docs/protocol.md), no TLS;
 * the PNE-GW secure session is the message-level one (TS §5.3.3.1.1).
 */
public final class SerialTransport implements PneTransport {
    private final String port;
    private final int baud;
    private final int maxFrame;

    public SerialTransport(String port, int baud, int maxFrame) {
        this.port = port;
        this.baud = baud;
        this.maxFrame = maxFrame;
    }

    @Override
    public String adapter() {
        return "serial";
    }

    @Override
    public boolean panSecure() {
        return false;
    }

    @Override
    public boolean pskInTransport() {
        return false;
    }

    @Override
    public MessageChannel open(MessageCodec codec, String identity, byte[] psk) throws IOException {
        SerialPort p = SerialPort.getCommPort(port);
        p.setBaudRate(baud);
        p.setComPortTimeouts(SerialPort.TIMEOUT_READ_BLOCKING, 0, 0);
        if (!p.openPort()) {
            throw new IOException("cannot open serial port " + port);
        }
        return new MessageChannel(codec, new SerialFrameReader(p.getInputStream(), maxFrame),
                new SerialFrameWriter(p.getOutputStream(), maxFrame), p::closePort);
    }

    @Override
    public String toString() {
        return "serial:" + port;
    }
}
