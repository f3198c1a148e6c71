package org.smartdeal.zoo.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.TaskSplits;

/**
 * {@link FashionMnistDataSource} at the bounds of its properties table, on a training split of ten examples written
 * here byte by byte in the IDX layout (a big-endian magic 2049 or 2051, the count, for images 28 and 28, then one
 * unsigned byte per label or pixel; Xiao et al. 2017), so that no test needs the real data. Example i has label i
 * and first pixel i / 255, which names it in the iterators. Cases no earlier test checked, written from the class
 * Javadoc (a mutation-testing run meant to list them did not finish; docs/RESULTS.md 8).
 */
class FashionMnistDataSourceEdgesTest {

    private static final int N = 10;

    /** Writes a training split of ten examples into {@code dir} and returns it. */
    private static Path tenExamples(Path dir) throws IOException {
        ByteBuffer labels = ByteBuffer.allocate(8 + N).putInt(2049).putInt(N);
        ByteBuffer images = ByteBuffer.allocate(16 + N * FashionMnist.PIXELS).putInt(2051).putInt(N).putInt(28)
                .putInt(28);
        for (int i = 0; i < N; i++) {
            labels.put((byte) i);
            images.put((byte) i).put(new byte[FashionMnist.PIXELS - 1]);
        }
        Files.write(dir.resolve("train-labels-idx1-ubyte"), labels.array());
        Files.write(dir.resolve("train-images-idx3-ubyte"), images.array());
        return dir;
    }

