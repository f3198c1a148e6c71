package org.smartdeal.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The SmartDeal decomposition W ~= C*B of whole layers (Chen et al., arXiv 2101.01163,
 * Algorithm 1; ALGORITHMS.md 1.1), batched over all slices of one or many layers and run in
 * parallel.
 *
 * <p>Every slice A (m x n) is decomposed independently in double precision: C = A, B = I; repeat
 * Q(C), early stop when Q(C) no longer changes (||dQ||_F &lt;= tol), B = argmin ||A - Q(C) B||
 * through the n x n normal equations with an eigen pseudo-inverse (relative cut-off 1e-13; for
 * n = 3 a cofactor inverse when the matrix is provably far from that cut-off),
 * C = A pinv(B), zero |C| &lt; theta; finally C = Q(C) and one last refit of B.
 *
 * <p>Slices are cut into fixed chunks (never spanning two layers) that worker threads take from a
 * shared counter. Each slice's result depends only on its own data, and per-layer statistics are
 * summed in chunk order, so results are bit-identical for any thread count and run to run.
 * Inputs are never modified. Instances own a thread pool (daemon threads) and are thread-safe;
 * {@link #close()} releases the pool.
 */
public final class Decomposer implements AutoCloseable {

    /**
     * Target slices per work chunk. Chunks hold whole units (max(1, CHUNK / S) units each), a
     * partition fixed by the layouts alone, never by the thread count.
     */
    static final int CHUNK = 32;

    private final DecompositionConfig config;
    private final ExecutorService pool;

    /**
     * Creates a decomposer.
     *
     * @param config settings, not null
     */
    public Decomposer(DecompositionConfig config) {
        this.config = Objects.requireNonNull(config, "Decomposer.config must not be null");
        if (config.threads() > 1) {
            AtomicInteger id = new AtomicInteger();
            this.pool = Executors.newFixedThreadPool(config.threads() - 1, task -> {
                Thread t = new Thread(task, "sd-decomposer-" + id.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        } else {
            this.pool = null;
        }
    }

    /** Told when a layer of a batch is done, for progress reports. */
    @FunctionalInterface
    public interface LayerListener {
        /**
         * Called once per input, when its last slice is decomposed: from a worker thread, but never by two threads at
         * once. Inputs finish in about input order (workers take the chunks in order), not exactly.
         *
         * @param index the input's index in the batch
         * @param name  the input's name
         */
        void layerDone(int index, String name);
    }

    /** The settings. */
    public DecompositionConfig config() {
        return config;
    }

    /**
     * Decomposes a weight and also returns the rebuilt weight.
     *
     * @param layout the layer's layout
     * @param weight weight in layout.weightShape(), C order, not modified
     */
    public DecomposedLayer decompose(SliceLayout layout, float[] weight) {
        LayerDecomposition d = decompose(List.of(LayerInput.ofWeight("weight", layout, weight)))
                .layers().get(0);
        return new DecomposedLayer(d, d.rebuildWeight());
    }

    /** As {@link #decompose(SliceLayout, float[])} for a double weight. */
    public DecomposedLayer decompose(SliceLayout layout, double[] weight) {
        LayerDecomposition d = decompose(List.of(LayerInput.ofWeight("weight", layout, weight)))
                .layers().get(0);
        return new DecomposedLayer(d, d.rebuildWeight());
    }

    /**
     * Decomposes packed slices [K, m, n] laid out by {@code layout} (use
     * {@link SliceLayout#rawSlices} for raw slices).
     *
     * @param packed not modified
     */
    public LayerDecomposition decomposeSlices(SliceLayout layout, double[] packed) {
        return decompose(List.of(LayerInput.ofSlices("slices", layout, packed))).layers().get(0);
    }

    /**
     * Decomposes all slices of all given layers as one parallel batch.
     *
     * @param inputs layers, not modified
     * @return one result per input, in order, and the batch wall time
     * @throws IllegalArgumentException when an input holds NaN or infinity (naming the layer)
     */
    public DecompositionBatch decompose(List<LayerInput> inputs) {
        return decompose(inputs, null);
    }

    /**
     * As {@link #decompose(List)}, telling {@code listener} as each input is done.
     *
     * @param inputs   layers, not modified
     * @param listener told once per input, may be null; an exception it throws ends the batch with that exception
     * @return one result per input, in order, and the batch wall time
     */
    public DecompositionBatch decompose(List<LayerInput> inputs, LayerListener listener) {
        long start = System.nanoTime();
        int nLayers = inputs.size();
        float[][] cs = new float[nLayers][];
        double[][] bs = new double[nLayers][];
        int[][] its = new int[nLayers][];
        List<int[]> chunks = new ArrayList<>(); // {layer, firstSlice, endSlice}
        int[] firstChunk = new int[nLayers + 1];
        for (int l = 0; l < nLayers; l++) {
            SliceLayout lay = inputs.get(l).layout();
            cs[l] = new float[lay.packedLength()];
            bs[l] = new double[lay.basisLength()];
            its[l] = new int[lay.numSlices()];
            firstChunk[l] = chunks.size();
            int s = lay.slicesPerUnit();
            int unitsPerChunk = Math.max(1, CHUNK / s);
            for (int o = 0; o < lay.units(); o += unitsPerChunk) {
                chunks.add(new int[] {l, o * s, Math.min(lay.units(), o + unitsPerChunk) * s});
            }
        }
        firstChunk[nLayers] = chunks.size();
        AtomicIntegerArray chunksLeft = new AtomicIntegerArray(nLayers);
        for (int l = 0; l < nLayers; l++) {
            chunksLeft.set(l, firstChunk[l + 1] - firstChunk[l]);
        }
        Object listenerLock = new Object();
        ChunkStats[] stats = new ChunkStats[chunks.size()];
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            Map<Long, SliceKernel> kernels = new HashMap<>();
            Map<Integer, double[]> unitBufs = new HashMap<>();
            for (int ci = next.getAndIncrement(); ci < stats.length; ci = next.getAndIncrement()) {
                int[] ch = chunks.get(ci);
                LayerInput in = inputs.get(ch[0]);
                SliceLayout lay = in.layout();
                long key = ((long) lay.rows() << 32) | lay.width();
                SliceKernel kern = kernels.computeIfAbsent(key,
                        x -> new SliceKernel(config, lay.rows(), lay.width()));
                double[] unitBuf = null;
                if (in.strided()) {
                    int len = Math.max(1, CHUNK / lay.slicesPerUnit()) * lay.packedUnitLength();
                    unitBuf = unitBufs.computeIfAbsent(len, double[]::new);
                }
                stats[ci] = runChunk(kern, in, ch[1], ch[2], cs[ch[0]], bs[ch[0]], its[ch[0]],
                        unitBuf);
                if (listener != null && chunksLeft.decrementAndGet(ch[0]) == 0) {
                    synchronized (listenerLock) {
                        listener.layerDone(ch[0], in.name());
                    }
                }
            }
        };
        runWorkers(worker, chunks.size());
        int threadsUsed = Math.max(1, Math.min(config.threads(), chunks.size()));
        List<LayerDecomposition> out = new ArrayList<>(nLayers);
        for (int l = 0; l < nLayers; l++) {
            SliceLayout lay = inputs.get(l).layout();
            long cNz = 0;
            long wEntries = 0;
            long wNz = 0;
            double err = 0;
            double norm = 0;
            long iterSum = 0;
            long nanos = 0;
            long[] exps = new long[DecompositionStats.EXPONENT_WORDS];
            for (int ci = firstChunk[l]; ci < firstChunk[l + 1]; ci++) {
                ChunkStats s = stats[ci];
                cNz += s.cNonZeros;
                wEntries += s.weightEntries;
                wNz += s.weightNonZeros;
                err += s.squaredError;
                norm += s.squaredNorm;
                iterSum += s.iterations;
                nanos += s.nanos;
                for (int i = 0; i < exps.length; i++) {
                    exps[i] |= s.exponents[i];
                }
            }
            DecompositionStats st = DecompositionStats.of(lay.numSlices(), lay.coefficientEntries(), cNz,
                    wEntries, wNz, err, norm, iterSum, nanos / 1e9 / threadsUsed, exps);
            out.add(new LayerDecomposition(inputs.get(l).name(), lay, cs[l], bs[l], its[l], st));
        }
        return new DecompositionBatch(out, (System.nanoTime() - start) / 1e9, threadsUsed);
    }

    private void runWorkers(Runnable worker, int nChunks) {
        int helpers = pool == null ? 0 : Math.min(config.threads() - 1, nChunks - 1);
        List<Future<?>> futures = new ArrayList<>(Math.max(0, helpers));
        for (int t = 0; t < helpers; t++) {
            futures.add(pool.submit(worker));
        }
        RuntimeException first = null;
        try {
            worker.run();
        } catch (RuntimeException e) {
            first = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException re ? re
                            : new IllegalStateException("decomposition worker failed", e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while decomposing", e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Per-chunk partial statistics. */
    private static final class ChunkStats {
        long cNonZeros;
        long weightEntries;
        long weightNonZeros;
        double squaredError;
        double squaredNorm;
        long iterations;
        long nanos;
        final long[] exponents = new long[DecompositionStats.EXPONENT_WORDS];
    }

    private static ChunkStats runChunk(SliceKernel kern, LayerInput in, int k0, int k1, float[] c,
            double[] b, int[] its, double[] unitBuf) {
        long t0 = System.nanoTime();
        ChunkStats st = new ChunkStats();
        SliceLayout lay = in.layout();
        int m = lay.rows();
        int n = lay.width();
        double[] a = kern.a;
        int sPerUnit = lay.slicesPerUnit();
        if (unitBuf != null) {
            in.gatherUnits(k0 / sPerUnit, k1 / sPerUnit, unitBuf);
        }
        for (int k = k0; k < k1; k++) {
            if (unitBuf != null) {
                System.arraycopy(unitBuf, (k - k0) * m * n, a, 0, m * n);
            } else {
                in.gather(k, a);
            }
            int realRows = lay.realRows(k);
            int cOff = k * m * n;
            int bOff = k * n * n;
            int it = kern.decompose(realRows, c, cOff, b, bOff);
            its[k] = it;
            st.iterations += it;
            int end = realRows * n;
            for (int i = 0; i < end; i++) {
                float cv = c[cOff + i];
                if (cv != 0f) {
                    st.cNonZeros++;
                    int e = Math.getExponent(cv);
                    if (e < Float.MIN_EXPONENT) {
                        e = -149 + (31 - Integer.numberOfLeadingZeros(
                                Float.floatToRawIntBits(cv) & 0x7FFF_FFFF));
                    }
                    int bit = e + DecompositionStats.EXPONENT_OFFSET;
                    st.exponents[bit >>> 6] |= 1L << bit;
                }
            }
            int real = lay.realEntries(k);
            st.weightEntries += real;
            for (int i = 0; i < real; i++) {
                int row = cOff + (i / n) * n;
                int col = i % n;
                double s = 0;
                for (int t = 0; t < n; t++) {
                    s += c[row + t] * b[bOff + t * n + col];
                }
                double d = a[i] - s;
                st.squaredError += d * d;
                st.squaredNorm += a[i] * a[i];
                if (s != 0) {
                    st.weightNonZeros++;
                }
            }
        }
        st.nanos = System.nanoTime() - t0;
        return st;
    }

    /** Shuts the worker pool down; the decomposer must not be used afterwards. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
