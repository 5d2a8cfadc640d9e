package io.cpns.gw.link;

import io.cpns.api.EntityId;
import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Suites;
import java.nio.file.Path;
import java.time.Duration;

/** The link's configuration, validated once per (re)configuration. */
record LinkSettings(EntityId gatewayId, String serverHost, int serverPort, EntityId serverId, String serverName,
                    Path configuredCaFile, Path dataDir, CryptoSuite suite, int connectTimeoutMillis, int handshakeTimeoutMillis,
                    Duration requestTimeout, Duration keepalive, Duration backoffInitial, Duration backoffMax,
                    int maxFrameBytes) {

    static LinkSettings from(ServerLinkComponent.Config c, EntityId gatewayId, Path dataDir) {
        return new LinkSettings(gatewayId, c.serverHost(), c.serverPort(), EntityId.of(c.serverId()), c.serverName(),
                c.operatorCaFile().isBlank() ? null : Path.of(c.operatorCaFile()), dataDir,
                Suites.byName(c.suite()), c.connectTimeoutMillis(), c.handshakeTimeoutMillis(),
                Duration.ofMillis(c.requestTimeoutMillis()), Duration.ofSeconds(c.keepaliveSeconds()),
                Duration.ofMillis(c.backoffInitialMillis()), Duration.ofMillis(c.backoffMaxMillis()), c.maxFrameBytes());
    }

    /** The operator CA to trust: the configured file, else the default looked up now (the Server may have generated it since). */
    Path operatorCaFile() {
        return configuredCaFile != null ? configuredCaFile : io.cpns.api.DataDirectory.operatorCa(dataDir);
    }

    String server() {
        return serverHost + ":" + serverPort;
    }

    /** Secret-store alias of this gateway's EUKey (the same as {@link io.cpns.api.gateway.GatewayIdentity#euKeyAlias()}). */
    String euKeyAlias() {
        return KeyStoreAliases.euKey(gatewayId);
    }
}
