/*
 * Copyright (c) 2012-2023 The original author or authors (Moquette, Apache License 2.0 / EPL 1.0).
 *
 * CPNS: patched copy of Moquette 0.17's class (see lib-moquette's pom); changes marked "CPNS:".
 */
package io.moquette.broker;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.FutureTask;

final class SessionEventLoop extends Thread {

    private static final Logger LOG = LoggerFactory.getLogger(SessionEventLoop.class);

    private final BlockingQueue<FutureTask<String>> sessionQueue;
    private final boolean flushOnExit;
    private Consumer<Throwable> failed = e -> { };

    public SessionEventLoop(BlockingQueue<FutureTask<String>> sessionQueue) {
        this(sessionQueue, true);
    }

    /** CPNS: told of each command that failed; the loop goes on with the next. */
    SessionEventLoop onFailure(Consumer<Throwable> failed) {
        this.failed = failed;
        return this;
    }

    /**
     * @param flushOnExit consume the commands queue before exit.
     * */
    public SessionEventLoop(BlockingQueue<FutureTask<String>> sessionQueue, boolean flushOnExit) {
        this.sessionQueue = sessionQueue;
        this.flushOnExit = flushOnExit;
    }

    @Override
    public void run() {
        while (!Thread.interrupted() || (Thread.interrupted() && !sessionQueue.isEmpty() && flushOnExit)) {
            try {
                // blocking call
                final FutureTask<String> task = this.sessionQueue.take();
                executeTask(task);
            } catch (InterruptedException e) {
                LOG.info("SessionEventLoop {} interrupted", Thread.currentThread().getName());
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // CPNS: in 0.17 one failed command ended this thread, and every client whose session it
                // serves got nothing more (their commands queue up unanswered, CONNECTs unanswered)
                failed.accept(e.getCause() != null ? e.getCause() : e);
            }
        }
        LOG.info("SessionEventLoop {} exit", Thread.currentThread().getName());
    }

    public static void executeTask(final FutureTask<String> task) {
        if (!task.isCancelled()) {
            try {
                task.run();

                // we ran it, but we have to grab the exception if raised
                task.get();
            } catch (Throwable th) {
                // CPNS: the stack trace at debug only: the caller reports it in one line
                LOG.debug("SessionEventLoop {} reached exception in processing command", Thread.currentThread().getName(), th);
                throw new RuntimeException(th instanceof java.util.concurrent.ExecutionException && th.getCause() != null
                    ? th.getCause() : th);
            }
        }
    }
}
