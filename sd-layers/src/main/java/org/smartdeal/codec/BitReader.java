package org.smartdeal.codec;

/**
 * Reads bits MSB-first from a byte array, mirroring {@link BitWriter}. Reading past the end
 * throws {@link SdmFormatException} naming the context, so corrupt counts can never run off the
 * buffer.
 */
public final class BitReader {

    private final byte[] buf;
    private final long limitBits;
    private final String context;
    private long pos;

    /**
     * Reads {@code buf} from its first bit to its last.
     *
     * @param buf the bytes; not modified and not copied
     * @param context what is being read, used in error messages (e.g. "SD layer 'fc1'")
     */
    public BitReader(byte[] buf, String context) {
        this.buf = buf;
        this.limitBits = 8L * buf.length;
        this.context = context;
    }

    /** Bits not yet read. */
    public long remainingBits() {
        return limitBits - pos;
    }

    /** Bits read so far. */
    public long position() {
        return pos;
    }

    /**
     * Throws unless at least {@code bits} bits remain.
     *
     * @param bits bits needed
     * @param what name of the field being read, for the error message
     */
    public void require(long bits, String what) throws SdmFormatException {
        if (bits < 0 || bits > remainingBits()) {
            throw new SdmFormatException(context + ": " + what + " needs " + bits
                    + " bits but only " + remainingBits() + " remain (truncated or corrupt data)");
        }
    }

    /** Reads one bit. */
    public int readBit() throws SdmFormatException {
        if (pos >= limitBits) {
            require(1, "bit");
        }
        int b = (buf[(int) (pos >>> 3)] >>> (7 - (int) (pos & 7))) & 1;
        pos++;
        return b;
    }

    /** Reads {@code count} bits (0..64) as an unsigned value, first bit most significant. */
    public long readBits(int count) throws SdmFormatException {
        if (count < 0 || count > 64) {
            throw new IllegalArgumentException("BitReader.count must be in [0, 64], got " + count);
        }
        if (count > remainingBits()) {
            require(count, count + "-bit field"); // throws; the message is built only then
        }
        long v = 0;
        int left = count;
        while (left > 0) {
            int avail = 8 - (int) (pos & 7);
            int take = Math.min(avail, left);
            int b = buf[(int) (pos >>> 3)] & 0xFF;
            v = (v << take) | ((b >>> (avail - take)) & ((1 << take) - 1));
            pos += take;
            left -= take;
        }
        return v;
    }

    /**
     * The next {@code count} bits (1..25) as an unsigned value, first bit most significant, without reading them.
     * The caller ensures that {@code count <= remainingBits()}.
     */
    int peekBits(int count) {
        int at = (int) (pos >>> 3);
        int word = 0;
        for (int i = 0; i < 4; i++) {
            word = (word << 8) | (at + i < buf.length ? buf[at + i] & 0xFF : 0);
        }
        return (word << (int) (pos & 7)) >>> (32 - count);
    }

    /** Moves past {@code count} bits that {@link #peekBits} showed; the caller ensures that they remain. */
    void skipBits(int count) {
        pos += count;
    }

    /** Reads a {@code count}-bit two's complement value (1..64 bits). */
    public long readSigned(int count) throws SdmFormatException {
        long v = readBits(count);
        return count == 64 ? v : (v << (64 - count)) >> (64 - count);
    }

    /** Skips to the next byte boundary; the skipped bits must be zero. */
    public void alignToByte() throws SdmFormatException {
        long start = pos;
        int pad = (int) ((8 - (pos & 7)) & 7);
        long bits = readBits(pad);
        if (bits != 0) {
            throw new SdmFormatException(context + ": padding bits " + start + " to " + (pos - 1) + " must be 0, got "
                    + String.format("%" + pad + "s", Long.toBinaryString(bits)).replace(' ', '0'));
        }
    }
}
