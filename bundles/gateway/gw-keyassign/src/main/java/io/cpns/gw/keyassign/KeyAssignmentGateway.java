package io.cpns.gw.keyassign;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.FaultPoints;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.gateway.GatewayEnrolment;
import io.cpns.api.gateway.KeyAssignmentService;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.PneRequestHandler;
import io.cpns.api.gateway.PreAssignedKeys;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.KaInstallRequest;
import io.cpns.api.message.KaRegisterRequest;
import io.cpns.api.message.KaRequest;
import io.cpns.api.message.KaTrigger;
import io.cpns.api.message.Message;
import io.cpns.api.message.MessageType;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.KeyAssignmentCrypto;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The PN GW's part of Key Assignment for PNEs without UI (seed 001 §7.x.2): it sends the user's
 * ID and password to the Server (encrypted with PSK1, its EUKey) and to the PNE (with PSK2, the
 * PNE's pre-assigned key), triggers the assignment, and relays the PNE's request to the Server
 * and the answer back. It keeps no password: each call gets it from the user and wipes it.
 */
@Component(configurationPid = "cpns.gw.keyassign", service = {KeyAssignmentService.class, KeyAssignmentGateway.class, PneRequestHandler.class},
        immediate = true, property = PneRequestHandler.TYPE + "=ka.req")
@Designate(ocd = KeyAssignmentGateway.Config.class)
public class KeyAssignmentGateway implements KeyAssignmentService, PneRequestHandler {
    @ObjectClassDefinition(name = "CPNS PN GW Key Assignment (PNEs without UI)", description = "Seed 001 §7.x.2 at the PN GW.")
    public @interface Config {
        @AttributeDefinition(description = "Crypto suite of the ID & Password Installation and the Trigger: modern-v1 or legacy-v1; "
                + "legacy-v1 works only where the Server accepts it (cpns.server.keyassign suites, off by default)")
        String suite() default "modern-v1";

        @AttributeDefinition(description = "The Server, or a PNE, answers within this long (ms); a trigger waits for the whole assignment")
        int timeoutMillis() default 20000;
    }

    private final GatewayEnrolment enrolment;
    private final PreAssignedKeys preAssigned;
    private final Logger log;
    private final String suite;
    private final Duration timeout;

    // optional and dynamic: an update of gw-link or gw-pan must not take this service down
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServerLink server;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile PneMessenger pnes;

    @Activate
    public KeyAssignmentGateway(@Reference(name = "enrolment") GatewayEnrolment enrolment,
                                @Reference(name = "preAssigned") PreAssignedKeys preAssigned,
                                @Reference(name = "log", service = LoggerFactory.class) Logger log, Config config) {
        this.enrolment = enrolment;
        this.preAssigned = preAssigned;
        this.log = log;
        this.suite = Suites.byName(config.suite()).name(); // UNSUPPORTED_SUITE refuses the configuration
        this.timeout = Duration.ofMillis(config.timeoutMillis());
    }

    @Override
    public CompletionStage<Void> register(String userId, char[] password, Map<String, String> subscription) {
        return attempt("registration of " + userId, userId + " registered with the CPNS Server", () -> {
            try {
                byte[] nonce = Randoms.bytes(12);
                return server().request(new KaRegisterRequest(userId, nonce, enrolment.encryptWithPsk1(nonce, userId, password), subscription),
                        timeout);
            } finally {
                Bytes.wipe(password);
            }
        });
    }

    @Override
    public CompletionStage<Void> install(String pneId, String userId, char[] password) {
        return attempt("installation on PNE " + pneId, "ID of " + userId + " installed on PNE " + pneId, () -> {
            byte[] psk2 = null;
            try {
                protectedLink(pneId);
                psk2 = preAssigned.get(pneId).orElseThrow(() -> new CpnsException(ErrorCode.FORBIDDEN,
                        "no pre-assigned key (PSK2) for " + pneId + ": set one first"));
                byte[] nonce = Randoms.bytes(12);
                return pnes().request(EntityId.of(pneId), new KaInstallRequest(userId, suite, nonce,
                        KeyAssignmentCrypto.encryptPassword(psk2, KeyAssignmentCrypto.PSK2, nonce, pneId, userId, password)), timeout);
            } finally {
                Bytes.wipe(psk2);
                Bytes.wipe(password);
            }
        });
    }

    @Override
    public CompletionStage<Void> trigger(String pneId, String userId, char[] password) {
        return attempt("trigger of PNE " + pneId, "PNE " + pneId + " of " + userId + " holds its EUKey", () -> {
            byte[] hpw = null;
            try {
                protectedLink(pneId);
                KeyAssignmentCrypto crypto = KeyAssignmentCrypto.of(Suites.byName(suite));
                hpw = crypto.passwordHash(userId, password);
                byte[] nonce = Randoms.bytes(crypto.randLength());
                long time = Instant.now().getEpochSecond();
                KaTrigger t = new KaTrigger(userId, nonce, time, crypto.triggerAuth(hpw, userId, nonce, time));
                return pnes().request(EntityId.of(pneId), t, timeout.multipliedBy(2)) // the PNE waits for the Server in between
                        .thenApply(m -> {
                            FaultPoints.reach("keyassign.triggered"); // the PNE answered: it holds its EUKey, unconfirmed (D18)
                            return m;
                        });
            } finally {
                Bytes.wipe(hpw);
                Bytes.wipe(password);
            }
        });
    }

    /**
     * The wire entry point of this flow (PneRequestHandler, on the PNE link's reader thread):
     * {@code ka.req} from a PNE (seed 001 §7.x.2.3.2: "the PN GW SHALL relay"), on a protected link only.
     */
    @Override
    public CompletionStage<Message> handle(PneMessage request) {
        if (request.envelope().type() != MessageType.KA_REQUEST) {
            throw Failures.unavailable(request.envelope().type(), "this PN GW");
        }
        if (!request.link().isProtected()) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "a Key Assignment Request travels only on a protected link");
        }
        return relay(request);
    }

    /** {@code ka.req} from a PNE: relayed to the Server in this PN GW's session, with the link's PNE as {@code pneId}. */
    CompletionStage<Message> relay(PneMessage request) {
        KaRequest r = (KaRequest) request.envelope().body();
        String pne = request.link().pneId();
        return server().request(new KaRequest(pne, r.userId(), r.suite(), r.randPne(), r.time(), r.auth()), timeout).thenApply(m -> {
            FaultPoints.reach("keyassign.answered"); // the Server assigned the EUKey; the PNE does not have it yet
            return m;
        }).whenComplete((m, x) -> {
            if (x != null) {
                Throwable why = Failures.cause(x);
                log.warn("Key Assignment Request of PNE {} refused by the Server: {}", pne, why.getMessage());
            }
        });
    }

    /**
     * Runs one step and logs its outcome: success, or the failure's code and text (never a password
     * or key). A refusal before anything was sent becomes the stage's failure too.
     */
    private CompletionStage<Void> attempt(String what, String done, Supplier<CompletionStage<?>> step) {
        CompletionStage<?> stage;
        try {
            stage = step.get();
        } catch (CpnsException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.handle((m, x) -> {
            if (x == null) {
                log.info("Key Assignment: {}", done);
                return null;
            }
            Throwable why = Failures.cause(x);
            log.warn("Key Assignment: {} failed: {}", what, why instanceof CpnsException c ? c.code() + " " + c.getMessage() : why);
            throw new CompletionException(why);
        });
    }

    private void protectedLink(String pneId) {
        PneLink l = pnes().link(EntityId.of(pneId)).orElseThrow(() -> new CpnsException(ErrorCode.UNAVAILABLE, "PNE " + pneId + " is not linked"));
        if (!l.isProtected()) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "the link of " + pneId + " is not protected (pre-assigned key or secure PAN)");
        }
    }

    private ServerLink server() {
        ServerLink s = server;
        if (s == null) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "no link to the CPNS Server");
        }
        return s;
    }

    private PneMessenger pnes() {
        PneMessenger p = pnes;
        if (p == null) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "no PAN links (gw-pan)");
        }
        return p;
    }
}
