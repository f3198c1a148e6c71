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
}
