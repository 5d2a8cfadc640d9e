package io.cpns.gw.pan;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.GatewayIdentity;
import io.cpns.api.gateway.PreAssignedKeys;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.health.HealthContributor;
import io.cpns.api.store.SecretStore;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Pre-assigned keys (seed 004 R01): a PNE's key set by the operator before it first connects, kept
 * in the gateway's key store under {@link Keys#PRE_ASSIGNED}. A key-store facade with no link state,
 * so its own component; {@link PanManager} reads the same records as a PSK through its {@link Keys}.
 * Called on the caller's thread (shell, gw-pn, gw-keyassign); blocks only on the key store's I/O.
 */
@Component(service = {PreAssignedKeys.class, HealthContributor.class}, property = {"hc.name=Pre-assigned keys", "hc.tags=cpns", "hc.tags=readiness"})
public class PreAssignedKeyStore implements PreAssignedKeys, HealthContributor {
    private final SecretStore secrets;
    private final Keys keys;
    private final Logger log;
    private final ReservedIds reserved;

    @Activate
    public PreAssignedKeyStore(@Reference(name = "secrets") SecretStore secrets,
                               @Reference(name = "identity") GatewayIdentity identity,
                               @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this.secrets = secrets;
        this.log = log;
        this.keys = new Keys(secrets, log);
        this.reserved = new ReservedIds(identity.id());
    }

    // optional: only the Server's Entity ID matters here, remembered after gw-link goes
    @Reference(name = "serverLink", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindServerLink(ServerLink link) {
        reserved.server(link.serverId());
    }

    void unbindServerLink(ServerLink link) {
        // its ID stays reserved
    }

    @Override
    public void set(String pneId, byte[] key) {
        if (key.length < 16) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "a pre-assigned key needs at least 16 bytes");
        }
        if (reserved.reserved(pneId)) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, pneId + " is reserved (the PN GW, the CPNS Server or cpns.broadcast), not a PNE");
        }
        secrets.put(alias(pneId), key);
        log.info("pre-assigned key set for PNE {}", pneId);
    }

    @Override
    public boolean remove(String pneId) {
        return secrets.delete(alias(pneId));
    }

    @Override
    public Optional<byte[]> get(String pneId) {
        return keys.read(Keys.PRE_ASSIGNED, EntityId.of(pneId).value());
    }

    @Override
    public boolean has(String pneId) {
        String alias = alias(pneId);
        return secrets.aliases(alias).contains(alias);
    }

    /** {@code cpns:health}: a pre-assigned key record read here that did not read back and is still in quarantine. */
    @Override
    public List<String> problems() {
        return keys.problems();
    }

    private static String alias(String pneId) {
        return Keys.PRE_ASSIGNED + EntityId.of(pneId).value();
    }
}
