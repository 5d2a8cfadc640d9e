/**
 * Group Key delivery and use for Service Groups (TS §5.3.2, §5.3.3.2). The members of a group at
 * one PN GW share a key tree, a Logical Key Hierarchy (Wong, Gouda, Lam 2000; RFC 2627): the
 * distributor's {@link io.cpns.groupkey.KeyTree} and each member's
 * {@link io.cpns.groupkey.MemberKeyRing}. A join, leave or expel is one
 * {@link io.cpns.groupkey.Rekey} of at most two wrapped keys per tree level, which every
 * remaining member can open and a departed one cannot; the Group Key travels wrapped under the
 * tree's root key. Messages to the group: {@link io.cpns.groupkey.GroupSealer} and
 * {@link io.cpns.groupkey.GroupOpener}. docs/groupkey.md has the design and the security argument.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.cpns.groupkey;
