package io.cpns.session.tls;

/** Finds the PSK for a TLS PSK identity (an Entity ID). */
@FunctionalInterface
public interface PskLookup {
    /** @return a copy of the key (the TLS layer wipes it), or {@code null} for an unknown identity */
    byte[] lookup(String identity);
}
