package io.cpns.gw.mqtt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The commands of Mosquitto 2's dynamic-security plugin: JSON published on {@link #TOPIC}, answered
 * on {@link #RESPONSES} with one response per command, matched here by their correlationData.
 * Each granted user has a client (pinned to client id = user name) with one role,
 * {@code cpns-<user>}, whose ACLs let it subscribe to exactly its topics and receive nothing else.
 */
final class DynSec {
    static final String TOPIC = "$CONTROL/dynamic-security/v1";
    static final String RESPONSES = TOPIC + "/response";

    /** Writes a command's fields after its name. */
    @FunctionalInterface
    interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    record Command(String name, Fields fields) {
    }

    /** Publishes a request on {@link #TOPIC}, or throws {@link CpnsException}. */
    @FunctionalInterface
    interface Sender {
        void send(byte[] request);
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    private final Sender sender;
    private final Duration timeout;
    // every admin client sees every response: a prefix of our own tells ours apart
    private final String prefix = UUID.randomUUID() + "-";
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, CompletableFuture<List<String>>> pending = new ConcurrentHashMap<>();

    DynSec(Sender sender, Duration timeout) {
        this.sender = sender;
        this.timeout = timeout;
    }

    /** Sends the commands in one request; the error of each, in order ("" = done). */
    List<String> run(List<Command> commands) {
        String id = prefix + ids.incrementAndGet();
        CompletableFuture<List<String>> answer = new CompletableFuture<>();
        pending.put(id, answer);
        byte[] request = encode(id, commands);
        try {
            sender.send(request);
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "Mosquitto did not answer the dynamic-security command "
                    + commands.get(0).name() + " within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CpnsException(ErrorCode.UNAVAILABLE, "interrupted waiting for Mosquitto", e);
        } finally {
            pending.remove(id);
            Arrays.fill(request, (byte) 0); // it may carry a password
        }
    }

    /** Like {@link #run} for commands that must all succeed. */
    void runAll(List<Command> commands) {
        List<String> errors = run(commands);
        for (int i = 0; i < errors.size(); i++) {
            check(commands.get(i), errors.get(i));
        }
    }

    static void check(Command c, String error) {
        if (!error.isEmpty()) {
            throw new CpnsException(ErrorCode.INTERNAL, "Mosquitto refused dynamic-security " + c.name() + ": " + error);
        }
    }

    /** A message on {@link #RESPONSES}. */
    void responded(byte[] payload) {
        JsonNode responses;
        try {
            responses = JSON.readTree(payload).path("responses");
        } catch (IOException e) {
            return; // not a dynamic-security response: nothing waits for it
        }
        String first = responses.path(0).path("correlationData").asText("");
        int slash = first.lastIndexOf('/');
        CompletableFuture<List<String>> answer = slash < 0 ? null : pending.get(first.substring(0, slash));
        if (answer != null) {
            List<String> errors = new ArrayList<>();
            responses.forEach(r -> errors.add(r.path("error").asText("")));
            answer.complete(errors);
        }
    }

    static String role(String user) {
        return "cpns-" + user;
    }

    static Command createRole(String user, Set<String> topics) {
        return new Command("createRole", g -> {
            g.writeStringField("rolename", role(user));
            writeAcls(g, topics);
        });
    }

    /** Replaces the role's ACLs. Mosquitto 2.0 does not close the role's connections for this. */
    static Command modifyRole(String user, Set<String> topics) {
        return new Command("modifyRole", g -> {
            g.writeStringField("rolename", role(user));
            writeAcls(g, topics);
        });
    }

    static Command createClient(String user, char[] password) {
        return new Command("createClient", g -> writeClient(g, user, password));
    }

    /** Sets password, client id and role again. Mosquitto 2.0 closes the client's connection for this. */
    static Command modifyClient(String user, char[] password) {
        return new Command("modifyClient", g -> writeClient(g, user, password));
    }

    /** Mosquitto 2.0 closes the client's connection. */
    static Command deleteClient(String user) {
        return new Command("deleteClient", g -> g.writeStringField("username", user));
    }

    static Command deleteRole(String user) {
        return new Command("deleteRole", g -> g.writeStringField("rolename", role(user)));
    }

    private static void writeClient(JsonGenerator g, String user, char[] password) throws IOException {
        g.writeStringField("username", user);
        g.writeFieldName("password");
        g.writeString(password, 0, password.length); // never a String: the caller wipes the array
        g.writeStringField("clientid", user);        // no other client can take this user's session
        g.writeArrayFieldStart("roles");
        g.writeStartObject();
        g.writeStringField("rolename", role(user));
        g.writeEndObject();
        g.writeEndArray();
    }

    /**
     * Subscribing is denied by default (Mosquitto's defaultACLAccess) but receiving is allowed: a
     * persistent session keeps a subscription to a topic the user lost, so the role also denies
     * receiving anything but its topics (higher priority is checked first).
     */
    private static void writeAcls(JsonGenerator g, Set<String> topics) throws IOException {
        g.writeArrayFieldStart("acls");
        for (String t : topics) {
            writeAcl(g, "subscribeLiteral", t, 1, true);
            writeAcl(g, "publishClientReceive", t, 1, true);
        }
        writeAcl(g, "publishClientReceive", "#", 0, false);
        g.writeEndArray();
    }

    private static void writeAcl(JsonGenerator g, String type, String topic, int priority, boolean allow) throws IOException {
        g.writeStartObject();
        g.writeStringField("acltype", type);
        g.writeStringField("topic", topic);
        g.writeNumberField("priority", priority);
        g.writeBooleanField("allow", allow);
        g.writeEndObject();
    }

    private static byte[] encode(String id, List<Command> commands) {
        WipedBuffer out = new WipedBuffer();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("commands");
            for (int i = 0; i < commands.size(); i++) {
                g.writeStartObject();
                g.writeStringField("command", commands.get(i).name());
                commands.get(i).fields().write(g);
                g.writeStringField("correlationData", id + "/" + i);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory", e);
        }
        try {
            return out.toByteArray();
        } finally {
            out.wipe();
        }
    }

    private static final class WipedBuffer extends ByteArrayOutputStream {
        void wipe() {
            Arrays.fill(buf, (byte) 0);
        }
    }
}
