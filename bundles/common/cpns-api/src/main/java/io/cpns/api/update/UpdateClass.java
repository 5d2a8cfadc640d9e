package io.cpns.api.update;

/**
 * How a bundle of a release is applied on the gateway (docs/updates.md §4).
 */
public enum UpdateClass {
    /** Swapped in the running framework ({@code Bundle.update}, one refresh for the set): flow bundles, PAN adapters. */
    HOT,
    /**
     * Applied by a controlled restart of the gateway's framework: bundles whose classes or state
     * everything else holds (crypto, session, key store, Bouncy Castle, the runtime feature, the
     * embedded broker). A release with any such bundle, or whose hot bundles' refresh closure
     * reaches one, is applied as a whole by a restart.
     */
    RESTART
}
