package io.cpns.shell;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;

/**
 * {@code --help} of a command, from the same {@code @Descriptor} and {@code @Parameter} annotations
 * Felix's {@code help <command>} reads. Apache Karaf's {@code help <command>} runs
 * {@code <command> --help}, so every command takes the {@link #HELP} flag: without it Karaf would
 * run the command, or answer Gogo's "Cannot coerce". Called on the shell's command thread.
 *
 * <p>Each command method declares first (after a {@code CommandSession} if it takes one):
 * <pre>{@code @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true",
 *     absentValue = "false") boolean help}</pre>
 * (every form: Gogo picks the form whose arguments fit at least cost, and a form without the flag
 * would take {@code --help} for an ID)
 * and a command whose every form takes arguments also has a form with none ({@link #SHOW}) that
 * prints this usage: {@code gw:pn} typed alone, or {@code gw:pn --help}.
 */
public final class Usage {
    /** The flag every command takes. */
    public static final String HELP = "--help";
    /** Its description. */
    public static final String HELP_TEXT = "show this help";
    /** The description of a form that only shows the usage; left out of it. */
    public static final String SHOW = "Shows how to use this command";
    /** The description of a form that refuses what it was given (a password as an argument) starts so; left out of it. */
    public static final String REFUSED = "Refused:";

    private Usage() {
    }

    /** Prints {@code command}'s forms ({@code scope:function}) of {@code commands}' public methods. */
    public static void print(Object commands, String command) {
        Print.result(of(commands, command));
    }

    /** The usage text: per form, its synopsis, description, options and parameters. */
    public static String of(Object commands, String command) {
        String function = command.substring(command.indexOf(':') + 1).toLowerCase(Locale.ROOT);
        List<Method> forms = Arrays.stream(commands.getClass().getMethods())
                .filter(m -> m.getName().toLowerCase(Locale.ROOT).equals(function))
                .filter(m -> !described(m).equals(SHOW) && !described(m).startsWith(REFUSED))
                .sorted(Comparator.comparingInt(Method::getParameterCount)).toList();
        StringBuilder s = new StringBuilder();
        for (Method m : forms) {
            StringBuilder synopsis = new StringBuilder(command);
            StringBuilder details = new StringBuilder();
            for (Parameter p : m.getParameters()) {
                if (p.getType() == CommandSession.class) {
                    continue;
                }
                Descriptor d = p.getAnnotation(Descriptor.class);
                String text = d == null ? p.getType().getSimpleName() : d.value();
                org.apache.felix.service.command.Parameter option = p.getAnnotation(org.apache.felix.service.command.Parameter.class);
                if (option != null) {
                    boolean flag = !org.apache.felix.service.command.Parameter.UNSPECIFIED.equals(option.presentValue());
                    String names = String.join(", ", option.names()) + (flag ? "" : " <value>");
                    synopsis.append(" [").append(option.names()[option.names().length - 1]).append(flag ? "" : " <value>").append(']');
                    String absent = option.absentValue();
                    boolean shown = !flag && absent != null && !absent.isEmpty()
                            && !org.apache.felix.service.command.Parameter.UNSPECIFIED.equals(absent) && !text.contains("default");
                    details.append(String.format("    %-28s %s%n", names, text + (shown ? " (default " + absent + ")" : "")));
                } else {
                    String name = "<" + text.replaceAll(",.*", "") + ">" + (p.getType().isArray() ? "..." : "");
                    synopsis.append(' ').append(p.getType().isArray() ? "[" + name + "]" : name);
                    details.append(String.format("    %-28s %s%n", name, text));
                }
            }
            s.append(synopsis).append('\n').append("    ").append(described(m)).append('\n').append(details).append('\n');
        }
        return s.length() == 0 ? "no command " + command + "\n" : s.toString();
    }

    private static String described(Method m) {
        Descriptor d = m.getAnnotation(Descriptor.class);
        return d == null ? "" : d.value();
    }
}
