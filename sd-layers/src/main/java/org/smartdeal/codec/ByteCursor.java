package org.smartdeal.codec;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Big-endian reads from a byte range that check the remaining length before every read and
 * allocation; failures are {@link SdmFormatException}s prefixed with the context.
 */
final class ByteCursor {

    private final byte[] buf;
    private final int limit;
    private final String context;
    private int pos;

    ByteCursor(byte[] buf, int from, int limit, String context) {
        this.buf = buf;
        this.pos = from;
        this.limit = limit;
        this.context = context;
    }

    int position() {
        return pos;
    }

    long remaining() {
        return limit - pos;
    }

    SdmFormatException error(String message) {
        return new SdmFormatException(context + ": " + message);
    }

    void require(long bytes, String what) throws SdmFormatException {
        if (bytes < 0 || bytes > remaining()) {
            throw error(what + " needs " + bytes + " bytes but only " + remaining() + " remain (truncated or corrupt)");
        }
    }

    int u8(String what) throws SdmFormatException {
        require(1, what);
        return buf[pos++] & 0xFF;
    }

    int u16(String what) throws SdmFormatException {
        require(2, what);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    long u32(String what) throws SdmFormatException {
        require(4, what);
        long v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    /** An unsigned 64-bit value that must fit a non-negative long. */
    long u64(String what) throws SdmFormatException {
        require(8, what);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        if (v < 0) {
            throw error(what + " must be in [0, 2^63), got " + Long.toUnsignedString(v));
        }
        return v;
    }

    byte[] bytes(long n, String what) throws SdmFormatException {
        require(n, what);
        byte[] out = new byte[(int) n];
        System.arraycopy(buf, pos, out, 0, (int) n);
        pos += (int) n;
        return out;
    }

    /** A u32-length-prefixed strict UTF-8 string. */
    String string(String what) throws SdmFormatException {
        long len = u32(what + " length");
        return utf8(bytes(len, what), what);
    }

    String utf8(byte[] raw, String what) throws SdmFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw error(what + " is not valid UTF-8");
        }
    }

    float[] floats(long count, String what) throws SdmFormatException {
        if (count > Integer.MAX_VALUE - 8L) {
            throw error(what + " has " + count + " values, more than a Java array holds");
        }
        require(4 * count, what + " of " + count + " float32 values");
        float[] out = new float[(int) count];
        for (int i = 0; i < out.length; i++) {
            int bits = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8)
                    | (buf[pos + 3] & 0xFF);
            out[i] = Float.intBitsToFloat(bits);
            pos += 4;
        }
        return out;
    }
}
