package org.smartdeal.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes NumPy {@code .npy} files (format spec: numpy.lib.format, NEP 1).
 *
 * <p>Reads format versions 1.0 and 2.0 with dtype {@code '<f4'} (float32) or {@code '<f8'}
 * (float64), little-endian, C order ({@code fortran_order: False}), any rank including 0.
 * Writes version 1.0 float32 in C order, with the header padded by spaces and ended by a
 * newline so that the data starts at a multiple of 64 bytes, as NumPy does; files are written
 * atomically ({@link AtomicFiles}).
 *
 * <p>Every problem is an {@link NpyFormatException} whose message names the file, the rule and
 * the value found: not a .npy file (magic), unsupported version, Fortran order, unsupported
 * dtype, a malformed header, truncated data, or a data length that does not match the header's
 * shape. Lengths are checked before anything is allocated.
 */
public final class NpyFile {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;

    private NpyFile() {
    }

    /** Reads a .npy file. */
    public static NpyArray read(Path path) throws IOException {
        long size = Files.size(path);
        if (size > Integer.MAX_VALUE - 8L) {
            throw new NpyFormatException("file " + path + ": size " + size + " bytes exceeds the limit of "
                    + (Integer.MAX_VALUE - 8L));
        }
        AtomicFiles.checkHeapFor(size, path);
        return read(Files.readAllBytes(path), path.toString());
    }

