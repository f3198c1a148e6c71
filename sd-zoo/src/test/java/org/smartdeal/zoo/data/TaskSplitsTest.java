package org.smartdeal.zoo.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

/**
 * The task splits of ALGORITHMS.md 6.5. Expected sizes: Fashion-MNIST has 60,000 training and 10,000
 * test images, 6,000 / 1,000 per class (Xiao et al. 2017), so halves are 30,000 / 30,000 and each
 * class half of the adaptation task holds 30,000 training and 5,000 test images.
 */
class TaskSplitsTest {

    @Test
    void fineTuneHalvesAreDisjointCoverEverythingAndHaveTheDocumentedSizes() {
        TaskSplits.SplitIndices s = TaskSplits.fineTune(60_000, 10_000, 42);
        assertEquals(30_000, s.source().length);
        assertEquals(30_000, s.target().length);
        assertEquals(10_000, s.test().length);
        BitSet seen = new BitSet();
        for (int i : s.source()) {
            seen.set(i);
        }
        for (int i : s.target()) {
            assertFalse(seen.get(i), "index " + i + " is in both halves");
            seen.set(i);
        }
        assertEquals(60_000, seen.cardinality());
        assertEquals(60_000, seen.length());
        int[] sorted = s.source();
        Arrays.sort(sorted);
        assertArrayEquals(sorted, s.source(), "halves are sorted ascending");
    }

    @Test
    void oddSizesGiveBetaTheExtraExample() {
        TaskSplits.SplitIndices s = TaskSplits.fineTune(7, 1, 1);
        assertEquals(3, s.source().length);
        assertEquals(4, s.target().length);
    }

    @Test
    void sameSeedSameHalvesOtherSeedOtherHalves() {
        assertArrayEquals(TaskSplits.fineTune(1000, 10, 5).source(), TaskSplits.fineTune(1000, 10, 5).source());
        assertFalse(Arrays.equals(TaskSplits.fineTune(1000, 10, 5).source(),
                TaskSplits.fineTune(1000, 10, 6).source()));
    }

    @Test
    void halvesAreRandomNotAPrefix() {
        int[] alpha = TaskSplits.fineTune(1000, 10, 42).source();
        // A prefix split would put exactly indices 0..499 in alpha; a random half holds about 250 of them
        // (hypergeometric, sd ~ 8): the bounds are 10 standard deviations wide.
        long low = Arrays.stream(alpha).filter(i -> i < 500).count();
        assertTrue(low > 170 && low < 330, "alpha holds " + low + " of the first 500 indices");
    }

    @Test
    void adaptationSplitsByClassAndRestrictsTheTestSet() {
        int[] train = {0, 5, 9, 4, 4, 7, 1};
        int[] test = {3, 8, 5, 0};
        TaskSplits.SplitIndices s = TaskSplits.adaptation(train, test);
        assertArrayEquals(new int[] {0, 3, 4, 6}, s.source());
        assertArrayEquals(new int[] {1, 2, 5}, s.target());
        assertArrayEquals(new int[] {1, 2}, s.test());
        assertEquals(TaskSplits.Task.ADAPT, s.task());
    }

