package org.smartdeal.zoo.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.smartdeal.codec.HeapCheck;

/**
 * The Fashion-MNIST dataset (Xiao et al. 2017) held in memory: 28x28 grey images scaled to [0, 1]
 * and labels 0-9.
 *
 * <p>The files are the four IDX files of the Debian package {@code dataset-fashion-mnist}
 * (installed under {@value #DEFAULT_DIR}) or of a folder the user gives, gzipped or not. They are
 * read straight from the gzip stream, so no cache folder is written and nothing is downloaded.
 * The IDX headers are validated (magic number, counts, image size) before anything is allocated;
 * the data must end right after the records the header declares (an uncompressed file's size is
 * checked first), which for a gzipped file also checks its CRC-32 and length, and the buffers grow
 * with the data actually read, so a header stating more records than the file holds fails as
 * truncated instead of allocating them.
 */
public final class FashionMnist {

    /** Where the Debian package {@code dataset-fashion-mnist} installs the files. */
    public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";
    /** System property that overrides the default folder. */
    public static final String DIR_PROPERTY = "smartdeal.fashionmnist.dir";
    /** Environment variable that overrides the default folder (the property wins). */
    public static final String DIR_ENV = "SMARTDEAL_FASHION_MNIST";
    /** Pixels per image. */
    public static final int PIXELS = 28 * 28;
    /** Number of classes. */
    public static final int CLASSES = 10;
    /** Human-readable class names in label order. */
    public static final String[] CLASS_NAMES = {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

    private static final int IMAGE_MAGIC = 2051;
    private static final int LABEL_MAGIC = 2049;
    private static final int MAX_IMAGES = 1_000_000;
    private static final int LABEL_HEADER_BYTES = 8;
    private static final int IMAGE_HEADER_BYTES = 16;

    private final float[] images;
    private final int[] labels;

    private FashionMnist(float[] images, int[] labels) {
        this.images = images;
        this.labels = labels;
    }

    /**
     * Examples given in memory (e.g. synthetic data in tests, or images prepared elsewhere in the same
     * layout); the arrays are copied.
     *
     * @param images pixels, {@link #PIXELS} per example in example order, scaled as {@link #load} scales them
     * @param labels one label per example, each in [0, 9]
     * @return the dataset
     * @throws IllegalArgumentException naming the rule and the value when the lengths disagree or a label
     *                                  is out of range
     */
    public static FashionMnist of(float[] images, int[] labels) {
        if ((long) labels.length * PIXELS != images.length) {
            throw new IllegalArgumentException("images must hold " + PIXELS + " pixels per label: "
                    + labels.length + " labels need " + (long) labels.length * PIXELS + " pixels, got "
                    + images.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= CLASSES) {
                throw new IllegalArgumentException("label " + i + " must be in [0, 9], got " + labels[i]);
            }
        }
        return new FashionMnist(images.clone(), labels.clone());
    }

    /**
     * Resolves the data folder: {@code userDir} when not null, else the system property
     * {@value #DIR_PROPERTY}, else the environment variable {@value #DIR_ENV}, else
     * {@value #DEFAULT_DIR}.
     *
     * @param userDir folder given by the user, or null
     * @return the folder to read from (not checked)
     */
    public static Path resolveDir(Path userDir) {
        if (userDir != null) {
            return userDir;
        }
        String prop = System.getProperty(DIR_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Paths.get(prop);
        }
        String env = System.getenv(DIR_ENV);
        if (env != null && !env.isBlank()) {
            return Paths.get(env);
        }
        return Paths.get(DEFAULT_DIR);
    }

    /**
     * Tells whether the four files are present in {@code dir}.
     *
     * @param dir folder to look in
     * @return true when all four IDX files exist, gzipped or not
     */
    public static boolean isAvailable(Path dir) {
        for (String base : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
            if (find(dir, base) == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * Loads the training (60,000 images) or test (10,000 images) split.
     *
     * @param dir folder holding the IDX files (see {@link #resolveDir(Path)})
     * @param train true for the training split, false for the test split
     * @return the split in memory
     * @throws DataMissingException when a file is absent, with instructions to obtain it
     * @throws IOException when a file is unreadable or not a valid IDX file (message names it)
     */
    public static FashionMnist load(Path dir, boolean train) throws IOException {
        String prefix = train ? "train" : "t10k";
        Path imageFile = require(dir, prefix + "-images-idx3-ubyte");
        Path labelFile = require(dir, prefix + "-labels-idx1-ubyte");
        int[] labels = readLabels(labelFile);
        float[] images = readImages(imageFile, labels.length, labelFile);
        return new FashionMnist(images, labels);
    }

    /** @return the number of examples */
    public int size() {
        return labels.length;
    }

    /**
     * @param i example index
     * @return the label of example {@code i}, in [0, 9]
     */
    public int label(int i) {
        return labels[i];
    }

    /** @return a copy of all labels */
    public int[] labels() {
        return labels.clone();
    }

    /**
     * Copies the pixels of example {@code i} into {@code out}.
     *
     * @param i example index
     * @param out destination of length >= {@link #PIXELS}, written at {@code offset} (Modified)
     * @param offset first position written
     */
    public void copyImage(int i, float[] out, int offset) {
        System.arraycopy(images, i * PIXELS, out, offset, PIXELS);
    }

    /**
     * A subset view: the examples at {@code indices}, in that order (pixels are copied).
     *
     * @param indices example indices, each in [0, size())
     * @return a new dataset holding those examples
     */
    public FashionMnist subset(int[] indices) {
        float[] img = new float[indices.length * PIXELS];
        int[] lab = new int[indices.length];
        for (int j = 0; j < indices.length; j++) {
            int i = Objects.checkIndex(indices[j], labels.length);
            System.arraycopy(images, i * PIXELS, img, j * PIXELS, PIXELS);
            lab[j] = labels[i];
        }
        return new FashionMnist(img, lab);
    }

    /**
     * The first {@code n} examples (or all when {@code n} is larger).
     *
     * @param n number of examples to keep, at least 1
     * @return a new dataset
     */
    public FashionMnist limit(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + n);
        }
        int k = Math.min(n, size());
        int[] idx = new int[k];
        Arrays.setAll(idx, i -> i);
        return subset(idx);
    }

    /**
     * An iterator over this dataset with features [batch, 784] and one-hot labels [batch, 10].
     *
     * @param batchSize minibatch size, at least 1
     * @param shuffle whether to reshuffle at every reset (seeded by {@code seed} and the epoch)
     * @param seed shuffle seed
     * @return a resettable iterator
     */
    public InMemoryDataSetIterator iterator(int batchSize, boolean shuffle, long seed) {
        return new InMemoryDataSetIterator(this, batchSize, shuffle, seed);
    }

    /**
     * Makes an iterator over this data give images [batch, 1, 28, 28] instead of rows of 784 values (for a
     * network whose first layer is a convolution without a flat-input preprocessor).
     *
     * @param it an iterator of {@link #iterator}
     * @return {@code it}
     */
    public static InMemoryDataSetIterator asImages(InMemoryDataSetIterator it) {
        it.setPreProcessor(ds -> ds.setFeatures(ds.getFeatures().reshape(ds.getFeatures().size(0), 1, 28, 28)));
        return it;
    }

    private static Path require(Path dir, String base) throws DataMissingException {
        Path p = find(dir, base);
        if (p == null) {
            throw new DataMissingException("Fashion-MNIST file " + base + "(.gz) not found in " + dir
                    + (java.nio.file.Files.isDirectory(dir) ? "" : " (no such folder)") + ". Install the Debian package with `sudo apt-get install dataset-fashion-mnist` (files go to "
                    + DEFAULT_DIR + "), or point --data-dir / -D" + DIR_PROPERTY + " / $" + DIR_ENV
                    + " at a folder holding the four IDX files from https://github.com/zalandoresearch/fashion-mnist.");
        }
        return p;
    }

    private static Path find(Path dir, String base) {
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path raw = dir.resolve(base);
        return Files.isRegularFile(raw) ? raw : null;
    }

    private static DataInputStream open(Path file) throws IOException {
        return wrap(Files.newInputStream(file), isGzip(file));
    }

    /**
     * The reader of an IDX file's bytes: buffered, and gunzipped when {@code gzip}. The gzip header is read
     * here ({@link GZIPInputStream}'s constructor); when that fails (not gzip, cut short), {@code raw} is
     * closed before the exception leaves, so a bad file leaks no file handle.
     *
     * @param raw the file's bytes; owned by the returned stream, or closed on failure
     * @param gzip whether the bytes are gzipped
     * @return the stream to read the IDX records from
     * @throws IOException when the gzip header is invalid or cannot be read ({@code raw} is closed)
     */
    static DataInputStream wrap(InputStream raw, boolean gzip) throws IOException {
        InputStream in = new BufferedInputStream(raw, 1 << 16);
        if (gzip) {
            try {
                in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
            } catch (IOException | RuntimeException e) {
                try {
                    in.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
        return new DataInputStream(in);
    }

    private static boolean isGzip(Path file) {
        return file.getFileName().toString().endsWith(".gz");
    }

    private static int[] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != LABEL_MAGIC) {
                throw new IOException(file + ": not an IDX label file (magic must be " + LABEL_MAGIC + ", got " + magic + ")");
            }
            int n = in.readInt();
            if (n < 1 || n > MAX_IMAGES) {
                throw new IOException(file + ": label count must be in [1, " + MAX_IMAGES + "], got " + n);
            }
            checkRawSize(file, LABEL_HEADER_BYTES, n, 1, "labels");
            byte[] raw = readData(in, file, n, 1, "labels");
            requireEnd(in, file, n, "labels");
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = raw[i] & 0xFF;
                if (labels[i] >= CLASSES) {
                    throw new IOException(file + ": label " + i + " must be in [0, 9], got " + labels[i]);
                }
            }
            return labels;
        } catch (EOFException e) {
            throw new IOException(file + ": truncated IDX label file (it ends inside the header"
                    + (isGzip(file) ? " or the gzip stream is cut short" : "") + ")", e);
        } catch (ZipException e) {
            throw corruptGzip(file, e);
        }
    }

    private static float[] readImages(Path file, int expected, Path labelFile) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != IMAGE_MAGIC) {
                throw new IOException(file + ": not an IDX image file (magic must be " + IMAGE_MAGIC + ", got " + magic + ")");
            }
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (n != expected) {
                // which of the two is wrong cannot be told: both are named (a training labels file copied over the
                // test one was blamed on the test images)
                throw new IOException(file + " holds " + n + " images but " + labelFile + " holds " + expected
                        + " labels; the two files must be of the same split (training 60,000, test 10,000)");
            }
            if (rows != 28 || cols != 28) {
                throw new IOException(file + ": images must be 28x28, got " + rows + "x" + cols);
            }
            checkRawSize(file, IMAGE_HEADER_BYTES, n, PIXELS, "images");
            byte[] raw = readData(in, file, n, PIXELS, "images");
            requireEnd(in, file, n, "images");
            checkHeap(4L * raw.length, file, n + " images as floats");
            float[] images = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                images[i] = (raw[i] & 0xFF) / 255f;
            }
            return images;
        } catch (EOFException e) {
            throw new IOException(file + ": truncated IDX image file (it ends inside the header"
                    + (isGzip(file) ? " or the gzip stream is cut short" : "") + ")", e);
        } catch (ZipException e) {
            throw corruptGzip(file, e);
        }
    }

    private static IOException corruptGzip(Path file, ZipException e) {
        return new IOException(file + ": corrupt gzip file (" + e.getMessage() + "; a damaged download or disk:"
                + " fetch the file again)", e);
    }

    /**
     * For an uncompressed file, checks its size against what the header declares before anything is
     * allocated: exactly {@code header + n * recordBytes} bytes.
     */
    private static void checkRawSize(Path file, long header, int n, int recordBytes, String what) throws IOException {
        if (isGzip(file)) {
            return; // the uncompressed size is known only by reading: readData grows with the data
        }
        long size = Files.size(file);
        long want = header + (long) n * recordBytes;
        if (size != want) {
            throw new IOException(file + ": the header declares " + n + " " + what + ", so the file must hold "
                    + header + " + " + n + " x " + recordBytes + " = " + want + " bytes, but it has " + size
                    + (size < want ? " (truncated)" : " (" + (size - want) + " trailing bytes)"));
        }
    }

    /**
     * Reads the {@code n * recordBytes} data bytes the header declares into a buffer that grows with the
     * bytes actually read (from 1 MiB, doubling, each step checked against the free heap), so a header
     * stating a large count over little data fails as truncated instead of allocating the count.
     */
    private static byte[] readData(InputStream in, Path file, int n, int recordBytes, String what) throws IOException {
        long bytes = (long) n * recordBytes;
        byte[] buf = new byte[(int) Math.min(bytes, 1 << 20)];
        int got = 0;
        while (got < bytes) {
            if (got == buf.length) {
                int next = (int) Math.min(bytes, 2L * buf.length);
                checkHeap(next, file, "the data of " + n + " " + what);
                buf = Arrays.copyOf(buf, next);
            }
            int r = in.read(buf, got, buf.length - got);
            if (r < 0) {
                throw new IOException(file + ": truncated: the header declares " + n + " " + what + " (" + bytes
                        + " bytes of data) but the " + (isGzip(file) ? "uncompressed " : "") + "data ends after "
                        + got + " bytes");
            }
            got += r;
        }
        return buf;
    }

    /**
     * Requires the end of the data right after the declared records. For a gzip file, reaching the
     * end also makes {@link GZIPInputStream} check the member's CRC-32 and length (its trailer), so
     * a damaged file fails here instead of loading changed pixels.
     */
    private static void requireEnd(InputStream in, Path file, int n, String what) throws IOException {
        if (in.read() != -1) {
            throw new IOException(file + ": trailing data after the " + n + " " + what + " the header declares"
                    + (isGzip(file) ? " (in the uncompressed data)" : "") + "; an IDX file ends with its last record");
        }
    }

    private static void checkHeap(long bytes, Path file, String what) throws IOException {
        HeapCheck.require(bytes, free -> new IOException(file + ": " + what + " need " + bytes
                + " bytes of heap but only " + free + " are free; " + org.smartdeal.codec.HeapCheck.ADVICE));
    }

    /** Thrown when the dataset files are absent; the message says how to obtain them. */
    public static final class DataMissingException extends IOException {
        private static final long serialVersionUID = 1L;

        DataMissingException(String message) {
            super(message);
        }
    }
}
