package io.cpns.api;

import java.util.Optional;

/**
 * How a PNE's link to its PN GW protects CPNS messages, as the PN GW sees it ({@code PneLink.protection}
 * on the wire: {@code none}, {@code pan}, {@code session}, {@code tls}), ordered for a minimum a
 * Service Group may require (seed 003: "CPNS Server may check security level within PN").
 *
 * <p>{@link #PAN} is a PAN the operator declared secure (its own technology protects the link);
 * {@link #SESSION} and {@link #TLS} are the PNE-PN GW secure session of TS §5.3.3.1.1 keyed with the
 * LocalEUKey or pre-assigned key, in its message-level or PSK-TLS form: they rank the same.
 */
public enum LinkProtection {
    NONE("none", 0),
    PAN("pan", 1),
    SESSION("session", 2),
    TLS("tls", 2);

    private final String wire;
    private final int rank;

    LinkProtection(String wire, int rank) {
        this.wire = wire;
        this.rank = rank;
    }

    /** The name on the wire and in the database. */
    public String wire() {
        return wire;
    }

    /**
     * Whether a link so protected may carry what only a protected hop may: keys (Group Key, LocalEUKey),
     * relays to the CPNS Server, Key Assignment messages, the PN Inventory. TS §5.3.3.1: a PNE-PN GW
     * message is protected by the PN GW-PNE secure session ({@link #SESSION}, {@link #TLS}) or by a
     * secure underlying PAN ({@link #PAN}); {@link #NONE} is neither.
     */
    public boolean isProtected() {
        return this != NONE;
    }

    /**
     * TS §5.3.3.2 condition 1: the PAN itself ensures the messages' authenticity, integrity and
     * confidentiality (the only case where Group Key protection may be left out, with condition 2).
     */
    public boolean isSecurePan() {
        return this == PAN;
    }

    /** Whether this protection meets {@code minimum} ({@code tls} meets {@code session} and the reverse). */
    public boolean satisfies(LinkProtection minimum) {
        return rank >= minimum.rank;
    }

    /** The protection named {@code wire}, if it is one. */
    public static Optional<LinkProtection> of(String wire) {
        for (LinkProtection p : values()) {
            if (p.wire.equals(wire)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** @throws CpnsException {@code INVALID_ARGUMENT} if {@code wire} names no protection */
    public static LinkProtection parse(String wire) {
        return of(wire).orElseThrow(() -> new CpnsException(ErrorCode.INVALID_ARGUMENT,
                "protection must be none, pan, session or tls, not " + Strings.printable(String.valueOf(wire))));
    }
}
