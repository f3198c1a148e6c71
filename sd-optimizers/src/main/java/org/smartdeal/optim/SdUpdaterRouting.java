package org.smartdeal.optim;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.schedule.ISchedule;
import org.smartdeal.layers.PerParamUpdaterRouting;

/**
 * Routes the SD-training optimizers (ALGORITHMS.md 6.2 and 6.3) onto a network configuration: every
 * coefficient parameter ("C") gets a {@link BucketSwitch} (one for all, or one per parameter) with its
 * {@link BucketSwitch#regularization()};
 * every other parameter gets an ordinary updater (by default SGD with Nesterov momentum 0.9) with
 * {@code L2Regularization(weightDecay)}, i.e. {@code g + wd*w} fed into the momentum, as the SGD of the
 * reference implementation does. ALGORITHMS.md 6.3 says "ordinary SGD with momentum 0.9"; DL4J M2.1 has
 * no classical-momentum updater, so Nesterov momentum stands in: the same steady-state step
 * {@code lr g / (1 - mu)}, a first step of {@code (1 + mu) lr g} instead of {@code lr g}.
 *
 * <p>DL4J M2.1 asks {@code TrainingConfig.getUpdaterByParam(key)} / {@code getRegularizationByParam(key)}
 * per parameter, but its built-in {@code BaseLayer} answers per layer with a weight/bias split only
 * ({@code iUpdater}/{@code regularization} for weight keys, {@code biasUpdater}/{@code regularizationBias}
 * for bias keys). Therefore:
 * <ul>
 *   <li>a layer implementing {@link PerParamUpdaterRouting} (SD layers) is routed per key;</li>
 *   <li>a built-in {@code BaseLayer} may have coefficient parameters only if they are exactly its weight
 *       keys (e.g. DenseLayer "W"); its bias keys then get the other updater;</li>
 *   <li>anything else with parameters is rejected with a message naming the layer.</li>
 * </ul>
 * Call before the network is built (or at least before its updater is created by the first fit); the
 * configuration is modified in place and returned.
 */
public final class SdUpdaterRouting {

    /** Momentum of the ordinary updater (ALGORITHMS.md 6.3). */
    public static final double DEFAULT_MOMENTUM = 0.9;
    /** Weight decay of the ordinary updater (ALGORITHMS.md 6.3). */
    public static final double DEFAULT_WEIGHT_DECAY = 5e-4;

    private SdUpdaterRouting() {
    }

    /** SGD with Nesterov momentum 0.9 and a fixed learning rate: the default ordinary updater. */
    public static IUpdater sgdMomentum(double learningRate) {
        return new Nesterovs(learningRate, DEFAULT_MOMENTUM);
    }

    /** SGD with Nesterov momentum 0.9 and a learning-rate schedule (e.g. {@link SwaLrSchedule}). */
    public static IUpdater sgdMomentum(ISchedule learningRateSchedule) {
        return new Nesterovs(learningRateSchedule, DEFAULT_MOMENTUM);
    }

    /**
     * Routes a MultiLayerNetwork configuration with one bucket switch for every coefficient parameter;
     * the same as {@link #route(MultiLayerConfiguration, Map, IUpdater, double)} with every parameter
     * mapped to {@code bucketSwitch}.
     *
     * @param conf              configuration, modified in place
     * @param coefficientParams the parameters that hold power-of-two coefficients
     * @param bucketSwitch      updater for those parameters
     * @param otherUpdater      updater for all other trainable parameters (e.g. {@link #sgdMomentum(double)}), not a
     *                          BucketSwitch
     * @param otherWeightDecay  L2 coefficient for the other parameters (0 for none)
     * @return {@code conf}
     * @throws IllegalArgumentException if a coefficient parameter is not found or cannot be routed, or
     *                                  {@code otherUpdater} is a BucketSwitch
     */
    public static MultiLayerConfiguration route(MultiLayerConfiguration conf, Set<ParamRef> coefficientParams,
            BucketSwitch bucketSwitch, IUpdater otherUpdater, double otherWeightDecay) {
        return route(conf, sameSwitch(coefficientParams, bucketSwitch), otherUpdater, otherWeightDecay);
    }

    /** Routes a ComputationGraph configuration; see {@link #route(MultiLayerConfiguration, Set, BucketSwitch, IUpdater, double)}. */
    public static ComputationGraphConfiguration route(ComputationGraphConfiguration conf,
            Set<ParamRef> coefficientParams, BucketSwitch bucketSwitch, IUpdater otherUpdater,
            double otherWeightDecay) {
        return route(conf, sameSwitch(coefficientParams, bucketSwitch), otherUpdater, otherWeightDecay);
    }

