package io.cpns.log.console;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogReaderService;

/**
 * Which entries of the Log Service's history this log console still has to write: all of them on
 * a fresh start; after an update of this bundle (same framework run, same Log Service) only those
 * its previous instance had not written, so no line appears twice.
 */
final class Replay {
    private final File marker;
    private final String run;
    private volatile long lastWritten = -1;

    /** @param run the framework run and Log Service instance: sequences count within one */
    Replay(File marker, String run) {
        this.marker = marker;
        this.run = run;
    }

    /** The history, oldest first, minus what a previous instance wrote in this run. */
    @SuppressWarnings("deprecation") // getLog: the R7 LogStreamProvider replacement is not offered by Felix Log 1.3
    List<LogEntry> unwritten(LogReaderService reader) {
        List<LogEntry> history = Collections.list(reader.getLog()); // newest first
        Collections.reverse(history);
        long done = writtenBefore();
        List<LogEntry> out = new ArrayList<>();
        for (LogEntry e : history) {
            if (e.getSequence() > done) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * A fresh start's history as long as the Log Service keeps (Felix Log: 100 unless configured)
     * has most likely dropped its oldest entries.
     */
    boolean overflowed(int replayed, String maxSize) {
        int max = 100;
        try {
            max = maxSize == null ? max : Integer.parseInt(maxSize.trim());
        } catch (NumberFormatException e) {
            // Felix Log falls back to 100 as well
        }
        return writtenBefore() < 0 && max > 0 && replayed >= max;
    }

    void written(LogEntry e) {
        lastWritten = Math.max(lastWritten, e.getSequence());
    }

    /** On deactivation: where the next instance of this run starts. */
    void remember() {
        if (marker == null) {
            return;
        }
        try {
            Files.writeString(marker.toPath(), run + " " + lastWritten, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            // at worst the next instance writes the history again
        }
    }

    private long writtenBefore() {
        if (marker == null || !marker.exists()) {
            return -1;
        }
        try {
            String[] s = Files.readString(marker.toPath(), StandardCharsets.US_ASCII).trim().split(" ");
            return s.length == 2 && s[0].equals(run) ? Long.parseLong(s[1]) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
