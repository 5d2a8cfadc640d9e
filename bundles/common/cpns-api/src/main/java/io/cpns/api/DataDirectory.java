package io.cpns.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Where a CPNS bundle keeps its files, the same in every runtime: framework property {@code cpns.data}
 * (our launcher sets it), else {@code ${karaf.data}/cpns} in Apache Karaf, else {@code data} for a bare
 * framework that sets neither. Without the Karaf rule a Karaf install wrote into {@code data/} under
 * whatever directory Karaf was started from (issue 14 §2).
 */
public final class DataDirectory {
    /** The framework property our launcher sets. */
    public static final String CPNS_DATA = "cpns.data";
    /** The framework property Apache Karaf sets to its data directory. */
    public static final String KARAF_DATA = "karaf.data";
    /** The operator CA file name, both the gateway's and the one a Server's development PKI writes. */
    public static final String OPERATOR_CA = "operator-ca.pem";

    private DataDirectory() {
    }

    /** @param frameworkProperty {@code BundleContext::getProperty} */
    public static Path of(UnaryOperator<String> frameworkProperty) {
        String cpns = frameworkProperty.apply(CPNS_DATA);
        if (cpns != null && !cpns.isBlank()) {
            return Path.of(cpns);
        }
        String karaf = frameworkProperty.apply(KARAF_DATA);
        if (karaf != null && !karaf.isBlank()) {
            return Path.of(karaf, "cpns");
        }
        return Path.of("data");
    }

    /**
     * The operator CA a gateway trusts by default: {@code <data>/operator-ca.pem} (the operator's copy),
     * else, while that is absent, the development CA a Server in the same runtime generated
     * ({@code <data>/pki/operator-ca.pem}: Karaf with cpns-server and cpns-gateway installed).
     * Called when the file is read, not when configured: the Server may generate it later.
     */
    public static Path operatorCa(Path dataDir) {
        Path own = dataDir.resolve(OPERATOR_CA);
        Path colocated = dataDir.resolve("pki").resolve(OPERATOR_CA);
        return Files.exists(own) || !Files.exists(colocated) ? own : colocated;
    }
}