    /**
     * Routes a MultiLayerNetwork configuration with a bucket switch of its own for each coefficient
     * parameter (e.g. a minCoeff per layer; {@code SdTraining.perLayerSwitches} builds such a map). Each
     * parameter gets a copy of its switch and that switch's {@link BucketSwitch#regularization()}. A
     * built-in {@code BaseLayer} has one weight updater, so all its coefficient parameters must map to
     * equal switches.
     *
     * @param conf                configuration, modified in place
     * @param coefficientSwitches the parameters that hold power-of-two coefficients, each with its updater
     * @param otherUpdater        updater for all other trainable parameters (e.g. {@link #sgdMomentum(double)}), not
     *                            a BucketSwitch
     * @param otherWeightDecay    L2 coefficient for the other parameters (0 for none)
     * @return {@code conf}
     * @throws IllegalArgumentException if a coefficient parameter is not found, has no switch, or cannot be
     *                                  routed (the message names it), or {@code otherUpdater} is a BucketSwitch
     */
    public static MultiLayerConfiguration route(MultiLayerConfiguration conf,
            Map<ParamRef, BucketSwitch> coefficientSwitches, IUpdater otherUpdater, double otherWeightDecay) {
        checkSwitches(coefficientSwitches);
        checkOther(otherUpdater);
        Set<ParamRef> routed = new HashSet<>();
        List<NeuralNetConfiguration> confs = conf.getConfs();
        for (int i = 0; i < confs.size(); i++) {
            routeLayer(confs.get(i).getLayer(), "index " + i, coefficientSwitches, otherUpdater, otherWeightDecay, routed);
        }
        checkAllRouted(coefficientSwitches.keySet(), routed);
        return conf;
    }

