package org.smartdeal.zoo.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The IDX reader and the in-memory set at the bounds their Javadoc states: counts in [1, 1,000,000], labels in
 * [0, 9], pixels scaled to [0, 1], headers that end early, the data folder's resolution order. Found by mutation
 * testing: each case was a change of {@link FashionMnist} that no test noticed. The files are written here byte
 * by byte in the IDX layout (Xiao et al. 2017 / LeCun's MNIST page: a big-endian magic 2049 or 2051, the count,
 * for images rows and columns, then one unsigned byte per label or pixel).
 */
class FashionMnistEdgesTest {

    /** An IDX label file declaring {@code declared} labels and holding {@code labels}. */
    private static byte[] labelFile(int declared, int... labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length).putInt(2049).putInt(declared);
        for (int y : labels) {
            b.put((byte) y);
        }
        return b.array();
    }

    /** An IDX image file of {@code rows x cols} images holding {@code pixels} (unsigned bytes). */
    private static byte[] imageFile(int n, int rows, int cols, int... pixels) {
        ByteBuffer b = ByteBuffer.allocate(16 + pixels.length).putInt(2051).putInt(n).putInt(rows).putInt(cols);
        for (int p : pixels) {
            b.put((byte) p);
        }
        return b.array();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    /** Writes the t10k pair into {@code dir} (gzipped when {@code gz}) and returns the labels file. */
    private static Path testSplit(Path dir, byte[] labels, byte[] images, boolean gz) throws IOException {
        String ext = gz ? ".gz" : "";
        Path l = dir.resolve("t10k-labels-idx1-ubyte" + ext);
        Files.write(l, gz ? gzip(labels) : labels);
        Files.write(dir.resolve("t10k-images-idx3-ubyte" + ext), gz ? gzip(images) : images);
        return l;
    }

    private static String loadError(Path dir) {
        return assertThrows(IOException.class, () -> FashionMnist.load(dir, false)).getMessage();
    }

    /**
     * One image whose pixels are 0, 1, 128, 255 then zeros loads as byte / 255 (the class Javadoc: "grey images
     * scaled to [0, 1]"; 255 is white, 1.0). A file of one label is the smallest allowed count.
     */
    @Test
    void pixelsAreTheUnsignedBytesOver255AndOneImageIsEnough(@TempDir Path dir) throws IOException {
        int[] px = new int[FashionMnist.PIXELS];
        px[0] = 0;
        px[1] = 1;
        px[2] = 128;
        px[3] = 255;
        px[783] = 200;
        testSplit(dir, labelFile(1, 9), imageFile(1, 28, 28, px), false);
        FashionMnist one = FashionMnist.load(dir, false);
        assertEquals(1, one.size());
        assertEquals(9, one.label(0), "label 9, the largest class, is accepted");
        float[] out = new float[FashionMnist.PIXELS + 2];
        one.copyImage(0, out, 2);
        assertEquals(0f, out[2]);
        assertEquals(1 / 255f, out[3]);
        assertEquals(128 / 255f, out[4]);
        assertEquals(1f, out[5]);
        assertEquals(200 / 255f, out[2 + 783]);
    }

    /** Label counts in [1, 1,000,000] (MAX_IMAGES): 0 and 1,000,001 are refused before any data is read. */
    @Test
    void labelCountsOutsideOneToAMillionAreRefused(@TempDir Path dir) throws IOException {
        Path labels = testSplit(dir, labelFile(0), imageFile(0, 28, 28), false);
        assertEquals(labels + ": label count must be in [1, 1000000], got 0", loadError(dir));
        Files.write(labels, labelFile(1_000_001, 1));
        assertEquals(labels + ": label count must be in [1, 1000000], got 1000001", loadError(dir));
    }

    /** A label byte of 10 (one past class 9) names the label's position and value. */
    @Test
    void aLabelOfTenIsRefusedWithItsPosition(@TempDir Path dir) throws IOException {
        Path labels = testSplit(dir, labelFile(4, 0, 9, 5, 10), imageFile(4, 28, 28, new int[4 * 784]), false);
        assertEquals(labels + ": label 3 must be in [0, 9], got 10", loadError(dir));
    }

    /**
     * A header cut short: the message says so, and for a .gz file adds that the gzip stream may be cut short.
     * Labels: 6 bytes (the count needs bytes 4 to 7). Images: the rows and columns missing (8 of 16 header bytes).
     */
    @Test
    void aHeaderCutShortNamesTheFileAndWhetherItIsGzip(@TempDir Path dir) throws IOException {
        byte[] shortLabels = java.util.Arrays.copyOf(labelFile(1, 0), 6);
        byte[] shortImages = java.util.Arrays.copyOf(imageFile(1, 28, 28), 8);
        Path raw = Files.createDirectory(dir.resolve("raw"));
        Path l = testSplit(raw, shortLabels, imageFile(1, 28, 28, new int[784]), false);
        assertEquals(l + ": truncated IDX label file (it ends inside the header)", loadError(raw));
        Path gz = Files.createDirectory(dir.resolve("gz"));
        l = testSplit(gz, shortLabels, imageFile(1, 28, 28, new int[784]), true);
        assertEquals(l + ": truncated IDX label file (it ends inside the header or the gzip stream is cut short)",
                loadError(gz));
        testSplit(raw, labelFile(1, 0), shortImages, false);
        assertEquals(raw.resolve("t10k-images-idx3-ubyte") + ": truncated IDX image file (it ends inside the header)",
                loadError(raw));
        testSplit(gz, labelFile(1, 0), shortImages, true);
        assertEquals(gz.resolve("t10k-images-idx3-ubyte.gz") + ": truncated IDX image file (it ends inside the header"
                + " or the gzip stream is cut short)", loadError(gz));
    }

    /** of(): the message names the label count, the pixels it needs (784 each) and the pixels given. */
    @Test
    void ofNamesTheCountsAndTheBadLabel() {
        assertEquals("images must hold 784 pixels per label: 2 labels need 1568 pixels, got 10",
                assertThrows(IllegalArgumentException.class, () -> FashionMnist.of(new float[10], new int[2]))
                        .getMessage());
        assertEquals("label 1 must be in [0, 9], got -1", assertThrows(IllegalArgumentException.class,
                () -> FashionMnist.of(new float[2 * 784], new int[] {9, -1})).getMessage());
        assertEquals(9, FashionMnist.of(new float[784], new int[] {9}).label(0));
    }

    /** limit(n): "at least 1"; the first n examples, or all when n is larger. */
    @Test
    void limitKeepsAtLeastOneExample() {
        FashionMnist three = FashionMnist.of(new float[3 * 784], new int[] {4, 5, 6});
        assertArrayEquals(new int[] {4}, three.limit(1).labels());
        assertArrayEquals(new int[] {4, 5, 6}, three.limit(7).labels());
        assertEquals("limit must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> three.limit(0)).getMessage());
    }

    /** isAvailable: all four files, each gzipped or not; three are not enough. */
    @Test
    void availableMeansAllFourFiles(@TempDir Path dir) throws IOException {
        String[] names = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte"};
        for (int i = 0; i < names.length; i++) {
            assertFalse(FashionMnist.isAvailable(dir), i + " of the 4 files present");
            Files.write(dir.resolve(names[i]), new byte[1]);
        }
        assertTrue(FashionMnist.isAvailable(dir));
        // a folder of a file's name is not the file
        Files.delete(dir.resolve(names[3]));
        Files.createDirectory(dir.resolve(names[3]));
        assertFalse(FashionMnist.isAvailable(dir));
    }

    /**
     * resolveDir's order (its Javadoc): the user's folder, else the system property, else the environment
     * variable, else the Debian package's folder. A blank property counts as unset. The property is restored.
     */
    @Test
    void theDataFolderIsTheUsersThenThePropertyThenTheEnvironmentThenTheDefault(@TempDir Path dir) {
        assertSame(dir, FashionMnist.resolveDir(dir));
        String saved = System.getProperty(FashionMnist.DIR_PROPERTY);
        try {
            System.setProperty(FashionMnist.DIR_PROPERTY, "/some/where");
            assertEquals(Path.of("/some/where"), FashionMnist.resolveDir(null));
            assertEquals(dir, FashionMnist.resolveDir(dir), "the user's folder wins over the property");
            System.setProperty(FashionMnist.DIR_PROPERTY, " ");
            // the rest of the order, written out: the environment variable when set and not blank, else the default
            String env = System.getenv(FashionMnist.DIR_ENV);
            Path expected = env != null && !env.isBlank() ? Path.of(env) : Path.of("/usr/share/datasets/fashion-mnist");
            assertEquals(expected, FashionMnist.resolveDir(null));
            System.clearProperty(FashionMnist.DIR_PROPERTY);
            assertEquals(expected, FashionMnist.resolveDir(null));
        } finally {
            if (saved == null) {
                System.clearProperty(FashionMnist.DIR_PROPERTY);
            } else {
                System.setProperty(FashionMnist.DIR_PROPERTY, saved);
            }
        }
    }

    /**
     * asImages: features become [batch, 1, 28, 28], pixel p of an example at row p / 28, column p % 28 (row-major,
     * as the IDX file stores them).
     */
    @Test
    void asImagesReshapesRowsOf784IntoImages() {
        float[] img = new float[2 * 784];
        img[784 + 783] = 0.5f; // example 1, last pixel: row 27, column 27
        img[30] = 0.25f; // example 0, pixel 30: row 1, column 2
        FashionMnist two = FashionMnist.of(img, new int[] {1, 2});
        InMemoryDataSetIterator it = two.iterator(2, false, 0);
        assertSame(it, FashionMnist.asImages(it));
        INDArray f = it.next().getFeatures();
        assertArrayEquals(new long[] {2, 1, 28, 28}, f.shape());
        assertEquals(0.5, f.getDouble(1, 0, 27, 27));
        assertEquals(0.25, f.getDouble(0, 0, 1, 2));
    }

    /** A stream that cannot be closed: wrap's failure keeps the close failure as a suppressed exception. */
    @Test
    void aFailedCloseIsKeptWithTheGzipError() {
        java.io.InputStream unclosable = new java.io.ByteArrayInputStream(labelFile(1, 0)) {
            @Override
            public void close() throws IOException {
                throw new IOException("close failed");
            }
        };
        java.util.zip.ZipException e = assertThrows(java.util.zip.ZipException.class,
                () -> FashionMnist.wrap(unclosable, true));
        assertEquals(1, e.getSuppressed().length);
        assertEquals("close failed", e.getSuppressed()[0].getMessage());
    }
}
