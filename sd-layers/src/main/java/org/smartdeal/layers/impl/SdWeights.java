package org.smartdeal.layers.impl;

import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.javacpp.indexer.Indexer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.SdSliceShape;

/**
 * The one place where an SD layer's weight W is rebuilt from its packed parameters and where the
 * weight gradient dW is chained back to them (SmartDeal, Chen et al., arXiv 2101.01163, Sec. IV;
 * ALGORITHMS.md 2 and 6.1).
 *
 * <p>Forward: {@code Ce = P(C) .* M}; {@code Prod[k] = Ce[k] @ B[k]} (one batched ND4J matmul over
 * the K slices); {@code Prod} viewed as {@code [U, S*m*n]} keeps its first L columns (the unit's
 * weights in C order); dense/output layers transpose that to DL4J's {@code [nIn, nOut]} (an
 * f-order view, as DL4J's own W), conv layers reshape it to {@code [nOut, nIn, kh, kw]}.
 *
 * <p>Backward (straight-through): {@code dProd} = dW laid out as above and zero-padded;
 * {@code dC = M .* (dProd @ B^T)}, {@code dB = Ce^T @ dProd} per slice (batched), dM = 0.
 *
 * <p>Instances are per runtime layer and hold persistent rebuild buffers (Ce, the product and W:
 * about two to three times the dense weight's size), so they are not thread-safe, like DL4J layers.
 *
 * <p>P is the training projection: 0 where {@code |c| < theta - 1e-5}, otherwise the nearest power
 * of two in the linear domain with ties going up, clamped to maxCoeff. It is a guard: converted C
 * is already in that domain, so P changes nothing there.
 */
public final class SdWeights {

    private final SdSliceShape shape;
    private final long[] weightShape;
    private final boolean unitsAreColumns;
    private final double theta;
    private final double maxCoeff;
    private final boolean project;
    private transient INDArray ce;
    private transient INDArray prod;
    private transient INDArray prodPerUnit;
    private transient INDArray unitMajor;
    private transient INDArray weight;
    private transient float[] floatScratch;
    private transient double[] doubleScratch;
    private final Kernel kernel;
    private transient double[] jc;
    private transient double[] jm;
    private transient double[] jb;
    private transient double[] jw;
    private transient boolean ceStale;
    private transient float[] jf;
    private transient double[] jd;
    private transient double[] jg;

    /**
     * How the rebuild and the chain rule are computed. Both give the same numbers (tested).
     * <ul>
     *   <li>{@link #JAVA}: one Java pass over bulk copies of C, M, B (and dW), writing W (and dC,
     *       dB, dM) with bulk copies: no ND4J op is launched.</li>
     *   <li>{@link #ND4J}: P(C).*M in Java, then batched ND4J matmuls and slice/reshape views
     *       (about 8 native ops per step, multi-threaded).</li>
     * </ul>
     * Layers pick JAVA up to {@link #JAVA_MAX_COEFFICIENTS} packed entries and ND4J above
     * ({@link #auto}); measured on the 2-core machine under load (median of interleaved pairs,
     * SD step / DL4J step): dense 512x10 1.08x (JAVA) vs 1.74x (ND4J); dense 512x512 1.46x vs 1.45x;
     * conv 512ch 4x4 1.45x vs 1.24x. {@code -Dsmartdeal.sd.kernel=java|nd4j} forces one.
     */
    public enum Kernel {
        /** Plain Java loops on bulk copies. */
        JAVA,
        /** Batched ND4J matmuls. */
        ND4J;

        /** Packed-entry count up to which {@link #auto} picks JAVA. */
        public static final long JAVA_MAX_COEFFICIENTS = 1L << 18;

        /** The kernel forced by {@code smartdeal.sd.kernel}, else JAVA for small and ND4J for large layers. */
        public static Kernel auto(SdSliceShape shape) {
            String forced = System.getProperty("smartdeal.sd.kernel", "");
            if ("java".equalsIgnoreCase(forced)) {
                return JAVA;
            }
            if ("nd4j".equalsIgnoreCase(forced)) {
                return ND4J;
            }
            return shape.coefficientLength() <= JAVA_MAX_COEFFICIENTS ? JAVA : ND4J;
        }
    }

