package io.cpns.pne;

/**
 * A message to a Service Group this PNE received (TS §5.3.3.2).
 *
 * @param groupKeyProtected true if it came sealed with the Group Key and opened here; false if
 *                          the PN GW sent it in the clear under the §5.3.3.2 exemption (this PNE
 *                          on a secure PAN, the PN GW using a credential module)
 */
public record PneGroupMessage(String groupId, String sender, long epoch, byte[] payload, boolean groupKeyProtected) {
}
