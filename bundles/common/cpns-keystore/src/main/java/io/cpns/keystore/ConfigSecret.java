package io.cpns.keystore;

import java.io.IOException;
import java.util.Dictionary;
import java.util.function.Consumer;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A password a component keeps using that sits in Config Admin configuration ({@code adminPassword}
 * of {@code cpns.gw.broker}, {@code password} of {@code cpns.server.store}), checked as decision
 * D113 says: in a {@code .cfg} file it must be a reference the Felix Config Admin interpolation
 * plugin resolves, {@code $[secret:<name>]} (a file in the secrets directory,
 * {@code ${cpns.data}/secrets} in our launcher) or {@code $[env:<NAME>]}; a plain value there is
 * refused, and so is a reference left unresolved (the plugin leaves it in place when the file or
 * variable is missing). A value set through Config Admin's API (a test, the load harness) is not in
 * a file and is taken as it is. Called on the component's activation thread.
 */
public final class ConfigSecret {
    /** FileInstall's property naming the file a configuration came from. */
    public static final String FILE_PROPERTY = "felix.fileinstall.filename";

    private ConfigSecret() {
    }

    /**
     * @param pid the configuration's PID, for the message
     * @param property the property, for the message
     * @param stored the configuration as stored ({@code Configuration.getProperties()}: references not
     *        interpolated); null when there is none
     * @param delivered the value the component received (interpolated)
     * @param refusal where the refusal is said, once (the component's log: SCR logs only that the
     *        constructor threw, not why)
     * @return {@code delivered}
     * @throws IllegalArgumentException a plain value in a file, or an unresolved reference; the value is not repeated
     */
    public static String check(String pid, String property, Dictionary<String, Object> stored, String delivered,
                               Consumer<String> refusal) {
        try {
            return check(pid, property, stored, delivered);
        } catch (IllegalArgumentException e) {
            refusal.accept(e.getMessage());
            throw e;
        }
    }

    /** {@link #check(String, String, Dictionary, String, Consumer)} without saying it. */
    public static String check(String pid, String property, Dictionary<String, Object> stored, String delivered) {
        if (delivered.contains("$[")) {
            throw new IllegalArgumentException(pid + " " + property + ": the reference " + reference(delivered) + " is not resolved "
                    + "(no such file in the secrets directory, or the environment variable is not set)");
        }
        Object file = stored == null ? null : stored.get(FILE_PROPERTY);
        Object raw = stored == null ? null : stored.get(property);
        if (file != null && raw != null && !raw.toString().isEmpty() && !raw.toString().contains("$[")) {
            throw new IllegalArgumentException(pid + " " + property + " is a plain password in " + file + ": refused; give it as "
                    + "$[secret:<name>] (the file <name> in the secrets directory, owner-only) or $[env:<NAME>]");
        }
        return delivered;
    }

    /** {@code pid}'s configuration as stored, references not interpolated; null when there is none or no {@code cm}. */
    public static Dictionary<String, Object> stored(ConfigurationAdmin cm, String pid) {
        if (cm == null) {
            return null;
        }
        try {
            Configuration[] found = cm.listConfigurations("(" + org.osgi.framework.Constants.SERVICE_PID + "=" + pid + ")");
            return found == null || found.length == 0 ? null : found[0].getProperties();
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException("configuration " + pid + " could not be read: " + e.getMessage(), e);
        }
    }

    /** The reference itself ({@code $[secret:db]}), never what surrounds it. */
    private static String reference(String value) {
        int from = value.indexOf("$[");
        int to = value.indexOf(']', from);
        return to < 0 ? value.substring(from) : value.substring(from, to + 1);
    }
}
