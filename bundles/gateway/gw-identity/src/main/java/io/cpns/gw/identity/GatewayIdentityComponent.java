package io.cpns.gw.identity;

import io.cpns.api.EntityId;
import io.cpns.api.gateway.GatewayIdentity;
import java.io.IOException;
import java.nio.file.Path;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** This PN GW's Entity ID: configured, or generated once and kept in {@code ${cpns.data}/gateway-id}. */
@Component(configurationPid = "cpns.gw.identity", immediate = true)
@Designate(ocd = GatewayIdentityComponent.Config.class)
public class GatewayIdentityComponent implements GatewayIdentity {
    @ObjectClassDefinition(name = "CPNS PN GW identity", description = "This PN GW's Entity ID.")
    public @interface Config {
        @AttributeDefinition(description = "Entity ID; empty = generated once (gw- + 12 hex digits) and kept in ${cpns.data}/gateway-id. "
                + "The EUKey, LocalEUKeys and PN Inventory are bound to it.")
        String gatewayId() default "";
    }

    private final EntityId id;

    @Activate
    public GatewayIdentityComponent(Config config, BundleContext context) throws IOException {
        Path data = io.cpns.api.DataDirectory.of(context::getProperty);
        this.id = StoredId.resolve(config.gatewayId(), data);
    }

    @Override
    public EntityId id() {
        return id;
    }
}
