package io.cpns.release.tool;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import picocli.CommandLine;

/** Runs the tool's picocli entry in this JVM, with its own environment and console. */
final class Tool {
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    final Map<String, String> env = new HashMap<>();
    /** Lines "typed" at the console, in order; none left: no console. */
    final Deque<String> typed = new ArrayDeque<>();
    int prompts;

    Result run(String... args) {
        Main main = new Main();
        main.env = env;
        main.terminal = prompt -> {
            prompts++;
            String line = typed.poll();
            return line == null ? null : line.toCharArray();
        };
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(main);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** A small bundle jar named {@code file}, with the given headers and some content. */
    static Path bundle(Path dir, String file, String symbolicName, String version) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (symbolicName != null) {
            mf.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
            mf.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        }
        if (version != null) {
            mf.getMainAttributes().putValue("Bundle-Version", version);
        }
        Files.createDirectories(dir);
        Path p = dir.resolve(file);
        try (OutputStream o = Files.newOutputStream(p); JarOutputStream j = new JarOutputStream(o, mf)) {
            j.putNextEntry(new JarEntry("x/" + file + ".txt"));
            j.write((symbolicName + " " + version).getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
        return p;
    }
}
