package io.cpns.pan.serial;

import com.fazecast.jSerialComm.SerialPort;
import io.cpns.codec.SerialFrameReader;
import io.cpns.codec.SerialFrameWriter;
import java.io.BufferedInputStream;
import java.io.IOException;

/** The PNE's end of a serial line: raw COBS frames, resets included, as a PNE's firmware sees them. */
final class PneEnd implements AutoCloseable {
    private final SerialPort port;
    private final SerialFrameReader reader;
    final SerialFrameWriter writer;

    PneEnd(String path) throws IOException {
        port = SerialPort.getCommPort(path);
        port.setComPortParameters(115200, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
        // a read that gets nothing for this long fails the test instead of hanging it
        port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING, 2000, 2000);
        if (!port.openPort()) {
            throw new IOException("cannot open " + path);
        }
        reader = new SerialFrameReader(new BufferedInputStream(port.getInputStream()), 65536);
        writer = new SerialFrameWriter(port.getOutputStream(), 65536);
    }

    /** The next frame from the gateway; an empty array is a line reset. */
    byte[] read() throws IOException {
        byte[] f = reader.read();
        if (f == null) {
            throw new IOException("line closed");
        }
        return f;
    }

    void write(byte[] frame) throws IOException {
        writer.write(frame);
    }

    void reset() throws IOException {
        writer.writeReset();
    }

    @Override
    public void close() {
        port.closePort();
    }
}