    /** Routes a ComputationGraph configuration; see {@link #route(MultiLayerConfiguration, Map, IUpdater, double)}. */
    public static ComputationGraphConfiguration route(ComputationGraphConfiguration conf,
            Map<ParamRef, BucketSwitch> coefficientSwitches, IUpdater otherUpdater, double otherWeightDecay) {
        checkSwitches(coefficientSwitches);
        checkOther(otherUpdater);
        Set<ParamRef> routed = new HashSet<>();
        // the position among all the configuration's vertices (merge, element-wise and other non-layer ones too)
        int vertex = 0;
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (e.getValue() instanceof LayerVertex) {
                routeLayer(((LayerVertex) e.getValue()).getLayerConf().getLayer(), "vertex " + vertex,
                        coefficientSwitches, otherUpdater, otherWeightDecay, routed);
            }
            vertex++;
        }
        checkAllRouted(coefficientSwitches.keySet(), routed);
        return conf;
    }

    private static Map<ParamRef, BucketSwitch> sameSwitch(Set<ParamRef> coefficientParams, BucketSwitch bucketSwitch) {
        Map<ParamRef, BucketSwitch> out = new LinkedHashMap<>();
        for (ParamRef p : coefficientParams) {
            out.put(p, bucketSwitch);
        }
        return out;
    }

    private static void checkSwitches(Map<ParamRef, BucketSwitch> coefficientSwitches) {
        Objects.requireNonNull(coefficientSwitches, "coefficientSwitches");
        for (Map.Entry<ParamRef, BucketSwitch> e : coefficientSwitches.entrySet()) {
            if (e.getKey() == null) {
                throw new IllegalArgumentException("coefficientSwitches has a null parameter");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("coefficient parameter " + e.getKey() + " has no BucketSwitch (null)");
            }
        }
    }

    /**
     * Refuses a BucketSwitch as the updater of the other parameters: its update is a switch direction, which only the
     * POST_UPDATER BucketSwitchStep of a coefficient parameter turns into a step; the others get L2 only.
     */
    private static void checkOther(IUpdater otherUpdater) {
        if (otherUpdater instanceof BucketSwitch) {
            throw new IllegalArgumentException("otherUpdater must not be a BucketSwitch: its update is a switch "
                    + "direction of -1, 0 or +1, which only the BucketSwitchStep routed with a coefficient parameter "
                    + "turns into a step (the other parameters would move by 1 at every switch); give the others an "
                    + "ordinary updater, e.g. SdUpdaterRouting.sgdMomentum(lr), got " + otherUpdater);
        }
    }

    /** @param where the layer's position for messages: "index i" in a network, "vertex i" in a graph */
    private static void routeLayer(Layer layer, String where, Map<ParamRef, BucketSwitch> coefficientSwitches,
            IUpdater otherUpdater, double otherWeightDecay, Set<ParamRef> routed) {
        if (!(otherWeightDecay >= 0 && Double.isFinite(otherWeightDecay))) {
            throw new IllegalArgumentException("otherWeightDecay must be finite and >= 0, got " + otherWeightDecay);
        }
        String name = layer.getLayerName();
        List<String> keys = layer.initializer().paramKeys(layer);
        if (keys.isEmpty()) {
            return;
        }
        Map<String, BucketSwitch> coeffKeys = new LinkedHashMap<>();
        for (Map.Entry<ParamRef, BucketSwitch> e : coefficientSwitches.entrySet()) {
            ParamRef p = e.getKey();
            if (p.layerName().equals(name)) {
                if (!keys.contains(p.paramKey())) {
                    throw new IllegalArgumentException("coefficient parameter " + p + ": layer '" + name + "' ("
                            + where + ", " + layer.getClass().getSimpleName() + ") has no such parameter; its keys are "
                            + keys);
                }
                coeffKeys.put(p.paramKey(), e.getValue());
            }
        }
        List<Regularization> otherRegs = otherWeightDecay > 0
                ? List.of(new L2Regularization(otherWeightDecay)) : List.of();
        if (layer instanceof PerParamUpdaterRouting) {
            PerParamUpdaterRouting r = (PerParamUpdaterRouting) layer;
            for (String key : keys) {
                if (r.frozenParamKeys().contains(key)) {
                    if (coeffKeys.containsKey(key)) {
                        throw new IllegalArgumentException("coefficient parameter " + name + "/" + key
                                + " is frozen by its layer (frozen keys " + r.frozenParamKeys() + ")");
                    }
                    continue;
                }
                BucketSwitch bucketSwitch = coeffKeys.get(key);
                if (bucketSwitch != null) {
                    r.setParamTraining(key, bucketSwitch.clone(), bucketSwitch.regularization());
                } else {
                    r.setParamTraining(key, otherUpdater.clone(), new ArrayList<>(otherRegs));
                }
            }
        } else if (layer instanceof BaseLayer) {
            BaseLayer b = (BaseLayer) layer;
            List<String> weightKeys = layer.initializer().weightKeys(layer);
            if (!coeffKeys.isEmpty() && !coeffKeys.keySet().equals(new HashSet<>(weightKeys))) {
                throw new IllegalArgumentException("layer '" + name + "' (" + where + ", "
                        + layer.getClass().getSimpleName() + ") routes updaters by weight/bias only: coefficient "
                        + "parameters must be exactly its weight keys " + weightKeys + ", got " + coeffKeys.keySet()
                        + "; implement PerParamUpdaterRouting for finer routing");
            }
            if (new HashSet<>(coeffKeys.values()).size() > 1) {
                throw new IllegalArgumentException("layer '" + name + "' (" + where + ", "
                        + layer.getClass().getSimpleName() + ") has one updater for all its weights " + weightKeys
                        + ", so their bucket switches must be equal, got " + coeffKeys);
            }
            if (coeffKeys.isEmpty()) {
                b.setIUpdater(otherUpdater.clone());
                b.setRegularization(new ArrayList<>(otherRegs));
            } else {
                BucketSwitch bucketSwitch = coeffKeys.values().iterator().next();
                b.setIUpdater(bucketSwitch.clone());
                b.setRegularization(new ArrayList<>(bucketSwitch.regularization()));
            }
            b.setBiasUpdater(otherUpdater.clone());
            b.setRegularizationBias(new ArrayList<>(otherRegs));
        } else {
            throw new IllegalArgumentException("layer '" + name + "' (" + where + ", "
                    + layer.getClass().getName() + ") has parameters " + keys + " but is neither a BaseLayer nor "
                    + "PerParamUpdaterRouting, so its updaters cannot be routed");
        }
        for (String k : coeffKeys.keySet()) {
            routed.add(ParamRef.of(name, k));
        }
    }

    private static void checkAllRouted(Set<ParamRef> requested, Set<ParamRef> routed) {
        Set<ParamRef> missing = new HashSet<>(requested);
        missing.removeAll(routed);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("coefficient parameters not found in the configuration: " + missing);
        }
    }
}
