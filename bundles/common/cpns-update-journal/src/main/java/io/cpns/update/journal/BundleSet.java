package io.cpns.update.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A set of managed bundles: every bundle the committed releases brought, as real copies of their
 * jars in {@code <data>/update/sets/<id>/} with {@code set.properties} listing them (docs/updates.md
 * §4.3). Sets are cumulative: a release's set is the committed set with the release's bundles put
 * in. The bundles a set does not name are the distribution's ({@code bundle/<feature>/}). Jars are
 * kept so a rollback and the launcher's boot never depend on the download directory.
 *
 * @param id      the set's directory name (the {@code releaseSeq} that made it); "" for none (the distribution's bundles)
 * @param members the managed bundles
 */
public record BundleSet(String id, List<Member> members) {
    public static final String SETS = "sets";
    public static final String FILE = "set.properties";
    public static final BundleSet DISTRIBUTION = new BundleSet("", List.of());
    /**
     * Location prefix of a managed bundle the distribution does not have ({@code cpns-update:<symbolic name>}).
     * A managed bundle the distribution has keeps the distribution's location, its content replaced.
     */
    public static final String LOCATION = "cpns-update:";

    /**
     * One managed bundle.
     *
     * @param restart whether it is applied by a restart (RESTART class)
     * @param sha256  lowercase hex SHA-256 of the jar
     */
    public record Member(String symbolicName, String version, String file, int startLevel, boolean restart, String sha256) {
    }

    public BundleSet {
        members = List.copyOf(members);
    }

    public Optional<Member> member(String symbolicName) {
        return members.stream().filter(m -> m.symbolicName().equals(symbolicName)).findFirst();
    }

    /** This set with {@code changes} put in (replacing members of the same symbolic name), as set {@code newId}. */
    public BundleSet with(String newId, List<Member> changes) {
        Map<String, Member> all = new LinkedHashMap<>();
        members.forEach(m -> all.put(m.symbolicName(), m));
        changes.forEach(m -> all.put(m.symbolicName(), m));
        return new BundleSet(newId, new ArrayList<>(all.values()));
    }

    public static Path dir(Path updateDir, String id) {
        return updateDir.resolve(SETS).resolve(id);
    }

    public Path jar(Path updateDir, Member m) {
        return dir(updateDir, id).resolve(m.file());
    }

    /** Set {@code id} of {@code updateDir}; "" is the distribution's (no managed bundle). */
    public static BundleSet read(Path updateDir, String id) throws IOException {
        if (id.isEmpty()) {
            return DISTRIBUTION;
        }
        Path file = dir(updateDir, id).resolve(FILE);
        Map<String, String> p = AtomicFiles.readProperties(file)
                .orElseThrow(() -> new IOException("bundle set " + id + " is missing (" + file + ")"));
        try {
            int n = Integer.parseInt(p.getOrDefault("bundles", "0"));
            List<Member> members = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String k = "bundle." + i + ".";
                members.add(new Member(req(p, k + "symbolicName"), req(p, k + "version"), safeFile(req(p, k + "file")),
                        Integer.parseInt(req(p, k + "startLevel")), "RESTART".equals(p.get(k + "class")), req(p, k + "sha256")));
            }
            return new BundleSet(id, members);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is damaged: " + e.getMessage(), e);
        }
    }

    /** Writes {@code set.properties} into {@code dir} (the caller renames the directory into place). */
    public void writeTo(Path dir) throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("format", "1");
        p.put("bundles", String.valueOf(members.size()));
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            String k = "bundle." + i + ".";
            p.put(k + "symbolicName", m.symbolicName());
            p.put(k + "version", m.version());
            p.put(k + "file", m.file());
            p.put(k + "startLevel", String.valueOf(m.startLevel()));
            p.put(k + "class", m.restart() ? "RESTART" : "HOT");
            p.put(k + "sha256", m.sha256());
        }
        AtomicFiles.writeProperties(dir.resolve(FILE), p);
    }

    /** Whether the set's directory and every jar it names are there. */
    public boolean complete(Path updateDir) {
        return id.isEmpty() || members.stream().allMatch(m -> Files.isRegularFile(jar(updateDir, m)));
    }

    /** A file name a set may hold: no directory part, no "..", not the set's own file. */
    public static String safeFile(String f) {
        if (f.isEmpty() || f.contains("/") || f.contains("\\") || f.equals(".") || f.equals("..") || f.equals(FILE)
                || f.startsWith(".") || f.chars().anyMatch(c -> c < 0x20)) {
            throw new IllegalArgumentException("not a plain file name: '" + f + "'");
        }
        return f;
    }

    private static String req(Map<String, String> p, String key) {
        String v = p.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return v;
    }
}
