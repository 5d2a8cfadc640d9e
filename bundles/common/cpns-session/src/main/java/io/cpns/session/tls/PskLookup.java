package io.cpns.session.tls;

import org.osgi.annotation.versioning.ConsumerType;

/** Finds the PSK for a TLS PSK identity (an Entity ID). */
@FunctionalInterface
@ConsumerType
public interface PskLookup {
    /** @return a copy of the key (the TLS layer wipes it), or {@code null} for an unknown identity */
    byte[] lookup(String identity);
}
