package io.cpns.gw.update;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Whether the MQTT broker the PNEs use answers: an MQTT 3.1.1 CONNECT (no credentials, client ID
 * {@code cpns-update-probe}) to its address must get a CONNACK, whatever its return code (the
 * broker refuses the probe, as it should: it still answered). Then the connection is closed.
 */
final class MqttProbe {
    private MqttProbe() {
    }

    /** @return null when a CONNACK came, else what went wrong */
    static String probe(String uri, int timeoutMillis) {
        URI u;
        try {
            u = URI.create(uri);
        } catch (IllegalArgumentException e) {
            return "broker address " + uri + " is not a URI";
        }
        if (u.getHost() == null || u.getPort() < 0 || !"tcp".equals(u.getScheme())) {
            return "cannot probe " + uri + " (only tcp://host:port)";
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(u.getHost(), u.getPort()), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            byte[] id = "cpns-update-probe".getBytes(StandardCharsets.US_ASCII);
            byte[] p = new byte[2 + 4 + 1 + 1 + 2 + 2 + id.length];
            int i = 0;
            p[i++] = 0;
            p[i++] = 4;
            for (byte b : "MQTT".getBytes(StandardCharsets.US_ASCII)) {
                p[i++] = b;
            }
            p[i++] = 4;    // protocol level 3.1.1
            p[i++] = 0x02; // clean session
            p[i++] = 0;
            p[i++] = 10;   // keep alive
            p[i++] = 0;
            p[i++] = (byte) id.length;
            System.arraycopy(id, 0, p, i, id.length);
            OutputStream out = s.getOutputStream();
            out.write(0x10);
            out.write(p.length);
            out.write(p);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int type = in.readUnsignedByte();
            int len = in.readUnsignedByte();
            if (type != 0x20 || len != 2) {
                return "broker at " + uri + " answered a CONNECT with packet type " + (type >> 4) + ", not CONNACK";
            }
            in.readUnsignedByte();
            in.readUnsignedByte();
            return null;
        } catch (IOException e) {
            return "broker at " + uri + " did not answer an MQTT CONNECT: " + e.getMessage();
        }
    }
}
