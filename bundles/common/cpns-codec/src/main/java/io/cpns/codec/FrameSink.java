package io.cpns.codec;

import java.io.IOException;
import org.osgi.annotation.versioning.ProviderType;

/** Where frames go; thread-safe, one frame per call. */
@ProviderType
public interface FrameSink {
    void write(byte[] frame) throws IOException;
}
