package io.cpns.codec;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Reads length-prefixed frames ({@link Framing}). Not thread-safe: one reader thread per stream. */
public final class FrameReader implements FrameSource {
    private final InputStream in;
    private final int maxFrame;
    private final byte[] header = new byte[Framing.HEADER_LENGTH];

    public FrameReader(InputStream in, int maxFrame) {
        this.in = in;
        this.maxFrame = Framing.clamp(maxFrame);
    }

    /**
     * @return the next frame, or {@code null} if the stream ended cleanly between frames
     * @throws CpnsException {@code FRAME_TOO_LARGE} or {@code MALFORMED} (empty or truncated frame);
     *         the caller must close the connection: the stream is no longer in sync
     * @throws IOException   transport failure
     */
    @Override
    public byte[] read() throws IOException {
        int n = in.readNBytes(header, 0, header.length);
        if (n == 0) {
            return null;
        }
        if (n < header.length) {
            throw new CpnsException(ErrorCode.MALFORMED, "truncated frame header");
        }
        long length = ((header[0] & 0xFFL) << 24) | ((header[1] & 0xFF) << 16) | ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
        if (length == 0) {
            throw new CpnsException(ErrorCode.MALFORMED, "empty frame");
        }
        if (length > maxFrame) {
            throw new CpnsException(ErrorCode.FRAME_TOO_LARGE, "frame of " + length + " bytes exceeds the limit of " + maxFrame);
        }
        byte[] frame = new byte[(int) length];
        int got;
        try {
            got = in.readNBytes(frame, 0, frame.length);
        } catch (EOFException e) {
            got = -1;
        }
        if (got < frame.length) {
            throw new CpnsException(ErrorCode.MALFORMED, "truncated frame: " + Math.max(got, 0) + " of " + length + " bytes");
        }
        return frame;
    }
}
