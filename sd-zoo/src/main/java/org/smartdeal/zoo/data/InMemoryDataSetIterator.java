package org.smartdeal.zoo.data;

import java.util.List;
import java.util.NoSuchElementException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link DataSetIterator} over a {@link FashionMnist} split held in memory: features
 * [batch, 784] in [0, 1], one-hot labels [batch, 10]. When shuffling, epoch {@code e} uses a
 * permutation drawn from {@code seed + e}, so a run is reproducible and independent of how many
 * times the iterator was created.
 */
public final class InMemoryDataSetIterator implements DataSetIterator {

    private static final long serialVersionUID = 1L;

    private final FashionMnist data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int[] order;
    private int epoch;
    private int cursor;
    private DataSetPreProcessor preProcessor;

    InMemoryDataSetIterator(FashionMnist data, int batchSize, boolean shuffle, long seed) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.order = new int[data.size()];
        arrange();
    }

    private void arrange() {
        if (shuffle) {
            System.arraycopy(TaskSplits.permutation(order.length, seed + epoch), 0, order, 0, order.length);
        } else {
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
        }
        cursor = 0;
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch exhausted: call reset()");
        }
        int n = Math.min(num, order.length - cursor);
        float[] features = new float[n * FashionMnist.PIXELS];
        float[] labels = new float[n * FashionMnist.CLASSES];
        for (int j = 0; j < n; j++) {
            int i = order[cursor + j];
            data.copyImage(i, features, j * FashionMnist.PIXELS);
            labels[j * FashionMnist.CLASSES + data.label(i)] = 1f;
        }
        cursor += n;
        INDArray f = Nd4j.create(features, new long[] {n, FashionMnist.PIXELS}, 'c');
        INDArray l = Nd4j.create(labels, new long[] {n, FashionMnist.CLASSES}, 'c');
        DataSet ds = new DataSet(f, l);
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    @Override
    public DataSet next() {
        return next(batchSize);
    }

    @Override
    public boolean hasNext() {
        return cursor < order.length;
    }

    @Override
    public int inputColumns() {
        return FashionMnist.PIXELS;
    }

    @Override
    public int totalOutcomes() {
        return FashionMnist.CLASSES;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    /**
     * Leaves the iterator as it is after reading {@code epochs} whole epochs from a fresh one (resetting before each):
     * the next {@link #reset()} starts epoch {@code epochs}, in the order a run that read them would see. Used where a
     * run resumes from a network those epochs trained, so that what follows is the same as in the run that trained it.
     *
     * @param epochs the number of epochs to skip, &gt;= 0 (0 leaves the iterator as it is)
     * @throws IllegalArgumentException for a negative count
     */
    public void skipEpochs(int epochs) {
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs to skip must be >= 0, got " + epochs);
        }
        if (epochs == 0) {
            return;
        }
        epoch = epochs - 1;
        arrange();
        cursor = order.length;
    }

    /** Starts the next epoch; with shuffling on, the order changes deterministically. */
    @Override
    public void reset() {
        if (cursor > 0) {
            epoch++;
        }
        arrange();
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return List.of(FashionMnist.CLASS_NAMES);
    }

    /** @return the number of examples per epoch */
    public int numExamples() {
        return order.length;
    }
}
