package io.cpns.api.server;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when an entity's session with the Server is authenticated (whiteboard: register as an OSGi
 * service). How the Server learns that a PN GW that was offline is back, e.g. to offer it a
 * release at once (docs/updates.md §5).
 */
@ConsumerType
public interface SessionListener {
    /**
     * Called on the endpoint's single notification thread, after the mutual authentication; must
     * not block (hand long work to an executor). A request sent to the entity from here is answered
     * once the session's read loop runs.
     */
    void authenticated(Principal who);
}
