package org.smartdeal.layers.impl;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.smartdeal.core.Pow2Quantizer;
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
 * <p>The computation is chosen by {@link Kernel}: layers use the Java kernel, which does the same
 * math per slice in loops over bulk copies (for FLOAT parameters {@link SdFloatKernel}).
 *
 * <p>Instances are per runtime layer and hold persistent rebuild buffers (Ce, the product and W,
 * and the Java kernel's arrays: a few times the dense weight's size), so they are not thread-safe,
 * like DL4J layers.
 *
 * <p>P is the training projection: 0 where {@code |c| < theta - 1e-5}, otherwise the nearest power
 * of two in the linear domain with ties going up, clamped to maxCoeff. It is a guard: C converted by
 * {@code SdConverter} is already in that domain, so P changes nothing there. That holds because the converter
 * gives each layer the largest power of two not above its decomposition threshold as theta (or C's smallest
 * magnitude where that is lower: a decomposition with maxIter 1 or a maxCoeff below the threshold): a decomposition at
 * threshold t keeps |c| &gt;= t and then rounds to the nearest power of two, which can be 2^floor(log2 t) &lt; t
 * (at t = 4e-3, the default, 0.0045 becomes 2^-8 = 0.0039), and P at theta = t would zero it. A layer built by
 * hand for a C decomposed at t needs theta &lt;= 2^floor(log2 t).
 */
// "try": try (MemoryWorkspace ws = ...scopeOutOfWorkspaces()) only scopes allocations out of DL4J's workspaces
@SuppressWarnings("try")
public final class SdWeights {

    private final SdSliceShape shape;
    private final long[] weightShape;
    private final SdLayer.WeightOrder order;
    private final boolean unitsAreColumns;
    private final double theta;
    private final double maxCoeff;
    private final boolean project;
    /** The projection P, shared with the decomposition code (core's bit-exact quantizer). */
    private final Pow2Quantizer projection;
    private transient INDArray ce;
    private transient INDArray prod;
    private transient INDArray prodPerUnit;
    private transient INDArray unitMajor;
    private transient INDArray weight;
    /** UNITS_LAST: W viewed as [L, U] (C order), which the rebuild fills with the unit-major product transposed. */
    private transient INDArray weightByUnitColumns;
    /** UNITS_LAST: the unit-major [U, L] copy of DL4J's dW that the chain rule reads. */
    private transient INDArray unitMajorGrad;
    private transient INDArray weightGrad;
    private transient float[] floatScratch;
    private transient double[] doubleScratch;
    private final Kernel kernel;
    private transient SdFloatKernel floatKernel;
    private transient boolean lastFloat;
    private transient double[] jc;
    private transient byte[] jmask;
    private transient double[] jb;
    private transient double[] jw;
    private transient boolean ceStale;
    private transient float[] jf;
    private transient double[] jd;
    private transient double[] jgc;
    private transient double[] jg;

    /**
     * How the rebuild and the chain rule are computed. Both give the same numbers (tested).
     * <ul>
     *   <li>{@link #JAVA}: plain Java loops on bulk (JNI) copies of C, M, B (and dW), writing W (and
     *       dC, dB) back with bulk copies; no ND4J op is launched except zeroing dM. FLOAT
     *       parameters run {@link SdFloatKernel} (vectorised branch-free projection, fused loops,
     *       units split over two threads for large layers); DOUBLE parameters (gradient checks) a
     *       double-precision twin in this class.</li>
     *   <li>{@link #ND4J}: P(C).*M in Java, then batched ND4J matmuls and slice/reshape views
     *       (about 8 native ops per step).</li>
     * </ul>
     * Layers use JAVA ({@link #auto}). Single-thread CPU time per call (OMP_NUM_THREADS=1, loaded
     * 2-core machine, best of 7), rebuild + chain rule: dense 512x512 JAVA 0.5 + 0.6 ms vs ND4J
     * 2.3 + 3.9 ms (a 128x512x512 gemm: 0.9 ms); conv 512ch 3x3 JAVA 7.4 + 6.6 ms vs ND4J
     * 15 + 17 ms. The ND4J batched matmul over thousands of [m,n]x[n,n] slices pays a per-slice
     * overhead that dwarfs its 3 multiply-adds per entry. {@code -Dsmartdeal.sd.kernel=java|nd4j}
     * forces one.
     */
    public enum Kernel {
        /** Plain Java loops on bulk copies. */
        JAVA,
        /** Batched ND4J matmuls. */
        ND4J;

