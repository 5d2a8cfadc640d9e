package io.cpns.pan.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cpns.pan.spi.PanSecurity;
import io.cpns.testkit.Configs;
import io.cpns.testkit.TestLogger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link SerialPanAdapter} configuration (no port is opened: the adapter is not started). */
class SerialPanAdapterTest {
    private static SerialPanAdapter adapter(Map<String, Object> config) {
        return new SerialPanAdapter(Configs.of(SerialPanAdapter.Config.class, config), new TestLogger("pan-serial").logger());
    }

    @Test
    void ports_fromAnArrayOrCommaSeparated_trimmedAndDeduplicated() {
        SerialPanAdapter a = adapter(Map.of("ports", new String[] {" /dev/ttyS1, /dev/ttyUSB0 ", "/dev/ttyS1", " "}));
        assertEquals(List.of("/dev/ttyS1", "/dev/ttyUSB0"), a.addresses());
    }

    @Test
    void security_isNoneUnlessDeclaredSecure() {
        assertEquals(PanSecurity.NONE, adapter(Map.of()).security());
        assertEquals(PanSecurity.FULL, adapter(Map.of("secure", true)).security());
        assertEquals("serial", adapter(Map.of()).id());
    }

    @Test
    void modified_beforeStart_onlyChangesTheConfiguration() {
        SerialPanAdapter a = adapter(Map.of("ports", new String[] {"/dev/ttyS1"}));
        a.modified(Configs.of(SerialPanAdapter.Config.class, Map.of("ports", new String[] {"/dev/ttyS2"}, "maxFrameBytes", 4096)));
        assertEquals(List.of("/dev/ttyS2"), a.addresses());
        assertEquals(4096, a.maxFrameBytes());
    }
}