    /**
     * @param shape       packed geometry
     * @param weightShape DL4J weight shape: rank 2 {@code [nIn, nOut]} (units are columns) or
     *                    rank 4 {@code [nOut, nIn, kh, kw]} (units are the leading axis)
     * @param theta       projection threshold
     * @param maxCoeff    projection clamp
     * @param project     whether P is applied (false only for gradient checks)
     */
    public SdWeights(SdSliceShape shape, long[] weightShape, double theta, double maxCoeff, boolean project) {
        this(shape, weightShape, theta, maxCoeff, project, Kernel.auto(shape));
    }

    /** As {@link #SdWeights(SdSliceShape, long[], double, double, boolean)} with an explicit kernel. */
    public SdWeights(SdSliceShape shape, long[] weightShape, double theta, double maxCoeff, boolean project,
            Kernel kernel) {
        this.kernel = kernel;
        this.shape = shape;
        this.weightShape = weightShape.clone();
        this.unitsAreColumns = weightShape.length == 2;
        long real = 1;
        for (long d : weightShape) {
            real *= d;
        }
        if (real != shape.units() * shape.weightsPerUnit()) {
            throw new IllegalArgumentException("SdWeights: weight shape " + java.util.Arrays.toString(weightShape)
                    + " does not hold units*weightsPerUnit = " + shape.units() + "*" + shape.weightsPerUnit());
        }
        this.theta = theta;
        this.maxCoeff = maxCoeff;
        this.project = project;
    }

    /** Builds the helper for a layer configuration (nIn/nOut must be set). */
    public static SdWeights of(SdLayer layer) {
        return new SdWeights(layer.sliceShape(), layer.weightShape(), layer.getTheta(), layer.getMaxCoeff(),
                layer.isProjectCoefficients());
    }

    /** Packed geometry. */
    public SdSliceShape shape() {
        return shape;
    }

    /** DL4J weight shape (a copy). */
    public long[] weightShape() {
        return weightShape.clone();
    }

    /**
     * Rebuilds W into this object's persistent buffers (allocated once outside any workspace, so
     * a training step allocates nothing for the rebuild) and returns it; valid until the next
     * rebuild. Not modified: c, b, mask.
     */
    public INDArray rebuild(INDArray c, INDArray b, INDArray mask) {
        DataType dt = c.dataType();
        if (ce == null || ce.dataType() != dt) {
            allocate(dt);
        }
        if (kernel == Kernel.JAVA) {
            javaRebuild(c, b, mask);
            return weight;
        }
        effectiveCoefficients(c, mask, ce);
        Nd4j.matmul(ce, b, prod, false, false, false);
        if (unitMajor != prodPerUnit) {
            unitMajor.assign(prodPerUnit.get(NDArrayIndex.all(), NDArrayIndex.interval(0, shape.weightsPerUnit())));
        }
        return weight;
    }

    /** Ce = P(C) .* M of the last {@link #rebuild}, [K, m, n]; needed by {@link #backward}. */
    public INDArray effectiveC() {
        if (ceStale) {
            write(jc, ce);
            ceStale = false;
        }
        return ce;
    }

    /**
     * Chains dW to the packed parameters using the Ce and B of the last {@link #rebuild} (b must be
     * the B it was called with). Modified: gradC, gradB, gradM.
     */
    public void backward(INDArray dW, INDArray b, INDArray mask, INDArray gradC, INDArray gradB, INDArray gradM,
            LayerWorkspaceMgr mgr, ArrayType type) {
        if (kernel == Kernel.JAVA && jc != null) {
            javaBackward(dW, gradC, gradB, gradM);
            return;
        }
        backward(dW, effectiveC(), b, mask, gradC, gradB, gradM, mgr, type);
    }

