package io.cpns.codec;

import java.io.IOException;
import org.osgi.annotation.versioning.ProviderType;

/** Where frames come from: a length-prefixed stream, a serial line, a test. One reader at a time. */
@ProviderType
public interface FrameSource {
    /** @return the next frame, or {@code null} at a clean end of input */
    byte[] read() throws IOException;
}
