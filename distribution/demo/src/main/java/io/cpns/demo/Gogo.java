package io.cpns.demo;

import io.cpns.demo.DemoSteps.Failure;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Runs a Gogo command in a framework of this JVM as an operator types it at its console
 * ({@code server:releasepublish …}). Gogo's types are not on the launcher's class path (the
 * frameworks share only the CPNS API with it), so its service is called through reflection on the
 * interfaces its bundle exports.
 */
final class Gogo {
    private static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final String SESSION = "org.apache.felix.service.command.CommandSession";

    private Gogo() {
    }

    /** What the command printed, then its result; a command that throws fails the demo step. */
    static String run(BundleContext ctx, String command) {
        ServiceReference<?> ref = ctx.getServiceReference(PROCESSOR);
        if (ref == null) {
            throw new Failure("no Gogo shell in this runtime");
        }
        Object processor = ctx.getService(ref);
        try {
            Class<?> p = ref.getBundle().loadClass(PROCESSOR);
            Class<?> s = ref.getBundle().loadClass(SESSION);
            Method create = p.getMethod("createSession", InputStream.class, OutputStream.class, OutputStream.class);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
            Object session = create.invoke(processor, new ByteArrayInputStream(new byte[0]), ps, ps);
            try {
                Object result = s.getMethod("execute", CharSequence.class).invoke(session, command);
                return out.toString(StandardCharsets.UTF_8) + (result == null ? "" : String.valueOf(result));
            } finally {
                s.getMethod("close").invoke(session);
            }
        } catch (InvocationTargetException e) {
            throw new Failure("'" + command + "' failed: " + e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new Failure("cannot run Gogo commands: " + e);
        } finally {
            ctx.ungetService(ref);
        }
    }
}
