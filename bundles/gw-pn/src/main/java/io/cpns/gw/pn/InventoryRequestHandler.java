package io.cpns.gw.pn;

import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneRequestHandler;
import io.cpns.api.message.Message;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code pn.inventory.req}: the pages of a PN Inventory too large for PN Setup Response or PN Establishment Notify. */
@Component(property = PneRequestHandler.TYPE + "=pn.inventory.req")
public class InventoryRequestHandler implements PneRequestHandler {
    private final PnGateway gateway;

    @Activate
    public InventoryRequestHandler(@Reference(name = "gateway") PnGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public CompletionStage<Message> handle(PneMessage request) {
        return CompletableFuture.completedFuture(gateway.inventoryPage(request));
    }
}
