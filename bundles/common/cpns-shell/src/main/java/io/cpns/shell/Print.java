package io.cpns.shell;

/**
 * Commands print their result themselves instead of returning it: Apache Karaf's
 * {@code bin/client "command"} drops a command's return value, while Felix's Gogo shell and Karaf's
 * console show what is printed just the same. {@code System.out} is the command's own output in
 * both shells (Gogo's ThreadIO gives each command thread its session's stream, a pipe's included:
 * {@code gw:pns | grep pn-1}). Called on the shell's command thread.
 */
public final class Print {
    private Print() {
    }

    /** {@code text} on the command's output, ending with a line break. */
    public static void result(String text) {
        System.out.print(text.endsWith("\n") ? text : text + "\n");
        System.out.flush();
    }
}
