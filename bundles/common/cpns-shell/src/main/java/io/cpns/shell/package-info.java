/**
 * What every CPNS operator command shares, in Felix Gogo and in Apache Karaf's shell alike: how it
 * reads a password ({@link io.cpns.shell.PasswordReader}), prints its result
 * ({@link io.cpns.shell.Print}) and answers {@code --help} ({@link io.cpns.shell.Usage}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cpns.shell;
