package io.cpns.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** The liveness check: two real threads deadlocked on two locks are named; none, no problem. */
class ThreadsCheckTest {
    @Test
    void aDeadlock_isALivenessProblem_namingTheThreads() throws Exception {
        ThreadsCheck check = new ThreadsCheck();
        assertEquals(List.of(), check.problems());

        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        CountDownLatch bothHold = new CountDownLatch(2);
        Thread t1 = new Thread(() -> cross(a, b, bothHold), "deadlock-one");
        Thread t2 = new Thread(() -> cross(b, a, bothHold), "deadlock-two");
        t1.setDaemon(true);
        t2.setDaemon(true);
        t1.start();
        t2.start();
        try {
            List<String> problems = check.problems();
            while (problems.size() < 2) { // until both wait for the other's lock
                Thread.sleep(10);
                problems = check.problems();
            }
            assertTrue(problems.stream().anyMatch(p -> p.startsWith("thread \"deadlock-one\" is deadlocked")), problems.toString());
            assertTrue(problems.stream().anyMatch(p -> p.contains("held by \"deadlock-one\"")), problems.toString());
        } finally {
            t1.interrupt(); // lockInterruptibly: both give up and end
            t2.interrupt();
            t1.join();
            t2.join();
        }
        assertEquals(List.of(), check.problems());
    }

    private static void cross(ReentrantLock first, ReentrantLock second, CountDownLatch bothHold) {
        first.lock();
        try {
            bothHold.countDown();
            bothHold.await();
            second.lockInterruptibly();
            second.unlock();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            first.unlock();
        }
    }
}
