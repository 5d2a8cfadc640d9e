package io.cpns.pne;

import io.cpns.api.EntityId;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Suites;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a PNE is and how it behaves.
 *
 * @param id                Entity ID
 * @param hasUi             "enough UI" (seed 004 step 1 condition i): it may enter User ID and
 *                          password, and asks for a LocalEUKey on a PAN that does not protect messages
 * @param capabilities      Device Capabilities
 * @param contents          content information the device has
 * @param suite             crypto suite for its secure sessions
 * @param serverId          the CPNS Server's Entity ID
 * @param operatorCa        operator CA certificate for EUKey assignment through the tunnel (PNEs with UI)
 * @param serverName        name the Server's certificate must carry
 * @param acceptInvitations join PNs the PN GW invites it to
 * @param requestTimeout    a request to the PN GW without an answer fails after this long
 * @param setupTimeout      how long a PN Setup may take end to end
 * @param keepalive         an idle link is pinged this often, so the PN GW does not end it as
 *                          silent and a dead PN GW is noticed; zero turns it off
 */
public record PneConfig(EntityId id, boolean hasUi, Map<String, String> capabilities, List<String> contents, CryptoSuite suite,
                        EntityId serverId, Path operatorCa, String serverName, boolean acceptInvitations,
                        Duration requestTimeout, Duration setupTimeout, Duration keepalive) {
    public PneConfig {
        capabilities = capabilities == null ? Map.of() : Map.copyOf(capabilities);
        contents = contents == null ? List.of() : List.copyOf(contents);
    }

    /**
     * Defaults: with UI, modern suite, server {@code cpns-server}, accepts invitations, 10 s requests, 60 s setup, 60 s keepalive.
     */
    public static PneConfig of(String id) {
        return new PneConfig(EntityId.of(id), true, Map.of("ui", "true"), List.of(), Suites.modern(), EntityId.of("cpns-server"),
                null, "localhost", true, Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(60));
    }

    public PneConfig withUi(boolean ui) {
        return new PneConfig(id, ui, merged("ui", String.valueOf(ui)), contents, suite, serverId, operatorCa, serverName,
                acceptInvitations, requestTimeout, setupTimeout, keepalive);
    }

    public PneConfig withCapabilities(Map<String, String> caps) {
        return new PneConfig(id, hasUi, caps, contents, suite, serverId, operatorCa, serverName, acceptInvitations, requestTimeout,
                setupTimeout, keepalive);
    }

    public PneConfig withContents(List<String> c) {
        return new PneConfig(id, hasUi, capabilities, c, suite, serverId, operatorCa, serverName, acceptInvitations, requestTimeout,
                setupTimeout, keepalive);
    }

    public PneConfig withSuite(CryptoSuite s) {
        return new PneConfig(id, hasUi, capabilities, contents, s, serverId, operatorCa, serverName, acceptInvitations,
                requestTimeout, setupTimeout, keepalive);
    }

    public PneConfig withServer(String serverEntityId, Path ca, String name) {
        return new PneConfig(id, hasUi, capabilities, contents, suite, EntityId.of(serverEntityId), ca, name, acceptInvitations,
                requestTimeout, setupTimeout, keepalive);
    }

    public PneConfig withAcceptInvitations(boolean accept) {
        return new PneConfig(id, hasUi, capabilities, contents, suite, serverId, operatorCa, serverName, accept, requestTimeout,
                setupTimeout, keepalive);
    }

    public PneConfig withTimeouts(Duration request, Duration setup) {
        return new PneConfig(id, hasUi, capabilities, contents, suite, serverId, operatorCa, serverName, acceptInvitations,
                request, setup, keepalive);
    }

    public PneConfig withKeepalive(Duration k) {
        return new PneConfig(id, hasUi, capabilities, contents, suite, serverId, operatorCa, serverName, acceptInvitations,
                requestTimeout, setupTimeout, k);
    }

    /** Receive Group Keys by MQTT broadcast (Device Capability {@code groupKeyDelivery=broadcast}) or by unicast only. */
    public PneConfig withBroadcast(boolean broadcast) {
        return new PneConfig(id, hasUi, merged("groupKeyDelivery", broadcast ? "broadcast" : "unicast"), contents, suite, serverId,
                operatorCa, serverName, acceptInvitations, requestTimeout, setupTimeout, keepalive);
    }

    private Map<String, String> merged(String k, String v) {
        Map<String, String> m = new HashMap<>(capabilities);
        m.put(k, v);
        return m;
    }
}
