package org.smartdeal.zoo.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskSplits} at the bounds its Javadoc states (found by mutation testing: each case was a change of the
 * code that no test noticed). The examples are synthetic: {@link FashionMnist#of} with blank images.
 */
class TaskSplitsEdgesTest {

    private static FashionMnist blank(int... labels) {
        return FashionMnist.of(new float[labels.length * FashionMnist.PIXELS], labels);
    }

    /** holdOut: "n ... in [1, set size - 1]"; both ends are allowed. */
    @Test
    void holdOutAcceptsBothEndsOfItsRange() {
        FashionMnist four = blank(0, 1, 2, 3);
        TaskSplits.HoldOut one = TaskSplits.holdOut(four, 1, 9);
        assertEquals(1, one.validation().size());
        assertEquals(3, one.fit().size());
        TaskSplits.HoldOut three = TaskSplits.holdOut(four, 3, 9);
        assertEquals(3, three.validation().size());
        assertEquals(1, three.fit().size());
    }

    /**
     * fineTune: "trainSize at least 2, testSize at least 1"; alpha and beta are "each list sorted ascending" (the
     * class Javadoc), the test part is every test index in order.
     */
    @Test
    void fineTuneAtItsSmallestSizesAndBothHalvesSorted() {
        TaskSplits.SplitIndices two = TaskSplits.fineTune(2, 1, 3);
        assertEquals(1, two.source().length);
        assertEquals(1, two.target().length);
        assertEquals(1, two.source()[0] + two.target()[0], "indices 0 and 1, one in each half");
        assertArrayEquals(new int[] {0}, two.test());
        assertEquals("fine-tune split: testSize must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> TaskSplits.fineTune(2, 0, 3)).getMessage());
        TaskSplits.SplitIndices s = TaskSplits.fineTune(101, 5, 7);
        for (int[] half : new int[][] {s.source(), s.target()}) {
            int[] sorted = half.clone();
            Arrays.sort(sorted);
            assertArrayEquals(sorted, half);
        }
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, s.test(), "every test index, ascending");
    }

    /** adaptation: "a part would be empty, naming it", for each of the three parts. */
    @Test
    void anEmptyAdaptationPartIsNamed() {
        assertEquals("adaptation split: source (training examples of classes 0-4) is empty",
                assertThrows(IllegalArgumentException.class,
                        () -> TaskSplits.adaptation(new int[] {5, 9}, new int[] {5})).getMessage());
        assertEquals("adaptation split: test (test examples of classes 5-9) is empty",
                assertThrows(IllegalArgumentException.class,
                        () -> TaskSplits.adaptation(new int[] {0, 5}, new int[] {0, 4})).getMessage());
    }

    /** Task ids are the command-line names (Task's Javadoc). */
    @Test
    void taskIdsAreTheCommandLineNames() {
        assertEquals("finetune", TaskSplits.Task.FINETUNE.id());
        assertEquals("adapt", TaskSplits.Task.ADAPT.id());
        assertEquals(TaskSplits.Task.ADAPT, TaskSplits.Task.byName(" adapt "), "trimmed");
    }

    /**
     * split and describe on four training examples (labels 0, 5, 1, 6) and two test examples (5, 0): fine-tuning
     * halves the four and keeps both tests; adaptation keeps the labels 0-4 as source, 5-9 as target and the one
     * test example of class 5.
     */
    @Test
    void splitsOfSyntheticDataDescribeTheirSizes() {
        FashionMnist train = blank(0, 5, 1, 6);
        FashionMnist test = blank(5, 0);
        TaskSplits.TaskData ft = TaskSplits.split(TaskSplits.Task.FINETUNE, train, test, 1);
        assertEquals("finetune: source 2, target 2, test 2 examples (target classes [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])",
                ft.describe());
        TaskSplits.TaskData ad = TaskSplits.split(TaskSplits.Task.ADAPT, train, test, 1);
        assertEquals("adapt: source 2, target 2, test 1 examples (target classes [5, 6, 7, 8, 9])", ad.describe());
        assertArrayEquals(new int[] {0, 1}, ad.source().labels());
        assertArrayEquals(new int[] {5, 6}, ad.target().labels());
        assertArrayEquals(new int[] {5}, ad.test().labels());
    }
}
