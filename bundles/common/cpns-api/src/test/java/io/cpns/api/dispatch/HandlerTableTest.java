package io.cpns.api.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.MessageType;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentServiceObjects;

class HandlerTableTest {
    /** A service registration as SCR hands it to a dynamic reference: counts gets and ungets. */
    static final class Objects implements ComponentServiceObjects<Supplier<String>> {
        final Supplier<String> service;
        int gets;
        int ungets;
        private final ServiceReference<?> ref = (ServiceReference<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServiceReference.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "toString" -> "ref";
                    default -> throw new UnsupportedOperationException(m.getName());
                });

        Objects(String answer) {
            this.service = () -> answer;
        }

        @Override
        public synchronized Supplier<String> getService() {
            gets++;
            return service;
        }

        @Override
        public synchronized void ungetService(Supplier<String> s) {
            ungets++;
        }

        @SuppressWarnings("unchecked")
        @Override
        public ServiceReference<Supplier<String>> getServiceReference() {
            return (ServiceReference<Supplier<String>>) ref;
        }
    }

    private static Map<String, Object> types(String... names) {
        return Map.of(HandlerTable.TYPE, names.length == 1 ? names[0] : names);
    }

    @Test
    void aTypeWithoutHandlerIsUnavailableAtOnce() {
        HandlerTable<Supplier<String>> table = new HandlerTable<>("this test", Duration.ofHours(1));
        CpnsException e = assertThrows(CpnsException.class, () -> table.find(MessageType.RELAY));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("'relay' on this test"), e.getMessage());
    }

    @Test
    void bindingDoesNotGetTheServiceTheFirstRequestDoesOnce() {
        HandlerTable<Supplier<String>> table = new HandlerTable<>("t", Duration.ZERO);
        Objects o = new Objects("relay");
        table.add(o, types("relay"));
        assertEquals(0, o.gets, "bound without being obtained (D33)");
        assertEquals("relay", table.find(MessageType.RELAY).get());
        assertEquals("relay", table.find(MessageType.RELAY).get());
        assertEquals(1, o.gets);
    }

    @Test
    void oneRegistrationOwnsEveryTypeItNamesAndIsObtainedOnce() {
        HandlerTable<Supplier<String>> table = new HandlerTable<>("t", Duration.ZERO);
        Objects o = new Objects("groups");
        table.add(o, Map.of(HandlerTable.TYPE, List.of("group.key.req", "group.tree.req")));
        assertSame(o.service, table.find(MessageType.GROUP_KEY_REQUEST));
        assertSame(o.service, table.find(MessageType.GROUP_TREE_REQUEST));
        assertEquals(1, o.gets);
        assertThrows(CpnsException.class, () -> table.find(MessageType.GROUP_MSG));
        table.remove(o, types("group.key.req", "group.tree.req"));
        assertEquals(1, o.ungets);
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(CpnsException.class, () -> table.find(MessageType.GROUP_TREE_REQUEST)).code());
    }

    @Test
    void anUnknownTypeNameIsRefusedTheOthersBound() {
        HandlerTable<Supplier<String>> table = new HandlerTable<>("t", Duration.ZERO);
        Objects o = new Objects("x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> table.add(o, types("relay", "no.such.type")));
        assertTrue(e.getMessage().contains("no.such.type"), e.getMessage());
        assertSame(o.service, table.find(MessageType.RELAY));
    }

    @Test
    void aReplacedHandlerIsReleasedOnlyWhenNoTypeStillRefersToIt() {
        HandlerTable<Supplier<String>> table = new HandlerTable<>("t", Duration.ZERO);
        Objects old = new Objects("old");
        table.add(old, types("relay", "ka.req"));
        table.find(MessageType.RELAY);
        Objects relayOnly = new Objects("new");
        table.add(relayOnly, types("relay"));
        assertEquals(0, old.ungets, "still the handler of ka.req");
        assertEquals("new", table.find(MessageType.RELAY).get());
        assertEquals("old", table.find(MessageType.KA_REQUEST).get());
        table.add(new Objects("newer"), types("ka.req"));
        assertEquals(1, old.ungets);
    }

    @Test
    void aRequestWhoseHandlerWentAwayWaitsForTheNextOne() throws Exception {
        HandlerTable<Supplier<String>> table = new HandlerTable<>("t", Duration.ofMinutes(5));
        Objects v1 = new Objects("v1");
        table.add(v1, types("relay"));
        table.remove(v1, types("relay")); // its bundle is being updated
        CountDownLatch asking = new CountDownLatch(1);
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
            asking.countDown();
            return table.find(MessageType.RELAY).get();
        });
        assertTrue(asking.await(10, TimeUnit.SECONDS));
        assertFalse(answer.isDone() && answer.isCompletedExceptionally());
        table.add(new Objects("v2"), types("relay"));
        assertEquals("v2", answer.get(30, TimeUnit.SECONDS));
    }

    @Test
    void aRequestAfterTheWaitIsUnavailable() {
        HandlerTable<Supplier<String>> table = new HandlerTable<>("t", Duration.ZERO);
        Objects v1 = new Objects("v1");
        table.add(v1, types("relay"));
        table.remove(v1, types("relay"));
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(CpnsException.class, () -> table.find(MessageType.RELAY)).code());
    }

    @Test
    void stopEndsTheWaitAndReleasesWhatWasObtained() throws Exception {
        HandlerTable<Supplier<String>> table = new HandlerTable<>("t", Duration.ofHours(1));
        Objects kept = new Objects("kept");
        table.add(kept, types("ka.req"));
        table.find(MessageType.KA_REQUEST);
        Objects v1 = new Objects("v1");
        table.add(v1, types("relay"));
        table.remove(v1, types("relay"));
        CompletableFuture<Supplier<String>> waiting = CompletableFuture.supplyAsync(() -> table.find(MessageType.RELAY));
        table.stop();
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(30, TimeUnit.SECONDS));
        assertEquals(ErrorCode.UNAVAILABLE, ((CpnsException) e.getCause()).code());
        assertEquals(1, kept.ungets);
    }

    @Test
    void aRefusalGoesOnTheWireAsItIsAnythingElseAsOurOwnInternal() {
        CpnsException refusal = new CpnsException(ErrorCode.FORBIDDEN, "not yours");
        assertSame(refusal, Failures.toWire(new CompletionException(new ExecutionException(refusal)), "internal gateway error"));
        assertFalse(Failures.isBug(refusal));

        CpnsException bug = Failures.toWire(new CompletionException(new IOException("/var/lib/secret path: disk full")),
                "internal gateway error");
        assertEquals(ErrorCode.INTERNAL, bug.code());
        assertEquals("internal gateway error", bug.getMessage(), "never a library's message");
        assertTrue(bug.getCause() instanceof IOException);
        assertTrue(Failures.isBug(bug));
    }

    @Test
    void onlyAFuturesWrappersAreRemovedNotTheCauseAnErrorCarries() {
        CpnsException internal = new CpnsException(ErrorCode.INTERNAL, "store write failed", new IOException("disk full"));
        // x.getCause() != null ? x.getCause() : x, written by hand in five places before, gave the IOException here
        assertSame(internal, Failures.cause(internal));
        assertSame(internal, Failures.cause(new CompletionException(internal)));
        assertEquals(null, Failures.cause(null));
    }
}
