package io.cpns.testkit;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.log.Logger;

/** A {@link Logger} that keeps every line (for assertions) and prints it to standard output. */
public final class TestLogger {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger logger;

    public TestLogger(String name) {
        logger = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class}, (proxy, m, args) -> {
            switch (m.getName()) {
                case "getName":
                    return name;
                case "isTraceEnabled":
                case "isDebugEnabled":
                case "isInfoEnabled":
                case "isWarnEnabled":
                case "isErrorEnabled":
                    return true;
                case "trace":
                case "debug":
                case "info":
                case "warn":
                case "error":
                case "audit":
                    String line = m.getName().toUpperCase() + " " + name + " " + format(args);
                    lines.add(line);
                    System.out.println(line);
                    return null;
                case "toString":
                    return "TestLogger[" + name + "]";
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                default:
                    return null;
            }
        });
    }

    public Logger logger() {
        return logger;
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** Every line joined, to assert what was (and was not) logged. */
    public String all() {
        return String.join("\n", lines);
    }

    private static String format(Object[] args) {
        if (args == null || args.length == 0 || !(args[0] instanceof String fmt)) {
            return "";
        }
        StringBuilder s = new StringBuilder();
        Object[] params = args.length == 2 && args[1] instanceof Object[] arr ? arr : java.util.Arrays.copyOfRange(args, 1, args.length);
        int a = 0;
        for (int i = 0; i < fmt.length(); i++) {
            if (fmt.startsWith("{}", i) && a < params.length) {
                s.append(params[a++]);
                i++;
            } else {
                s.append(fmt.charAt(i));
            }
        }
        return s.toString();
    }
}
