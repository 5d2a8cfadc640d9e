package io.cpns.api.message;

/** Type of PN Setup (seed 004 step 1). */
public enum SetupType {
    /** A PN of the initiating PNE and the PN GW only. */
    ONE_TO_ONE,
    /** A PN of every CPNS device connected to the PN GW. */
    ALL,
    /** A PN of the listed PNEs ("PNE IDs to be invited"). */
    INVITE
}
