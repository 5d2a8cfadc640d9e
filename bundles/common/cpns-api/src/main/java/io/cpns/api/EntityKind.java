package io.cpns.api;

/** The three kinds of CPNS Entity. */
public enum EntityKind {
    SERVER, GATEWAY, PNE
}
