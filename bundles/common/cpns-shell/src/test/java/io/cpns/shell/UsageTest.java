package io.cpns.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.junit.jupiter.api.Test;

/** The usage text of {@code --help}: synopsis, description, flags, options with their defaults, parameters. */
class UsageTest {
    /** Commands as the CPNS bundles declare them. */
    public static final class Commands {
        @Descriptor("Shows things")
        public void show(CommandSession session,
                @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
                @Descriptor("how many") @Parameter(names = {"-n", "--count"}, absentValue = "3") int count,
                @Descriptor("thing ID") String id, @Descriptor("more IDs") String... more) {
        }

        @Descriptor(Usage.SHOW)
        public void show(
                @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        }

        @Descriptor(Usage.REFUSED + " never")
        public void show(String a, String b, String c, String d) {
        }
    }

    @Test
    void everyFormButTheUsageAndRefusedOnes() {
        assertEquals("x:show [--help] [--count <value>] <thing ID> [<more IDs>...]\n"
                + "    Shows things\n"
                + "    -h, --help                   show this help\n"
                + "    -n, --count <value>          how many (default 3)\n"
                + "    <thing ID>                   thing ID\n"
                + "    <more IDs>...                more IDs\n\n", Usage.of(new Commands(), "x:show"));
    }

    @Test
    void unknownCommand() {
        assertEquals("no command x:none\n", Usage.of(new Commands(), "x:none"));
    }
}
