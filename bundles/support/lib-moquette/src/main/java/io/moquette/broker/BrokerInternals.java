package io.moquette.broker;

import io.moquette.broker.subscriptions.ISubscriptionsDirectory;
import io.moquette.broker.subscriptions.Subscription;
import io.moquette.broker.subscriptions.Topic;
import java.lang.reflect.Field;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * CPNS addition to Moquette 0.17: what its owner needs of a started {@link Server} that 0.17 does
 * not expose (it lives in private fields, read once here).
 */
public final class BrokerInternals {
    private final Server server;
    private final PostOffice postOffice;
    private final ISubscriptionsDirectory subscriptions;

    private BrokerInternals(Server server, PostOffice postOffice, ISubscriptionsDirectory subscriptions) {
        this.server = server;
        this.postOffice = postOffice;
        this.subscriptions = subscriptions;
    }

    /** @throws IllegalStateException if the server is not started, or not the 0.17 this bundle was made for */
    public static BrokerInternals of(Server server) {
        try {
            PostOffice postOffice = (PostOffice) field(Server.class, "dispatcher").get(server);
            if (postOffice == null) {
                throw new IllegalStateException("Moquette is not started");
            }
            return new BrokerInternals(server, postOffice,
                (ISubscriptionsDirectory) field(PostOffice.class, "subscriptions").get(postOffice));
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("not the Moquette 0.17 this bundle was made for: " + e, e);
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    /**
     * Runs {@code action} on the session loop that serialises {@code clientId}'s work, as Moquette
     * does with its own commands: anything that changes a session must run there.
     *
     * @return whether it was queued (false: that loop's queue is full)
     */
    public boolean onSessionLoop(String clientId, String what, Callable<String> action) {
        return postOffice.routeCommand(clientId, what, action).isSuccess();
    }

    /** The client ids with a connected session subscribed to exactly this topic name or a filter matching it. */
    public Set<String> connectedSubscribers(String topic) {
        Set<String> subscribed = subscriptions.matchWithoutQosSharpening(new Topic(topic)).stream()
            .map(Subscription::getClientId).collect(Collectors.toSet());
        if (subscribed.isEmpty()) {
            return Set.of();
        }
        return server.listConnectedClients().stream().map(ClientDescriptor::getClientID)
            .filter(subscribed::contains).collect(Collectors.toUnmodifiableSet());
    }
}
