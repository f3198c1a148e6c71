package org.smartdeal.codec;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The sparse form of an SD layer's mask in an {@code .sdm} file (format 2.2, flags value 2): the
 * positions of the masked-in zeros of C, that is of the entries with M = 1 and C = 0. The mask
 * is then C != 0 plus these positions.
 *
 * <p>Why: SD training can flush a masked-in coefficient to 0 (ALGORITHMS.md 6.2), after which the
 * mask is no longer C != 0 and must be stored. A bitmap costs 1 bit per entry of packed C, as
 * much as the ELEM index itself, however few entries were flushed (the zoo cnn's files of the
 * shortened SD-T runs in docs/RESULTS.md 4a held 12.3 KB of bitmaps, a fifth of the file).
 * Listed, each costs an Elias-gamma code of its gap to the previous one (2 floor(log2 gap) + 1
 * bits) plus 8 bytes of counts per layer. The writer stores whichever of the two is smaller.
 *
 * <p>Layout: {@code u32 Z} (&gt;= 1), {@code u32 L}, then L bytes: Z Elias-gamma codes of the gaps
 * g_1 = p_1 + 1, g_i = p_i - p_(i-1) of the strictly increasing positions p_i (indices into packed
 * C in C order), MSB-first, zero padding to the byte. A gamma code of g &gt;= 1 is floor(log2 g) zero
 * bits followed by g in floor(log2 g) + 1 bits.
 */
final class MaskedZeros {

    /** Bytes of the two counts in front of the codes. */
    static final int HEADER_BYTES = 8;

    private MaskedZeros() {
    }

    /**
     * The masked-in zeros of a mask that covers C's non-zeros.
     *
     * @return their positions, ascending, or null when the mask leaves out a non-zero of C (then
     *         only a bitmap can describe it)
     */
    static int[] positions(boolean[] mask, double[] c) {
        int count = 0;
        for (int i = 0; i < c.length; i++) {
            boolean nonZero = c[i] != 0.0;
            if (nonZero && !mask[i]) {
                return null;
            }
            if (!nonZero && mask[i]) {
                count++;
            }
        }
        int[] out = new int[count];
        int k = 0;
        for (int i = 0; i < c.length; i++) {
            if (mask[i] && c[i] == 0.0) {
                out[k++] = i;
            }
        }
        return out;
    }

    /** The encoded list (counts and codes) of non-empty ascending positions. */
    static byte[] encode(int[] positions) {
        if (positions.length == 0) {
            throw new IllegalArgumentException("MaskedZeros.positions must not be empty");
        }
        BitWriter bits = new BitWriter();
        long previous = -1;
        for (int p : positions) {
            long gap = p - previous;
            if (gap < 1) {
                throw new IllegalArgumentException("MaskedZeros.positions must be ascending, got " + p
                        + " after " + previous);
            }
            int n = 63 - Long.numberOfLeadingZeros(gap);
            bits.writeBits(0, n);
            bits.writeBits(gap, n + 1);
            previous = p;
        }
        bits.padToByte();
        byte[] codes = bits.toByteArray();
        ByteArrayOutputStream raw = new ByteArrayOutputStream(HEADER_BYTES + codes.length);
        try (DataOutputStream out = new DataOutputStream(raw)) {
            out.writeInt(positions.length);
            out.writeInt(codes.length);
            out.write(codes);
        } catch (IOException e) {
            throw new IllegalStateException("in-memory stream", e);
        }
        return raw.toByteArray();
    }

    /**
     * Reads the list and returns the mask it describes over {@code c}: C != 0 plus the listed
     * positions. Validates counts against the bytes left before allocating, every position against
     * C's length and every listed entry against C (it must be 0).
     *
     * @param where the section, for error messages
     */
    static boolean[] decode(ByteCursor p, double[] c, String where) throws SdmFormatException {
        long z = p.u32("masked-in zero count");
        long length = p.u32("masked-in zero list length");
        if (z < 1 || z > c.length) {
            throw p.error("masked-in zero count must be in [1, K*m*n = " + c.length + "], got " + z);
        }
        byte[] codes = p.bytes(length, "masked-in zero list of " + z + " codes");
        if (z > 8L * length) {
            throw p.error(z + " masked-in zeros need at least " + z + " bits, the list has " + 8L * length);
        }
        String context = where + ", masked-in zero list";
        BitReader r = new BitReader(codes, context);
        // a few list bytes describe a mask as long as C, which the input does not bound: ask the heap first
        HeapCheck.require(c.length, free -> p.error("the mask of " + c.length + " entries needs " + c.length
                + " bytes of heap, only " + free + " free; " + HeapCheck.ADVICE));
        boolean[] mask = new boolean[c.length];
        for (int i = 0; i < c.length; i++) {
            mask[i] = c[i] != 0.0;
        }
        long position = -1;
        for (long i = 0; i < z; i++) {
            int n = 0;
            while (r.readBit() == 0) {
                if (++n > 31) {
                    throw new SdmFormatException(context + ": code " + i + " has a prefix longer than 31 zero bits");
                }
            }
            long gap = (1L << n) | r.readBits(n);
            position += gap;
            if (position >= c.length) {
                throw new SdmFormatException(context + ": code " + i + " points at entry " + position
                        + ", beyond K*m*n = " + c.length);
            }
            if (c[(int) position] != 0.0) {
                throw new SdmFormatException(context + ": entry " + position + " is listed as a masked-in zero"
                        + " but C holds " + c[(int) position] + " there");
            }
            mask[(int) position] = true;
        }
        r.alignToByte();
        if (r.remainingBits() != 0) {
            throw new SdmFormatException(context + ": " + r.remainingBits() / 8 + " bytes after the last code");
        }
        return mask;
    }
}
