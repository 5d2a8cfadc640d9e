package io.cpns.pne;

import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.session.tls.TlsClientEndpoint;
import io.cpns.session.tls.TlsConnection;
import io.cpns.session.tls.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** The IP PAN: TCP to the PN GW's pan-ip port; PSK-TLS 1.3 once the PNE has a key. */
public final class IpTransport implements PneTransport {
    private final String host;
    private final int port;
    private final boolean panSecure;
    private final int maxFrame;

    public IpTransport(String host, int port, boolean panSecure) {
        this(host, port, panSecure, 65536);
    }

    public IpTransport(String host, int port, boolean panSecure, int maxFrame) {
        this.host = host;
        this.port = port;
        this.panSecure = panSecure;
        this.maxFrame = maxFrame;
    }

    /** From a discovery answer's {@code host:port}. */
    public static IpTransport of(String address, boolean panSecure) {
        int colon = address.lastIndexOf(':');
        return new IpTransport(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)), panSecure);
    }

    @Override
    public String adapter() {
        return "ip";
    }

    @Override
    public boolean panSecure() {
        return panSecure;
    }

    @Override
    public boolean pskInTransport() {
        return true;
    }

    @Override
    public MessageChannel open(MessageCodec codec, String identity, byte[] psk) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 5000);
        if (psk == null) {
            Transport t = Transport.of(s);
            return new MessageChannel(codec, t.in(), t.out(), maxFrame, t);
        }
        TlsConnection tls = TlsClientEndpoint.psk(s, identity, psk, 10000, 0);
        return new MessageChannel(codec, tls.in(), tls.out(), maxFrame, tls);
    }

    @Override
    public String toString() {
        return "ip:" + host + ":" + port;
    }
}