    @Test
    void adaptationWithoutTargetExamplesNamesThePart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskSplits.adaptation(new int[] {0, 1, 2}, new int[] {5}));
        assertTrue(e.getMessage().contains("target (training examples of classes 5-9) is empty"), e.getMessage());
    }

    @Test
    void badLabelsAndSizesAreRejectedWithTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskSplits.indicesOfClasses(new int[] {1, 10}, TaskSplits.CLASSES_A));
        assertTrue(e.getMessage().contains("label 1 must be in [0, 9], got 10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TaskSplits.fineTune(1, 5, 0));
        assertTrue(e.getMessage().contains("trainSize must be at least 2, got 1"), e.getMessage());
    }

    @Test
    void taskNamesParseAndUnknownNamesAreRejected() {
        assertEquals(TaskSplits.Task.FINETUNE, TaskSplits.Task.byName("finetune"));
        assertEquals(TaskSplits.Task.ADAPT, TaskSplits.Task.byName("ADAPT"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskSplits.Task.byName("transfer"));
        assertTrue(e.getMessage().contains("[finetune, adapt], got 'transfer'"), e.getMessage());
    }

    @Test
    void realDataHasTheDocumentedTaskSizesAndClassSets() throws IOException {
        Path dir = FashionMnist.resolveDir(null);
        assumeTrue(FashionMnist.isAvailable(dir),
                "Fashion-MNIST not installed in " + dir + " (apt-get install dataset-fashion-mnist): skipping real-data test");
        FashionMnist train = FashionMnist.load(dir, true);
        FashionMnist test = FashionMnist.load(dir, false);

        TaskSplits.TaskData ft = TaskSplits.split(TaskSplits.Task.FINETUNE, train, test, TaskSplits.DEFAULT_SEED);
        assertEquals(30_000, ft.source().size());
        assertEquals(30_000, ft.target().size());
        assertEquals(10_000, ft.test().size());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, ft.targetClasses());

        TaskSplits.TaskData ad = TaskSplits.split(TaskSplits.Task.ADAPT, train, test, TaskSplits.DEFAULT_SEED);
        assertEquals(30_000, ad.source().size());
        assertEquals(30_000, ad.target().size());
        assertEquals(5_000, ad.test().size());
        assertTrue(Arrays.stream(ad.source().labels()).allMatch(y -> y <= 4));
        assertTrue(Arrays.stream(ad.target().labels()).allMatch(y -> y >= 5));
        assertTrue(Arrays.stream(ad.test().labels()).allMatch(y -> y >= 5));
    }

    @Test
    void holdOutIsASeededDisjointCoverOfTheSetAndLeavesItUnchanged() {
        // 50 synthetic examples whose first pixel is the example's index, so each part can be traced back.
        int n = 50;
        float[] img = new float[n * FashionMnist.PIXELS];
        int[] lab = new int[n];
        for (int i = 0; i < n; i++) {
            img[i * FashionMnist.PIXELS] = i;
            lab[i] = i % FashionMnist.CLASSES;
        }
        FashionMnist set = FashionMnist.of(img, lab);
        TaskSplits.HoldOut h = TaskSplits.holdOut(set, 12, 3);
        assertEquals(12, h.validation().size());
        assertEquals(38, h.fit().size());
        int[] perm = TaskSplits.permutation(n, 3);
        BitSet seen = new BitSet();
        for (int j = 0; j < 12; j++) {
            int id = firstPixel(h.validation(), j);
            assertEquals(perm[j], id, "validation example " + j + " is permutation position " + j);
            assertEquals(id % FashionMnist.CLASSES, h.validation().labels()[j], "label travels with its image");
            seen.set(id);
        }
        for (int j = 0; j < 38; j++) {
            int id = firstPixel(h.fit(), j);
            assertFalse(seen.get(id), "example " + id + " is in both parts");
            seen.set(id);
        }
        assertEquals(n, seen.cardinality(), "the two parts together are the whole set");
        assertEquals(49, firstPixel(set, 49), "input unchanged");
        assertArrayEquals(h.validation().labels(), TaskSplits.holdOut(set, 12, 3).validation().labels(),
                "same seed, same cut");
        TaskSplits.HoldOut other = TaskSplits.holdOut(set, 12, 4);
        int[] a = new int[12];
        int[] b = new int[12];
        for (int j = 0; j < 12; j++) {
            a[j] = firstPixel(h.validation(), j);
            b[j] = firstPixel(other.validation(), j);
        }
        assertFalse(Arrays.equals(a, b), "another seed cuts elsewhere");
    }

    private static int firstPixel(FashionMnist set, int i) {
        float[] px = new float[FashionMnist.PIXELS];
        set.copyImage(i, px, 0);
        return (int) px[0];
    }

    @Test
    void ofRejectsMismatchedLengthsAndBadLabels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FashionMnist.of(new float[10], new int[1]));
        assertTrue(e.getMessage().contains("784") && e.getMessage().contains("got 10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FashionMnist.of(new float[FashionMnist.PIXELS], new int[] {10}));
        assertTrue(e.getMessage().contains("label 0 must be in [0, 9], got 10"), e.getMessage());
    }

    @Test
    void holdOutRejectsSizesThatLeaveAPartEmpty() {
        FashionMnist set = FashionMnist.of(new float[3 * FashionMnist.PIXELS], new int[3]);
        for (int bad : new int[] {0, 3, -1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TaskSplits.holdOut(set, bad, 1));
            assertTrue(e.getMessage().contains("[1, 2]") && e.getMessage().contains("got " + bad), e.getMessage());
        }
    }
}
