package io.cpns.codec;

import java.io.IOException;

/** Where frames go; thread-safe, one frame per call. */
public interface FrameSink {
    void write(byte[] frame) throws IOException;
}
