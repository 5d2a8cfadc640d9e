package io.cpns.bench;

import io.cpns.api.EntityId;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Ping;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.session.InitiatorHandshake;
import io.cpns.session.ResponderHandshake;
import io.cpns.session.SecureSession;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Message-level protection (TS §5.3.3.1.1): one protect (encode inner envelope, AES-GCM seal) plus
 * one verify (AES-GCM open, counter check, decode) of a ping with a 64-byte payload, per suite.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ProtectBenchmark {
    @Param({"modern-v1", "legacy-v1"})
    public String suite;

    private final MessageCodec codec = new MessageCodec();
    private final EntityId gw = EntityId.of("gw-bench");
    private final EntityId server = EntityId.of("cpns-server");
    private SecureSession sender;
    private SecureSession receiver;
    private Envelope message;
    private long id;

    @Setup
    public void setUp() {
        byte[] psk = Randoms.bytes(32);
        InitiatorHandshake i = new InitiatorHandshake(Suites.byName(suite), gw, server, psk);
        ResponderHandshake r = new ResponderHandshake(Suites.byName(suite), server, gw, psk, i.rand());
        ResponderHandshake.Result res = r.verify(i.prove(r.rand()));
        sender = i.confirm(res.proof());
        receiver = res.session();
        message = new Envelope(gw, server, 0, new Ping(Randoms.bytes(64)));
    }

    @Benchmark
    public Envelope protectAndVerify() {
        Envelope m = new Envelope(gw, server, ++id, message.body());
        return receiver.unprotect(sender.protect(m, codec), codec);
    }
}
