package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fixtures under test resources npy/ were written by NumPy 2.4.6; see npy/README.txt. */
class NpyFileTest {

    @TempDir
    Path dir;

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = NpyFileTest.class.getResourceAsStream("npy/" + name)) {
            return in.readAllBytes();
        }
    }

    private static NpyArray readFixture(String name) throws IOException {
        return NpyFile.read(fixture(name), name);
    }

    @Test
    void readsNumpyFloat32AndFloat64() throws Exception {
        NpyArray a = readFixture("f4_2x3.npy");
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertEquals("<f4", a.dtype());
        assertArrayEquals(new double[] {1.5, -2.0, (double) 0.1f, 3.25, (double) 1e-7f, -0.0}, a.data());
        NpyArray b = readFixture("f8_4.npy");
        assertArrayEquals(new long[] {4}, b.shape());
        assertArrayEquals(new double[] {0.1, -1e300, Double.MIN_VALUE, 7.0}, b.data());
    }

    @Test
    void readsVersion2ScalarsAndEmptyArrays() throws Exception {
        NpyArray v2 = readFixture("f8_2x2_v2.npy");
        assertArrayEquals(new long[] {2, 2}, v2.shape());
        assertArrayEquals(new double[] {1, 2, 3, 4}, v2.data());
        NpyArray scalar = readFixture("f4_scalar.npy");
        assertEquals(0, scalar.rank());
        assertArrayEquals(new double[] {2.5}, scalar.data());
        NpyArray empty = readFixture("f8_empty_0x4.npy");
        assertArrayEquals(new long[] {0, 4}, empty.shape());
        assertEquals(0, empty.data().length);
    }

    @Test
    void writerProducesNumpysExactBytes() throws Exception {
        float[] v = {1.5f, -2.0f, 0.1f, 3.25f, 1e-7f, -0.0f};
        assertArrayEquals(fixture("f4_2x3.npy"), NpyFile.toBytes(new long[] {2, 3}, v));
        assertArrayEquals(fixture("f4_5.npy"), NpyFile.toBytes(new long[] {5}, new float[] {1, 2, 3, 4, 5}));
        assertArrayEquals(fixture("f4_scalar.npy"), NpyFile.toBytes(new long[0], new float[] {2.5f}));
    }

    @Test
    void roundTripsThroughDiskAtomically() throws Exception {
        Path p = dir.resolve("w.npy");
        double[] data = {0.1, -3, 1e-3, 7, 8, 9.5, 0, -0.25};
        NpyFile.writeFloat32(p, new long[] {2, 1, 4}, data);
        NpyArray back = NpyFile.read(p);
        assertArrayEquals(new long[] {2, 1, 4}, back.shape());
        for (int i = 0; i < data.length; i++) {
            assertEquals((double) (float) data[i], back.data()[i], 0.0, "index " + i);
        }
        assertEquals(0, Files.size(p) % 4);
        assertEquals(128 + 32, Files.size(p)); // 64-aligned header, 8 float32 values
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(p), files.toList());
        }
    }

    @Test
    void notANpyFile() {
        byte[] zip = {'P', 'K', 3, 4, 0, 0, 0, 0};
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> NpyFile.read(zip, "model.zip"));
        assertEquals("file model.zip: not a .npy file: it must start with 93 4e 55 4d 50 59 (\\x93NUMPY), found "
                + "[50 4b 03 04 00 00]", e.getMessage());
    }

    @Test
    void fortranOrderIsRejected() {
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> readFixture("fortran.npy"));
        assertTrue(e.getMessage().startsWith("file fortran.npy: Fortran order (fortran_order: True) is not supported"),
                e.getMessage());
    }

    @Test
    void unsupportedDtypesAreNamed() {
        NpyFormatException i4 = assertThrows(NpyFormatException.class, () -> readFixture("i4.npy"));
        assertTrue(i4.getMessage().startsWith("file i4.npy: dtype '<i4' is not supported"), i4.getMessage());
        NpyFormatException be = assertThrows(NpyFormatException.class, () -> readFixture("f8_big_endian.npy"));
        assertTrue(be.getMessage().contains("dtype '>f8' is not supported"), be.getMessage());
    }

    @Test
    void truncatedDataAndLengthMismatch() throws Exception {
        byte[] full = fixture("f4_2x3.npy");
        byte[] cut = Arrays.copyOf(full, full.length - 3);
        NpyFormatException t = assertThrows(NpyFormatException.class, () -> NpyFile.read(cut, "a.npy"));
        assertEquals("file a.npy: truncated: shape (2, 3) of <f4 needs 24 data bytes, found 21", t.getMessage());
        byte[] longer = Arrays.copyOf(full, full.length + 4);
        NpyFormatException m = assertThrows(NpyFormatException.class, () -> NpyFile.read(longer, "a.npy"));
        assertEquals("file a.npy: length mismatch: shape (2, 3) of <f4 needs 24 data bytes but the file holds 28",
                m.getMessage());
        for (int len = 0; len < 128; len++) {
            byte[] head = Arrays.copyOf(full, len);
            assertThrows(NpyFormatException.class, () -> NpyFile.read(head, "a.npy"), "length " + len);
        }
    }

    @Test
    void malformedHeadersAndVersions() throws Exception {
        byte[] v3 = fixture("f4_5.npy");
        v3[6] = 3;
        NpyFormatException v = assertThrows(NpyFormatException.class, () -> NpyFile.read(v3, "v.npy"));
        assertEquals("file v.npy: unsupported .npy format version 3.0 (supported: 1.0, 2.0)", v.getMessage());
        byte[] bad = fixture("f4_5.npy");
        byte[] broken = new String(bad, StandardCharsets.ISO_8859_1).replace("'shape': (5,)", "'shape': [5,]")
                .getBytes(StandardCharsets.ISO_8859_1);
        NpyFormatException h = assertThrows(NpyFormatException.class, () -> NpyFile.read(broken, "h.npy"));
        assertTrue(h.getMessage().startsWith("file h.npy: header is not a valid .npy header dict"), h.getMessage());
        byte[] huge = new String(bad, StandardCharsets.ISO_8859_1).replace("'shape': (5,)", "'shape': (99999999999,)")
                .getBytes(StandardCharsets.ISO_8859_1);
        NpyFormatException g = assertThrows(NpyFormatException.class, () -> NpyFile.read(huge, "g.npy"));
        assertTrue(g.getMessage().contains("more values than a Java array holds"), g.getMessage());
    }

    @Test
    void writerValidatesShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NpyFile.toBytes(new long[] {2, 2}, new float[3]));
        assertEquals("npy: shape (2, 2) holds 4 values but data.length = 3", e.getMessage());
    }
}