    private void javaRebuild(INDArray c, INDArray b, INDArray mask) {
        int len = Math.toIntExact(shape.coefficientLength());
        int bl = Math.toIntExact(shape.basisLength());
        int wl = Math.toIntExact(shape.units() * shape.weightsPerUnit());
        if (jc == null) {
            jc = new double[len];
            jm = new double[len];
            jb = new double[bl];
            jw = new double[Math.max(wl, 2 * len)];
        }
        read(c, jc);
        read(mask, jm);
        read(b, jb);
        for (int i = 0; i < len; i++) {
            double v = jm[i] != 0.0 ? jc[i] : 0.0;
            jc[i] = project && v != 0.0 ? project(v, theta, maxCoeff) : v;
        }
        ceStale = true;
        int n = shape.basisWidth();
        int m = (int) shape.sliceHeight();
        int spu = (int) shape.slicesPerUnit();
        int l = (int) shape.weightsPerUnit();
        int units = (int) shape.units();
        int nn = n * n;
        for (int o = 0; o < units; o++) {
            int wBase = o * l;
            int t = 0;
            for (int s = 0; s < spu && t < l; s++) {
                int k = o * spu + s;
                int bBase = k * nn;
                for (int i = 0; i < m && t < l; i++) {
                    int cBase = (k * m + i) * n;
                    for (int col = 0; col < n && t < l; col++, t++) {
                        double acc = 0;
                        for (int j = 0; j < n; j++) {
                            acc += jc[cBase + j] * jb[bBase + j * n + col];
                        }
                        jw[wBase + t] = acc;
                    }
                }
            }
        }
        writeRaw(jw, wl, unitMajor);
    }

    private void javaBackward(INDArray dW, INDArray gradC, INDArray gradB, INDArray gradM) {
        int len = Math.toIntExact(shape.coefficientLength());
        int wl = Math.toIntExact(shape.units() * shape.weightsPerUnit());
        if (dW.data().length() != wl) {
            throw new IllegalStateException("SdWeights: dW must be a dense array of " + wl + " entries, got buffer of "
                    + dW.data().length());
        }
        if (jd == null) {
            jd = new double[wl];
            jg = new double[Math.toIntExact(shape.basisLength())];
        }
        double[] dw = jd;
        readRaw(dW, dw);
        double[] gc = jw.length >= 2 * len ? jw : new double[2 * len];
        int n = shape.basisWidth();
        int m = (int) shape.sliceHeight();
        int spu = (int) shape.slicesPerUnit();
        int l = (int) shape.weightsPerUnit();
        int units = (int) shape.units();
        int nn = n * n;
        double[] gb = jg;
        java.util.Arrays.fill(gb, 0.0);
        java.util.Arrays.fill(gc, 0, len, 0.0);
        for (int o = 0; o < units; o++) {
            int wBase = o * l;
            for (int s = 0; s < spu; s++) {
                int k = o * spu + s;
                int bBase = k * nn;
                for (int i = 0; i < m; i++) {
                    int row = s * m + i;
                    int t0 = row * n;
                    if (t0 >= l) {
                        break;
                    }
                    int cBase = (k * m + i) * n;
                    int qEnd = Math.min(n, l - t0);
                    for (int q = 0; q < qEnd; q++) {
                        double d = dw[wBase + t0 + q];
                        if (d == 0.0) {
                            continue;
                        }
                        for (int j = 0; j < n; j++) {
                            gc[cBase + j] += d * jb[bBase + j * n + q];
                            gb[bBase + j * n + q] += jc[cBase + j] * d;
                        }
                    }
                }
            }
        }
        for (int i = 0; i < len; i++) {
            gc[i] = jm[i] != 0.0 ? gc[i] : 0.0;
        }
        write(gc, gradC);
        write(gb, gradB);
        java.util.Arrays.fill(gc, 0, len, 0.0);
        write(gc, gradM);
    }

    /** Reads a (possibly view) array in C order into dst. */
    private void read(INDArray a, double[] dst) {
        INDArray x = flatAccessible(a);
        readRaw(x, dst);
    }

