package io.cpns.pne;

import com.fazecast.jSerialComm.SerialPort;
import com.fazecast.jSerialComm.SerialPortTimeoutException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.message.DiscoveryAnnounce;
import io.cpns.api.message.DiscoveryQuery;
import io.cpns.api.message.Envelope;
import io.cpns.codec.MessageCodec;
import io.cpns.codec.SerialFrameReader;
import io.cpns.codec.SerialFrameWriter;
import io.cpns.codec.SerialFraming;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * CPNS Entity Discovery on a serial line (seed 004 step 0): a {@code disc.query} to the broadcast
 * ID and the PN GW's {@code disc.announce}. The line is reset before and after, so the exchange
 * leaves no link behind.
 */
public final class SerialDiscovery {
    private SerialDiscovery() {
    }

    public static Optional<DiscoveryAnnounce> query(String port, int baud, EntityId pne, Map<String, String> capabilities,
                                                    Duration timeout) throws IOException {
        MessageCodec codec = new MessageCodec();
        SerialPort p = SerialTransport.open(port, baud);
        try {
            p.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING,
                    (int) Math.max(1, timeout.toMillis()), 10000);
            SerialFrameWriter w = new SerialFrameWriter(p.getOutputStream(), 65536);
            w.writeReset();
            w.write(codec.encode(new Envelope(pne, EntityId.BROADCAST, 1, new DiscoveryQuery(EntityKind.PNE, capabilities))));
            SerialFrameReader r = new SerialFrameReader(new BufferedInputStream(p.getInputStream()), 65536);
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                while (System.nanoTime() < deadline) {
                    byte[] f = r.read();
                    if (f == null) {
                        return Optional.empty();
                    }
                    if (SerialFraming.isReset(f)) {
                        continue;
                    }
                    try {
                        Envelope e = codec.decode(f);
                        if (e.body() instanceof DiscoveryAnnounce a && e.dst().equals(pne)) {
                            return Optional.of(a);
                        }
                    } catch (RuntimeException ignored) {
                        // not an answer for us
                    }
                }
            } catch (SerialPortTimeoutException silent) {
                // nobody answered
            } finally {
                w.writeReset();
                SerialFrameWriter.linger(p::bytesAwaitingWrite);
            }
            return Optional.empty();
        } finally {
            p.closePort();
        }
    }
}
