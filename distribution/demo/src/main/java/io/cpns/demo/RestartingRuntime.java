package io.cpns.demo;

import io.cpns.demo.Runtimes.Services;
import io.cpns.launcher.CpnsRuntime;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * A CPNS runtime in this JVM under the launcher's restart loop ({@code io.cpns.launcher.Main}): when
 * the update agent stops the framework to apply a restart-class release (or to roll one back), a
 * fresh framework is started with the set the boot guard chooses (docs/updates.md §4.4). For the
 * update harness, which needs the gateway's services beside the Server's.
 */
final class RestartingRuntime implements AutoCloseable {
    private final Path home;
    private final String role;
    private final Path data;
    private final Map<String, String> props;
    private final Thread loop;
    private volatile CpnsRuntime current;
    private volatile boolean closing;
    private volatile int restarts;

    /** Starts the first framework here; the restarts happen on a thread of its own. */
    RestartingRuntime(Path home, String role, Path data, Map<String, String> props) throws Exception {
        this.home = home;
        this.role = role;
        this.data = data;
        this.props = Map.copyOf(props);
        this.current = CpnsRuntime.start(home, role, data, this.props, Set.of());
        this.loop = new Thread(this::run, "cpns-" + role + "-restarts");
        loop.setDaemon(true);
        loop.start();
    }

    private void run() {
        try {
            while (true) {
                current.awaitStop();
                if (closing || !CpnsRuntime.restartRequested(data)) {
                    return;
                }
                System.out.println("update: restarting the " + role + " framework into the set of the update (docs/updates.md §4.4)");
                current = CpnsRuntime.start(home, role, data, props, Set.of());
                restarts++;
            }
        } catch (Exception e) {
            System.err.println("the " + role + " runtime could not be restarted: " + e);
        }
    }

    /** The services of the framework running now (a restart replaces them). */
    Services services() {
        return new Services(current.framework().getBundleContext());
    }

    int restarts() {
        return restarts;
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        current.stop();
        loop.join(30_000);
    }
}
