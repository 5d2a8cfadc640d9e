package io.cpns.demo;

import io.cpns.api.CpnsException;

/** Numbered, timed demo steps: each begins, then passes, is skipped with a reason, or fails the demo. */
final class DemoSteps {
    private final long t0 = System.nanoTime();
    private int step;
    private int skipped;

    void begin(String what) {
        step++;
        System.out.printf("[%7.3f s] ....  %d. %s%n", seconds(), step, what);
    }

    void pass(String fmt, Object... args) {
        System.out.printf("[%7.3f s] PASS  %d. %s%n", seconds(), step, String.format(fmt, args));
    }

    void skip(String why) {
        skipped++;
        System.out.printf("[%7.3f s] SKIP  %d. %s%n", seconds(), step, why);
    }

    void fail(String why) {
        System.out.printf("[%7.3f s] FAIL  %d. %s%n", seconds(), step, why);
    }

    int count() {
        return step;
    }

    int skipped() {
        return skipped;
    }

    double seconds() {
        return (System.nanoTime() - t0) / 1e9;
    }

    static void check(boolean ok, String why) {
        if (!ok) {
            throw new Failure(why);
        }
    }

    static CpnsException expectError(Action a) {
        try {
            a.run();
        } catch (CpnsException e) {
            return e;
        } catch (Exception e) {
            throw new Failure("expected a typed refusal, got " + e);
        }
        throw new Failure("expected a refusal, but it succeeded");
    }

    interface Action {
        void run() throws Exception;
    }

    /** A step's check failed: the demo stops and exits non-zero. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String why) {
            super(why);
        }
    }
}