        /** The kernel forced by {@code smartdeal.sd.kernel}, else JAVA. */
        public static Kernel auto(SdSliceShape shape) {
            String forced = System.getProperty("smartdeal.sd.kernel", "");
            if ("nd4j".equalsIgnoreCase(forced)) {
                return ND4J;
            }
            return JAVA;
        }
    }

    /**
     * @param shape       packed geometry
     * @param weightShape DL4J weight shape: rank 2 {@code [nIn, nOut]} (units are columns) or
     *                    rank 4 {@code [nOut, nIn, kh, kw]} (units are the leading axis); for a depthwise weight use
     *                    the constructor with a {@link SdLayer.WeightOrder}
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
        this(shape, weightShape, weightShape.length == 2 ? SdLayer.WeightOrder.UNITS_AS_COLUMNS
                : SdLayer.WeightOrder.UNITS_FIRST, theta, maxCoeff, project, kernel);
    }

    /**
     * As {@link #SdWeights(SdSliceShape, long[], double, double, boolean, Kernel)} with the order of the units in
     * the weight given.
     *
     * @param order where the units sit in W: UNITS_AS_COLUMNS needs a rank-2 weight, UNITS_LAST a weight whose
     *              trailing axes hold the units and leading axes each unit's weights (a depthwise [kh, kw, nIn, d])
     */
    public SdWeights(SdSliceShape shape, long[] weightShape, SdLayer.WeightOrder order, double theta, double maxCoeff,
            boolean project, Kernel kernel) {
        this.kernel = kernel;
        this.shape = shape;
        this.weightShape = weightShape.clone();
        this.order = order;
        this.unitsAreColumns = order == SdLayer.WeightOrder.UNITS_AS_COLUMNS;
        if (unitsAreColumns && weightShape.length != 2) {
            throw new IllegalArgumentException("SdWeights: units as columns need a rank-2 weight, got shape "
                    + java.util.Arrays.toString(weightShape));
        }
        if (order == SdLayer.WeightOrder.UNITS_LAST && (weightShape.length != 4
                || weightShape[0] * weightShape[1] != shape.weightsPerUnit())) {
            throw new IllegalArgumentException("SdWeights: a depthwise weight [kh, kw, nIn, d] with kh*kw = "
                    + shape.weightsPerUnit() + " weights per unit was expected, got shape "
                    + java.util.Arrays.toString(weightShape));
        }
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
        this.projection = Pow2Quantizer.trainingProjection(theta, maxCoeff);
        this.project = project;
    }

