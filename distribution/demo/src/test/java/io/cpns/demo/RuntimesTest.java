package io.cpns.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The API the demo's frameworks take from the class path: every cpns-api package but dispatch (it needs DS's types). */
class RuntimesTest {
    @Test
    void dispatchIsLeftOut_andCommasInsideUsesDoNotSplitAClause() {
        String header = "io.cpns.api;version=\"1.6.0\",io.cpns.api.dispatch;version=\"1.0.0\";uses:=\"io.cpns.api,"
                + "org.osgi.service.component\",io.cpns.api.gateway;version=\"2.1.0\";uses:=\"io.cpns.api,io.cpns.api.message\"";
        assertEquals(List.of("io.cpns.api;version=\"1.6.0\"", "io.cpns.api.gateway;version=\"2.1.0\";uses:=\"io.cpns.api,io.cpns.api.message\""),
                Runtimes.withoutDispatch(header));
    }
}
