package io.cpns.server.update.internal;

/** Where gateways download the jars of published releases (the HTTPS artifact endpoint), as a service of this bundle. */
public interface ArtifactEndpoint {
    /** {@code https://host:port/cpns/releases/}: a jar is at {@code baseUrl() + releaseSeq + "/" + file}. */
    String baseUrl();
}
