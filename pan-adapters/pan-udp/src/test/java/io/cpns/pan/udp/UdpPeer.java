package io.cpns.pan.udp;

import io.cpns.testkit.RecordingPanContext;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A PNE's end of the segment: a real UDP socket on loopback that sends to the adapter's port. */
final class UdpPeer implements AutoCloseable {
    private final DatagramSocket socket;
    private final InetSocketAddress gateway;

    UdpPeer(int gatewayPort) throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setSoTimeout((int) RecordingPanContext.WAIT_MILLIS);
        gateway = new InetSocketAddress(InetAddress.getLoopbackAddress(), gatewayPort);
    }

    String address() {
        return socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
    }

    void send(byte[] datagram) throws IOException {
        socket.send(new DatagramPacket(datagram, datagram.length, gateway));
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The next datagram from the gateway (empty = link reset); fails the test after the wait. */
    byte[] receive() throws IOException {
        byte[] buf = new byte[70000];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no datagram from the gateway within " + RecordingPanContext.WAIT_MILLIS + " ms");
        }
        return Arrays.copyOf(buf, p.getLength());
    }

    String receiveText() throws IOException {
        return new String(receive(), StandardCharsets.UTF_8);
    }

    /** Datagrams waiting now or arriving within {@code millis}: counts what was answered, no timing asserted. */
    int drain(int millis) throws IOException {
        socket.setSoTimeout(millis);
        int n = 0;
        try {
            while (true) {
                socket.receive(new DatagramPacket(new byte[70000], 70000));
                n++;
            }
        } catch (SocketTimeoutException done) {
            return n;
        } finally {
            socket.setSoTimeout((int) RecordingPanContext.WAIT_MILLIS);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
