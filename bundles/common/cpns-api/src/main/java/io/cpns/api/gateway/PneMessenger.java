package io.cpns.api.gateway;

import io.cpns.api.EntityId;
import io.cpns.api.message.Message;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Messages to PNEs by Entity ID over their current link: the PN GW's routing table (seed 004 step
 * 4). The link is chosen per PNE (an authenticated one first) and protected as TS §5.3.3.1 says.
 */
@ProviderType
public interface PneMessenger {
    /** Sends a request to a PNE and completes with its response, or {@code UNAVAILABLE}/{@code TIMEOUT}. */
    CompletionStage<PneMessage> request(EntityId pne, Message request, Duration timeout);

    /**
     * Answers a request from a PNE (same envelope id) on the link it came on. Never on another link
     * of a PNE with that Entity ID (a link that only claims an identity must not receive, nor spoil,
     * an authenticated link's answers), except where the PNE proved it moved: to the authenticated
     * link on which it answered a request sent on the first link, or from an authenticated link
     * that closed to another authenticated link of that PNE. Otherwise the answer is dropped.
     */
    void reply(PneMessage request, Message response);

    List<PneLink> links();

    /** The PNE's best current link. */
    Optional<PneLink> link(EntityId pne);

    /** Closes every link of a PNE; returns how many. */
    int disconnect(EntityId pne);
}
