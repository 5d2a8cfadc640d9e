package io.cpns.gw.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.message.UpdateStatus;
import io.cpns.api.update.UpdateFailure;
import io.cpns.api.update.UpdateState;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox survives a restart (a new History on the same file) until the Server acknowledges. */
class HistoryTest {
    @TempDir
    Path dir;

    @Test
    void terminalStatuses_stayInTheOutboxUntilAcknowledged_acrossRestarts() throws Exception {
        UpdateStatus refused = new UpdateStatus("r-1", 7, UpdateState.REFUSED, UpdateFailure.BAD_SIGNATURE, "keys: = # ü\nx", 1);
        UpdateStatus committed = new UpdateStatus("r-2", 8, UpdateState.COMMITTED, null, null, 2);
        History h = new History(dir);
        h.add(refused);
        h.add(committed);
        h.add(committed); // a restart between recording it and the journal's next step
        assertEquals(List.of(refused, committed), new History(dir).outbox());

        h.acked(refused);
        History after = new History(dir);
        assertEquals(List.of(committed), after.outbox());
        assertEquals(refused, after.find("r-1").orElseThrow().status());
        assertTrue(after.find("r-1").orElseThrow().acked());

        after.unack("r-1"); // the rollout was offered again: its outcome goes again
        assertEquals(List.of(refused, committed), new History(dir).outbox());
    }

    @Test
    void bounded_droppingAcknowledgedOnesFirst() throws Exception {
        History h = new History(dir);
        UpdateStatus keep = new UpdateStatus("never-acked", 1, UpdateState.FAILED, UpdateFailure.NO_SPACE, null, 0);
        h.add(keep);
        for (int i = 0; i < History.MAX + 10; i++) {
            UpdateStatus s = new UpdateStatus("r-" + i, i, UpdateState.CANCELLED, null, null, i);
            h.add(s);
            h.acked(s);
        }
        History after = new History(dir);
        assertEquals(History.MAX, after.all().size());
        assertEquals(List.of(keep), after.outbox());
    }
}