    /**
     * Parses the bytes of a .npy file.
     *
     * @param bytes  the whole file; not modified
     * @param source the file name used in messages
     */
    public static NpyArray read(byte[] bytes, String source) throws NpyFormatException {
        String file = "file " + source + ": ";
        boolean magic = bytes.length >= MAGIC.length;
        for (int i = 0; magic && i < MAGIC.length; i++) {
            magic = bytes[i] == MAGIC[i];
        }
        if (!magic) {
            throw new NpyFormatException(file + "not a .npy file: it must start with 93 4e 55 4d 50 59 (\\x93NUMPY), found ["
                    + HexFormat.ofDelimiter(" ").formatHex(bytes, 0, Math.min(6, bytes.length)) + "]");
        }
        if (bytes.length < 8) {
            throw new NpyFormatException(file + "truncated: the version needs 8 bytes, the file has " + bytes.length);
        }
        int major = bytes[6] & 0xFF;
        int minor = bytes[7] & 0xFF;
        if ((major != 1 && major != 2) || minor != 0) {
            throw new NpyFormatException(file + "unsupported .npy format version " + major + "." + minor
                    + " (supported: 1.0, 2.0)");
        }
        int lenBytes = major == 1 ? 2 : 4;
        int start = 8 + lenBytes;
        if (bytes.length < start) {
            throw new NpyFormatException(file + "truncated: the header length needs " + start + " bytes, the file has "
                    + bytes.length);
        }
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = major == 1 ? (bb.getShort(8) & 0xFFFF) : (bb.getInt(8) & 0xFFFF_FFFFL);
        if (headerLen > bytes.length - start) {
            throw new NpyFormatException(file + "truncated: header length " + headerLen + " exceeds the "
                    + (bytes.length - start) + " bytes after the preamble");
        }
        String header = new String(bytes, start, (int) headerLen, StandardCharsets.ISO_8859_1);
        Map<String, Object> dict = new HeaderParser(header, file).parseDict();
        for (String key : List.of("descr", "fortran_order", "shape")) {
            if (!dict.containsKey(key)) {
                throw new NpyFormatException(file + "header must have the key '" + key + "', found keys " + dict.keySet()
                        + " in " + header.strip());
            }
        }
        if (dict.size() != 3) {
            throw new NpyFormatException(file + "header must have exactly the keys descr, fortran_order, shape, found "
                    + dict.keySet());
        }
        Object descr = dict.get("descr");
        if (!(descr instanceof String)) {
            throw new NpyFormatException(file + "dtype must be a string such as '<f4', found " + descr
                    + " (structured dtypes are not supported)");
        }
        int itemSize;
        if ("<f4".equals(descr)) {
            itemSize = 4;
        } else if ("<f8".equals(descr)) {
            itemSize = 8;
        } else {
            throw new NpyFormatException(file + "dtype '" + descr + "' is not supported (allowed: '<f4' float32, "
                    + "'<f8' float64, little-endian)");
        }
        Object fortran = dict.get("fortran_order");
        if (!(fortran instanceof Boolean)) {
            throw new NpyFormatException(file + "fortran_order must be True or False, found " + fortran);
        }
        if ((Boolean) fortran) {
            throw new NpyFormatException(file + "Fortran order (fortran_order: True) is not supported: only C order; "
                    + "save with numpy.ascontiguousarray(a)");
        }
        if (!(dict.get("shape") instanceof long[] shape)) {
            throw new NpyFormatException(file + "shape must be a tuple of integers, found " + dict.get("shape"));
        }
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new NpyFormatException(file + "shape dimensions must be >= 0, found " + shapeText(shape));
            }
            count = d == 0 || count == 0 ? 0 : (count > (Integer.MAX_VALUE - 8L) / d ? Long.MAX_VALUE : count * d);
        }
        if (count > Integer.MAX_VALUE - 8L) {
            throw new NpyFormatException(file + "shape " + shapeText(shape) + " has more values than a Java array holds");
        }
        long dataStart = start + headerLen;
        long expected = count * itemSize;
        long actual = bytes.length - dataStart;
        if (actual < expected) {
            throw new NpyFormatException(file + "truncated: shape " + shapeText(shape) + " of " + descr + " needs "
                    + expected + " data bytes, found " + actual);
        }
        if (actual > expected) {
            throw new NpyFormatException(file + "length mismatch: shape " + shapeText(shape) + " of " + descr
                    + " needs " + expected + " data bytes but the file holds " + actual);
        }
        double[] data = new double[(int) count];
        bb.position((int) dataStart);
        for (int i = 0; i < data.length; i++) {
            data[i] = itemSize == 4 ? bb.getFloat() : bb.getDouble();
        }
        return new NpyArray(shape, data, (String) descr);
    }

    /** Writes a float32 .npy file (version 1.0, C order) atomically. */
    public static void writeFloat32(Path path, long[] shape, float[] data) throws IOException {
        AtomicFiles.write(path, toBytes(shape, data));
    }

    /** Writes doubles as a float32 .npy file, each value rounded to the nearest float. */
    public static void writeFloat32(Path path, long[] shape, double[] data) throws IOException {
        float[] f = new float[data.length];
        for (int i = 0; i < data.length; i++) {
            f[i] = (float) data[i];
        }
        writeFloat32(path, shape, f);
    }

    /** The bytes of a float32 .npy file (version 1.0, C order). Inputs are not modified. */
    public static byte[] toBytes(long[] shape, float[] data) {
        long n = FloatArrayEntry.product(shape, "npy shape");
        if (n != data.length) {
            throw new IllegalArgumentException("npy: shape " + shapeText(shape) + " holds " + n
                    + " values but data.length = " + data.length);
        }
        StringBuilder h = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': ")
                .append(shapeText(shape)).append(", }");
        int unpadded = MAGIC.length + 2 + 2 + h.length() + 1;
        int pad = (ALIGN - unpadded % ALIGN) % ALIGN;
        h.append(" ".repeat(pad)).append('\n');
        byte[] header = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (header.length > 0xFFFF) {
            throw new IllegalArgumentException("npy: header of " + header.length + " bytes does not fit version 1.0");
        }
        ByteBuffer bb = ByteBuffer.allocate(MAGIC.length + 4 + header.length + 4 * data.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length).put(header);
        for (float v : data) {
            bb.putFloat(v);
        }
        return bb.array();
    }

    /** Python's repr of a shape tuple: (), (5,), (2, 3). */
    static String shapeText(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** Parser of the Python dict literal in a .npy header: strings, True/False, int tuples. */
    private static final class HeaderParser {
        private final String s;
        private final String file;
        private int i;

        HeaderParser(String s, String file) {
            this.s = s;
            this.file = file;
        }

        private NpyFormatException error(String what) {
            return new NpyFormatException(file + "header is not a valid .npy header dict: " + what + " at character "
                    + i + " of " + s.strip());
        }

        private void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private boolean peek(char c) {
            skipSpace();
            return i < s.length() && s.charAt(i) == c;
        }

        private void expect(char c) throws NpyFormatException {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
            i++;
        }

        Map<String, Object> parseDict() throws NpyFormatException {
            Map<String, Object> out = new LinkedHashMap<>();
            expect('{');
            while (!peek('}')) {
                String key = parseString();
                expect(':');
                if (out.put(key, parseValue()) != null) {
                    throw error("duplicate key '" + key + "'");
                }
                if (!peek('}')) {
                    expect(',');
                }
            }
            expect('}');
            skipSpace();
            if (i != s.length()) {
                throw error("unexpected text after the dict");
            }
            return out;
        }

        private Object parseValue() throws NpyFormatException {
            skipSpace();
            if (peek('\'') || peek('"')) {
                return parseString();
            }
            if (peek('(')) {
                return parseTuple();
            }
            if (s.startsWith("True", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            if (peek('[') || peek('{')) {
                throw error("structured or nested values are not supported");
            }
            throw error("unexpected value");
        }

        private String parseString() throws NpyFormatException {
            skipSpace();
            if (i >= s.length() || (s.charAt(i) != '\'' && s.charAt(i) != '"')) {
                throw error("expected a quoted string");
            }
            char q = s.charAt(i++);
            int end = s.indexOf(q, i);
            if (end < 0) {
                throw error("unterminated string");
            }
            String v = s.substring(i, end);
            i = end + 1;
            return v;
        }

        private long[] parseTuple() throws NpyFormatException {
            expect('(');
            List<Long> dims = new ArrayList<>();
            while (!peek(')')) {
                int st = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (st == i) {
                    throw error("expected a non-negative integer in the shape tuple");
                }
                if (i - st > 18) {
                    throw error("shape dimension " + s.substring(st, i) + " is too large");
                }
                dims.add(Long.parseLong(s.substring(st, i)));
                if (s.startsWith("L", i)) {
                    i++; // Python 2 long suffix
                }
                if (!peek(')')) {
                    expect(',');
                }
            }
            expect(')');
            return dims.stream().mapToLong(Long::longValue).toArray();
        }
    }
}
