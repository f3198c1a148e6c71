package org.smartdeal.it.spark;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.smartdeal.layers.SdInferenceCache;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.params.SdParamInitializer;
import org.smartdeal.optim.BucketSwitchUpdater;
import org.smartdeal.optim.Pow2;

/**
 * Test-local sketch of the hook that parameter averaging would need (docs/EXTENDING.md): after the
 * arithmetic mean of the workers' parameters and updater states it restores the SD-training invariants.
 * <ul>
 *   <li>C: each entry becomes {@code M ? P(c) : 0} with the layer's own theta (ALGORITHMS.md 6.1, as SWA
 *       does at its end, 6.4);</li>
 *   <li>bucket-switch counters: truncated toward zero, so they are integers again with |c| &lt; thetaC
 *       (what the updater's float64 path already does implicitly with {@code (int)}); the momentum
 *       buffer keeps its average;</li>
 *   <li>the SD inference cache is dropped.</li>
 * </ul>
 * Not a product feature: it handles MultiLayerNetworks whose SD layers carry their mask in "M".
 */
final class SdProjection {

    private SdProjection() {
    }

    /** Applies the three steps above to {@code net} (Modified). */
    static void apply(MultiLayerNetwork net) {
        for (Layer layer : net.getLayers()) {
            if (layer.conf().getLayer() instanceof SdLayer sd) {
                double theta = sd.isProjectCoefficients() && sd.getTheta() > 0 ? sd.getTheta() : Double.MIN_NORMAL;
                INDArray c = layer.getParam(SdParamInitializer.C_KEY);
                double[] cs = c.dup('c').data().asDouble();
                double[] ms = layer.getParam(SdParamInitializer.MASK_KEY).dup('c').data().asDouble();
                for (int i = 0; i < cs.length; i++) {
                    cs[i] = ms[i] != 0 ? Pow2.project(cs[i], theta) : 0.0;
                }
                c.assign(Nd4j.create(cs, c.shape(), 'c').castTo(c.dataType()));
            }
        }
        for (UpdaterBlock block : ((BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks()) {
            if (block.getGradientUpdater() instanceof BucketSwitchUpdater) {
                long n = block.getParamOffsetEnd() - block.getParamOffsetStart();
                INDArray counters = block.getUpdaterView().get(NDArrayIndex.interval(1 + n, 1 + 2 * n));
                double[] v = counters.dup().data().asDouble();
                for (int i = 0; i < v.length; i++) {
                    v[i] = v[i] < 0 ? Math.ceil(v[i]) : Math.floor(v[i]);
                }
                counters.assign(Nd4j.create(v, counters.shape()).castTo(counters.dataType()));
            }
        }
        SdInferenceCache.invalidate(net);
    }
}
