package io.cpns.crypto;

/** Direction of traffic in a session; each direction has its own key and/or nonce space. */
public enum Direction {
    INITIATOR_TO_RESPONDER(1), RESPONDER_TO_INITIATOR(2);

    private final int nonceTag;

    Direction(int nonceTag) {
        this.nonceTag = nonceTag;
    }

    /** First 4 bytes of every AEAD nonce in this direction. */
    public int nonceTag() {
        return nonceTag;
    }
}
