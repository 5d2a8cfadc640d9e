package io.cpns.pan.spi;

/**
 * Which protections a link gives every CPNS message: authenticity, integrity, confidentiality
 * (TS §5.3.3.1, seed 004 step 1 condition ii).
 */
public record PanSecurity(boolean authenticity, boolean integrity, boolean confidentiality) {
    public static final PanSecurity NONE = new PanSecurity(false, false, false);
    public static final PanSecurity FULL = new PanSecurity(true, true, true);

    /** All three: the spec's "sufficient" PAN security, no PNE-GW secure session needed. */
    public boolean sufficient() {
        return authenticity && integrity && confidentiality;
    }

    @Override
    public String toString() {
        return sufficient() ? "secure" : (authenticity || integrity || confidentiality)
                ? "partial(" + (authenticity ? "A" : "") + (integrity ? "I" : "") + (confidentiality ? "C" : "") + ")" : "none";
    }
}
