package io.cpns.gw.update;

import io.cpns.api.gateway.GroupBroker;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.health.Health;

/**
 * The gateway's services the agent watches, looked up when used: each may be absent or replaced
 * while an update swaps its bundle (the agent must not be deactivated by that). Null when absent.
 */
interface Services {
    Health health();

    ServerLink link();

    PneMessenger pnes();

    GroupBroker broker();
}
