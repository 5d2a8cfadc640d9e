package io.cpns.pne;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/** Waiting for a stage of the PNE SDK, its failure as the {@link CpnsException} callers expect. */
final class Futures {
    private Futures() {
    }

    /** Blocks for the stage; a timeout is {@code TIMEOUT}, anything not a CpnsException is {@code INTERNAL}. */
    static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            throw failure(e);
        }
    }

    /** The cause of a stage's failure, unwrapped. */
    static Throwable cause(Throwable x) {
        return x instanceof CompletionException && x.getCause() != null ? x.getCause() : x;
    }

    private static CpnsException failure(CompletionException e) {
        Throwable c = e.getCause();
        if (c instanceof CpnsException x) {
            return x;
        }
        if (c instanceof TimeoutException) {
            return new CpnsException(ErrorCode.TIMEOUT, "the PN GW did not answer in time");
        }
        return new CpnsException(ErrorCode.INTERNAL, String.valueOf(c));
    }
}
