package io.cpns.groupkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.cpns.groupkey.BroadcastMember.Update;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The broadcast fuzzers' seeds are real broadcasts of {@link BroadcastFuzzTest}'s tree: a leave, a
 * join, a Group Key renewal and a catch-up, each of which the member applies. Run with
 * {@code -Dcpns.fuzz.writeSeeds=true} to (re)write them into src/test/resources.
 */
class BroadcastFuzzCorpusTest {
    private static final String INPUTS = "BroadcastFuzzTestInputs/";
    private static final Path SOURCE = Path.of("src/test/resources/io/cpns/groupkey/" + INPUTS);
    private static final CBORMapper CBOR = new CBORMapper();

    @Test
    void seeds_areBroadcastsTheMemberApplies() throws IOException {
        if (Boolean.getBoolean("cpns.fuzz.writeSeeds")) {
            for (Map.Entry<String, byte[]> s : seeds().entrySet()) {
                Path p = SOURCE.resolve("wire/" + s.getKey());
                Files.createDirectories(p.getParent());
                Files.write(p, s.getValue());
                Path b = SOURCE.resolve("signedBody/" + s.getKey());
                Files.createDirectories(b.getParent());
                Files.write(b, (byte[]) CBOR.readValue(s.getValue(), Map.class).get("body"));
            }
            return; // the copies on the class path are the next build's
        }
        for (String name : seeds().keySet()) {
            Update u = BroadcastFuzzTest.welcomed().onBroadcast(seed("wire/" + name));
            assertEquals(Update.Kind.NEW_KEY, u.kind(), name);
            Update v = BroadcastFuzzTest.welcomed().onBroadcast(BroadcastFuzzTest.signed(seed("signedBody/" + name)));
            assertEquals(Update.Kind.NEW_KEY, v.kind(), name);
        }
    }

    private byte[] seed(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream(INPUTS + name)) {
            assertNotNull(in, "seed " + name + " missing: run this test with -Dcpns.fuzz.writeSeeds=true");
            return in.readAllBytes();
        }
    }

    /** Changes of the fixed tree, each from its fixed state, with a newer Group Key. */
    static Map<String, byte[]> seeds() {
        Set<String> all = new TreeSet<>(BroadcastFuzzTest.distributor().members());
        byte[] next = BroadcastFuzzTest.fixed(32, 0x77);
        long epoch = BroadcastFuzzTest.KEY_EPOCH + 1;
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        Set<String> leave = new TreeSet<>(all);
        leave.remove("pne-5");
        seeds.put("leave", BroadcastFuzzTest.distributor().update(leave, epoch, next).broadcast());
        Set<String> join = new TreeSet<>(all);
        join.add("pne-8");
        seeds.put("join", BroadcastFuzzTest.distributor().update(join, epoch, next).broadcast());
        seeds.put("renewal", BroadcastFuzzTest.distributor().current(epoch, next));
        seeds.put("catch-up", BroadcastFuzzTest.distributor().pathOf(BroadcastFuzzTest.MEMBER, epoch, next));
        return seeds;
    }
}
