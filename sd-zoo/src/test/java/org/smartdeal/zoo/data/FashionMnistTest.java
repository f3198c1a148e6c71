package org.smartdeal.zoo.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Fashion-MNIST loading. The real-data tests skip with a visible reason when the Debian package
 * {@code dataset-fashion-mnist} is absent; CI installs it.
 */
class FashionMnistTest {

    private static Path realDir() {
        Path dir = FashionMnist.resolveDir(null);
        assumeTrue(FashionMnist.isAvailable(dir),
                "Fashion-MNIST not installed in " + dir + " (apt-get install dataset-fashion-mnist): skipping real-data test");
        return dir;
    }

    @Test
    void realSplitsHaveTheDocumentedSizesAndBalancedClasses() throws IOException {
        Path dir = realDir();
        FashionMnist train = FashionMnist.load(dir, true);
        FashionMnist test = FashionMnist.load(dir, false);
        // Xiao et al. 2017: 60,000 training and 10,000 test images, 6,000 / 1,000 per class.
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        int[] perClass = new int[10];
        for (int y : test.labels()) {
            perClass[y]++;
        }
        int[] thousand = new int[10];
        java.util.Arrays.fill(thousand, 1000);
        assertArrayEquals(thousand, perClass);
        // The first training image of the published files is labelled 9 (ankle boot).
        assertEquals(9, train.label(0));
    }

    @Test
    void iteratorCoversEveryExampleOncePerEpochAndShufflesReproducibly() throws IOException {
        FashionMnist data = FashionMnist.load(realDir(), false).limit(300);
        InMemoryDataSetIterator a = data.iterator(128, true, 7);
        InMemoryDataSetIterator b = data.iterator(128, true, 7);
        int seen = 0;
        double labelSum = 0;
        while (a.hasNext()) {
            DataSet da = a.next();
            DataSet db = b.next();
            assertEquals(da.getFeatures(), db.getFeatures());
            seen += da.numExamples();
            labelSum += da.getLabels().sumNumber().doubleValue();
        }
        assertEquals(300, seen);
        assertEquals(300.0, labelSum, 0.0, "one-hot labels sum to one per example");
        a.reset();
        DataSet epoch2 = a.next();
        b.reset();
        assertEquals(epoch2.getFeatures(), b.next().getFeatures());
        assertFalse(a.next().getFeatures().equals(epoch2.getFeatures()));
    }

