package io.cpns.codec;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One kind of CBOR record a bundle keeps in its secret store, one per id under a prefix
 * ({@code io.cpns.api.gateway.KeyStoreAliases}): the alias, the encoding, the check that a decoded
 * record is complete, and one typed error ({@code INTERNAL}, its cause never in the detail) for a
 * record that is not. Where the record is kept, and what becomes of one that does not read back
 * (quarantine, retry), stay with the store that owns it.
 *
 * @param <T> the record (a Java record, encoded by its components' names)
 */
public final class CborRecord<T> {
    private static final CBORMapper MAPPER = new CBORMapper(); // thread-safe once configured

    private final String prefix;
    private final Class<T> type;
    private final String what;
    private final Predicate<T> complete;

    /**
     * @param what     the record's name in errors ("Group Key record")
     * @param complete whether a decoded record has what its owner needs (Jackson leaves an absent field null)
     */
    public CborRecord(String prefix, Class<T> type, String what, Predicate<T> complete) {
        this.prefix = Objects.requireNonNull(prefix);
        this.type = Objects.requireNonNull(type);
        this.what = Objects.requireNonNull(what);
        this.complete = Objects.requireNonNull(complete);
    }

    public String prefix() {
        return prefix;
    }

    /** The alias of {@code id}'s record. */
    public String alias(String id) {
        return prefix + id;
    }

    /** The id an alias listed under {@link #prefix()} names. */
    public String id(String alias) {
        return alias.substring(prefix.length());
    }

    /** The record's bytes (the caller wipes them when they hold a key). */
    public byte[] encode(T record) {
        try {
            return MAPPER.writeValueAsBytes(record);
        } catch (IOException e) {
            throw new CpnsException(ErrorCode.INTERNAL, "cannot encode " + what, e);
        }
    }

    /** @throws CpnsException {@code INTERNAL} if {@code bytes} are not a complete record of this kind */
    public T decode(byte[] bytes) {
        T r;
        try {
            r = MAPPER.readValue(bytes, type);
        } catch (IOException | RuntimeException e) { // decrypted, yet not this record: a bug or another version wrote it
            throw new CpnsException(ErrorCode.INTERNAL, "unreadable " + what);
        }
        boolean whole;
        try {
            whole = r != null && complete.test(r);
        } catch (RuntimeException e) { // a null deeper in than the check expected
            whole = false;
        }
        if (!whole) {
            throw new CpnsException(ErrorCode.INTERNAL, "incomplete " + what);
        }
        return r;
    }
}
