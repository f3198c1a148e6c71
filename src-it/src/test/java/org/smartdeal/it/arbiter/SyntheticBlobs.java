package org.smartdeal.it.arbiter;

import java.util.Properties;
import java.util.Random;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A small deterministic classification task for sweeps and distributed-training checks: {@value #CLASSES}
 * Gaussian blobs in {@value #FEATURES} dimensions (centres and samples drawn from {@link Random} with
 * fixed seeds), {@value #TRAIN} training and {@value #TEST} test examples, minibatches of {@value #BATCH}.
 * Arbiter instantiates it by class name (public no-arg constructor).
 */
public final class SyntheticBlobs implements DataSource {

    private static final long serialVersionUID = 1L;

    /** Number of input features. */
    public static final int FEATURES = 12;
    /** Number of classes. */
    public static final int CLASSES = 3;
    /** Training examples. */
    public static final int TRAIN = 192;
    /** Test examples. */
    public static final int TEST = 96;
    /** Minibatch size. */
    public static final int BATCH = 32;

    /** Arbiter's DataSource contract; nothing to configure. */
    @Override
    public void configure(Properties properties) {
    }

    /** {@value #TRAIN} examples in minibatches of {@value #BATCH} ({@link ListDataSetIterator} merges single examples). */
    @Override
    public DataSetIterator trainData() {
        return new ListDataSetIterator<>(examples(TRAIN, 11).asList(), BATCH);
    }

    /** {@value #TEST} examples in minibatches of {@value #BATCH}. */
    @Override
    public DataSetIterator testData() {
        return new ListDataSetIterator<>(examples(TEST, 12).asList(), BATCH);
    }

    @Override
    public Class<?> getDataType() {
        return DataSetIterator.class;
    }

    /**
     * {@code n} examples, class i = index mod CLASSES, features = centre of the class + N(0, 0.8^2).
     *
     * @param n    number of examples
     * @param seed seed of the per-example noise (the class centres use seed 10 always)
     */
    public static DataSet examples(int n, long seed) {
        Random centres = new Random(10);
        float[][] mu = new float[CLASSES][FEATURES];
        for (float[] m : mu) {
            for (int j = 0; j < FEATURES; j++) {
                m[j] = (float) (2 * centres.nextGaussian());
            }
        }
        Random r = new Random(seed);
        float[][] x = new float[n][FEATURES];
        float[][] y = new float[n][CLASSES];
        for (int i = 0; i < n; i++) {
            int c = i % CLASSES;
            for (int j = 0; j < FEATURES; j++) {
                x[i][j] = mu[c][j] + (float) (0.8 * r.nextGaussian());
            }
            y[i][c] = 1f;
        }
        return new DataSet(Nd4j.create(x).castTo(DataType.FLOAT), Nd4j.create(y).castTo(DataType.FLOAT));
    }
}