    /** Reads the first length() entries of a's own buffer (its storage order) into dst. */
    private void readRaw(INDArray x, double[] dst) {
        int n = Math.toIntExact(x.length());
        Indexer ix = x.data().indexer();
        if (ix instanceof DoubleIndexer di) {
            di.get(0, dst, 0, n);
        } else if (ix instanceof FloatIndexer fi) {
            if (jf == null || jf.length < n) {
                jf = new float[n];
            }
            fi.get(0, jf, 0, n);
            for (int i = 0; i < n; i++) {
                dst[i] = jf[i];
            }
        } else {
            for (int i = 0; i < n; i++) {
                dst[i] = x.data().getDouble(i);
            }
        }
    }

    /** Writes src into a C-order array (directly when it is a dense C-order view, else via assign). */
    private void write(double[] src, INDArray dst) {
        if (isFlatAccessible(dst)) {
            writeRaw(src, Math.toIntExact(dst.length()), dst);
        } else {
            dst.assign(Nd4j.create(java.util.Arrays.copyOf(src, Math.toIntExact(dst.length())), dst.shape(), 'c')
                    .castTo(dst.dataType()));
        }
    }

    private void writeRaw(double[] src, int n, INDArray dst) {
        Indexer ix = dst.data().indexer();
        if (ix instanceof DoubleIndexer di) {
            di.put(0, src, 0, n);
        } else if (ix instanceof FloatIndexer fi) {
            if (jf == null || jf.length < n) {
                jf = new float[n];
            }
            for (int i = 0; i < n; i++) {
                jf[i] = (float) src[i];
            }
            fi.put(0, jf, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                dst.data().put(i, src[i]);
            }
        }
    }

    /** The W of the last {@link #rebuild} (null before the first). */
    public INDArray lastWeight() {
        return weight;
    }

