package io.cpns.gw.pn;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.Strings;
import io.cpns.api.gateway.PnRecord;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.Message;
import io.cpns.api.message.PnInventoryPage;
import io.cpns.api.message.PnInventoryRequest;
import io.cpns.api.message.PnMember;
import io.cpns.api.message.Relay;
import io.cpns.api.message.RelayResponse;
import io.cpns.codec.MessageCodec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * An established PN's traffic through this PN GW (seed 004 step 4: "routing table ... made out of PN
 * Inventory"): a member's end-to-end message relayed to the CPNS Server by PN ID, and the PN
 * Inventory in pages to a member. It reads the PN Inventory and nothing of the establishment
 * ({@link Establishment}), which writes it. Both refuse anything but a member on a protected link
 * (TS §5.3.3.1); each refusal is logged once, by gw-pan, with its reason.
 */
final class PnRouting {
    private final InventoryStore inventory;
    private final int pageSize;
    private final MessageCodec codec = new MessageCodec();

    /** @param pageSize PN Inventory members per message (at least 1) */
    PnRouting(InventoryStore inventory, int pageSize) {
        this.inventory = inventory;
        this.pageSize = Math.max(1, pageSize);
    }

    /** The first page of a PN Inventory: what PN Setup Response (step 14) and PN Establishment Notify (step 15) carry. */
    List<PnMember> firstPage(List<PnMember> members) {
        return members.subList(0, Math.min(members.size(), pageSize));
    }

    /** The total when the PN Inventory goes in pages, else 0 (the message carries all of it). */
    int pagedTotal(List<PnMember> members) {
        return members.size() > pageSize ? members.size() : 0;
    }

    static List<PnMember> members(Optional<PnRecord> pn) {
        return pn.map(p -> p.members().stream().map(m -> new PnMember(m.pneId(), m.capabilities(), m.contents())).toList())
                .orElse(List.of());
    }

    /** {@code pn.inventory.req}: a member, on a protected link, reads its PN Inventory from {@code from} on. */
    PnInventoryPage page(PneMessage request) {
        PnInventoryRequest r = (PnInventoryRequest) request.envelope().body();
        EntityId pne = request.envelope().src();
        if (!request.link().isProtected()) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "the PN Inventory is for a PNE on a protected link");
        }
        PnRecord pn = inventory.get(r.pnId()).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_PN,
                "no PN " + Strings.printable(r.pnId()) + " on this PN GW"));
        if (!pn.hasMember(pne.value())) {
            throw new CpnsException(ErrorCode.FORBIDDEN, pne + " is not a member of PN " + Strings.printable(r.pnId()));
        }
        List<PnMember> members = members(Optional.of(pn));
        if (r.from() < 0 || r.from() > members.size()) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "PN Inventory of " + r.pnId() + " has " + members.size()
                    + " members; no page from " + r.from());
        }
        return new PnInventoryPage(r.pnId(), r.from(), members.size(),
                members.subList(r.from(), Math.min(members.size(), r.from() + pageSize)));
    }

    /**
     * Relay, PNE to Server end to end: a member's own message, routed by PN ID.
     *
     * @param link the link to the Server, or {@code null} while gw-link is away ({@code UNAVAILABLE})
     */
    CompletionStage<Message> relay(PneMessage request, ServerLink link, Duration timeout) {
        Relay r = (Relay) request.envelope().body();
        EntityId pne = request.envelope().src();
        if (!request.link().isProtected()) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "relay needs a protected PNE link");
        }
        PnRecord pn = inventory.get(r.pnId()).orElse(null);
        if (pn == null) {
            throw new CpnsException(ErrorCode.UNKNOWN_PN, "relayed message dropped: no PN " + Strings.printable(r.pnId()) + " on this PN GW");
        }
        if (!pn.hasMember(pne.value()) || !codec.decode(r.envelope()).src().equals(pne)) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "relayed message dropped: " + pne + " is not a member of PN "
                    + Strings.printable(r.pnId()) + ", or the message is not its own");
        }
        if (link == null) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "no server link on this PN GW");
        }
        return link.request(new Relay(r.pnId(), r.envelope()), timeout).thenApply(m -> (RelayResponse) m);
    }
}
