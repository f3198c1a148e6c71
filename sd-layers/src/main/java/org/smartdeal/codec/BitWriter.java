package org.smartdeal.codec;

import java.util.Arrays;

/**
 * Appends bits MSB-first to a growable byte buffer. The first bit written becomes the most
 * significant bit of byte 0. {@link #toByteArray()} pads the last byte with zero bits.
 */
public final class BitWriter {

    private byte[] buf;
    private long bitLength;

    /** Creates an empty writer. */
    public BitWriter() {
        this.buf = new byte[64];
    }

    /**
     * Writes the low {@code count} bits of {@code value}, most significant of them first.
     *
     * @param value the bits; bits above {@code count} are ignored
     * @param count number of bits, in [0, 64]
     */
    public void writeBits(long value, int count) {
        if (count < 0 || count > 64) {
            throw new IllegalArgumentException("BitWriter.count must be in [0, 64], got " + count);
        }
        int left = count;
        while (left > 0) {
            int byteIndex = (int) (bitLength >>> 3);
            ensure(byteIndex);
            int free = 8 - (int) (bitLength & 7);
            int take = Math.min(free, left);
            int bits = (int) ((value >>> (left - take)) & ((1 << take) - 1));
            buf[byteIndex] |= (byte) (bits << (free - take));
            bitLength += take;
            left -= take;
        }
    }

    private void ensure(int byteIndex) {
        if (byteIndex >= buf.length) {
            if (buf.length >= Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("BitWriter exceeds 2^31 bytes");
            }
            buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16L, 2L * buf.length));
        }
    }

    /** Writes one bit (0 or non-zero meaning 1). */
    public void writeBit(int bit) {
        int byteIndex = (int) (bitLength >>> 3);
        ensure(byteIndex);
        if (bit != 0) {
            buf[byteIndex] |= (byte) (0x80 >>> (int) (bitLength & 7));
        }
        bitLength++;
    }

    /** Writes a signed value as {@code count}-bit two's complement; it must fit. */
    public void writeSigned(long value, int count) {
        long min = -(1L << (count - 1));
        long max = (1L << (count - 1)) - 1;
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    "value must be in [" + min + ", " + max + "] for " + count + " bits, got " + value);
        }
        writeBits(value, count);
    }

    /** Writes zero bits up to the next byte boundary; returns how many were written (0..7). */
    public int padToByte() {
        int pad = (int) ((8 - (bitLength & 7)) & 7);
        for (int i = 0; i < pad; i++) {
            writeBit(0);
        }
        return pad;
    }

    /** Number of bits written so far (padding included once written). */
    public long bitLength() {
        return bitLength;
    }

    /** The bytes written so far; a partial last byte is padded with zero bits. Not modified. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, (int) ((bitLength + 7) >>> 3));
    }
}
