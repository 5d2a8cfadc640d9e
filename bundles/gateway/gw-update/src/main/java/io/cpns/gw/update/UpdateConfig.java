package io.cpns.gw.update;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@code cpns.gw.update} (docs/operator-guide.md). */
@ObjectClassDefinition(name = "CPNS PN GW update agent",
        description = "Signed remote updates offered by the CPNS Server (docs/updates.md): download, trial, commit or roll back.")
public @interface UpdateConfig {
    @AttributeDefinition(description = "How long (s) a new set runs under watch before it is committed: its bundles ACTIVE, the"
            + " readiness report green, a round trip with the Server, the MQTT broker answering, every PNE linked before linked again")
    int trialSeconds() default 60;

    @AttributeDefinition(description = "Download attempts in a row without a byte of progress before the offer FAILED (DOWNLOAD_FAILED)")
    int downloadAttempts() default 5;

    @AttributeDefinition(description = "First wait (ms) before a download is tried again; doubles each time")
    int retryInitialMillis() default 1000;

    @AttributeDefinition(description = "Longest wait (ms) between download attempts")
    int retryMaxMillis() default 60000;

    @AttributeDefinition(description = "TCP and TLS set-up of a download (s)")
    int connectTimeoutSeconds() default 10;

    @AttributeDefinition(description = "A download that receives no byte for this long (s) is cut and resumed")
    int readTimeoutSeconds() default 30;

    @AttributeDefinition(description = "The whole download of a release must end within this long (min)")
    int downloadMinutes() default 60;

    @AttributeDefinition(description = "Space (MiB) left free on the data disk after a release's downloads and the framework's copies")
    int reserveMegabytes() default 4;

    @AttributeDefinition(description = "Bundles applied only by a restart of the framework, whatever a manifest says: symbolic"
            + " names, a trailing * matches any rest. A hot update whose refresh reaches one is applied by a restart")
    String[] restartBundles() default {"io.cpns.api", "io.cpns.codec", "io.cpns.crypto", "io.cpns.session", "io.cpns.keystore",
        "io.cpns.gw.update", "io.cpns.gw.mqtt", "io.moquette.*", "io.netty.*", "bc*", "com.fasterxml.*", "com.fazecast.*",
        "slf4j.*", "org.eclipse.paho.*", "org.apache.felix.*", "org.osgi.*"};

    @AttributeDefinition(description = "Operator CA certificate (PEM) the artifact server's certificate must chain to; empty ="
            + " the server link's (cpns.gw.link operatorCaFile, else ${cpns.data}/operator-ca.pem)")
    String operatorCaFile() default "";

    @AttributeDefinition(description = "A status the Server has not acknowledged is sent again this often (s), and after each"
            + " authentication of the link")
    int statusRetrySeconds() default 30;
}
