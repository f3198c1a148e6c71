package org.smartdeal.zoo.recipes;

import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.smartdeal.layers.FreezeUpdater;
import org.smartdeal.layers.Networks;
import org.smartdeal.layers.params.SdParamInitializer;
import org.smartdeal.optim.BucketSwitch;

/**
 * The memory a training run must keep and update beyond the activations: the "trainable state"
 * reported by {@link SdTrainingRecipe} and {@code smartdeal train}.
 *
 * <p><b>Definition ({@link #bytes}).</b> The sum over every parameter that training updates (all
 * parameters except those routed to {@link FreezeUpdater}, i.e. the SD masks M, which are only read, and those of
 * layers DL4J holds frozen: FrozenLayer, FrozenLayerWithBackprop, a graph's FrozenVertex) of
 * <ul>
 *   <li>for a parameter trained by {@link BucketSwitch} (an SD layer's C): its <b>storage width</b>, per
 *       entry inside its mask M (the only entries training can change): 1 byte for the value (an int8
 *       code for zero or sign and exponent: C only holds 0 or +-2^p, p in [-10, 20]), the momentum at the
 *       data-type width (4 bytes for float32), 1 byte for the signed counter (|counter| &lt; theta_c &lt;= 127)
 *       and 1 more byte when the updater keeps a mask flag; plus the mask itself as a bitmap (1 bit per
 *       packed entry of C, to find the entries) and the updater's epoch word. Entries outside M are 0
 *       and keep momentum and counter exactly 0, so a sparse layout need not hold them. Without an "M"
 *       parameter in its layer, every entry counts as inside;</li>
 *   <li>for every other parameter: the value at the data-type width plus the updater's
 *       {@code stateSize} at the data-type width (e.g. 4 + 4 = 8 bytes per weight for SGD with momentum;
 *       BatchNorm's running statistics count 4, their no-op updater 0).</li>
 * </ul>
 * {@link #bytesAsHeld} is the same sum over DL4J's dense packed arrays as this implementation holds them
 * (every entry of C, padding and masked-out entries included, at 1 + 4 + 1 bytes; no bitmap).
 */
public final class TrainableState {

    private TrainableState() {
    }

    /**
     * Bytes of trainable state of {@code net} with its current updater routing (the definition above).
     *
     * @param net a MultiLayerNetwork or ComputationGraph whose layers carry their updater configuration
     * @return the bytes
     */
    public static long bytes(Model net) {
        return sum(net, true);
    }

    /**
     * As {@link #bytes}, but counting every packed entry of C (what DL4J holds) and no mask bitmap.
     *
     * @param net the network
     * @return the bytes
     */
    public static long bytesAsHeld(Model net) {
        return sum(net, false);
    }

    private static long sum(Model net, boolean sparse) {
        long total = 0;
        for (Layer layer : Networks.layers(net)) {
            if (heldFrozen(net, layer)) {
                continue; // DL4J never updates it and keeps no updater state for it
            }
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            Map<String, INDArray> params = layer.paramTable();
            for (Map.Entry<String, INDArray> p : params.entrySet()) {
                IUpdater u = conf.getUpdaterByParam(p.getKey());
                INDArray mask = sparse ? params.get(SdParamInitializer.MASK_KEY) : null;
                total += bytes(u, p.getValue(), mask);
            }
        }
        return total;
    }

    /**
     * Whether DL4J holds a layer frozen: its runtime FrozenLayer or FrozenLayerWithBackprop (TransferLearning's feature
     * extractor; their {@code conf().getLayer()} is the wrapped layer's configuration, updaters included), or the layer
     * of a graph's FrozenVertex.
     */
    private static boolean heldFrozen(Model net, Layer layer) {
        if (layer instanceof org.deeplearning4j.nn.layers.FrozenLayer
                || layer instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop) {
            return true;
        }
        String name = layer.conf().getLayer().getLayerName();
        return net instanceof ComputationGraph g
                && g.getConfiguration().getVertices().get(name) instanceof FrozenVertex;
    }

    /**
     * Bytes of trainable state of one parameter trained with {@code updater}.
     *
     * @param updater the parameter's updater (null counts as a stateless updater)
     * @param value   the parameter
     * @param mask    for a {@link BucketSwitch} parameter, its 0/1 mask of the same length (then only
     *                entries inside count, plus a 1-bit-per-entry bitmap), or null to count every entry
     * @return its bytes, 0 when {@code updater} freezes it
     */
    public static long bytes(IUpdater updater, INDArray value, INDArray mask) {
        if (updater instanceof FreezeUpdater) {
            return 0;
        }
        long n = value.length();
        int width = value.dataType().width();
        if (updater instanceof BucketSwitch bs) {
            long perEntry = 1 + width + 1 + (bs.isMaskInState() ? 1 : 0);
            if (mask == null) {
                return n * perEntry + width;
            }
            if (mask.length() != n) {
                throw new IllegalArgumentException("mask has " + mask.length() + " entries, the parameter " + n);
            }
            long inside = mask.neq(0).castTo(DataType.INT32).sumNumber().longValue();
            return inside * perEntry + (n + 7) / 8 + width;
        }
        long state = updater == null ? 0 : updater.stateSize(n);
        return (n + state) * width;
    }
}
