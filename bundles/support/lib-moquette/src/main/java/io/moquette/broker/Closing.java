package io.moquette.broker;

import io.cpns.moquette.BrokerEvents;
import io.moquette.broker.security.IAuthenticator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.AttributeKey;

/**
 * CPNS addition to Moquette 0.17: every connection the broker ends goes through here, so its owner
 * ({@link BrokerEvents}, implemented by the authenticator it was started with) hears of it once,
 * with the reason, and the broker's own log gets no stack trace for what a peer sent.
 */
final class Closing {
    private static final AttributeKey<Boolean> REPORTED = AttributeKey.valueOf("cpns.closing.reported");

    private Closing() {
    }

    /** Tells the owner, once per connection, why the broker ends it. */
    static void report(Channel channel, String clientId, String reason) {
        report(channel, clientId, null, reason);
    }

    static void report(Channel channel, String clientId, String user, String reason) {
        if (channel.attr(REPORTED).setIfAbsent(Boolean.TRUE) != null) {
            return;
        }
        MQTTConnection c = NewNettyMQTTHandler.connection(channel);
        IAuthenticator a = c == null ? null : c.authenticator();
        if (a instanceof BrokerEvents) {
            try {
                ((BrokerEvents) a).closing(clientId != null ? clientId : NettyUtils.clientID(channel),
                    user != null ? user : NettyUtils.userName(channel), channel.remoteAddress(), reason);
            } catch (RuntimeException ignored) {
                // the owner's logging must not break the broker
            }
        }
    }

    static ChannelFuture close(Channel channel, String reason) {
        return close(channel, null, reason);
    }

    static ChannelFuture close(Channel channel, String clientId, String reason) {
        report(channel, clientId, reason);
        return channel.close();
    }
}
