package io.cpns.gw.shell;

/**
 * What a command prints when the part of the PN GW it shows is not there: its bundle stopped, not
 * installed, or its component failed to start (a corrupt file, a missing key). Commands hold their
 * services by optional references for this: an operator who types {@code gw:pns} to find out
 * what is wrong gets an answer, not a {@code NullPointerException} from a half-started command.
 */
final class Unavailable {
    private Unavailable() {
    }

    static String of(String what, String bundle) {
        return "no " + what + " now: bundle " + bundle + " is not running or did not start (see cpns:health)\n";
    }

    /** One part failed while the command read it: its own words, without a stack trace. */
    static String failed(String what, RuntimeException e) {
        return what + " could not be read: " + e.getMessage() + " (see cpns:health)\n";
    }
}
