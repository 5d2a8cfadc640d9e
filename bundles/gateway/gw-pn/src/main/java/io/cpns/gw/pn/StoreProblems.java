package io.cpns.gw.pn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records gw-pn found unreadable in the secret store and set aside, each with what it means and
 * how to recover: for the log once, and for {@code cpns:health} while the set-aside file is still
 * in quarantine (an operator who restored it, or deleted it after seeing to it, clears the line).
 */
final class StoreProblems {
    private record Problem(String line, Optional<Path> file) {
        boolean current() {
            return file.map(Files::exists).orElse(true);
        }
    }

    private final List<Problem> problems = new CopyOnWriteArrayList<>();

    /** @return the line, for the log */
    String quarantined(String alias, String what, String consequence, String reason, Optional<String> where) {
        Optional<Path> file = where.map(Path::of);
        String line = what + " (secret " + alias + ") does not read back (" + reason + "): "
                + file.map(f -> "moved to " + f).orElse("deleted") + ". " + consequence
                + file.map(f -> " To recover, put a good copy back as " + f.getParent().getParent().resolve(alias + ".sec")
                        + " and restart gw-pn; once seen to, delete " + f + ".").orElse("");
        problems.add(new Problem(line, file));
        return line;
    }

    List<String> current() {
        return problems.stream().filter(Problem::current).map(Problem::line).toList();
    }
}
