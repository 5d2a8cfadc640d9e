package io.cpns.release;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cpns.api.update.UpdateFailure;

/**
 * Coverage-guided fuzzing (Jazzer) of the two decoders a CPNS Server or a broker in the middle
 * reaches on a gateway (docs/security.md §10.7, §11). Each input must decode or be refused as
 * MALFORMED with a detail of ours; what decodes must encode to the very same bytes, the property
 * that makes a signature over bytes a signature over values (only canonical input is accepted).
 * In {@code mvn verify} each method runs once per file under {@code ReleaseFuzzTestInputs/<method>/};
 * {@code mvn -Pfuzz test -pl bundles/common/cpns-release -am -Dtest='ReleaseFuzzTest#manifest'} fuzzes for real.
 */
class ReleaseFuzzTest {
    @FuzzTest
    void manifest(byte[] data) {
        try {
            assertArrayEquals(data, ReleaseCodec.encode(ReleaseCodec.decodeManifest(data)), "accepted a non-canonical manifest");
        } catch (ReleaseRefusedException e) {
            refusedWell(e);
        }
    }

    @FuzzTest
    void keys(byte[] data) {
        try {
            assertArrayEquals(data, ReleaseCodec.encode(ReleaseCodec.decodeKeys(data)), "accepted a non-canonical keys document");
        } catch (ReleaseRefusedException e) {
            refusedWell(e);
        }
    }

    private static void refusedWell(ReleaseRefusedException e) {
        assertEquals(UpdateFailure.MALFORMED, e.failure());
        Fixtures.checkDetail(e);
    }
}