    /** Builds the helper for a layer configuration (nIn/nOut must be set). */
    public static SdWeights of(SdLayer layer) {
        SdSliceShape s = layer.sliceShape();
        return new SdWeights(s, layer.weightShape(), layer.weightOrder(), layer.getTheta(), layer.getMaxCoeff(),
                layer.isProjectCoefficients(), Kernel.auto(s));
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
            if (dt == DataType.FLOAT && b.dataType() == dt && mask.dataType() == dt) {
                if (floatKernel == null) {
                    floatKernel = new SdFloatKernel(shape, projection, project);
                }
                floatKernel.rebuild(flatAccessible(c), flatAccessible(b), flatAccessible(mask), unitMajor);
                lastFloat = true;
            } else {
                javaRebuild(c, b, mask);
                lastFloat = false;
            }
            ceStale = true;
            return unitsToWeight();
        }
        effectiveCoefficients(c, mask, ce);
        Nd4j.matmul(ce, b, prod, false, false, false);
        if (unitMajor != prodPerUnit) {
            unitMajor.assign(prodPerUnit.get(NDArrayIndex.all(), NDArrayIndex.interval(0, shape.weightsPerUnit())));
        }
        return unitsToWeight();
    }

    /** W from the unit-major product: a view of it, except for UNITS_LAST, whose W is a transposed copy. */
    private INDArray unitsToWeight() {
        if (weightByUnitColumns != null) {
            weightByUnitColumns.assign(unitMajor.transpose());
        }
        return weight;
    }

    /** Ce = P(C) .* M of the last {@link #rebuild}, [K, m, n]; needed by {@link #backward}. */
    public INDArray effectiveC() {
        if (ceStale) {
            if (lastFloat) {
                floatKernel.effectiveC(ce);
            } else {
                write(jc, ce);
            }
            ceStale = false;
        }
        return ce;
    }

    /**
     * Chains dW to the packed parameters using the Ce and B of the last {@link #rebuild} (b must be
     * the B it was called with). Modified: gradC, gradB, gradM (zeroed).
     */
    public void backward(INDArray dW, INDArray b, INDArray mask, INDArray gradC, INDArray gradB, INDArray gradM,
            LayerWorkspaceMgr mgr, ArrayType type) {
        // the Java kernels read dW's buffer as unit-major [U, L]; the ND4J path below reads W's own layout
        INDArray dUnits = kernel == Kernel.JAVA && order == SdLayer.WeightOrder.UNITS_LAST ? toUnitMajor(dW) : dW;
        if (kernel == Kernel.JAVA && lastFloat && dUnits.dataType() == DataType.FLOAT
                && dUnits.data().length() == dUnits.length() && isFlatAccessible(gradC) && isFlatAccessible(gradB)
                && gradC.dataType() == DataType.FLOAT && gradB.dataType() == DataType.FLOAT) {
            floatKernel.backward(dUnits, gradC, gradB);
            gradM.assign(0);
            return;
        }
        if (kernel == Kernel.JAVA && jc != null && !lastFloat) {
            javaBackward(dUnits, gradC, gradB);
            gradM.assign(0);
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
            jmask = new byte[len];
            jb = new double[bl];
            jw = new double[wl];
        }
        projectAndMask(c, mask);
        read(b, jb);
        rebuildUnits(0, (int) shape.units());
        writeRaw(jw, wl, unitMajor);
    }

    /**
     * jc = P(C) .* M and jmask = (M != 0) (double kernel), in one pass over bulk copies of C and M. The projection
     * inlines {@link Pow2Quantizer#quantize(double)} for normal finite values (bit manipulation, no
     * branch that depends on the data except the threshold) and defers to it for the rest
     * (zero, subnormal, NaN, infinity), so the result is bit-identical to the quantizer's.
     */
    private void projectAndMask(INDArray c, INDArray mask) {
        int len = jc.length;
        INDArray cc = flatAccessible(c);
        INDArray mm = flatAccessible(mask);
        double zeroBelow = projection.zeroBelow();
        long capBits = Double.doubleToRawLongBits(projection.cap());
        long keptBits = Double.doubleToRawLongBits(projection.smallestKept());
        read(cc, jc);
        double[] mv = jw.length >= len ? jw : new double[len];
        read(mm, mv);
        for (int i = 0; i < len; i++) {
            boolean in = mv[i] != 0.0;
            jmask[i] = in ? (byte) 1 : (byte) 0;
            double v = in ? jc[i] : 0.0;
            jc[i] = project ? fastProject(v, zeroBelow, keptBits, capBits) : v;
        }
    }

    private static final long SIGN_BIT = 0x8000_0000_0000_0000L;
    private static final long EXPONENT_BITS = 0x7FF0_0000_0000_0000L;
    private static final long MIN_NORMAL_BITS = 0x0010_0000_0000_0000L;
    private static final long HALF_MANTISSA = 1L << 51;

    /** P(v) with ties up: equals {@code projection.quantize(v)} for every v (see projectAndMask). */
    private double fastProject(double v, double zeroBelow, long keptBits, long capBits) {
        if (Math.abs(v) < zeroBelow) {
            return 0.0;
        }
        long bits = Double.doubleToRawLongBits(v);
        long mag = bits & ~SIGN_BIT;
        if (mag < MIN_NORMAL_BITS || mag >= EXPONENT_BITS) {
            return projection.quantize(v);
        }
        long rounded = Math.min(Math.max((mag + HALF_MANTISSA) & EXPONENT_BITS, keptBits), capBits);
        return Double.longBitsToDouble((bits & SIGN_BIT) | rounded);
    }

    /** W of units [from, to) into jw from jc and jb. */
    private void rebuildUnits(int from, int to) {
        int n = shape.basisWidth();
        int m = (int) shape.sliceHeight();
        int spu = (int) shape.slicesPerUnit();
        int l = (int) shape.weightsPerUnit();
        int nn = n * n;
        double[] c = jc;
        double[] bb = jb;
        double[] w = jw;
        for (int o = from; o < to; o++) {
            int wBase = o * l;
            for (int s = 0; s < spu; s++) {
                int k = o * spu + s;
                int bBase = k * nn;
                int t0 = s * m * n;
                // rows of this slice holding at least one real weight, and how many are complete
                int realRows = Math.min(m, (l - t0 + n - 1) / n);
                int fullRows = Math.min(realRows, (l - t0) / n);
                int cBase = k * m * n;
                if (n == 3) {
                    double b00 = bb[bBase], b01 = bb[bBase + 1], b02 = bb[bBase + 2];
                    double b10 = bb[bBase + 3], b11 = bb[bBase + 4], b12 = bb[bBase + 5];
                    double b20 = bb[bBase + 6], b21 = bb[bBase + 7], b22 = bb[bBase + 8];
                    for (int i = 0; i < fullRows; i++) {
                        int ci = cBase + 3 * i;
                        double c0 = c[ci], c1 = c[ci + 1], c2 = c[ci + 2];
                        int wi = wBase + t0 + 3 * i;
                        w[wi] = c0 * b00 + c1 * b10 + c2 * b20;
                        w[wi + 1] = c0 * b01 + c1 * b11 + c2 * b21;
                        w[wi + 2] = c0 * b02 + c1 * b12 + c2 * b22;
                    }
                } else {
                    for (int i = 0; i < fullRows; i++) {
                        rebuildRow(c, cBase + i * n, bb, bBase, n, w, wBase + t0 + i * n, n);
                    }
                }
                for (int i = fullRows; i < realRows; i++) {
                    int t = t0 + i * n;
                    rebuildRow(c, cBase + i * n, bb, bBase, n, w, wBase + t, l - t);
                }
            }
        }
    }

    /** w[wOff + q] = sum_j c[cOff + j] * b[bOff + j*n + q] for q in [0, cols). */
    private static void rebuildRow(double[] c, int cOff, double[] b, int bOff, int n, double[] w, int wOff, int cols) {
        for (int q = 0; q < cols; q++) {
            double acc = 0;
            for (int j = 0; j < n; j++) {
                acc += c[cOff + j] * b[bOff + j * n + q];
            }
            w[wOff + q] = acc;
        }
    }

    private void javaBackward(INDArray dW, INDArray gradC, INDArray gradB) {
        int len = Math.toIntExact(shape.coefficientLength());
        int wl = Math.toIntExact(shape.units() * shape.weightsPerUnit());
        if (dW.data().length() != wl) {
            throw new IllegalStateException("SdWeights: dW must be a dense array of " + wl + " entries, got buffer of "
                    + dW.data().length());
        }
        if (jd == null) {
            jd = new double[wl];
            jgc = new double[len];
            jg = new double[Math.toIntExact(shape.basisLength())];
        }
        readRaw(dW, jd);
        backwardUnits(0, (int) shape.units());
        write(jgc, gradC);
        write(jg, gradB);
    }

    /** dC (masked) and dB of units [from, to) into jgc and jg, from jd, jc, jb and jmask. */
    private void backwardUnits(int from, int to) {
        int n = shape.basisWidth();
        int m = (int) shape.sliceHeight();
        int spu = (int) shape.slicesPerUnit();
        int l = (int) shape.weightsPerUnit();
        int nn = n * n;
        double[] c = jc;
        double[] bb = jb;
        double[] dw = jd;
        double[] gc = jgc;
        double[] gb = jg;
        byte[] mk = jmask;
        for (int o = from; o < to; o++) {
            int wBase = o * l;
            for (int s = 0; s < spu; s++) {
                int k = o * spu + s;
                int bBase = k * nn;
                int t0 = s * m * n;
                int realRows = Math.max(0, Math.min(m, (l - t0 + n - 1) / n));
                int fullRows = Math.max(0, Math.min(realRows, (l - t0) / n));
                int cBase = k * m * n;
                int done = 0;
                if (n == 3) {
                    double b00 = bb[bBase], b01 = bb[bBase + 1], b02 = bb[bBase + 2];
                    double b10 = bb[bBase + 3], b11 = bb[bBase + 4], b12 = bb[bBase + 5];
                    double b20 = bb[bBase + 6], b21 = bb[bBase + 7], b22 = bb[bBase + 8];
                    double g00 = 0, g01 = 0, g02 = 0, g10 = 0, g11 = 0, g12 = 0, g20 = 0, g21 = 0, g22 = 0;
                    for (int i = 0; i < fullRows; i++) {
                        int ci = cBase + 3 * i;
                        int wi = wBase + t0 + 3 * i;
                        double d0 = dw[wi], d1 = dw[wi + 1], d2 = dw[wi + 2];
                        double c0 = c[ci], c1 = c[ci + 1], c2 = c[ci + 2];
                        gc[ci] = mk[ci] != 0 ? d0 * b00 + d1 * b01 + d2 * b02 : 0.0;
                        gc[ci + 1] = mk[ci + 1] != 0 ? d0 * b10 + d1 * b11 + d2 * b12 : 0.0;
                        gc[ci + 2] = mk[ci + 2] != 0 ? d0 * b20 + d1 * b21 + d2 * b22 : 0.0;
                        g00 += c0 * d0;
                        g01 += c0 * d1;
                        g02 += c0 * d2;
                        g10 += c1 * d0;
                        g11 += c1 * d1;
                        g12 += c1 * d2;
                        g20 += c2 * d0;
                        g21 += c2 * d1;
                        g22 += c2 * d2;
                    }
                    gb[bBase] = g00;
                    gb[bBase + 1] = g01;
                    gb[bBase + 2] = g02;
                    gb[bBase + 3] = g10;
                    gb[bBase + 4] = g11;
                    gb[bBase + 5] = g12;
                    gb[bBase + 6] = g20;
                    gb[bBase + 7] = g21;
                    gb[bBase + 8] = g22;
                    done = fullRows;
                } else {
                    java.util.Arrays.fill(gb, bBase, bBase + nn, 0.0);
                }
                for (int i = done; i < m; i++) {
                    int ci = cBase + i * n;
                    int t = t0 + i * n;
                    int cols = i < realRows ? Math.min(n, l - t) : 0;
                    for (int j = 0; j < n; j++) {
                        double acc = 0;
                        for (int q = 0; q < cols; q++) {
                            acc += dw[wBase + t + q] * bb[bBase + j * n + q];
                        }
                        gc[ci + j] = mk[ci + j] != 0 ? acc : 0.0;
                    }
                    for (int j = 0; j < n; j++) {
                        double cj = c[ci + j];
                        for (int q = 0; q < cols; q++) {
                            gb[bBase + j * n + q] += cj * dw[wBase + t + q];
                        }
                    }
                }
            }
        }
    }

    /** Reads a (possibly view) array in C order into dst. */
    private void read(INDArray a, double[] dst) {
        INDArray x = flatAccessible(a);
        readRaw(x, dst);
    }

    /** Reads the first length() entries of a's own buffer (its storage order) into dst. */
    private void readRaw(INDArray x, double[] dst) {
        int n = Math.toIntExact(x.length());
        DataType dt = x.dataType();
        if (dt == DataType.DOUBLE) {
            doublePointer(x).get(dst, 0, n);
        } else if (dt == DataType.FLOAT) {
            float[] f = floatBuffer(n);
            floatPointer(x).get(f, 0, n);
            for (int i = 0; i < n; i++) {
                dst[i] = f[i];
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
        DataType dt = dst.dataType();
        if (dt == DataType.DOUBLE) {
            doublePointer(dst).put(src, 0, n);
        } else if (dt == DataType.FLOAT) {
            float[] f = floatBuffer(n);
            for (int i = 0; i < n; i++) {
                f[i] = (float) src[i];
            }
            floatPointer(dst).put(f, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                dst.data().put(i, src[i]);
            }
        }
    }

    private float[] floatBuffer(int n) {
        if (jf == null || jf.length < n) {
            jf = new float[n];
        }
        return jf;
    }

    /**
     * The array's buffer as a pointer positioned at its first element (the position its indexer
     * reads index 0 from), for bulk JNI copies: an element-wise indexer loop is ten times slower.
     */
    private static FloatPointer floatPointer(INDArray a) {
        return (FloatPointer) a.data().indexer().pointer();
    }

    private static DoublePointer doublePointer(INDArray a) {
        return (DoublePointer) a.data().indexer().pointer();
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
            if (order == SdLayer.WeightOrder.UNITS_LAST) {
                weight = Nd4j.create(dt, weightShape, 'c');
                weightByUnitColumns = weight.reshape('c', shape.weightsPerUnit(), shape.units());
            } else {
                weight = unitsAreColumns ? unitMajor.transpose() : unitMajor.reshape('c', weightShape);
            }
        }
    }

    /** UNITS_LAST: DL4J's dW [kh, kw, nIn, d] copied to the unit-major [U, L] the chain rule reads. */
    private INDArray toUnitMajor(INDArray dW) {
        if (unitMajorGrad == null || unitMajorGrad.dataType() != dW.dataType()) {
            try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                unitMajorGrad = Nd4j.create(dW.dataType(), new long[] {shape.units(), shape.weightsPerUnit()}, 'c');
            }
        }
        unitMajorGrad.assign(dW.reshape('c', shape.weightsPerUnit(), shape.units()).transpose());
        return unitMajorGrad;
    }

    /** A zeroed weight-gradient array in the layout DL4J's runtime writes dW into. */
    public INDArray createWeightGradient(LayerWorkspaceMgr mgr, ArrayType type, DataType dt) {
        return mgr.create(type, dt, weightShape, unitsAreColumns ? 'f' : 'c');
    }

    /**
     * For dense and output layers (rank-2 weight): this object's persistent weight-gradient array, in
     * the layout DL4J's runtime writes dW into, allocated once outside any workspace (DL4J's dense and
     * output backward overwrite it entirely: a gemm with beta = 0). Saves the per-step workspace
     * allocation and zeroing of an array of W's size. Null for conv layers (their dW comes from
     * {@link #createWeightGradient}). Valid until the next call; contents unspecified.
     */
    INDArray reusableWeightGradient(DataType dt) {
        if (!unitsAreColumns) {
            return null;
        }
        if (weightGrad == null || weightGrad.dataType() != dt) {
            try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                weightGrad = Nd4j.create(dt, weightShape, 'f');
            }
        }
        return weightGrad;
    }

    /**
     * Chains dW to the packed parameters. Not modified: dW, effectiveC, b, mask. Modified: gradC
     * (= M .* (dProd @ B^T)), gradB (= Ce^T @ dProd), gradM (= 0).
     */
    public void backward(INDArray dW, INDArray effectiveC, INDArray b, INDArray mask, INDArray gradC, INDArray gradB,
            INDArray gradM, LayerWorkspaceMgr mgr, ArrayType type) {
        long u = shape.units();
        long l = shape.weightsPerUnit();
        INDArray dUnits = unitsAreColumns ? dW.transpose()
                : order == SdLayer.WeightOrder.UNITS_LAST ? dW.reshape('c', new long[] {l, u}).transpose()
                : dW.reshape('c', new long[] {u, l});
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
        double zeroBelow = projection.zeroBelow();
        long capBits = Double.doubleToRawLongBits(projection.cap());
        long keptBits = Double.doubleToRawLongBits(projection.smallestKept());
        DataType dt = cc.dataType();
        if (dt == DataType.FLOAT && mm.dataType() == dt && oo.dataType() == dt) {
            if (floatScratch == null || floatScratch.length < 2 * n) {
                floatScratch = new float[2 * n];
            }
            float[] v = floatScratch;
            floatPointer(cc).get(v, 0, n);
            floatPointer(mm).get(v, n, n);
            for (int i = 0; i < n; i++) {
                v[i] = v[n + i] != 0f ? (float) fastProject(v[i], zeroBelow, keptBits, capBits) : 0f;
            }
            floatPointer(oo).put(v, 0, n);
        } else if (dt == DataType.DOUBLE && mm.dataType() == dt && oo.dataType() == dt) {
            if (doubleScratch == null || doubleScratch.length < 2 * n) {
                doubleScratch = new double[2 * n];
            }
            double[] v = doubleScratch;
            doublePointer(cc).get(v, 0, n);
            doublePointer(mm).get(v, n, n);
            for (int i = 0; i < n; i++) {
                v[i] = v[n + i] != 0.0 ? fastProject(v[i], zeroBelow, keptBits, capBits) : 0.0;
            }
            doublePointer(oo).put(v, 0, n);
        } else {
            for (long i = 0; i < n; i++) {
                double v = mm.getDouble(i) != 0.0 ? projection.quantize(cc.getDouble(i)) : 0.0;
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
        return Double.isNaN(c) ? c : Pow2Quantizer.trainingProjection(theta, maxCoeff).quantize(c);
    }

    /** Single-precision twin of {@link #project(double, double, double)} (same rules). */
    public static float project(float c, float theta, float maxCoeff) {
        return Float.isNaN(c) ? c : Pow2Quantizer.trainingProjection(theta, maxCoeff).quantize(c);
    }
}
