package io.cpns.keystore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Hashtable;
import org.junit.jupiter.api.Test;

/** Decision D113: a long-lived password in a .cfg file is a reference, never a plain value. */
class ConfigSecretTest {
    private static Hashtable<String, Object> stored(String value, boolean fromFile) {
        Hashtable<String, Object> d = new Hashtable<>();
        d.put("adminPassword", value);
        if (fromFile) {
            d.put(ConfigSecret.FILE_PROPERTY, "file:/opt/cpns/etc/gateway/config/cpns.gw.broker.cfg");
        }
        return d;
    }

    @Test
    void referenceInAFile_resolved_isTaken() {
        assertEquals("s3cret", ConfigSecret.check("cpns.gw.broker", "adminPassword", stored("$[secret:broker]", true), "s3cret"));
        assertEquals("s3cret", ConfigSecret.check("cpns.gw.broker", "adminPassword", stored("$[env:BROKER_PW]", true), "s3cret"));
    }

    @Test
    void plainValueInAFile_isRefusedWithoutRepeatingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigSecret.check("cpns.gw.broker", "adminPassword", stored("s3cret", true), "s3cret"));
        assertTrue(e.getMessage().contains("$[secret:<name>]"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"));
    }

    @Test
    void refusal_isSaidOnce() {
        java.util.List<String> said = new java.util.ArrayList<>();
        assertThrows(IllegalArgumentException.class,
                () -> ConfigSecret.check("cpns.gw.broker", "adminPassword", stored("s3cret", true), "s3cret", said::add));
        assertEquals(1, said.size());
        assertTrue(said.get(0).contains("plain password"), said.get(0));
    }

    @Test
    void unresolvedReference_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigSecret.check("cpns.gw.broker", "adminPassword", stored("$[secret:gone]", true), "$[secret:gone]"));
        assertTrue(e.getMessage().contains("$[secret:gone] is not resolved"), e.getMessage());
    }

    @Test
    void valueSetThroughTheApi_orEmpty_isTaken() {
        assertEquals("s3cret", ConfigSecret.check("cpns.gw.broker", "adminPassword", stored("s3cret", false), "s3cret"));
        assertEquals("", ConfigSecret.check("cpns.gw.broker", "adminPassword", stored("", true), ""));
        assertEquals("x", ConfigSecret.check("cpns.gw.broker", "adminPassword", null, "x"));
    }
}
