package io.cpns.api.gateway;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when the operator expels a PNE from this PN GW ({@code gw:expel}, {@link PnManagement#expel}),
 * once it is out of every PN here and its links are closed, before the CPNS Server hears of it
 * (whiteboard: register as a service). TS §5.3.2: an expelled PNE gets no further Group Key; a
 * listener stops whatever it still gives the PNE (e.g. its MQTT broker access) at once, without
 * waiting for the Server's rekey. Called on the expelling thread: must not block.
 */
@ConsumerType
public interface PneExpelListener {
    void expelled(String pneId);
}
