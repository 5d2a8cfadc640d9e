package io.cpns.api.dispatch;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** The one mapping from a handler's failure to the error that goes on the wire. */
public final class Failures {
    private Failures() {
    }

    /** What went wrong, without the wrappers a future adds ({@link CompletionException}, {@link ExecutionException}). */
    public static Throwable cause(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /**
     * The error to send for a failure: a {@link CpnsException} as it is (its code and short
     * reason); anything else {@link ErrorCode#INTERNAL} with {@code ownReason}, never a library's
     * message (it may name internals). The INTERNAL one carries the failure as its cause, for the log.
     *
     * @param ownReason our short reason, e.g. "internal gateway error"
     */
    public static CpnsException toWire(Throwable t, String ownReason) {
        Throwable c = cause(t);
        if (c instanceof CpnsException e) {
            return e;
        }
        return new CpnsException(ErrorCode.INTERNAL, ownReason, c);
    }

    /**
     * The refusal of a request whose type has no handler here: {@link ErrorCode#UNAVAILABLE}, so
     * the peer knows to retry later. Also what a handler serving both directions (one
     * {@link HandlerTable#TYPE} lists both) throws for a type it takes only from the other side.
     *
     * @param where names the dispatcher, e.g. "this PN GW"
     */
    public static CpnsException unavailable(io.cpns.api.message.MessageType type, String where) {
        return new CpnsException(ErrorCode.UNAVAILABLE, "no handler for '" + type.wireName() + "' on " + where
                + " (is the bundle that handles it installed and active?)");
    }

    /** Whether {@code wire} (from {@link #toWire}) stands for a bug, not a refusal: log its cause with the stack. */
    public static boolean isBug(CpnsException wire) {
        return wire.code() == ErrorCode.INTERNAL && wire.getCause() != null && !(wire.getCause() instanceof CpnsException);
    }
}
