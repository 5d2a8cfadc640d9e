package io.cpns.pne;

/**
 * A Group Key this PNE holds (TS §5.3.2): the key of {@code epoch} of a Service Group it is a
 * member of, as delivered by its PN GW. {@link #key} is a copy: wipe it when done.
 */
public record PneGroupKey(String groupId, long epoch, byte[] key) {
}
