package io.cpns.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandsTest {
    @Test
    void findsAShellOnEveryPosixSystem_andNotWhatIsNotThere() {
        assertTrue(Commands.installed("sh"));
        assertFalse(Commands.installed("cpns-no-such-command-" + ProcessHandle.current().pid()));
    }

    @Test
    void theSkipReason_namesTheDebianPackages() {
        assertEquals("socat is not installed (apt-get install socat)", Commands.reason(List.of("socat")));
        assertEquals("mosquitto, mosquitto_ctrl are not installed (apt-get install mosquitto mosquitto-clients)",
                Commands.reason(List.of("mosquitto", "mosquitto_ctrl")));
        assertEquals("bsdutils", Commands.debianPackage("script"));
    }

    @Test
    void aCommandWithoutAKnownPackage_isTheTestsMistake() {
        assertThrows(IllegalArgumentException.class, () -> Commands.missing("sh"));
    }
}
