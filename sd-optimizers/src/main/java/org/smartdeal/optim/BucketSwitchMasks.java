package org.smartdeal.optim;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;

/**
 * Installs masks into the state of {@link BucketSwitch} updaters built with {@code maskInState(true)}
 * (for layers whose backward pass does not mask the gradient of C, e.g. a plain DenseLayer).
 *
 * <p>Call once after {@code net.init()} and before training. The masks are then part of the updater
 * state, so {@code ModelSerializer} saves and restores them; do not call again after a restore.
 * Until installed, every entry counts as inside the mask.
 */
public final class BucketSwitchMasks {

    private BucketSwitchMasks() {
    }

    /**
     * Uses "C != 0 now" as the mask of each listed parameter (ALGORITHMS.md 6.1: M = (C != 0) at
     * conversion time).
     */
    public static void installFromNonZeros(Model net, Set<ParamRef> params) {
        Map<ParamRef, INDArray> masks = new HashMap<>();
        for (ParamRef p : params) {
            INDArray c = paramOf(net, p);
            masks.put(p, c.neq(0).castTo(c.dataType()));
        }
        install(net, masks);
    }

    /**
     * Installs explicit masks (1 = inside, 0 = outside; same shape as the parameter).
     *
     * @throws IllegalArgumentException if a parameter does not use a mask-in-state BucketSwitch, or a
     *                                  mask has the wrong shape or values other than 0 and 1
     */
    public static void install(Model net, Map<ParamRef, INDArray> masks) {
        Set<ParamRef> done = new HashSet<>();
        for (UpdaterBlock block : blocks(net)) {
            GradientUpdater<?> gu = block.getGradientUpdater();
            int n = block.getParamOffsetEnd() - block.getParamOffsetStart();
            for (UpdaterBlock.ParamState ps : block.getLayersAndVariablesInBlock()) {
                ParamRef ref = ParamRef.of(ps.getLayer().getConfig().getLayerName(), ps.getParamName());
                INDArray mask = masks.get(ref);
                if (mask == null) {
                    continue;
                }
                if (!(gu instanceof BucketSwitchUpdater) || !((BucketSwitchUpdater) gu).getConfig().isMaskInState()) {
                    throw new IllegalArgumentException("parameter " + ref + " does not use a BucketSwitch updater with "
                            + "maskInState(true); its updater is " + (gu == null ? null : gu.getConfig()));
                }
                // the layer's shaped view (e.g. W [nIn, nOut] in 'f' order); the block walks its memory order
                INDArray param = ps.getLayer().paramTable(false).get(ps.getParamName());
                if (!Arrays.equals(mask.shape(), param.shape())) {
                    throw new IllegalArgumentException("mask of " + ref + " has shape " + Arrays.toString(mask.shape())
                            + " but the parameter has shape " + Arrays.toString(param.shape()));
                }
                INDArray flat = Nd4j.toFlattened(param.ordering(), mask.castTo(param.dataType()));
                long bad = flat.neq(0).castTo(param.dataType()).mul(flat.neq(1).castTo(param.dataType()))
                        .sumNumber().longValue();
                if (bad != 0) {
                    throw new IllegalArgumentException("mask of " + ref + " must hold only 0 and 1, found " + bad
                            + " other values");
                }
                long start = 1L + 2L * n + (ps.getParamOffsetStart() - block.getParamOffsetStart());
                INDArray maskedOut = block.getUpdaterView().get(NDArrayIndex.interval(start, start + param.length()));
                maskedOut.assign(flat.rsub(1.0));
                done.add(ref);
            }
        }
        Set<ParamRef> missing = new HashSet<>(masks.keySet());
        missing.removeAll(done);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("no updater block holds the parameters " + missing);
        }
    }

    private static Iterable<UpdaterBlock> blocks(Model net) {
        Updater u;
        if (net instanceof MultiLayerNetwork) {
            u = ((MultiLayerNetwork) net).getUpdater(true);
        } else if (net instanceof ComputationGraph) {
            u = ((ComputationGraph) net).getUpdater(true);
        } else {
            throw new IllegalArgumentException("expected a MultiLayerNetwork or ComputationGraph, got "
                    + net.getClass().getName());
        }
        return ((BaseMultiLayerUpdater<?>) u).getUpdaterBlocks();
    }

    static INDArray paramOf(Model net, ParamRef p) {
        INDArray a;
        if (net instanceof MultiLayerNetwork) {
            a = ((MultiLayerNetwork) net).getLayer(p.layerName()) == null ? null
                    : ((MultiLayerNetwork) net).getLayer(p.layerName()).getParam(p.paramKey());
        } else if (net instanceof ComputationGraph) {
            // a graph's getLayer throws DL4J's own IllegalStateException for an unknown name; its vertex map does not
            var v = ((ComputationGraph) net).getVertex(p.layerName());
            a = v == null || !v.hasLayer() ? null : v.getLayer().getParam(p.paramKey());
        } else {
            throw new IllegalArgumentException("expected a MultiLayerNetwork or ComputationGraph, got "
                    + net.getClass().getName());
        }
        if (a == null) {
            throw new IllegalArgumentException("network has no parameter " + p);
        }
        return a;
    }
}
