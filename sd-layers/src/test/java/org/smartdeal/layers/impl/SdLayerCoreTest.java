package org.smartdeal.layers.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.smartdeal.layers.params.SdParamInitializer.BIAS_KEY;
import static org.smartdeal.layers.params.SdParamInitializer.B_KEY;
import static org.smartdeal.layers.params.SdParamInitializer.C_KEY;
import static org.smartdeal.layers.params.SdParamInitializer.MASK_KEY;

import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdSliceShape;

/**
 * {@link SdLayerCore}'s backward template without a DL4J network (the DL4J superclass' backward is a lambda that
 * writes a known dW): the "W" gradient view handed to DL4J and taken back, dC and dB equal to
 * {@link SdWeights#backward} of that dW, dM zeroed the first time a gradient view is seen (and for every new view),
 * the bias gradient only when the layer has one, and which W the backward pass uses (the training forward pass' on
 * the same input, else a rebuild from the current C).
 */
class SdLayerCoreTest {
    private static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();
    /** nIn 5, nOut 2, n 2, sliceRows 2: 3 rows a unit (one padded entry), 2 slices a unit (one padded row), K = 4. */
    private static final SdDenseLayer CONF = new SdDenseLayer.Builder().nIn(5).nOut(2).basisWidth(2).sliceRows(2).build();

    private final SdSliceShape s = CONF.sliceShape();
    private final INDArray c = Nd4j.create(new double[] {1, 0.5, -2, 0.25, 1, 0.5, -1, 2, 0.5, 1, -0.5, 4, 2, -1, 0.5, 1},
            s.coefficientShape(), 'c');
    private final INDArray b = Nd4j.linspace(DataType.DOUBLE, 1, s.basisLength(), 1).reshape('c', s.basisShape()).divi(7);
    private final INDArray mask = Nd4j.create(new double[] {1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1},
            s.coefficientShape(), 'c');
    /** DL4J's dW [nIn, nOut] as its dense backward would write it. */
    private final INDArray dW = Nd4j.create(new double[][] {{1, -1}, {2, 0.5}, {-3, 1}, {0.25, 2}, {1, 1}});

    private Map<String, INDArray> params() {
        Map<String, INDArray> p = new HashMap<>();
        p.put(C_KEY, c);
        p.put(B_KEY, b);
        p.put(MASK_KEY, mask);
        return p;
    }

    private Map<String, INDArray> views(INDArray gM) {
        Map<String, INDArray> v = new HashMap<>();
        v.put(C_KEY, Nd4j.create(DataType.DOUBLE, s.coefficientShape()));
        v.put(B_KEY, Nd4j.create(DataType.DOUBLE, s.basisShape()));
        v.put(MASK_KEY, gM);
        v.put(BIAS_KEY, Nd4j.create(DataType.DOUBLE, 1, 2).assign(3));
        return v;
    }

    /** Runs the backward template; the fake DL4J backward writes {@link #dW} into the "W" view and returns eps. */
    private Pair<Gradient, INDArray> backprop(SdLayerCore core, Map<String, INDArray> views, boolean hasBias,
            INDArray input, INDArray[] seenW) {
        INDArray eps = Nd4j.ones(DataType.DOUBLE, 1, 5);
        return core.backprop(params(), views, hasBias, input, NO_WS, () -> {
            assertArrayEquals(new long[] {5, 2}, views.get("W").shape(), "the W gradient view DL4J writes");
            views.get("W").assign(dW);
            seenW[0] = core.weight(params(), true, input);
            return new Pair<>(new DefaultGradient(), eps);
        });
    }

    @Test
    void gradientsAreTheChainRuleOfDl4jsWeightGradient() {
        SdLayerCore core = new SdLayerCore(CONF);
        Map<String, INDArray> views = views(Nd4j.ones(DataType.DOUBLE, s.coefficientShape()));
        INDArray[] seen = new INDArray[1];
        Pair<Gradient, INDArray> r = backprop(core, views, true, Nd4j.ones(1, 5), seen);
        assertFalse(views.containsKey("W"), "the scratch W view is taken back");
        // an independent SdWeights chained on the same dW
        SdWeights ref = SdWeights.of(CONF);
        INDArray w = ref.rebuild(c, b, mask);
        INDArray gC = Nd4j.create(DataType.DOUBLE, s.coefficientShape());
        INDArray gB = Nd4j.create(DataType.DOUBLE, s.basisShape());
        ref.backward(dW.dup('f'), b, mask, gC, gB, Nd4j.create(DataType.DOUBLE, s.coefficientShape()), NO_WS,
                ArrayType.BP_WORKING_MEM);
        assertEquals(gC, r.getFirst().getGradientFor(C_KEY));
        assertEquals(gB, r.getFirst().getGradientFor(B_KEY));
        assertEquals(0.0, r.getFirst().getGradientFor(MASK_KEY).sumNumber().doubleValue());
        assertEquals(3.0, r.getFirst().getGradientFor(BIAS_KEY).getDouble(1));
        assertEquals(Nd4j.ones(DataType.DOUBLE, 1, 5), r.getSecond(), "DL4J's epsilon is passed on");
        // during DL4J's backward, "W" is the rebuilt weight
        assertEquals(w, seen[0]);
        assertSame(core.weights().lastWeight(), seen[0]);
        Pair<Gradient, INDArray> noBias = backprop(core, views(Nd4j.ones(DataType.DOUBLE, s.coefficientShape())), false,
                Nd4j.ones(1, 5), seen);
        assertNull(noBias.getFirst().getGradientFor(BIAS_KEY));
        assertEquals(4, r.getFirst().gradientForVariable().size());
        assertEquals(3, noBias.getFirst().gradientForVariable().size());
    }

