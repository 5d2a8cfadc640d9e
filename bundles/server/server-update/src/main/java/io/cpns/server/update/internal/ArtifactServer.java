package io.cpns.server.update.internal;

import io.cpns.api.file.AtomicFile;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.pki.DevPki;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Dictionary;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The HTTPS artifact endpoint (docs/updates.md §3, D69): its own Jetty of Felix HTTP
 * Jetty (factory configuration {@code org.apache.felix.http~cpns-artifacts}, HTTPS only, on its
 * own address) with the Server's certificate from the operator CA, and {@link ArtifactServlet} on
 * the Servlet Whiteboard at {@code /cpns/releases/*}. Downloads need no authentication: every
 * byte is checked on the gateway against the signed manifest, and nothing secret is served.
 */
@Component(configurationPid = "cpns.server.artifacts", service = ArtifactEndpoint.class, immediate = true)
@Designate(ocd = ArtifactServer.Config.class)
public class ArtifactServer implements ArtifactEndpoint {
    @ObjectClassDefinition(name = "CPNS Server artifact endpoint", description = "Where PN GWs download the jars of published releases (HTTPS).")
    public @interface Config {
        @AttributeDefinition(description = "Address to listen on")
        String host() default "127.0.0.1";

        @AttributeDefinition(description = "TCP port (0 = any free port)")
        int port() default 7444;

        @AttributeDefinition(description = "Host name in the URLs given to gateways: a name the certificate is issued for. "
                + "Empty = the serverName of cpns.server.endpoint's development certificate, localhost")
        String serverName() default "localhost";

        @AttributeDefinition(description = "PEM certificate chain (leaf first), the same as cpns.server.endpoint's certificateFile. "
                + "Empty = the development certificate the endpoint generated in ${cpns.data}/pki")
        String certificateFile() default "";

        @AttributeDefinition(description = "PEM PKCS#8 EC private key matching certificateFile")
        String privateKeyFile() default "";

        @AttributeDefinition(description = "Most threads serving downloads at once")
        int maxThreads() default 32;
    }

    /** Felix HTTP Jetty's factory PID, and the name of our instance (also a property of its runtime service). */
    static final String JETTY_FACTORY = "org.apache.felix.http";
    static final String INSTANCE = "cpns-artifacts";
    private static final String RUNTIME_FILTER = "(cpns.artifacts=true)";
    private static final String SERVLET_RUNTIME = "org.osgi.service.servlet.runtime.HttpServiceRuntime";

    private final BundleContext context;
    private final Logger log;
    private final String serverName;
    private final ServiceRegistration<jakarta.servlet.Servlet> servlet;
    private final UpdateComponent updates;

    @Activate
    public ArtifactServer(Config config, BundleContext context, @Reference(name = "updates") UpdateComponent updates,
                          @Reference(name = "endpoint") ServerEndpoint endpoint, @Reference(name = "configAdmin") ConfigurationAdmin cm,
                          @Reference(name = "log", service = LoggerFactory.class) Logger log) throws IOException, GeneralSecurityException {
        this.context = context;
        this.log = log;
        this.serverName = config.serverName();
        this.updates = updates;
        Path chain;
        Path key;
        if (config.certificateFile().isBlank()) {
            Path pki = endpoint.generatedOperatorCa().map(Path::getParent).orElseThrow(() -> new IllegalStateException(
                    "cpns.server.artifacts: set certificateFile and privateKeyFile (the endpoint uses a configured certificate, not the"
                            + " development one)"));
            chain = pki.resolve(DevPki.SERVER_CHAIN);
            key = pki.resolve(DevPki.SERVER_KEY);
        } else {
            chain = Path.of(config.certificateFile());
            key = Path.of(config.privateKeyFile());
        }
        Path keyStore = io.cpns.api.DataDirectory.of(context::getProperty).resolve("artifacts").resolve("https.p12").toAbsolutePath();
        char[] password = keyStorePassword(keyStore.resolveSibling("https.pass"));
        TlsKeyStore.write(TlsKeyStore.fromPem(chain, key, password), password, keyStore); // the certificate may have changed

        Dictionary<String, Object> jetty = new Hashtable<>();
        jetty.put("org.apache.felix.http.name", INSTANCE);
        jetty.put("org.apache.felix.http.runtime.init.cpns.artifacts", "true");
        jetty.put("org.apache.felix.http.enable", false);
        jetty.put("org.apache.felix.https.enable", true);
        jetty.put("org.apache.felix.http.host", config.host());
        jetty.put("org.osgi.service.http.port.secure", config.port());
        jetty.put("org.apache.felix.https.keystore", keyStore.toString());
        jetty.put("org.apache.felix.https.keystore.type", "PKCS12");
        jetty.put("org.apache.felix.https.keystore.password", new String(password));
        jetty.put("org.apache.felix.https.keystore.key.password", new String(password));
        jetty.put("org.apache.felix.https.jetty.protocols.included", "TLSv1.3,TLSv1.2");
        jetty.put("org.apache.felix.http.jetty.sendServerHeader", false);
        jetty.put("org.apache.felix.http2.enable", false);
        jetty.put("org.apache.felix.http.jetty.threadpool.max", config.maxThreads());
        Configuration c = cm.getFactoryConfiguration(JETTY_FACTORY, INSTANCE, "?");
        if (!same(c.getProperties(), jetty)) {
            c.update(jetty); // only on a change: an update restarts Jetty's instance
        }

        Dictionary<String, Object> props = new Hashtable<>();
        props.put("osgi.http.whiteboard.servlet.pattern", "/cpns/releases/*");
        props.put("osgi.http.whiteboard.servlet.name", INSTANCE);
        props.put("osgi.http.whiteboard.target", RUNTIME_FILTER);
        props.put("servlet.init.baseResource", updates.releaseDirectory().toUri().toString());
        props.put("servlet.init.dirAllowed", "false");
        props.put("servlet.init.allowAliases", "false");
        props.put("servlet.init.acceptRanges", "true");
        props.put("servlet.init.etags", "true");
        servlet = context.registerService(jakarta.servlet.Servlet.class, new ArtifactServlet(updates::lists), props);
        updates.artifactEndpoint(this);
        log.info("artifact endpoint on {}:{} (https://{}:<port>/cpns/releases/) serving {} with the certificate {}", config.host(),
                config.port(), serverName, updates.releaseDirectory(), chain);
    }

    /**
     * The key store's password: made once, then kept (Config Admin keeps Jetty's configuration
     * across restarts, and a new password would not open the file Jetty reads first). It guards
     * nothing the PEM key beside it does not: both are owner-only files in the Server's data.
     */
    private static char[] keyStorePassword(Path file) throws IOException {
        if (java.nio.file.Files.isRegularFile(file)) {
            return java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.US_ASCII).trim().toCharArray();
        }
        byte[] raw = new byte[24];
        new SecureRandom().nextBytes(raw);
        String pw = Base64.getEncoder().encodeToString(raw);
        java.nio.file.Files.createDirectories(file.getParent());
        AtomicFile.deleteLeftovers(file); // made once, by this component only
        AtomicFile.write(file, pw.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return pw.toCharArray();
    }

    private static boolean same(Dictionary<String, Object> stored, Dictionary<String, Object> wanted) {
        if (stored == null) {
            return false;
        }
        for (java.util.Enumeration<String> keys = wanted.keys(); keys.hasMoreElements(); ) {
            String k = keys.nextElement();
            if (!String.valueOf(wanted.get(k)).equals(String.valueOf(stored.get(k)))) {
                return false;
            }
        }
        return true;
    }

    @Deactivate
    void deactivate() {
        updates.artifactEndpoint(null);
        servlet.unregister();
    }

    /** {@code https://serverName:port/cpns/releases/} with the port Jetty bound; null until it has. */
    @Override
    public String baseUrl() {
        try {
            ServiceReference<?>[] refs = context.getServiceReferences(SERVLET_RUNTIME, RUNTIME_FILTER);
            if (refs == null) {
                return null;
            }
            for (ServiceReference<?> r : refs) {
                Object ep = r.getProperty("osgi.http.endpoint");
                for (String url : ep instanceof String[] a ? a : ep instanceof java.util.Collection<?> col
                        ? col.stream().map(String::valueOf).toArray(String[]::new) : new String[] {String.valueOf(ep)}) {
                    java.net.URI u = java.net.URI.create(url);
                    if ("https".equals(u.getScheme()) && u.getPort() > 0) {
                        return "https://" + serverName + ":" + u.getPort() + "/cpns/releases/";
                    }
                }
            }
        } catch (InvalidSyntaxException | IllegalArgumentException e) {
            log.warn("artifact endpoint address unreadable: {}", e.toString());
        }
        return null;
    }
}