    private void allocate(DataType dt) {
        try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            ce = Nd4j.create(dt, shape.coefficientShape(), 'c');
            prod = Nd4j.create(dt, shape.coefficientShape(), 'c');
            prodPerUnit = prod.reshape('c', new long[] {shape.units(), shape.paddedPerUnit()});
            unitMajor = shape.paddedPerUnit() == shape.weightsPerUnit() ? prodPerUnit
                    : Nd4j.create(dt, new long[] {shape.units(), shape.weightsPerUnit()}, 'c');
            weight = unitsAreColumns ? unitMajor.transpose() : unitMajor.reshape('c', weightShape);
        }
    }

    /** A zeroed weight-gradient array in the layout DL4J's runtime writes dW into. */
    public INDArray createWeightGradient(LayerWorkspaceMgr mgr, ArrayType type, DataType dt) {
        return mgr.create(type, dt, weightShape, unitsAreColumns ? 'f' : 'c');
    }

    /**
     * Chains dW to the packed parameters. Not modified: dW, effectiveC, b, mask. Modified: gradC
     * (= M .* (dProd @ B^T)), gradB (= Ce^T @ dProd), gradM (= 0).
     */
    public void backward(INDArray dW, INDArray effectiveC, INDArray b, INDArray mask, INDArray gradC, INDArray gradB,
            INDArray gradM, LayerWorkspaceMgr mgr, ArrayType type) {
        long u = shape.units();
        long l = shape.weightsPerUnit();
        INDArray dUnits = unitsAreColumns ? dW.transpose() : dW.reshape('c', new long[] {u, l});
        INDArray dPadded;
        if (shape.paddedPerUnit() == l && dUnits.ordering() == 'c' && dUnits.elementWiseStride() == 1) {
            dPadded = dUnits;
        } else {
            dPadded = mgr.create(type, dW.dataType(), new long[] {u, shape.paddedPerUnit()}, 'c');
            dPadded.get(NDArrayIndex.all(), NDArrayIndex.interval(0, l)).assign(dUnits);
        }
        INDArray dProd = dPadded.reshape('c', shape.coefficientShape());
        Nd4j.matmul(dProd, b, gradC, false, true, false);
        gradC.muli(mask);
        Nd4j.matmul(effectiveC, dProd, gradB, true, false, false);
        gradM.assign(0);
    }

    /** Ce = P(C) .* M (or C .* M when projection is off). Not modified: c, mask. Modified: out. */
    public void effectiveCoefficients(INDArray c, INDArray mask, INDArray out) {
        if (!project) {
            out.assign(c).muli(mask);
            return;
        }
        INDArray cc = flatAccessible(c);
        INDArray mm = flatAccessible(mask);
        boolean direct = isFlatAccessible(out);
        INDArray oo = direct ? out : Nd4j.createUninitialized(out.dataType(), out.shape(), 'c');
        int n = Math.toIntExact(cc.length());
        Indexer ic = cc.data().indexer();
        Indexer im = mm.data().indexer();
        Indexer io = oo.data().indexer();
        if (ic instanceof FloatIndexer fc && im instanceof FloatIndexer fm && io instanceof FloatIndexer fo) {
            if (floatScratch == null || floatScratch.length < 2 * n) {
                floatScratch = new float[2 * n];
            }
            float[] v = floatScratch;
            fc.get(0, v, 0, n);
            fm.get(0, v, n, n);
            float t = (float) theta;
            float mc = (float) maxCoeff;
            for (int i = 0; i < n; i++) {
                v[i] = v[n + i] != 0f ? project(v[i], t, mc) : 0f;
            }
            fo.put(0, v, 0, n);
        } else if (ic instanceof DoubleIndexer dc && im instanceof DoubleIndexer dm && io instanceof DoubleIndexer dO) {
            if (doubleScratch == null || doubleScratch.length < 2 * n) {
                doubleScratch = new double[2 * n];
            }
            double[] v = doubleScratch;
            dc.get(0, v, 0, n);
            dm.get(0, v, n, n);
            for (int i = 0; i < n; i++) {
                v[i] = v[n + i] != 0.0 ? project(v[i], theta, maxCoeff) : 0.0;
            }
            dO.put(0, v, 0, n);
        } else {
            for (long i = 0; i < n; i++) {
                double v = mm.getDouble(i) != 0.0 ? project(cc.getDouble(i), theta, maxCoeff) : 0.0;
                oo.putScalar(i, v);
            }
        }
        if (!direct) {
            out.assign(oo);
        }
    }

    private static boolean isFlatAccessible(INDArray a) {
        return a.ordering() == 'c' && a.data().length() == a.length() && a.elementWiseStride() == 1;
    }

    private static INDArray flatAccessible(INDArray a) {
        return isFlatAccessible(a) ? a : a.dup('c');
    }

    /**
     * The training projection P of ALGORITHMS.md 6.1 in double precision: 0 for |c| &lt; theta - 1e-5
     * (and for c = 0), otherwise sign(c) times the nearest power of two to |c| in the linear
     * domain, ties going up, clamped to maxCoeff. NaN stays NaN.
     */
    public static double project(double c, double theta, double maxCoeff) {
        double a = Math.abs(c);
        if (Double.isNaN(c)) {
            return c;
        }
        if (a == 0.0 || a < theta - 1e-5) {
            return 0.0;
        }
        if (a >= maxCoeff) {
            return Math.copySign(maxCoeff, c);
        }
        double lo = Math.scalb(1.0, Math.getExponent(a));
        double p = a >= 1.5 * lo ? 2.0 * lo : lo;
        return Math.copySign(Math.min(p, maxCoeff), c);
    }

    /** Single-precision twin of {@link #project(double, double, double)} (same rules). */
    public static float project(float c, float theta, float maxCoeff) {
        float a = Math.abs(c);
        if (Float.isNaN(c)) {
            return c;
        }
        if (a == 0f || a < (double) theta - 1e-5) {
            return 0f;
        }
        if (a >= maxCoeff) {
            return Math.copySign(maxCoeff, c);
        }
        float lo = Math.scalb(1f, Math.getExponent(a));
        float p = a >= 1.5f * lo ? 2f * lo : lo;
        return Math.copySign(Math.min(p, maxCoeff), c);
    }
}
