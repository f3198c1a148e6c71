package org.smartdeal.layers.params;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.SdSliceShape;

/**
 * Parameter layout of every SD layer. The flat buffer holds, in this order: {@link #C_KEY} packed
 * C {@code [K, m, n]}, {@link #B_KEY} packed B {@code [K, n, n]}, {@link #MASK_KEY} the mask M
 * (C's shape) and, when the layer has one, {@link #BIAS_KEY} the bias {@code [nOut]} (shapes per
 * {@link SdSliceShape}). All are C-order views into the flat buffer.
 *
 * <p>Fresh initialisation (a network built from scratch, not converted): C = +-1 with random signs
 * and M = 1 on every real row, both 0 on the padding rows of the last slice; B drawn from the
 * layer's weight initialiser with the layer's fan-in/fan-out and divided by sqrt(n), so that
 * W = C*B has the initialiser's variance; b = biasInit.
 */
public final class SdParamInitializer implements ParamInitializer {

    /** Key of the packed coefficients C [K, m, n]. */
    public static final String C_KEY = "C";
    /** Key of the packed bases B [K, n, n]. */
    public static final String B_KEY = "B";
    /** Key of the frozen mask M [K, m, n] (1 where C may be non-zero). */
    public static final String MASK_KEY = "M";
    /** Key of the bias [nOut]. */
    public static final String BIAS_KEY = "b";

    private static final SdParamInitializer INSTANCE = new SdParamInitializer();

    private SdParamInitializer() {
    }

    /** The shared stateless instance. */
    public static SdParamInitializer getInstance() {
        return INSTANCE;
    }

    private static SdLayer sd(Layer layer) {
        if (!(layer instanceof SdLayer)) {
            throw new IllegalArgumentException("SdParamInitializer needs an SdLayer configuration, got "
                    + (layer == null ? "null" : layer.getClass().getName()));
        }
        return (SdLayer) layer;
    }

    private static long biasLength(Layer layer) {
        SdLayer l = sd(layer);
        return l.hasBias() ? l.sliceShape().units() : 0;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        SdSliceShape s = sd(layer).sliceShape();
        return 2 * s.coefficientLength() + s.basisLength() + biasLength(layer);
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        List<String> keys = new ArrayList<>(List.of(C_KEY, B_KEY, MASK_KEY));
        if (sd(layer).hasBias()) {
            keys.add(BIAS_KEY);
        }
        return Collections.unmodifiableList(keys);
    }

    /** C and B are weights (they get the layer's weight regularization); M is neither weight nor bias. */
    @Override
    public List<String> weightKeys(Layer layer) {
        return List.of(C_KEY, B_KEY);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return sd(layer).hasBias() ? List.of(BIAS_KEY) : List.of();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return C_KEY.equals(key) || B_KEY.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return BIAS_KEY.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        Layer layer = conf.getLayer();
        Map<String, INDArray> views = views(layer, paramsView);
        // Register the parameters with the configuration, as DL4J's own initializers do: BaseLayer.setParams
        // and other DL4J code size a layer's parameters from conf.variables() (empty before, so
        // layer.setParams(...) failed with "must be of length 0")
        for (String key : views.keySet()) {
            conf.addVariable(key);
        }
        if (initializeParams) {
            initialize(layer, views);
        }
        return views;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views(conf.getLayer(), gradientView);
    }

    /** C-order views of C, B, M (and b) into a flat buffer of length numParams. Mutable map. */
    private Map<String, INDArray> views(Layer layer, INDArray flat) {
        SdSliceShape s = sd(layer).sliceShape();
        long total = numParams(layer);
        if (flat.length() != total) {
            throw new IllegalArgumentException("SD layer " + layer.getLayerName() + ": flat parameter view has length "
                    + flat.length() + " but the layer needs " + total);
        }
        long cLen = s.coefficientLength();
        long bLen = s.basisLength();
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(C_KEY, range(flat, 0, cLen).reshape('c', s.coefficientShape()));
        out.put(B_KEY, range(flat, cLen, cLen + bLen).reshape('c', s.basisShape()));
        out.put(MASK_KEY, range(flat, cLen + bLen, 2 * cLen + bLen).reshape('c', s.coefficientShape()));
        if (sd(layer).hasBias()) {
            out.put(BIAS_KEY, range(flat, 2 * cLen + bLen, total).reshape('c', new long[] {s.units()}));
        }
        return out;
    }

    private static INDArray range(INDArray flat, long from, long to) {
        if (flat.rank() == 1) {
            return flat.get(NDArrayIndex.interval(from, to));
        }
        return flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(from, to));
    }

    private static void initialize(Layer layer, Map<String, INDArray> views) {
        SdLayer l = sd(layer);
        SdSliceShape s = l.sliceShape();
        INDArray c = views.get(C_KEY);
        INDArray rowMask = realRowMask(s).castTo(c.dataType());
        INDArray signs = Nd4j.rand(c.dataType(), c.shape()).subi(0.5);
        c.assign(org.nd4j.linalg.ops.transforms.Transforms.sign(signs, false).muli(rowMask));
        views.get(MASK_KEY).assign(rowMask);
        INDArray b = views.get(B_KEY);
        BaseLayer base = (BaseLayer) layer;
        base.getWeightInitFn().init(l.fanIn(), l.fanOut(), b.shape(), 'c', b);
        b.divi(Math.sqrt(s.basisWidth()));
        if (l.hasBias()) {
            views.get(BIAS_KEY).assign(base.getBiasInit());
        }
    }

    /** 1 on real rows, 0 on the padding rows of each unit's last slice; shape [K, m, n]. */
    private static INDArray realRowMask(SdSliceShape s) {
        long k = s.numSlices();
        long m = s.sliceHeight();
        int n = s.basisWidth();
        long spu = s.slicesPerUnit();
        double[] mask = new double[Math.toIntExact(k * m * n)];
        int idx = 0;
        for (long slice = 0; slice < k; slice++) {
            long sInUnit = slice % spu;
            for (long i = 0; i < m; i++) {
                double v = s.isRealRow(sInUnit, i) ? 1.0 : 0.0;
                for (int j = 0; j < n; j++) {
                    mask[idx++] = v;
                }
            }
        }
        return Nd4j.create(mask, s.coefficientShape(), 'c');
    }
}
