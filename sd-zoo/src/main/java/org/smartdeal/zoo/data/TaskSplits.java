package org.smartdeal.zoo.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The two transfer tasks of SD training (ALGORITHMS.md 6.5, paper Sec. VI-C) on Fashion-MNIST.
 *
 * <ul>
 *   <li><b>Fine-tuning</b> ({@link Task#FINETUNE}): the training set is split at random into two
 *       halves, alpha (source, for pre-training) and beta (target); the model is tested on the full
 *       test set. The split is a seeded Fisher-Yates permutation ({@link SplittableRandom}): alpha is
 *       its first {@code floor(n/2)} indices, beta the rest, each list sorted ascending. 60,000
 *       training images give 30,000 / 30,000.</li>
 *   <li><b>Adaptation</b> ({@link Task#ADAPT}): split by class, 5 / 5 as the paper does on CIFAR-10.
 *       A = classes 0-4 (T-shirt/top, Trouser, Pullover, Dress, Coat) is the source, B = classes 5-9
 *       (Sandal, Shirt, Sneaker, Bag, Ankle boot) the target; the test set is restricted to B's
 *       classes. <em>Choice:</em> the fixed split "first five labels / last five labels" rather than a
 *       random class split: it needs no seed, is the same for every run and every reader, and puts
 *       the hard pair Shirt / T-shirt across the split (so the source features must transfer). The
 *       labels keep their original values (5-9): networks keep their 10-way classifier, which is
 *       re-initialised before training on B, and the classes of A then never occur as targets.</li>
 * </ul>
 * Splits are index lists into the given datasets (so they can be checked without the data) and are
 * applied with {@link #split(Task, FashionMnist, FashionMnist, long)}. Neither task has a validation
 * split of its own; {@link #holdOut} cuts one out of the target split (the recipes' {@code
 * validationExamples}), so settings can be chosen without the test set.
 */
public final class TaskSplits {

    /** Default seed of the fine-tuning split. */
    public static final long DEFAULT_SEED = 42L;
    /** Source classes A of the adaptation task. */
    public static final int[] CLASSES_A = {0, 1, 2, 3, 4};
    /** Target classes B of the adaptation task. */
    public static final int[] CLASSES_B = {5, 6, 7, 8, 9};

    private TaskSplits() {
    }

    /** The transfer task. */
    public enum Task {
        /** Random halves alpha (source) / beta (target); full test set. */
        FINETUNE("finetune"),
        /** Classes 0-4 (source) / 5-9 (target); test set restricted to 5-9. */
        ADAPT("adapt");

        private final String id;

        Task(String id) {
            this.id = id;
        }

        /** The command-line name ("finetune" or "adapt"). */
        public String id() {
            return id;
        }

        /**
         * The task with the given command-line name.
         *
         * @param name "finetune" or "adapt" (case-insensitive)
         * @return the task
         * @throws IllegalArgumentException naming the allowed values and the value
         */
        public static Task byName(String name) {
            for (Task t : values()) {
                if (t.id.equalsIgnoreCase(String.valueOf(name).trim())) {
                    return t;
                }
            }
            throw new IllegalArgumentException("task must be one of [finetune, adapt], got '" + name + "'");
        }
    }

    /**
     * Indices of one task's three parts.
     *
     * @param task   the task
     * @param source training indices for pre-training (alpha, or the examples of classes A)
     * @param target training indices for the transfer training (beta, or the examples of classes B)
     * @param test   test indices (all, or the examples of classes B)
     */
    public record SplitIndices(Task task, int[] source, int[] target, int[] test) {
        /** Checks non-null and copies the arrays. */
        public SplitIndices {
            Objects.requireNonNull(task, "SplitIndices.task");
            source = Objects.requireNonNull(source, "SplitIndices.source").clone();
            target = Objects.requireNonNull(target, "SplitIndices.target").clone();
            test = Objects.requireNonNull(test, "SplitIndices.test").clone();
        }

        @Override
        public int[] source() {
            return source.clone();
        }

        @Override
        public int[] target() {
            return target.clone();
        }

        @Override
        public int[] test() {
            return test.clone();
        }
    }

    /**
     * A task's data in memory.
     *
     * @param task          the task
     * @param source        pre-training examples
     * @param target        transfer-training examples
     * @param test          test examples
     * @param targetClasses the labels that occur in {@code target} and {@code test} (all ten, or B)
     */
    public record TaskData(Task task, FashionMnist source, FashionMnist target, FashionMnist test, int[] targetClasses) {
        /** Checks non-null and copies the class list. */
        public TaskData {
            Objects.requireNonNull(task, "TaskData.task");
            Objects.requireNonNull(source, "TaskData.source");
            Objects.requireNonNull(target, "TaskData.target");
            Objects.requireNonNull(test, "TaskData.test");
            targetClasses = Objects.requireNonNull(targetClasses, "TaskData.targetClasses").clone();
        }

        @Override
        public int[] targetClasses() {
            return targetClasses.clone();
        }

        /** One line: "finetune: source 30000, target 30000, test 10000 examples". */
        public String describe() {
            return String.format(Locale.ROOT, "%s: source %d, target %d, test %d examples (target classes %s)",
                    task.id(), source.size(), target.size(), test.size(), Arrays.toString(targetClasses));
        }
    }

    /**
     * A set cut into a part to train on and a held-out validation part.
     *
     * @param fit        the examples to train on
     * @param validation the held-out examples
     */
    public record HoldOut(FashionMnist fit, FashionMnist validation) {
        /** Checks non-null. */
        public HoldOut {
            Objects.requireNonNull(fit, "HoldOut.fit");
            Objects.requireNonNull(validation, "HoldOut.validation");
        }
    }

    /**
     * Holds {@code n} examples of {@code set} out for validation: the first {@code n} positions of
     * {@link #permutation}{@code (set.size(), seed)} are the validation set, the remaining positions, in
     * permutation order, the part to train on. Disjoint, together exactly {@code set}; same seed, same cut.
     *
     * @param set  the examples (not modified)
     * @param n    validation examples, in [1, set size - 1]
     * @param seed permutation seed
     * @return the two parts
     * @throws IllegalArgumentException naming the rule and the value when {@code n} is out of range
     */
    public static HoldOut holdOut(FashionMnist set, int n, long seed) {
        if (n < 1 || n >= set.size()) {
            throw new IllegalArgumentException("validation hold-out: n must be in [1, " + (set.size() - 1)
                    + "] (at least one example on each side of " + set.size() + "), got " + n);
        }
        int[] perm = permutation(set.size(), seed);
        return new HoldOut(set.subset(Arrays.copyOfRange(perm, n, perm.length)),
                set.subset(Arrays.copyOfRange(perm, 0, n)));
    }

    /**
     * The fine-tuning split: a seeded random permutation of {@code [0, trainSize)} cut into halves.
     *
     * @param trainSize number of training examples, at least 2
     * @param testSize  number of test examples, at least 1
     * @param seed      permutation seed (same seed, same halves)
     * @return alpha as source, beta as target, every test index
     */
    public static SplitIndices fineTune(int trainSize, int testSize, long seed) {
        if (trainSize < 2) {
            throw new IllegalArgumentException("fine-tune split: trainSize must be at least 2, got " + trainSize);
        }
        if (testSize < 1) {
            throw new IllegalArgumentException("fine-tune split: testSize must be at least 1, got " + testSize);
        }
        int[] perm = permutation(trainSize, seed);
        int half = trainSize / 2;
        int[] alpha = Arrays.copyOfRange(perm, 0, half);
        int[] beta = Arrays.copyOfRange(perm, half, trainSize);
        Arrays.sort(alpha);
        Arrays.sort(beta);
        int[] test = new int[testSize];
        Arrays.setAll(test, i -> i);
        return new SplitIndices(Task.FINETUNE, alpha, beta, test);
    }

    /**
     * The adaptation split by class: A = {@link #CLASSES_A}, B = {@link #CLASSES_B}.
     *
     * @param trainLabels labels of the training set, each in [0, 9]
     * @param testLabels  labels of the test set, each in [0, 9]
     * @return training examples of A as source, of B as target, test examples of B
     * @throws IllegalArgumentException when a part would be empty, naming it
     */
    public static SplitIndices adaptation(int[] trainLabels, int[] testLabels) {
        int[] source = indicesOfClasses(trainLabels, CLASSES_A);
        int[] target = indicesOfClasses(trainLabels, CLASSES_B);
        int[] test = indicesOfClasses(testLabels, CLASSES_B);
        requireNonEmpty("source (training examples of classes 0-4)", source);
        requireNonEmpty("target (training examples of classes 5-9)", target);
        requireNonEmpty("test (test examples of classes 5-9)", test);
        return new SplitIndices(Task.ADAPT, source, target, test);
    }

    /**
     * Splits loaded data for a task.
     *
     * @param task  the task
     * @param train the training set (possibly limited)
     * @param test  the test set (possibly limited)
     * @param seed  seed of the fine-tuning split (ignored by adaptation, which is fixed)
     * @return the three parts in memory
     */
    public static TaskData split(Task task, FashionMnist train, FashionMnist test, long seed) {
        SplitIndices s = task == Task.FINETUNE
                ? fineTune(train.size(), test.size(), seed)
                : adaptation(train.labels(), test.labels());
        int[] classes = task == Task.FINETUNE ? allClasses() : CLASSES_B.clone();
        return new TaskData(task, train.subset(s.source()), train.subset(s.target()), test.subset(s.test()), classes);
    }

    /**
     * The positions of the examples whose label is in {@code classes}, ascending.
     *
     * @param labels  labels, each in [0, 9]
     * @param classes the classes to keep
     * @return indices into {@code labels}
     */
    public static int[] indicesOfClasses(int[] labels, int[] classes) {
        boolean[] keep = new boolean[FashionMnist.CLASSES];
        for (int c : classes) {
            keep[Objects.checkIndex(c, FashionMnist.CLASSES)] = true;
        }
        int[] out = new int[labels.length];
        int n = 0;
        for (int i = 0; i < labels.length; i++) {
            int y = labels[i];
            if (y < 0 || y >= FashionMnist.CLASSES) {
                throw new IllegalArgumentException("label " + i + " must be in [0, 9], got " + y);
            }
            if (keep[y]) {
                out[n++] = i;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static int[] allClasses() {
        int[] c = new int[FashionMnist.CLASSES];
        Arrays.setAll(c, i -> i);
        return c;
    }

    private static void requireNonEmpty(String what, int[] indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("adaptation split: " + what + " is empty");
        }
    }

    /**
     * A seeded Fisher-Yates permutation of [0, n): the one shuffle used for task splits, the demo's
     * validation hold-out and the per-epoch order of {@link InMemoryDataSetIterator}.
     *
     * @param n length, &gt;= 0
     * @param seed the seed
     * @return a new array holding 0..n-1 in shuffled order
     */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        Arrays.setAll(p, i -> i);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
