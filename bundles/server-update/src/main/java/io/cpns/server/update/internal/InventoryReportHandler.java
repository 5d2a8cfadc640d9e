package io.cpns.server.update.internal;

import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.api.message.UpdateInventoryReport;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code update.inventory.report} from a PN GW: its inventory replaces the stored one; answered
 * with ack. Called on the gateway's session thread; blocks on the database only.
 */
@Component(property = RequestHandler.TYPE + "=update.inventory.report")
public class InventoryReportHandler implements RequestHandler {
    private final UpdateComponent updates;

    @Activate
    public InventoryReportHandler(@Reference(name = "updates") UpdateComponent updates) {
        this.updates = updates;
    }

    @Override
    public Message handle(Principal from, Envelope request) {
        return updates.inventoryReport(from, ((UpdateInventoryReport) request.body()).inventory());
    }
}
