package io.cpns.lib.logback;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

class BundleConverterTest {
    /** Apache Felix Logback's names for legacy LogService entries and framework events end in the bundle's symbolic name. */
    @Test
    void eventAndLegacyLoggerNames_giveTheBundleTheyName() {
        assertEquals("gw-link", BundleConverter.column("LogService.gw-link", new Bundle[0]));
        assertEquals("io.cpns.gw.pan", BundleConverter.column("Events.Bundle.io.cpns.gw.pan", new Bundle[0]));
        assertEquals("org.apache.felix.scr", BundleConverter.column("Events.Service.org.apache.felix.scr", new Bundle[0]));
    }

    @Test
    void aLoggerNoBundleHolds_isItsOwnColumn() {
        assertEquals("h2database", BundleConverter.column("h2database", new Bundle[0]));
        assertEquals("com.zaxxer.hikari.HikariDataSource", BundleConverter.column("com.zaxxer.hikari.HikariDataSource", new Bundle[0]));
    }
}
