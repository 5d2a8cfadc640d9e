package io.cpns.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {
    @Test
    void cpnsDataWins_thenKarafData_thenData() {
        assertEquals(Path.of("/srv/cpns"), DataDirectory.of(Map.of("cpns.data", "/srv/cpns", "karaf.data", "/opt/karaf/data")::get));
        assertEquals(Path.of("/opt/karaf/data", "cpns"), DataDirectory.of(Map.of("karaf.data", "/opt/karaf/data")::get));
        assertEquals(Path.of("/opt/karaf/data", "cpns"), DataDirectory.of(Map.of("cpns.data", " ", "karaf.data", "/opt/karaf/data")::get));
        assertEquals(Path.of("data"), DataDirectory.of(Map.<String, String>of()::get));
    }

    @Test
    void operatorCa_isTheOperatorsCopy_elseTheColocatedServersDevelopmentCa(@TempDir Path data) throws Exception {
        Path own = data.resolve("operator-ca.pem");
        Path colocated = data.resolve("pki").resolve("operator-ca.pem");
        assertEquals(own, DataDirectory.operatorCa(data), "neither exists: the documented default, named in the error");
        Files.createDirectories(colocated.getParent());
        Files.writeString(colocated, "server's");
        assertEquals(colocated, DataDirectory.operatorCa(data));
        Files.writeString(own, "operator's");
        assertEquals(own, DataDirectory.operatorCa(data));
    }
}
