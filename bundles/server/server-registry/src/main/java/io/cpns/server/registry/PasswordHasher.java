package io.cpns.server.registry;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Randoms;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * CPNS User passwords are stored as Argon2id hashes (RFC 9106) in the PHC string format
 * {@code $argon2id$v=19$m=<KiB>,t=<iterations>,p=<lanes>$<salt>$<hash>} (unpadded base64), so a
 * stolen database costs an attacker a memory-hard guess per password. The parameters travel in
 * the string: raising them later does not break existing users.
 */
final class PasswordHasher {
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder D64 = Base64.getDecoder();

    private final int memoryKiB;
    private final int iterations;
    private final int parallelism;

    PasswordHasher(int memoryKiB, int iterations, int parallelism) {
        this.memoryKiB = memoryKiB;
        this.iterations = iterations;
        this.parallelism = parallelism;
    }

    String hash(char[] password) {
        byte[] salt = Randoms.bytes(16);
        byte[] h = argon2(password, salt, memoryKiB, iterations, parallelism, 32);
        try {
            return "$argon2id$v=19$m=" + memoryKiB + ",t=" + iterations + ",p=" + parallelism + "$"
                    + B64.encodeToString(salt) + "$" + B64.encodeToString(h);
        } finally {
            Bytes.wipe(h);
        }
    }

    /** Constant-time check of {@code password} against a stored PHC string. */
    boolean verify(char[] password, String phc) {
        String[] p = phc.split("\\$");
        if (p.length != 6 || !p[1].equals("argon2id") || !p[2].equals("v=19")) {
            throw new CpnsException(ErrorCode.INTERNAL, "unsupported stored password hash format");
        }
        int m = 0;
        int t = 0;
        int par = 0;
        for (String kv : p[3].split(",")) {
            int v = Integer.parseInt(kv.substring(2));
            switch (kv.charAt(0)) {
                case 'm' -> m = v;
                case 't' -> t = v;
                case 'p' -> par = v;
                default -> throw new CpnsException(ErrorCode.INTERNAL, "bad stored password hash parameters");
            }
        }
        byte[] expected = D64.decode(p[5]);
        byte[] actual = argon2(password, D64.decode(p[4]), m, t, par, expected.length);
        try {
            return Bytes.constantTimeEquals(expected, actual);
        } finally {
            Bytes.wipe(actual);
        }
    }

    private static byte[] argon2(char[] password, byte[] salt, int m, int t, int p, int length) {
        Argon2BytesGenerator g = new Argon2BytesGenerator();
        g.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(m).withIterations(t).withParallelism(p).withSalt(salt).build());
        byte[] out = new byte[length];
        g.generateBytes(password, out);
        return out;
    }
}