    @Test
    void missingFolderGivesInstructions(@TempDir Path empty) {
        IOException e = assertThrows(FashionMnist.DataMissingException.class, () -> FashionMnist.load(empty, true));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("no such folder"), "the folder exists: " + e.getMessage());
        Path none = empty.resolve("none");
        IOException n = assertThrows(FashionMnist.DataMissingException.class, () -> FashionMnist.load(none, true));
        assertTrue(n.getMessage().contains("not found in " + none + " (no such folder). Install"), n.getMessage());
    }

    @Test
    void foreignFileIsRejectedWithItsName(@TempDir Path dir) throws IOException {
        for (String name : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"}) {
            try (OutputStream out = Files.newOutputStream(dir.resolve(name))) {
                out.write(ByteBuffer.allocate(8).putInt(1234).putInt(1).array());
            }
        }
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(dir, true));
        assertTrue(e.getMessage().contains("train-labels-idx1-ubyte"), e.getMessage());
        assertTrue(e.getMessage().contains("2049"), e.getMessage());
    }

    /** An IDX label file of {@code n} labels (i % 10) followed by {@code extra} zero bytes. */
    private static byte[] labelFile(int declared, int n, int extra) {
        ByteBuffer b = ByteBuffer.allocate(8 + n + extra).putInt(2049).putInt(declared);
        for (int i = 0; i < n; i++) {
            b.put((byte) (i % 10));
        }
        return b.array();
    }

    /** An IDX image file of {@code n} 28x28 images of pseudo-random pixels followed by {@code extra} zero bytes. */
    private static byte[] imageFile(int declared, int n, int extra) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * 784 + extra).putInt(2051).putInt(declared).putInt(28).putInt(28);
        java.util.Random r = new java.util.Random(n);
        for (int i = 0; i < n * 784; i++) {
            b.put((byte) r.nextInt(256));
        }
        return b.array();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    /** Writes the t10k pair into {@code dir}, gzipped or not. */
    private static void testSplit(Path dir, byte[] labels, byte[] images, boolean gz) throws IOException {
        String ext = gz ? ".gz" : "";
        Files.write(dir.resolve("t10k-labels-idx1-ubyte" + ext), gz ? gzip(labels) : labels);
        Files.write(dir.resolve("t10k-images-idx3-ubyte" + ext), gz ? gzip(images) : images);
    }

    @Test
    void aDamagedGzipFileNeverLoadsChangedPixels(@TempDir Path dir) throws IOException {
        testSplit(dir, labelFile(20, 20, 0), imageFile(20, 20, 0), true);
        Path images = dir.resolve("t10k-images-idx3-ubyte.gz");
        byte[] good = Files.readAllBytes(images);
        float[] original = new float[784];
        FashionMnist.load(dir, false).copyImage(19, original, 0);
        // the CRC-32 trailer (the 8 bytes before the last 4): readFully used to stop before it
        byte[] crc = good.clone();
        crc[crc.length - 8] ^= 1;
        Files.write(images, crc);
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(dir, false));
        assertTrue(e.getMessage().startsWith(images + ": corrupt gzip file ("), e.getMessage());
        // any single-bit flip after the 10-byte gzip header: an error, or (padding bits) the same pixels
        int errors = 0;
        for (int pos = 10; pos < good.length; pos += Math.max(1, good.length / 40)) {
            byte[] b = good.clone();
            b[pos] ^= (byte) (1 << (pos % 8));
            Files.write(images, b);
            try {
                FashionMnist data = FashionMnist.load(dir, false);
                float[] back = new float[784];
                data.copyImage(19, back, 0);
                assertArrayEquals(original, back, "flip at byte " + pos + " loaded changed pixels");
            } catch (IOException ex) {
                assertTrue(ex.getMessage().startsWith(images.toString()), ex.getMessage());
                errors++;
            }
        }
        assertTrue(errors > 30, errors + " flips detected");
    }

    /** A stream over fixed bytes that records whether it was closed. */
    private static final class RecordingStream extends java.io.ByteArrayInputStream {
        boolean closed;

        RecordingStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /**
     * A .gz file whose gzip header is invalid (an uncompressed IDX file renamed) or cut short (empty) fails
     * while the gzip header is read, and the file's stream is closed then: it used to stay open.
     */
    @Test
    void aBadGzipHeaderClosesTheFileStream(@TempDir Path dir) throws IOException {
        RecordingStream notGzip = new RecordingStream(labelFile(5, 5, 0));
        assertThrows(java.util.zip.ZipException.class, () -> FashionMnist.wrap(notGzip, true));
        assertTrue(notGzip.closed, "stream of a file that is not gzip closed");
        RecordingStream empty = new RecordingStream(new byte[0]);
        assertThrows(java.io.EOFException.class, () -> FashionMnist.wrap(empty, true));
        assertTrue(empty.closed, "stream of an empty .gz file closed");
        RecordingStream raw = new RecordingStream(labelFile(5, 5, 0));
        try (java.io.DataInputStream in = FashionMnist.wrap(raw, false)) {
            assertEquals(2049, in.readInt());
            assertFalse(raw.closed, "a good stream stays open for reading");
        }
        // through load: the message names the file and says what is wrong
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), labelFile(5, 5, 0));
        Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"), gzip(imageFile(5, 5, 0)));
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(dir, false));
        assertTrue(e.getMessage().startsWith(dir.resolve("t10k-labels-idx1-ubyte.gz") + ": corrupt gzip file (Not in"
                + " GZIP format;"), e.getMessage());
    }

    /** Image and label counts that differ name both files (the labels file was not named before). */
    @Test
    void countsThatDifferNameBothFiles(@TempDir Path dir) throws IOException {
        testSplit(dir, labelFile(6, 6, 0), imageFile(5, 5, 0), true);
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(dir, false));
        assertEquals(dir.resolve("t10k-images-idx3-ubyte.gz") + " holds 5 images but " + dir.resolve("t10k-labels-idx1-ubyte.gz")
                + " holds 6 labels; the two files must be of the same split (training 60,000, test 10,000)", e.getMessage());
    }

    @Test
    void trailingDataIsRejectedInRawAndGzipFiles(@TempDir Path dir) throws IOException {
        testSplit(dir, labelFile(5, 5, 0), imageFile(5, 5, 1000), false);
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(dir, false));
        assertEquals(dir.resolve("t10k-images-idx3-ubyte") + ": the header declares 5 images, so the file must hold"
                + " 16 + 5 x 784 = 3936 bytes, but it has 4936 (1000 trailing bytes)", e.getMessage());
        Path gz = Files.createDirectory(dir.resolve("gz"));
        testSplit(gz, labelFile(5, 5, 3), imageFile(5, 5, 0), true);
        e = assertThrows(IOException.class, () -> FashionMnist.load(gz, false));
        assertEquals(gz.resolve("t10k-labels-idx1-ubyte.gz") + ": trailing data after the 5 labels the header declares"
                + " (in the uncompressed data); an IDX file ends with its last record", e.getMessage());
    }

    @Test
    void aHugeCountOverLittleDataFailsAsTruncatedWithoutAllocatingTheCount(@TempDir Path dir) throws IOException {
        // raw: the size check comes first
        testSplit(dir, labelFile(1_000_000, 10, 0), imageFile(10, 10, 0), false);
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(dir, false));
        assertEquals(dir.resolve("t10k-labels-idx1-ubyte") + ": the header declares 1000000 labels, so the file must"
                + " hold 8 + 1000000 x 1 = 1000008 bytes, but it has 18 (truncated)", e.getMessage());
        // gzip: a million real labels (1 MB, a few KB gzipped), images declaring a million over 3 images
        Path gz = Files.createDirectory(dir.resolve("gz"));
        testSplit(gz, labelFile(1_000_000, 1_000_000, 0), imageFile(1_000_000, 3, 0), true);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory
                .getThreadMXBean();
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        e = assertThrows(IOException.class, () -> FashionMnist.load(gz, false));
        long allocated = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertEquals(gz.resolve("t10k-images-idx3-ubyte.gz") + ": truncated: the header declares 1000000 images"
                + " (784000000 bytes of data) but the uncompressed data ends after 2352 bytes", e.getMessage());
        assertTrue(allocated < 64L << 20, "allocated " + allocated + " bytes; 784 MB used to be allocated up front");
    }
}
