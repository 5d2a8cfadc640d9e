package io.cpns.groupkey;

import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Ed25519;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The wire form of a {@link GroupBroadcast}: CBOR {@code {"body": bytes, "sig": bytes}}, where
 * {@code body} is the CBOR of the broadcast and {@code sig} the PN GW's Ed25519 signature over
 * {@code "CPNS-v1 group broadcast" ‖ body}. The signature is what tree keys cannot give: a departed
 * member still holds old path keys some members share, and could otherwise forge a Rekey
 * (docs/groupkey.md §3). Readers verify before they parse the body.
 */
public final class BroadcastCodec {
    /** A broadcast of a 1024-member tree's leave is ~1.5 KB; anything near this is not ours. */
    public static final int MAX_BYTES = 64 * 1024;
    private static final byte[] LABEL = "CPNS-v1 group broadcast".getBytes(StandardCharsets.US_ASCII);

    private record Signed(byte[] body, byte[] sig) {
    }

    private final CBORMapper mapper;

    public BroadcastCodec() {
        mapper = new CBORMapper();
        mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false); // a newer sender may add fields
    }

    public byte[] seal(GroupBroadcast b, byte[] signingKey) {
        try {
            byte[] body = mapper.writeValueAsBytes(b);
            return mapper.writeValueAsBytes(new Signed(body, Ed25519.sign(signingKey, Bytes.concat(LABEL, body))));
        } catch (IOException e) {
            throw new CpnsException(ErrorCode.INTERNAL, "cannot encode a group broadcast", e);
        }
    }

    /**
     * @throws CpnsException {@code FRAME_TOO_LARGE}, {@code MALFORMED}, {@code BAD_SIGNATURE} (not
     *         signed by {@code signer}), {@code INVALID_ARGUMENT} (for another group)
     */
    public GroupBroadcast open(byte[] wire, byte[] signer, String groupId) {
        if (wire.length > MAX_BYTES) {
            throw new CpnsException(ErrorCode.FRAME_TOO_LARGE, "group broadcast of " + wire.length + " bytes");
        }
        Signed s = read(wire, Signed.class);
        if (s.body() == null || s.sig() == null) {
            throw new CpnsException(ErrorCode.MALFORMED, "group broadcast without body or signature");
        }
        if (!Ed25519.verify(signer, Bytes.concat(LABEL, s.body()), s.sig())) {
            throw new CpnsException(ErrorCode.BAD_SIGNATURE, "group broadcast on " + groupId + " not signed by its PN GW");
        }
        GroupBroadcast b = read(s.body(), GroupBroadcast.class);
        if (!b.groupId().equals(groupId)) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "broadcast for " + b.groupId() + " on the topic of " + groupId);
        }
        return b;
    }

    private <T> T read(byte[] bytes, Class<T> type) {
        T value;
        try {
            value = mapper.readValue(bytes, type);
        } catch (StreamReadException e) { // our own words: a peer learns nothing of the library
            throw new CpnsException(ErrorCode.MALFORMED, "unreadable group broadcast: not well-formed CBOR");
        } catch (IOException | RuntimeException e) {
            throw new CpnsException(ErrorCode.MALFORMED, "unreadable group broadcast: a field is missing or of the wrong type");
        }
        if (value == null) { // CBOR null (F6) reads as no object at all, not as an error
            throw new CpnsException(ErrorCode.MALFORMED, "unreadable group broadcast: not a CBOR map");
        }
        return value;
    }
}
