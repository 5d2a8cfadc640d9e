package io.cpns.codec;

import java.io.IOException;

/** Where frames come from: a length-prefixed stream, a serial line, a test. One reader at a time. */
public interface FrameSource {
    /** @return the next frame, or {@code null} at a clean end of input */
    byte[] read() throws IOException;
}
