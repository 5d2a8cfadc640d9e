package io.cpns.api.gateway;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** The Service Groups with members in this PN GW's PNs, and their Group Keys' epochs (TS §5.3.2). */
@ProviderType
public interface GatewayGroups {
    List<GatewayGroup> groups();

    Optional<GatewayGroup> group(String groupId);

    /** Per member of the group here: delivery mode and status, by Entity ID. */
    List<MemberDelivery> deliveries(String groupId);

    /**
     * TS §5.3.3.2: whether messages to a Service Group must be protected with the Group Key for this
     * member PNE. False only if it reaches this PN GW over a secure PAN <em>and</em> this PN GW uses a
     * credential module with the Server (configuration {@code credentialModule}); an unknown or
     * disconnected PNE needs the protection.
     */
    boolean groupKeyRequired(String pneId);

    /** The group's key tree and last broadcast here, if any member receives it by broadcast. */
    Optional<GroupBroadcastInfo> broadcast(String groupId);

    /**
     * The group's Group Key messages here and how it is delivered; empty for a group the Server has
     * not announced to this PN GW (or that it deleted).
     *
     * @since 1.3
     */
    Optional<GroupKeyTraffic> traffic(String groupId);
}