    /**
     * dM is zeroed on every backward pass, also for a view seen before: network updaters skip M's block, so a
     * value left in the view (a diverged step's NaN, a listener's write) would otherwise reach M.
     */
    @Test
    void theMaskGradientIsZeroedOnEveryPass() {
        SdLayerCore core = new SdLayerCore(CONF);
        INDArray gM = Nd4j.valueArrayOf(s.coefficientShape(), 7.0, DataType.DOUBLE);
        backprop(core, views(gM), false, Nd4j.ones(1, 5), new INDArray[1]);
        assertEquals(0.0, gM.sumNumber().doubleValue(), "a view seen for the first time is zeroed");
        gM.assign(Double.NaN);
        backprop(core, views(gM), false, Nd4j.ones(1, 5), new INDArray[1]);
        assertEquals(0.0, gM.amaxNumber().doubleValue(), "the same view is zeroed again, NaN included");
    }

    @Test
    void theBackwardPassReusesTheTrainingForwardWeightOfTheSameInputOnly() {
        SdLayerCore core = new SdLayerCore(CONF);
        INDArray input = Nd4j.ones(1, 5);
        INDArray w0 = core.activate(true, () -> core.weight(params(), true, input)).dup();
        // C changes between the forward and the backward pass (as no DL4J flow does): the same input reuses the
        // forward pass' W, so dB is Ce of the forward pass' C times dProd
        INDArray saved = c.dup();
        c.muli(2);
        try {
            INDArray[] seen = new INDArray[1];
            backprop(core, views(Nd4j.zeros(DataType.DOUBLE, s.coefficientShape())), false, input, seen);
            assertEquals(w0, seen[0], "reused: the W of the training forward pass");
            // a backward pass on another input rebuilds from the current C: W doubles (P keeps powers of two x 2)
            backprop(core, views(Nd4j.zeros(DataType.DOUBLE, s.coefficientShape())), false, Nd4j.ones(1, 5), seen);
            assertEquals(w0.mul(2), seen[0]);
            // and a second backward pass on the first input rebuilds too (the reuse is for one pass)
            c.assign(saved);
            backprop(core, views(Nd4j.zeros(DataType.DOUBLE, s.coefficientShape())), false, input, seen);
            assertEquals(w0, seen[0]);
        } finally {
            c.assign(saved);
        }
        // an inference forward pass never marks its W for reuse
        core.activate(false, () -> core.weight(params(), false, input));
        c.muli(2);
        try {
            INDArray[] seen = new INDArray[1];
            backprop(core, views(Nd4j.zeros(DataType.DOUBLE, s.coefficientShape())), false, input, seen);
            assertEquals(w0.mul(2), seen[0]);
        } finally {
            c.assign(saved);
        }
    }

    @Test
    void theInferenceCacheIsDroppedByTrainingPassesBackwardPassesAndInvalidate() {
        SdLayerCore core = new SdLayerCore(CONF);
        INDArray in = Nd4j.ones(1, 5);
        assertFalse(core.inferenceCacheEnabled());
        core.weight(params(), false, in);
        assertFalse(core.inferenceCacheValid(), "off by default");
        core.setInferenceCache(true);
        assertTrue(core.inferenceCacheEnabled());
        assertFalse(core.inferenceCacheValid(), "turning it on drops the current W");
        INDArray w = core.weight(params(), false, in);
        assertTrue(core.inferenceCacheValid());
        assertSame(w, core.weight(params(), false, in));
        core.invalidate();
        assertFalse(core.inferenceCacheValid());
        core.weight(params(), false, in);
        core.activate(true, () -> in);
        assertFalse(core.inferenceCacheValid(), "a training forward pass drops it");
        core.weight(params(), false, in);
        assertTrue(core.inferenceCacheValid());
        // a training request for W outside activate rebuilds and does not make the cache valid
        core.weight(params(), true, in);
        assertFalse(core.inferenceCacheValid());
        core.weight(params(), false, in);
        backprop(core, views(Nd4j.zeros(DataType.DOUBLE, s.coefficientShape())), false, in, new INDArray[1]);
        assertFalse(core.inferenceCacheValid(), "a backward pass drops it");
        core.weight(params(), false, in);
        core.setInferenceCache(false);
        assertFalse(core.inferenceCacheValid());
        assertFalse(core.inferenceCacheEnabled());
    }
}
