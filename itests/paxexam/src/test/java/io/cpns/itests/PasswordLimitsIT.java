package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.UserId;
import io.cpns.api.gateway.KeyAssignmentService;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.UserRegistry;
import io.cpns.pne.PneClient;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Password guessing through the PN GW, the way a device on the LAN reaches the Server: a PNE's
 * bootstrap through its PN GW's tunnel, and Key Assignment registrations the PN GW relays. After
 * the free failures the user's attempts are refused {@code RATE_LIMITED} before the password is
 * checked (even the right one), the answer reaches the device, and other users are not held up.
 * The first wait is a minute here, so the test does not depend on how fast the machine is.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class PasswordLimitsIT extends PnTestBase {
    static final String VICTIM = "victor";
    static final String VICTIMS_PASSWORD = "victor-secret-9";

    @Configuration
    public Option[] config() {
        Map<String, Map<String, Object>> c = new HashMap<>(configs(Map.of()));
        c.put("cpns.server.users", Map.of("argon2MemoryKiB", 4096, "argon2Iterations", 1, "backoffInitialMillis", 60_000,
                "backoffMaxMillis", 600_000));
        return CpnsOptions.boot("passwords", c, "runtime", "core", "server", "gateway", "pne");
    }

    @Test
    public void p01_wrongPasswordsThroughTheTunnel_theUserMustWait_evenWithTheRightPassword_othersDoNot() throws Exception {
        osgi.service(UserRegistry.class).register(UserId.of(VICTIM), VICTIMS_PASSWORD.toCharArray());
        PneClient mallory = pne(config("pne-mallory"), ip());
        mallory.connect(EntityId.of(GATEWAY));
        for (int i = 0; i < 6; i++) { // five free, the sixth starts the wait
            char[] guess = ("guess-" + i).toCharArray();
            assertEquals(ErrorCode.AUTH_FAILED, expect(() -> mallory.assignEuKey(VICTIM, guess)).code());
        }
        CpnsException limited = expect(() -> mallory.assignEuKey(VICTIM, VICTIMS_PASSWORD.toCharArray()));
        assertEquals("refused before the password is checked: " + limited.getMessage(), ErrorCode.RATE_LIMITED, limited.code());
        assertFalse(mallory.hasEuKey());
        assertTrue(osgi.service(EntityRegistry.class).find(EntityId.of("pne-mallory")).isEmpty());

        PneClient tv = pne(config("pne-tv"), ip());
        tv.connect(EntityId.of(GATEWAY));
        tv.assignEuKey(USER, PASSWORD.toCharArray()); // the same PN GW (source), another user: not held up
        assertTrue(tv.hasEuKey());
    }

    @Test
    public void p02_wrongPasswordsInKeyAssignmentRegistrations_theUserMustWait_andThePnGwKeepsItsSession() throws Exception {
        KeyAssignmentService ka = osgi.service(KeyAssignmentService.class);
        long sessions = osgi.service(ServerLink.class).status().sessions();
        for (int i = 0; i < 6; i++) {
            char[] guess = ("guess-" + i).toCharArray();
            assertEquals(ErrorCode.AUTH_FAILED, failure(() -> ka.register(USER, guess, Map.of())));
        }
        assertEquals(ErrorCode.RATE_LIMITED, failure(() -> ka.register(USER, PASSWORD.toCharArray(), Map.of("plan", "home"))));
        assertEquals("refusals on the user's behalf leave the PN GW's session up", sessions,
                osgi.service(ServerLink.class).status().sessions());
    }

    private static ErrorCode failure(java.util.function.Supplier<java.util.concurrent.CompletionStage<?>> call) throws Exception {
        try {
            call.get().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return ((CpnsException) e.getCause()).code();
        }
        throw new AssertionError("succeeded");
    }
}
