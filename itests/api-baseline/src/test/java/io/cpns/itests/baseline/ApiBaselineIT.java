package io.cpns.itests.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API check of the build (D118), end to end on a fixture bundle that inherits the root
 * pom.xml (its bnd and bnd-baseline-maven-plugin configuration, the {@code api-baseline/}
 * repository), with the baseline written by {@code api-baseline/ApiBaseline.java} as at a release:
 * an exported type that changes without the version bump fails {@code mvn verify}, with the bump it
 * passes. A {@code @ProviderType} that gains a method needs a minor bump, a {@code @ConsumerType} a
 * major one.
 */
class ApiBaselineIT {
    private static final String ARTIFACT = "cpns-baseline-fixture";
    private static final Path ROOT = Path.of(System.getProperty("cpns.root", "../..")).toAbsolutePath().normalize();

    @TempDir
    Path fixture;

    @BeforeEach
    @AfterEach
    void forgetCachedBaseline() throws IOException {
        // Maven copies a resolved baseline into the local repository and never looks again: the
        // fixture's must not outlive a run (only this artifact's directory, nothing else)
        deleteTree(Path.of(System.getProperty("cpns.maven.localRepository", System.getProperty("user.home") + "/.m2/repository"))
                .resolve("io/cpns").resolve(ARTIFACT));
    }

    @Test
    void anExportedTypeChangedWithoutTheBump_failsVerify_andPassesOnceBumped() throws Exception {
        writeFixture("1.0.0", "1.0.0", false);
        Result v1 = mvn("package");
        assertEquals(0, v1.exit, v1.output);
        Path jar = fixture.resolve("target").resolve(ARTIFACT + "-0.1.0-SNAPSHOT.jar");
        Result baseline = run(List.of(javaBin(), ROOT.resolve("api-baseline/ApiBaseline.java").toString(),
                "--out", fixture.resolve("api-baseline").toString(), "0.0.0", jar.toString()));
        assertEquals(0, baseline.exit, baseline.output);

        // a method more on each type, versions unchanged
        writeFixture("1.0.0", "1.0.0", true);
        Result unbumped = mvn("verify");
        System.out.println(unbumped.output);
        assertNotEquals(0, unbumped.exit, "verify passed an API change without a version bump");
        assertTrue(unbumped.output.contains("Baseline problems detected"), unbumped.output);
        assertTrue(row("io.cpns.fixture.provided", "MINOR", "1.0.0", "1.0.0", "1.1.0").matcher(unbumped.output).find(),
                "a provider type's addition asks for a minor bump\n" + unbumped.output);
        assertTrue(row("io.cpns.fixture.consumed", "MAJOR", "1.0.0", "1.0.0", "2.0.0").matcher(unbumped.output).find(),
                "a consumer type's addition asks for a major bump\n" + unbumped.output);

        writeFixture("1.1.0", "2.0.0", true);
        Result bumped = mvn("verify");
        assertEquals(0, bumped.exit, bumped.output);
        assertTrue(bumped.output.contains("Baseline check succeeded"), bumped.output);
    }

    /** A mismatched package's row of the plugin's report: {@code * <package> PACKAGE <delta> <new> <old> <suggest>}. */
    private static Pattern row(String pkg, String delta, String newer, String older, String suggest) {
        return Pattern.compile("\\*\\s+" + Pattern.quote(pkg) + "\\s+PACKAGE\\s+" + delta + "\\s+" + Pattern.quote(newer)
                + "\\s+" + Pattern.quote(older) + "\\s+" + Pattern.quote(suggest));
    }

    private void writeFixture(String providedVersion, String consumedVersion, boolean grown) throws IOException {
        // relative: Maven resolves relativePath against the project directory
        String parent = fixture.toAbsolutePath().relativize(ROOT.resolve("pom.xml")).toString();
        write("pom.xml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <parent><groupId>io.cpns</groupId><artifactId>cpns-parent</artifactId><version>0.1.0-SNAPSHOT</version>
                    <relativePath>%s</relativePath></parent>
                  <artifactId>%s</artifactId>
                  <dependencies>
                    <dependency><groupId>org.osgi</groupId><artifactId>osgi.annotation</artifactId></dependency>
                  </dependencies>
                  <build>
                    <plugins>
                      <plugin><groupId>biz.aQute.bnd</groupId><artifactId>bnd-maven-plugin</artifactId></plugin>
                      <plugin><artifactId>maven-jar-plugin</artifactId></plugin>
                      <plugin><groupId>biz.aQute.bnd</groupId><artifactId>bnd-baseline-maven-plugin</artifactId></plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(parent, ARTIFACT));
        // as in the source tree: .mvn/ marks the root the baseline repository is found under
        write(".mvn/maven.config", Files.readString(ROOT.resolve(".mvn/maven.config")));
        String src = "src/main/java/io/cpns/fixture/";
        write(src + "provided/package-info.java", packageInfo("io.cpns.fixture.provided", providedVersion));
        write(src + "provided/Greeter.java", type("io.cpns.fixture.provided", "ProviderType", "The runtime implements it, users call it.",
                "Greeter", "String greet(String name);", grown ? "String farewell(String name);" : null));
        write(src + "consumed/package-info.java", packageInfo("io.cpns.fixture.consumed", consumedVersion));
        write(src + "consumed/Listener.java", type("io.cpns.fixture.consumed", "ConsumerType", "Users implement it to be called back.",
                "Listener", "void heard(String text);", grown ? "void lost();" : null));
    }

    /** An exported interface of the fixture with one method, and {@code added} when not null. */
    private static String type(String pkg, String annotation, String doc, String name, String method, String added) {
        return "package " + pkg + ";\n\n/** " + doc + " */\n@org.osgi.annotation.versioning." + annotation + "\npublic interface "
                + name + " {\n    " + method + "\n" + (added == null ? "" : "    " + added + "\n") + "}\n";
    }

    private static String packageInfo(String pkg, String version) {
        return "@org.osgi.annotation.bundle.Export\n@org.osgi.annotation.versioning.Version(\"" + version + "\")\npackage " + pkg + ";\n";
    }

    private void write(String relative, String content) throws IOException {
        Path p = fixture.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.UTF_8);
    }

    private Result mvn(String phase) throws Exception {
        String home = System.getProperty("cpns.maven.home");
        List<String> cmd = new ArrayList<>();
        cmd.add(home == null || home.isBlank() ? "mvn" : Path.of(home, "bin", "mvn").toString());
        cmd.add("-B");
        if ("offline=true".equals(System.getProperty("cpns.maven.offline"))) { // as the outer build
            cmd.add("-o");
        }
        String repo = System.getProperty("cpns.maven.localRepository");
        if (repo != null && !repo.isBlank()) {
            cmd.add("-Dmaven.repo.local=" + repo);
        }
        cmd.add(phase);
        return run(cmd);
    }

    private Result run(List<String> cmd) throws Exception {
        Path log = Files.createTempFile(fixture.getParent(), "baseline-run", ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(fixture.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            // a guard against a hung build, not a measure: a run takes seconds
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("no answer from " + cmd);
            }
            return new Result(p.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private record Result(int exit, String output) {
    }
}
