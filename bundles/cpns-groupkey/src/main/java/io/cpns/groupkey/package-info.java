/**
 * Group Keys of Service Groups (TS §5.3.2) kept in a Logical Key Hierarchy (Wong, Gouda, Lam
 * 2000; RFC 2627): the manager's {@link io.cpns.groupkey.KeyTree} and a member's
 * {@link io.cpns.groupkey.MemberKeyRing}. A join, leave or expel is one {@link io.cpns.groupkey.Rekey}
 * of at most two wrapped keys per tree level, which every remaining member can open and a
 * departed one cannot. docs/groupkey.md has the tree, its messages and the security argument.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cpns.groupkey;
