package io.cpns.release.tool;

/** A failure the tool explains in one line and exits with {@link Main#EXIT_ERROR}: bad input, a file, a passphrase. */
final class ToolException extends Exception {
    private static final long serialVersionUID = 1L;

    ToolException(String message) {
        super(message);
    }
}