    private static Properties props(Path dir, String... kv) {
        Properties p = new Properties();
        p.setProperty("dir", dir.toString());
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    private static FashionMnistDataSource configured(Path dir, String... kv) {
        FashionMnistDataSource s = new FashionMnistDataSource();
        s.configure(props(dir, kv));
        return s;
    }

    /** The examples of one pass, by their first pixel (example i: i / 255), and the minibatch sizes. */
    private static List<Integer> ids(Object data, List<Integer> batches) {
        DataSetIterator it = (DataSetIterator) data;
        List<Integer> out = new ArrayList<>();
        while (it.hasNext()) {
            DataSet ds = it.next();
            batches.add(ds.numExamples());
            for (int i = 0; i < ds.numExamples(); i++) {
                out.add(Math.round(ds.getFeatures().getRow(i).reshape(-1).getFloat(0) * 255));
            }
        }
        return out;
    }

    private static List<Integer> ids(FashionMnist set) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < set.size(); i++) {
            out.add(set.label(i));
        }
        return out;
    }

    private static String message(Path dir, String... kv) {
        return assertThrows(IllegalArgumentException.class, () -> configured(dir, kv)).getMessage();
    }

    /**
     * The hold-out is at most one example short of the training set (9 of 10 leaves one to train on; 10 is refused
     * with the set's size), and the range check comes first: 59,999 passes it (and is then too many for ten), 60,000
     * does not.
     */
    @Test
    void theHoldOutMustLeaveAnExampleToTrainOn(@TempDir Path tmp) throws IOException {
        Path dir = tenExamples(tmp);
        FashionMnistDataSource s = configured(dir, "validation", "9");
        List<Integer> batches = new ArrayList<>();
        assertEquals(9, ids(s.testData(), batches).size());
        assertEquals(1, ids(s.trainData(), new ArrayList<>()).size());
        assertEquals("FashionMnistDataSource: property validation must be below the training set's 10 examples, got 10",
                message(dir, "validation", "10"));
        assertEquals("FashionMnistDataSource: property validation must be below the training set's 10 examples, got "
                + "59999", message(dir, "validation", "59999"));
        assertEquals("FashionMnistDataSource: property validation must be in [1, 59999], got 60000",
                message(dir, "validation", "60000"));
        assertEquals(1, ids(configured(dir, "validation", "1").testData(), new ArrayList<>()).size());
    }

    /**
     * The parts are TaskSplits.holdOut's with the seed (42 by default, the table): the validation part in its order,
     * the part to train on cut to its first {@code train} examples (a count of 1 is the smallest), and both in
     * minibatches of {@code batch}.
     */
    @Test
    void thePartsAreTheHoldOutsWithTheSeedTrainCountAndBatch(@TempDir Path tmp) throws IOException {
        Path dir = tenExamples(tmp);
        FashionMnist all = FashionMnist.load(dir, true);
        TaskSplits.HoldOut by42 = TaskSplits.holdOut(all, 4, 42);
        TaskSplits.HoldOut by7 = TaskSplits.holdOut(all, 4, 7);
        assertNotEquals(ids(by42.validation()), ids(by7.validation()), "the two seeds cut differently");

        List<Integer> batches = new ArrayList<>();
        assertEquals(ids(by42.validation()), ids(configured(dir, "validation", "4").testData(), batches),
                "seed 42 by default");
        assertEquals(List.of(4), batches, "one minibatch of the default 128");
        FashionMnistDataSource seven = configured(dir, "validation", " 4 ", "seed", " 7 ", "batch", "3", "train", "5");
        batches.clear();
        assertEquals(ids(by7.validation()), ids(seven.testData(), batches), "in order");
        assertEquals(List.of(3, 1), batches);
        batches.clear();
        List<Integer> fit = ids(seven.trainData(), batches);
        assertEquals(List.of(3, 2), batches);
        List<Integer> first5 = ids(by7.fit()).subList(0, 5);
        assertEquals(new java.util.TreeSet<>(first5), new java.util.TreeSet<>(fit),
                "the first 5 of the rest, shuffled: " + fit);
        assertEquals(1, ids(configured(dir, "validation", "4", "train", "1").trainData(), new ArrayList<>()).size());
        assertEquals(6, ids(configured(dir, "validation", "4", "train", "2147483647").trainData(), new ArrayList<>())
                .size(), "more than there are: all the rest");
    }

    /** The layout property, trimmed: image gives [n, 1, 28, 28] to both parts, flat (the default) rows of 784. */
    @Test
    void theLayoutShapesBothParts(@TempDir Path tmp) throws IOException {
        Path dir = tenExamples(tmp);
        FashionMnistDataSource image = configured(dir, "validation", "4", "layout", " image ");
        assertArrayEquals(new long[] {4, 1, 28, 28}, ((DataSetIterator) image.testData()).next().getFeatures().shape());
        assertArrayEquals(new long[] {6, 1, 28, 28}, ((DataSetIterator) image.trainData()).next().getFeatures().shape());
        FashionMnistDataSource flat = configured(dir, "validation", "4", "layout", "flat");
        assertArrayEquals(new long[] {4, 784}, ((DataSetIterator) flat.testData()).next().getFeatures().shape());
        assertArrayEquals(new long[] {6, 784}, ((DataSetIterator) configured(dir, "validation", "4").trainData()).next()
                .getFeatures().shape());
    }

    /** Each property's rule at its bound, with the message naming the property, the rule and the value. */
    @Test
    void everyPropertyIsRefusedOneBeyondItsRange(@TempDir Path tmp) throws IOException {
        Path dir = tenExamples(tmp);
        assertEquals("FashionMnistDataSource: property batch must be in [1, 2147483647], got 0",
                message(dir, "validation", "4", "batch", "0"));
        List<Integer> batches = new ArrayList<>();
        ids(configured(dir, "validation", "4", "batch", "1").testData(), batches);
        assertEquals(List.of(1, 1, 1, 1), batches, "a batch of 1 is allowed");
        assertEquals("FashionMnistDataSource: property train must be in [1, 2147483647], got 0",
                message(dir, "validation", "4", "train", "0"));
        assertEquals("FashionMnistDataSource: property validation must be in [1, 59999], got 0",
                message(dir, "validation", "0"));
        assertEquals("FashionMnistDataSource: property seed must be a whole number, got '4.5'",
                message(dir, "validation", "4", "seed", "4.5"));
        assertEquals("FashionMnistDataSource: property train must be a whole number, got ''",
                message(dir, "validation", "4", "train", ""));
        assertEquals("FashionMnistDataSource: property layout must be flat or image, got 'images'",
                message(dir, "validation", "4", "layout", "images"));
        assertEquals("FashionMnistDataSource: unknown property 'Batch'; known: [batch, dir, layout, seed, train, "
                + "validation]", message(dir, "Batch", "4"));
        // a seed is a long: 2^40 is accepted
        assertEquals(4, ids(configured(dir, "validation", "4", "seed", "1099511627776").testData(), new ArrayList<>())
                .size());
    }

    /** Data that cannot be read: the reader's message (naming the file), wrapped in an UncheckedIOException. */
    @Test
    void missingDataFailsWithTheReadersMessage(@TempDir Path tmp) throws IOException {
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> configured(tmp, "validation", "4"));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
        assertEquals(e.getCause().getMessage(), e.getMessage());
        FashionMnistDataSource fresh = new FashionMnistDataSource();
        assertEquals("FashionMnistDataSource: call configure(Properties) first",
                assertThrows(IllegalStateException.class, fresh::testData).getMessage());
    }

    /**
     * No properties at all (null): every default. With the data folder's system property pointing at the ten
     * examples, the default hold-out of 5,000 is then too many, which shows both the null handled and the default.
     */
    @Test
    void nullPropertiesMeanEveryDefault(@TempDir Path tmp) throws IOException {
        Path dir = tenExamples(tmp);
        String before = System.getProperty(FashionMnist.DIR_PROPERTY);
        System.setProperty(FashionMnist.DIR_PROPERTY, dir.toString());
        try {
            assertEquals("FashionMnistDataSource: property validation must be below the training set's 10 examples, "
                    + "got 5000", assertThrows(IllegalArgumentException.class,
                            () -> new FashionMnistDataSource().configure(null)).getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(FashionMnist.DIR_PROPERTY);
            } else {
                System.setProperty(FashionMnist.DIR_PROPERTY, before);
            }
        }
    }

    /**
     * A property put as a number ({@code put("validation", 3)}, not {@code setProperty}) is refused with its key and
     * value. Before, {@code Properties.getProperty} and {@code stringPropertyNames} (JDK Javadoc: they skip entries
     * whose key or value is not a String) made configure ignore it without a word: the hold-out was the default
     * 5000, which on this ten-example split failed with "property validation must be below the training set's 10
     * examples, got 5000", naming a value the caller never gave.
     */
    @Test
    void aPropertyThatIsNotAStringIsRefusedNotIgnored(@TempDir Path tmp) throws IOException {
        Path dir = tenExamples(tmp);
        Properties p = props(dir);
        p.put("validation", 3);
        assertEquals("FashionMnistDataSource: property validation must have a String key and value "
                + "(Properties.setProperty), got key java.lang.String, value java.lang.Integer 3",
                assertThrows(IllegalArgumentException.class, () -> new FashionMnistDataSource().configure(p))
                        .getMessage());
        Properties q = props(dir, "validation", "3");
        q.put("batch", 2L);
        assertEquals("FashionMnistDataSource: property batch must have a String key and value "
                + "(Properties.setProperty), got key java.lang.String, value java.lang.Long 2",
                assertThrows(IllegalArgumentException.class, () -> new FashionMnistDataSource().configure(q))
                        .getMessage());
        // as strings, the same settings work: 3 held out, 7 to train on in minibatches of 2
        FashionMnistDataSource s = configured(dir, "validation", "3", "batch", "2");
        List<Integer> batches = new ArrayList<>();
        assertEquals(3, ids(s.testData(), batches).size());
        assertEquals(List.of(2, 1), batches);
    }
}
