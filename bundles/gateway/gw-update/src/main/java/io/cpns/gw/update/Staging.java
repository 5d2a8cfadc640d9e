package io.cpns.gw.update;

import io.cpns.api.file.AtomicFile;
import io.cpns.update.journal.AtomicFiles;
import io.cpns.update.journal.BundleSet;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Builds the set a release makes, before the journal names it: the committed set's jars (hard
 * links where the file system allows, else copies: either way a file of its own that outlives
 * the other set's directory) plus the release's downloaded jars, moved in. Written into
 * {@code sets/<id>.staging/}, each file fsynced, then renamed to {@code sets/<id>/}: a set
 * directory is complete or absent.
 */
final class Staging {
    private Staging() {
    }

    /**
     * @param downloaded each new member with its checked download (moved into the set)
     */
    static BundleSet stage(Path updateDir, BundleSet committed, String id, Map<BundleSet.Member, Path> downloaded) throws IOException {
        Path sets = updateDir.resolve(BundleSet.SETS);
        Path tmp = sets.resolve(id + ".staging");
        Path dir = BundleSet.dir(updateDir, id);
        deleteTree(tmp);
        deleteTree(dir); // an earlier attempt of this release (rolled back, or cut while staging)
        AtomicFiles.directory(tmp);
        BundleSet set = committed.with(id, List.copyOf(downloaded.keySet()));
        Set<String> replaced = downloaded.keySet().stream().map(BundleSet.Member::symbolicName).collect(Collectors.toSet());
        for (BundleSet.Member m : committed.members()) {
            if (!replaced.contains(m.symbolicName())) {
                Path to = tmp.resolve(m.file());
                try {
                    Files.createLink(to, committed.jar(updateDir, m));
                } catch (UnsupportedOperationException | IOException e) {
                    Files.deleteIfExists(to);
                    Files.copy(committed.jar(updateDir, m), to, StandardCopyOption.COPY_ATTRIBUTES);
                }
                AtomicFile.sync(to);
            }
        }
        for (Map.Entry<BundleSet.Member, Path> e : downloaded.entrySet()) {
            Path to = tmp.resolve(e.getKey().file());
            if (Files.exists(to)) {
                throw new FileAlreadyExistsException(to + ": two bundles of the release share a file name");
            }
            AtomicFile.move(e.getValue(), to);
            AtomicFile.sync(to);
        }
        set.writeTo(tmp);
        AtomicFile.syncDirectory(tmp);
        AtomicFile.move(tmp, dir);
        AtomicFile.syncDirectory(sets);
        return set;
    }

    /** Removes every set but {@code keep} (and staging leftovers). */
    static void keepOnly(Path updateDir, Set<String> keep) throws IOException {
        Path sets = updateDir.resolve(BundleSet.SETS);
        if (!Files.isDirectory(sets)) {
            return;
        }
        try (Stream<Path> s = Files.list(sets)) {
            for (Path p : s.toList()) {
                if (!keep.contains(p.getFileName().toString())) {
                    deleteTree(p);
                }
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
