package io.cpns.server.keyassign;

import io.cpns.api.dispatch.Failures;
import io.cpns.api.message.Ack;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.KaRegisterRequest;
import io.cpns.api.message.KaRequest;
import io.cpns.api.message.KaResponse;
import io.cpns.api.message.Message;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import io.cpns.api.server.UserRegistry;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.AtRestSealer;
import io.cpns.crypto.Suites;
import io.cpns.server.store.KeyAssignmentStore;
import java.time.Clock;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Key Assignment for PNEs without UI on the Server (seed 001 §7.x.2), configured through Config Admin. */
@Component(configurationPid = "cpns.server.keyassign", service = {KeyAssignmentServer.class, RequestHandler.class}, immediate = true,
        property = {RequestHandler.TYPE + "=ka.register.req", RequestHandler.TYPE + "=ka.req"})
@Designate(ocd = KeyAssignmentServer.Config.class)
public class KeyAssignmentServer implements RequestHandler {
    @ObjectClassDefinition(name = "CPNS Server Key Assignment (PNEs without UI)",
            description = "Subscription & Registration and Key Assignment Requests relayed by PN GWs (seed 001).")
    public @interface Config {
        @AttributeDefinition(description = "A Key Assignment Request's Time may differ from the Server's clock by this much (s); "
                + "its RANDPNE is remembered as long")
        int timeWindowSeconds() default 300;

        @AttributeDefinition(description = "Crypto suites accepted; a registration stores the password hash of each. "
                + "Add legacy-v1 (the seed's SHA-1) only for PNEs that cannot do modern-v1: it stores an unsalted SHA-1 of "
                + "each registering user's password (docs/security.md). Hashes of a suite removed here are deleted at start")
        String[] suites() default {"modern-v1"};
    }

    private final KeyAssignment keyAssignment;
    private final AtRestSealer sealer;

    /** The wire entry points of this flow (RequestHandler, on the PN GW's session thread). */
    @Override
    public Message handle(Principal from, Envelope request) {
        return switch (request.type()) {
            case KA_REGISTER_REQUEST -> {
                register(from, (KaRegisterRequest) request.body());
                yield new Ack();
            }
            case KA_REQUEST -> assign(from, (KaRequest) request.body());
            default -> throw Failures.unavailable(request.type(), "this server");
        };
    }

    @Activate
    public KeyAssignmentServer(@Reference(name = "store") KeyAssignmentStore store, @Reference(name = "users") UserRegistry users,
                               @Reference(name = "entities") EntityRegistry entities, @Reference(name = "secrets") SecretStore secrets,
                               @Reference(name = "log", service = LoggerFactory.class) Logger log, Config config) {
        for (String s : config.suites()) {
            Suites.byName(s); // UNSUPPORTED_SUITE for a name no suite has: the configuration is refused
        }
        if (config.timeWindowSeconds() <= 0) {
            throw new IllegalArgumentException("timeWindowSeconds must be positive");
        }
        // Issue 12 §6: a hash the Server no longer uses is not kept (e.g. the SHA-1 of legacy-v1 after it is turned off)
        int deleted = store.deletePasswordHashesExcept(Set.of(config.suites()));
        if (deleted > 0) {
            log.info("Key Assignment: {} stored password hashes of suites no longer accepted deleted (accepted: {})", deleted,
                    Set.of(config.suites()));
        }
        this.sealer = AtRestSealer.of(secrets, KeyAssignment.ALIAS);
        this.keyAssignment = new KeyAssignment(store, users, entities, sealer, log, Clock.systemUTC(), config.timeWindowSeconds(),
                Set.of(config.suites()));
    }

    @Deactivate
    void deactivate() {
        sealer.close();
    }

    void register(Principal from, KaRegisterRequest r) {
        keyAssignment.register(from, r);
    }

    KaResponse assign(Principal from, KaRequest r) {
        return keyAssignment.assign(from, r);
    }
}
