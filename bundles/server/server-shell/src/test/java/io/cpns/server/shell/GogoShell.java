package io.cpns.server.shell;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;

/**
 * The real Gogo runtime with a session and no terminal, as the tests type commands at it: what a
 * command printed (System.out, through Gogo's ThreadIO) comes back from {@link #run}.
 */
final class GogoShell implements AutoCloseable {
    private final ThreadIOImpl tio = new ThreadIOImpl();
    private final CommandProcessorImpl processor;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CommandSession session;

    GogoShell() {
        tio.start();
        processor = new CommandProcessorImpl(tio);
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), ps, ps);
    }

    /** Registers {@code functions} of {@code commands} in {@code scope}, as their component's osgi.command properties do. */
    GogoShell add(String scope, Object commands, String... functions) {
        for (String f : functions) {
            processor.addCommand(scope, commands, f);
        }
        return this;
    }

    /** What the line printed, then its result if any (commands print theirs and return nothing). */
    String run(String line) throws Exception {
        out.reset();
        Object result = session.execute(line);
        return out.toString(StandardCharsets.UTF_8) + (result == null ? "" : result);
    }

    /** A service a command must not call: any call fails the test. */
    @SuppressWarnings("unchecked")
    static <T> T refusing(Class<T> type) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
            throw new AssertionError("the command called " + type.getSimpleName() + "." + m.getName());
        });
    }

    @Override
    public void close() {
        session.close();
        tio.stop();
    }
}
