package io.cpns.log.console;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.osgi.service.log.LogLevel;

class LogConsoleTest {
    @Test
    void infoThreshold_showsErrorsWarningsAndInfo_notDebug() {
        assertTrue(LogConsole.shown(LogLevel.INFO, LogLevel.ERROR, "io.cpns.x"));
        assertTrue(LogConsole.shown(LogLevel.INFO, LogLevel.WARN, "io.cpns.x"));
        assertTrue(LogConsole.shown(LogLevel.INFO, LogLevel.INFO, "io.cpns.x"));
        assertFalse(LogConsole.shown(LogLevel.INFO, LogLevel.DEBUG, "io.cpns.x"));
    }

    @Test
    void warnThreshold_hidesInfo() {
        assertTrue(LogConsole.shown(LogLevel.WARN, LogLevel.ERROR, null));
        assertFalse(LogConsole.shown(LogLevel.WARN, LogLevel.INFO, null));
    }

    @Test
    void frameworkEvents_onlyWhenSomethingWentWrong() {
        assertFalse(LogConsole.shown(LogLevel.DEBUG, LogLevel.INFO, "Events.Bundle"));
        assertTrue(LogConsole.shown(LogLevel.INFO, LogLevel.WARN, "Events.Service"));
    }
}
