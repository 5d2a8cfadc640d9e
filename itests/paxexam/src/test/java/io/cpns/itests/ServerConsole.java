package io.cpns.itests;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a forked CPNS Server holds, read at its console as an operator reads it ({@code server:group},
 * {@code server:pns}, {@code server:pn}, {@code server:entities}): the Server's side of "every store
 * agrees with the Server".
 */
final class ServerConsole {
    private static final Pattern GROUP = Pattern.compile("Group Key epoch (\\d+) \\(fingerprint ([^)]*)\\)");

    /** A Service Group as the Server holds it. */
    record Group(long epoch, String fingerprint, List<String> members) {
    }

    /** An entity's EUKey as the Server holds it. */
    record Entity(String fingerprint, boolean confirmed) {
    }

    private final ForkedRuntime server;

    ServerConsole(ForkedRuntime server) {
        this.server = server;
    }

    Group group(String groupId) throws IOException {
        String out = server.shell("server:group " + groupId);
        Matcher m = GROUP.matcher(out);
        if (!m.find()) {
            throw new AssertionError("server:group " + groupId + ": " + out);
        }
        return new Group(Long.parseLong(m.group(1)), m.group(2), members(out));
    }

    /** The PN IDs the Server has registered for a PN GW. */
    List<String> pns(String gatewayId) throws IOException {
        return server.shell("server:pns " + gatewayId).lines().skip(1).map(String::trim).filter(l -> !l.isEmpty())
                .map(l -> l.split("\\s+")[0]).sorted().toList();
    }

    List<String> pnMembers(String pnId) throws IOException {
        return members(server.shell("server:pn " + pnId));
    }

    Optional<Entity> entity(String owner, String entityId) throws IOException {
        return server.shell("server:entities " + owner).lines().map(String::trim).filter(l -> l.startsWith(entityId + " ")).findFirst()
                .map(l -> {
                    String[] f = l.split("\\s+");
                    return new Entity(f[3], !l.endsWith("not yet"));
                });
    }

    void groupadd(String groupId, String owner) throws IOException {
        server.shell("server:groupadd " + groupId + " " + owner);
    }

    Group groupjoin(String groupId, String pne) throws IOException {
        server.shell("server:groupjoin " + groupId + " " + pne);
        return group(groupId);
    }

    Group groupupdate(String groupId) throws IOException {
        server.shell("server:groupupdate " + groupId);
        return group(groupId);
    }

    /** Whether a PN GW holds an authenticated session (its EUKey, PSK-TLS). */
    boolean linked(String gatewayId) throws IOException {
        return server.shell("server:sessions").lines().map(String::trim)
                .anyMatch(l -> l.startsWith(gatewayId + " ") && l.contains(" psk ") && !l.contains(" - "));
    }

    private static List<String> members(String out) {
        return out.lines().filter(l -> l.startsWith("members:")).findFirst()
                .map(l -> l.substring("members:".length()).trim())
                .map(s -> s.isEmpty() ? List.<String>of() : Arrays.stream(s.split(",\\s*")).sorted().toList())
                .orElseThrow(() -> new AssertionError("no members line in " + out));
    }
}
