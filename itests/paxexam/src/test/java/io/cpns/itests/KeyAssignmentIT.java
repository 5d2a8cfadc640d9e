package io.cpns.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.UserId;
import io.cpns.api.gateway.KeyAssignmentService;
import io.cpns.api.gateway.PreAssignedKeys;
import io.cpns.api.message.SetupType;
import io.cpns.api.server.EntityRegistry;
import io.cpns.crypto.Randoms;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.pne.PnState;
import io.cpns.pne.PneClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
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
 * Key Assignment for a PNE without UI, end to end (seed 001 §7.x.2): a real CPNS Server and PN GW
 * in this framework, a simulated UI-less PNE (the PNE SDK) on the IP PAN with its pre-assigned key
 * (PSK2, seed 004 R01). The user's part goes through the exported {@link KeyAssignmentService}, as
 * the set-top box's UI would call it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class KeyAssignmentIT extends PnTestBase {
    @Configuration
    public Option[] config() {
        return CpnsOptions.boot("keyassign", configs(Map.of()), "runtime", "core", "server", "gateway", "pne");
    }

    KeyAssignmentService service() {
        return osgi.service(KeyAssignmentService.class);
    }

    /** A PNE without UI, with its factory key set on both sides, connected over PSK-TLS: PSK2 of step 0. */
    PneClient uiLessPne(String id) throws Exception {
        byte[] pak = Randoms.bytes(32);
        EncryptedFileStore flash = store(id);
        flash.put(PneClient.PRE_ASSIGNED, pak);
        osgi.service(PreAssignedKeys.class).set(id, pak);
        PneClient p = pne(config(id).withUi(false), ip(), flash);
        p.connect(EntityId.of(GATEWAY));
        assertTrue(p.secured());
        Osgi.eventually(id + " linked", () -> osgi.service(io.cpns.api.gateway.PneMessenger.class).link(EntityId.of(id)).isPresent(), () -> "");
        return p;
    }

    static ErrorCode failure(java.util.concurrent.CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return ((CpnsException) e.getCause()).code();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("succeeded");
    }

    static void done(java.util.concurrent.CompletionStage<?> stage) throws Exception {
        stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Steps 1-3: Subscription & Registration; a wrong password registers nothing. */
    @Test
    public void k01_subscriptionAndRegistration_thePasswordMustBeTheUsers() throws Exception {
        long sessions = osgi.service(io.cpns.api.gateway.ServerLink.class).status().sessions();
        assertEquals(ErrorCode.AUTH_FAILED, failure(service().register(USER, "not-it".toCharArray(), Map.of())));
        done(service().register(USER, PASSWORD.toCharArray(), Map.of("plan", "home")));
        assertEquals("a refusal on the user's behalf leaves the PN GW's session up", sessions,
                osgi.service(io.cpns.api.gateway.ServerLink.class).status().sessions());
    }

    /** Steps 4-14, then the PNE joins a PN with its new EUKey. */
    @Test
    public void k02_installTriggerAssign_theUiLessPneGetsItsEuKey_andJoinsAPn() throws Exception {
        PneClient sensor = uiLessPne("pne-ka-sensor");
        assertFalse(sensor.hasEuKey());
        done(service().install("pne-ka-sensor", USER, PASSWORD.toCharArray()));
        assertTrue(sensor.keyAssignmentInstalled(USER));

        done(service().trigger("pne-ka-sensor", USER, PASSWORD.toCharArray()));
        assertTrue(sensor.hasEuKey());
        assertEquals(UserId.of(USER), osgi.service(EntityRegistry.class).find(EntityId.of("pne-ka-sensor")).orElseThrow().owner());
        assertArrayEquals("the PNE holds the EUKey the Server assigned", osgi.service(EntityRegistry.class).euKey(EntityId.of("pne-ka-sensor"))
                .orElseThrow(), store("pne-ka-sensor").get(PneClient.EUKEY).orElseThrow());

        PnState pn = sensor.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertTrue("the Server authenticated it with the new EUKey", pn.serverAuthenticated());
        assertEquals(ErrorCode.ALREADY_ASSIGNED, failure(service().trigger("pne-ka-sensor", USER, PASSWORD.toCharArray())));
    }

    /** The negative cases through the real gateway and Server: each its own code, and no key handed out. */
    @Test
    public void k03_wrongPasswordAtTheTrigger_noPreAssignedKey_unknownPne() throws Exception {
        PneClient plug = uiLessPne("pne-ka-plug");
        done(service().install("pne-ka-plug", USER, PASSWORD.toCharArray()));
        assertEquals("the PNE finds the trigger is not its user's", ErrorCode.AUTH_FAILED,
                failure(service().trigger("pne-ka-plug", USER, "guess".toCharArray())));
        assertFalse(plug.hasEuKey());

        // installed with an old password: the PNE accepts its own trigger, the Server refuses the request
        done(service().install("pne-ka-plug", USER, "an-old-password".toCharArray()));
        assertEquals(ErrorCode.AUTH_FAILED, failure(service().trigger("pne-ka-plug", USER, "an-old-password".toCharArray())));
        assertFalse(plug.hasEuKey());
        osgi.service(PreAssignedKeys.class).remove("pne-ka-plug");
        assertEquals(ErrorCode.FORBIDDEN, failure(service().install("pne-ka-plug", USER, PASSWORD.toCharArray())));
        assertEquals(ErrorCode.UNAVAILABLE, failure(service().trigger("pne-nowhere", USER, PASSWORD.toCharArray())));
        assertFalse(osgi.service(EntityRegistry.class).find(EntityId.of("pne-ka-plug")).isPresent());
    }

    /**
     * The Gogo commands read the password without echo or from an owner-only file only: with no
     * terminal they refuse rather than read it in the clear, a password given as an argument is
     * refused without being repeated, and a file others may read is refused (issue 14 §2).
     */
    @Test
    public void k04_gogoCommands_readThePasswordWithoutEcho_orFromAnOwnerOnlyFile() throws Exception {
        for (String command : List.of("gw:onboard pne-ka-any " + USER, "gw:karegister " + USER + " plan=home")) {
            try {
                osgi.shell(command);
                throw new AssertionError(command + " ran without a console");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("no terminal to read a password from without echo"));
                assertTrue(e.getMessage(), e.getMessage().contains("--password-file"));
            }
        }
        for (String command : List.of("gw:onboard pne-ka-any " + USER + " arg-Secret-1", "gw:karegister " + USER + " arg-Secret-1",
                "gw:assign " + USER + " arg-Secret-1")) {
            try {
                osgi.shell(command);
                throw new AssertionError(command + " took a password argument");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("a password is never taken as a command argument"));
                assertFalse(e.getMessage(), e.getMessage().contains("arg-Secret-1"));
            }
        }
        java.nio.file.Path shared = java.nio.file.Files.createTempFile("pw", ".txt");
        try {
            java.nio.file.Files.writeString(shared, PASSWORD + "\n");
            java.nio.file.Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            try {
                osgi.shell("gw:onboard --password-file " + shared + " pne-ka-any " + USER);
                throw new AssertionError("a password file others may read was used");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("chmod 600"));
            }
        } finally {
            java.nio.file.Files.delete(shared);
        }
    }

    /**
     * Every CPNS command of the PN GW and the Server registered in this Felix (found by its
     * osgi.command properties, so a new one is checked too) answers {@code --help} with its usage:
     * Apache Karaf's {@code help <command>} runs exactly that (issue 14 §2).
     */
    @Test
    public void k04b_everyCommand_answersHelpWithItsUsage() throws Exception {
        int checked = 0;
        for (org.osgi.framework.ServiceReference<?> ref : ctx.getAllServiceReferences(null, "(osgi.command.scope=*)")) {
            String scope = String.valueOf(ref.getProperty("osgi.command.scope"));
            if (!List.of("gw", "server", "cpns").contains(scope)) {
                continue;
            }
            Object functions = ref.getProperty("osgi.command.function");
            for (String f : functions instanceof String[] a ? a : new String[] {String.valueOf(functions)}) {
                String help = osgi.shell(scope + ":" + f + " --help");
                assertTrue(scope + ":" + f + ": " + help, help.startsWith(scope + ":" + f));
                checked++;
            }
        }
        assertTrue("only " + checked + " commands", checked >= 50); // 56 in this set today
        System.out.println("[KeyAssignmentIT] --help answered by " + checked + " commands");
    }

    /** A PNE (or whatever sits on its link) replays a request, or sends a stale one: the Server's refusal comes back through the PN GW. */
    @Test
    public void k05_staleAndReplayedRequests_throughTheRealPnGw() throws Exception {
        PneClient probe = uiLessPne("pne-ka-probe");
        io.cpns.crypto.KeyAssignmentCrypto c = io.cpns.crypto.KeyAssignmentCrypto.of(io.cpns.crypto.Suites.modern());
        byte[] hpw = c.passwordHash(USER, PASSWORD.toCharArray());
        long now = java.time.Instant.now().getEpochSecond();
        byte[] old = Randoms.bytes(32);
        io.cpns.api.message.KaRequest stale = new io.cpns.api.message.KaRequest("", USER, "modern-v1", old, now - 1000,
                c.requestAuth(hpw, USER, old, now - 1000));
        assertEquals(ErrorCode.STALE_TIME, failure(probe.request(stale, java.time.Duration.ofSeconds(10))));

        byte[] fresh = Randoms.bytes(32);
        io.cpns.api.message.KaRequest once = new io.cpns.api.message.KaRequest("", USER, "modern-v1", fresh, now,
                c.requestAuth(hpw, USER, fresh, now));
        done(probe.request(once, java.time.Duration.ofSeconds(10)));
        assertEquals(ErrorCode.REPLAY, failure(probe.request(once, java.time.Duration.ofSeconds(10))));
        assertTrue("the PNE's link stays up", probe.connected());
    }

    /** Issue 12 §6: legacy-v1 is off by default on the Server; a legacy-v1 request is refused by type through the real PN GW. */
    @Test
    public void k06_legacyV1_offByDefault_aLegacyRequestIsUnsupportedSuite() throws Exception {
        PneClient probe = uiLessPne("pne-ka-legacy");
        io.cpns.crypto.KeyAssignmentCrypto c = io.cpns.crypto.KeyAssignmentCrypto.of(io.cpns.crypto.Suites.legacy());
        byte[] hpw = c.passwordHash(USER, PASSWORD.toCharArray());
        long now = java.time.Instant.now().getEpochSecond();
        byte[] rand = Randoms.bytes(32);
        io.cpns.api.message.KaRequest legacy = new io.cpns.api.message.KaRequest("", USER, "legacy-v1", rand, now,
                c.requestAuth(hpw, USER, rand, now));
        assertEquals(ErrorCode.UNSUPPORTED_SUITE, failure(probe.request(legacy, java.time.Duration.ofSeconds(10))));
        assertTrue("the PNE's link stays up", probe.connected());
    }
}
