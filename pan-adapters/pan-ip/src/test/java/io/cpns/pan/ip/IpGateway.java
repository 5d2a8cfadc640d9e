package io.cpns.pan.ip;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.message.DiscoveryAnnounce;
import io.cpns.api.message.DiscoveryQuery;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.PanAccess;
import io.cpns.codec.MessageCodec;
import io.cpns.testkit.RecordingPanContext;
import java.util.List;

/** The gateway the IP adapter's tests play: a recording PAN context that answers discovery as gw-home. */
final class IpGateway {
    static final EntityId GW = EntityId.of("gw-home");
    static final MessageCodec CODEC = new MessageCodec();

    private IpGateway() {
    }

    static RecordingPanContext context() {
        return new RecordingPanContext(GW.value(), CODEC.encode(new Envelope(GW, EntityId.BROADCAST, 0, announce())),
                IpGateway::answer);
    }

    private static byte[] answer(byte[] query) {
        try {
            Envelope e = CODEC.decode(query);
            if (!(e.body() instanceof DiscoveryQuery)) {
                return null;
            }
            return CODEC.encode(new Envelope(GW, e.src(), e.id(), announce()));
        } catch (CpnsException garbage) {
            return null;
        }
    }

    private static DiscoveryAnnounce announce() {
        return new DiscoveryAnnounce(GW.value(), List.of(new PanAccess("ip", "127.0.0.1:7800", false)));
    }
}
