package org.smartdeal.optim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.smartdeal.layers.SdInferenceCache;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.params.SdParamInitializer;

/**
 * Makes an SD network trainable in SD form (SD-T, ALGORITHMS.md 6.1-6.3) with one call:
 * <pre>
 * BucketSwitch bs = BucketSwitch.builder(0.01).learningRateSchedule(new SwaLrSchedule(0.01, 0.002, 40))
 *         .theta(7e-3).build();
 * SdTraining.configure(net, bs, SdUpdaterRouting.sgdMomentum(new SwaLrSchedule(0.01, 0.002, 40)), 5e-4);
 * net.setListeners(SdTraining.swaListener(net, 40));
 * </pre>
 * One switch serves every SD layer, so it must fit all of them (its minCoeff at or above every layer's
 * threshold). When the layers have thresholds of their own (per-layer plans, sampled thetas), give each
 * layer's C its own switch instead, here each minCoeff derived from its layer's threshold:
 * <pre>
 * SdTraining.configure(net, SdTraining.perLayerSwitches(net, bs), others, 5e-4);
 * </pre>
 * After the call, in every SD layer ({@link SdLayer}: {@code SdDenseLayer}, {@code SdOutputLayer},
 * {@code SdConvolutionLayer}):
 * <ul>
 *   <li>C ({@value SdParamInitializer#C_KEY}) trains with its {@link BucketSwitch} and its two
 *       regularizations ({@link BucketSwitch#regularization()}: L2 before the updater, the exact
 *       power-of-two step after it), so C only ever holds 0 or +-2^p; the updater state of C holds only
 *       the momentum buffer and the signed counters (no float copy of C exists);</li>
 *   <li>B and the bias train with {@code others} (normally SGD with momentum 0.9) and
 *       {@code L2Regularization(weightDecay)};</li>
 *   <li>the mask M stays frozen (the layers route it to their {@code FreezeUpdater} and no
 *       regularization); the layers' backward gives {@code dC = M .* (...)}, so C never leaves its mask.</li>
 * </ul>
 * Every other layer with parameters (dense, convolution, BatchNorm, ...) trains with {@code others}
 * and {@code L2Regularization(weightDecay)} (DL4J's BatchNorm keeps its running statistics on its own
 * no-op updater). One departure from ALGORITHMS.md 6.3, which DL4J imposes: BatchNormalization's gamma and
 * beta are not decayed, because DL4J 1.0.0-M2.1's {@code BatchNormalization.getRegularizationByParam} returns
 * no regularization for any of its parameters, whatever the configuration says (the zoo's lenet300 and cnn,
 * on which every recorded training result was made, have no BatchNorm). A network without SD layers is thus
 * configured for plain SGD-with-momentum training (the vanilla "VA" variant of ALGORITHMS.md 6.5).
 *
 * <p>The routing is written into the layer configurations, so it survives JSON and
 * {@code ModelSerializer} round trips. Configuring a network discards its updater state (a fresh
 * updater is installed): call it before training.
 */
public final class SdTraining {

    private SdTraining() {
    }

    /**
     * Routes a MultiLayerNetwork configuration (in place) with one bucket switch for every SD layer's C;
     * the same as {@link #configure(MultiLayerConfiguration, Map, IUpdater, double)} with every C mapped to
     * {@code bucketSwitch}. It must fit every SD layer, so with per-layer thresholds its minCoeff has to
     * come from the largest one: use {@link #perLayerSwitches} to give each layer its own.
     *
     * @param conf        the configuration, Modified
     * @param bucketSwitch updater of every SD layer's C
     * @param others      updater of every other trainable parameter, not a BucketSwitch
     * @param weightDecay L2 coefficient of the other parameters, finite and &gt;= 0
     * @return {@code conf}
     * @throws IllegalArgumentException if an SD layer is unnamed, or its theta or maxCoeff do not fit
     *                                  {@code bucketSwitch} (messages name the layer, field and values)
     */
    public static MultiLayerConfiguration configure(MultiLayerConfiguration conf, BucketSwitch bucketSwitch,
            IUpdater others, double weightDecay) {
        return configure(conf, sameSwitch(layersOf(conf), bucketSwitch), others, weightDecay);
    }

    /** Routes a ComputationGraph configuration (in place); see {@link #configure(MultiLayerConfiguration, BucketSwitch, IUpdater, double)}. */
    public static ComputationGraphConfiguration configure(ComputationGraphConfiguration conf,
            BucketSwitch bucketSwitch, IUpdater others, double weightDecay) {
        return configure(conf, sameSwitch(graphLayers(conf), bucketSwitch), others, weightDecay);
    }

    /**
     * Routes a MultiLayerNetwork configuration (in place) with a bucket switch of its own for each SD
     * layer's C, e.g. {@link #perLayerSwitches} (each minCoeff from its layer's threshold).
     *
     * @param conf        the configuration, Modified
     * @param switches    exactly one bucket switch per SD layer's C ({@link #coefficientParams}), not modified
     * @param others      updater of every other trainable parameter, not a BucketSwitch
     * @param weightDecay L2 coefficient of the other parameters, finite and &gt;= 0
     * @return {@code conf}
     * @throws IllegalArgumentException if an SD layer is unnamed, its C has no switch, a switch's minCoeff or
     *                                  maxCoeff does not fit its layer's theta or maxCoeff, the map names a
     *                                  parameter that is not an SD layer's C (messages name the layer or
     *                                  parameter, the field and the values), or the configuration's data type is
     *                                  neither FLOAT nor DOUBLE while it has SD layers (nothing is changed)
     */
    public static MultiLayerConfiguration configure(MultiLayerConfiguration conf, Map<ParamRef, BucketSwitch> switches,
            IUpdater others, double weightDecay) {
        Map<ParamRef, BucketSwitch> checked = checkedSwitches(layersOf(conf), switches);
        requireSwitchDataType(checked, conf.getDataType());
        return SdUpdaterRouting.route(conf, checked, requireOthers(others), weightDecay);
    }

    /** Routes a ComputationGraph configuration (in place); see {@link #configure(MultiLayerConfiguration, Map, IUpdater, double)}. */
    public static ComputationGraphConfiguration configure(ComputationGraphConfiguration conf,
            Map<ParamRef, BucketSwitch> switches, IUpdater others, double weightDecay) {
        Map<ParamRef, BucketSwitch> checked = checkedSwitches(graphLayers(conf), switches);
        requireSwitchDataType(checked, conf.getDataType());
        return SdUpdaterRouting.route(conf, checked, requireOthers(others), weightDecay);
    }

    /**
     * Routes an initialised network's configuration (in place) with one bucket switch for every SD
     * layer's C and installs a fresh updater built from it (any previous updater state is discarded).
     *
     * @param net          a MultiLayerNetwork or ComputationGraph, Modified
     * @param bucketSwitch updater of every SD layer's C
     * @param others       updater of every other trainable parameter, not a BucketSwitch
     * @param weightDecay  L2 coefficient of the other parameters, finite and &gt;= 0
     * @param <T>          the network class
     * @return {@code net}
     * @throws IllegalStateException if the network is not initialised (nothing is changed)
     */
    public static <T extends Model> T configure(T net, BucketSwitch bucketSwitch, IUpdater others,
            double weightDecay) {
        return configure(net, sameSwitch(layersOf(net), bucketSwitch), others, weightDecay);
    }

    /**
     * Routes an initialised network's configuration (in place) with a bucket switch of its own for each
     * SD layer's C and installs a fresh updater built from it (any previous updater state is discarded):
     * <pre>
     * BucketSwitch template = BucketSwitch.builder(0.01).learningRateSchedule(schedule).thetaC(7).build();
     * SdTraining.configure(net, SdTraining.perLayerSwitches(net, template), others, 5e-4);
     * </pre>
     *
     * @param net         a MultiLayerNetwork or ComputationGraph, Modified
     * @param switches    exactly one bucket switch per SD layer's C ({@link #coefficientParams}), not modified
     * @param others      updater of every other trainable parameter, not a BucketSwitch
     * @param weightDecay L2 coefficient of the other parameters, finite and &gt;= 0
     * @param <T>         the network class
     * @return {@code net}
     * @throws IllegalArgumentException as {@link #configure(MultiLayerConfiguration, Map, IUpdater, double)}
     * @throws IllegalStateException    if the network is not initialised (nothing is changed; route a configuration
     *                                  before building its network with {@link #configure(MultiLayerConfiguration,
     *                                  Map, IUpdater, double)})
     */
    public static <T extends Model> T configure(T net, Map<ParamRef, BucketSwitch> switches, IUpdater others,
            double weightDecay) {
        // before the routing: the updater is built from the layers, which DL4J creates in init()
        requireInitialised(net, "configure");
        if (net instanceof MultiLayerNetwork m) {
            configure(m.getLayerWiseConfigurations(), switches, others, weightDecay);
            m.setUpdater(new MultiLayerUpdater(m));
        } else if (net instanceof ComputationGraph g) {
            configure(g.getConfiguration(), switches, others, weightDecay);
            g.setUpdater(new ComputationGraphUpdater(g));
        } else {
            throw notANetwork(net);
        }
        return net;
    }

    /**
     * Sets the learning rate of every trainable parameter of a network, keeping its updater state: the bucket switch
     * of every C, the updaters of B and b, and every other layer's weight and bias updater. DL4J's own
     * {@code net.setLearningRate} changes only each layer's layer-wide updater, which a parameter routed by
     * {@link #configure} does not use, and once the network has trained it fails in its rebuild of the updater
     * (a NullPointerException in {@code NetworkUtils.rebuildUpdaterStateArray}, DL4J 1.0.0-M2.1); this is the call to
     * use on a configured network, e.g. between the stages of a fine-tuning script. The rates are changed in the
     * updater configurations the live updater reads at every step, so nothing is rebuilt and the state (momentum,
     * bucket-switch counters) stays as it is. Updaters without a learning rate (the mask's freeze, NoOp on a frozen
     * layer) are left alone. The change is in the layer configurations, so it survives JSON and
     * {@code ModelSerializer} round trips.
     *
     * @param net a MultiLayerNetwork or ComputationGraph, initialised; Modified
     * @param lr  the new learning rate, finite and &gt;= 0; &gt; 0 when a bucket switch trains (at 0 no coefficient
     *            would ever switch, and {@link BucketSwitch} refuses it)
     * @throws IllegalArgumentException for a rate out of range (nothing is changed), or anything but the two
     *                                  network types
     */
    public static void setLearningRate(Model net, double lr) {
        List<IUpdater> updaters = updatersWithLearningRate(net);
        if (!(lr >= 0 && Double.isFinite(lr))) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
        }
        if (lr == 0 && updaters.stream().anyMatch(u -> u instanceof BucketSwitch)) {
            throw new IllegalArgumentException("learning rate must be > 0 for a network trained with the bucket "
                    + "switch (BucketSwitch.learningRate), got 0.0");
        }
        updaters.forEach(u -> u.setLrAndSchedule(lr, null));
    }

    /**
     * Sets a learning-rate schedule on every trainable parameter of a network, keeping its updater state; as
     * {@link #setLearningRate(Model, double)} with a schedule in place of a fixed rate.
     *
     * @param net      a MultiLayerNetwork or ComputationGraph, initialised; Modified
     * @param schedule the schedule, not null
     * @throws IllegalArgumentException for a null schedule or anything but the two network types
     */
    public static void setLearningRate(Model net, ISchedule schedule) {
        List<IUpdater> updaters = updatersWithLearningRate(net);
        if (schedule == null) {
            throw new IllegalArgumentException("schedule must not be null");
        }
        updaters.forEach(u -> u.setLrAndSchedule(Double.NaN, schedule));
    }

    /**
     * The updaters (each once) that have a learning rate among those the network's trainable parameters use and its
     * layers' layer-wide ones (which DL4J's {@code getLearningRate} reports).
     */
    private static List<IUpdater> updatersWithLearningRate(Model net) {
        List<IUpdater> all = new ArrayList<>();
        for (Layer layer : layersOf(net)) {
            for (String key : layer.initializer().paramKeys(layer)) {
                all.add(layer.getUpdaterByParam(key));
            }
            if (layer instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b) {
                all.add(b.getIUpdater());
                all.add(b.getBiasUpdater());
            }
        }
        List<IUpdater> out = new ArrayList<>();
        Set<IUpdater> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (IUpdater u : all) {
            if (u != null && u.hasLearningRate() && seen.add(u)) {
                out.add(u);
            }
        }
        return out;
    }

    /**
     * One bucket switch per SD layer's C, made from {@code template}: the same learning rate and schedule,
     * momentum, weight decay, theta_g, theta_c, maxCoeff and mask setting, with minCoeff derived from the
     * layer's own forward threshold ({@link SdLayer#getTheta}) by the rule of {@link BucketSwitch#withTheta}
     * (ALGORITHMS.md 6.2: the smallest 2^i &gt;= theta). A layer decomposed by {@code SdConverter} has a
     * power of two as its threshold, so its coefficients revive at that threshold, the smallest magnitude the
     * layer keeps. A layer that does not project its coefficients, or has theta 0, gets the template's
     * minCoeff. The template's maxCoeff must not exceed a layer's ({@link #configure} names the layer if it
     * does).
     *
     * @param net      a MultiLayerNetwork or ComputationGraph
     * @param template the settings every switch shares, not modified
     * @return the switches by coefficient parameter, in layer order
     */
    public static Map<ParamRef, BucketSwitch> perLayerSwitches(Model net, BucketSwitch template) {
        return perLayerSwitches(layersOf(net), template);
    }

    /** {@link #perLayerSwitches(Model, BucketSwitch)} for a MultiLayerNetwork configuration. */
    public static Map<ParamRef, BucketSwitch> perLayerSwitches(MultiLayerConfiguration conf, BucketSwitch template) {
        return perLayerSwitches(layersOf(conf), template);
    }

    /** {@link #perLayerSwitches(Model, BucketSwitch)} for a ComputationGraph configuration. */
    public static Map<ParamRef, BucketSwitch> perLayerSwitches(ComputationGraphConfiguration conf,
            BucketSwitch template) {
        return perLayerSwitches(graphLayers(conf), template);
    }

    /** The coefficient parameter ("C") of every SD layer of {@code net}, in layer order. */
    public static Set<ParamRef> coefficientParams(Model net) {
        Set<ParamRef> out = new LinkedHashSet<>();
        for (SdLayerRef l : sdLayers(layersOf(net))) {
            out.add(l.coefficients());
        }
        return out;
    }

    /**
     * The coefficient parameters of {@code net} with their masks ("M" of the same layer), as
     * {@link SwaListener} needs them.
     */
    public static List<CoefficientParam> swaCoefficients(Model net) {
        List<CoefficientParam> out = new ArrayList<>();
        for (ParamRef p : coefficientParams(net)) {
            out.add(CoefficientParam.maskedBy(p, SdParamInitializer.MASK_KEY));
        }
        return out;
    }

    /**
     * An SWA listener for {@code net} (ALGORITHMS.md 6.4) that projects every SD layer's averaged C
     * inside its mask M at the end with one threshold. A theta above a layer's own forward threshold
     * flushes the coefficients between the two (see {@link #swaListener(Model, int)}, which a converted
     * network needs).
     *
     * @param net      the network
     * @param swaStart number of completed epochs from which averaging starts, &gt;= 1
     * @param theta    sparsity threshold of the projection P (the theta of the decomposition)
     * @return the listener; add it to the network and call {@link SwaListener#finish} after training
     */
    public static SwaListener swaListener(Model net, int swaStart, double theta) {
        return new SwaListener(swaStart, theta, swaCoefficients(net));
    }

    /**
     * An SWA listener for {@code net} (ALGORITHMS.md 6.4) that projects each SD layer's averaged C inside
     * its mask M with the threshold that layer's own forward pass applies ({@link SdLayer#getTheta}), so
     * that SWA ends in the domain the layer computes with. This is the listener to use for a converted
     * network: {@code SdConverter} gives each layer the power of two at or below the theta it was
     * decomposed at, because the decomposition's quantizer (ties down) rounds a coefficient from theta
     * up to 1.5 x 2^floor(log2 theta) down to 2^floor(log2 theta), below theta (theta 0.045 keeps
     * 2^-5 = 0.03125); projecting with theta itself would flush those coefficients at the end of
     * training even when they never moved. Per-layer decomposition thresholds need nothing more: each
     * layer carries its own. A layer that does not project its coefficients, or has theta 0, is projected
     * onto the powers of two without a sparsity threshold.
     *
     * @param net      the network
     * @param swaStart number of completed epochs from which averaging starts, &gt;= 1
     * @return the listener; add it to the network and call {@link SwaListener#finish} after training
     */
    public static SwaListener swaListener(Model net, int swaStart) {
        Map<String, Double> thresholds = new HashMap<>();
        for (Layer l : layersOf(net)) {
            if (l instanceof SdLayer sd) {
                thresholds.put(l.getLayerName(), projectionTheta(sd));
            }
        }
        List<CoefficientParam> out = new ArrayList<>();
        for (CoefficientParam c : swaCoefficients(net)) {
            out.add(c.withTheta(thresholds.get(c.param().layerName())));
        }
        return new SwaListener(swaStart, out);
    }

    /** What {@link #restoreInvariants} changed. */
    public record Restoration(long coefficientsChanged, long countersChanged) {
    }

    /**
     * Puts an SD network back into the domain SD training works in, after something outside the bucket
     * switch has written its parameters or updater state, typically the arithmetic mean of several
     * workers' networks in data-parallel training (parameter averaging; docs/ARBITER-SPARK.md):
     * <ul>
     *   <li>every SD layer's C becomes {@code M ? P(c) : 0} with the layer's own forward threshold
     *       ({@link SdLayer#getTheta}; no sparsity threshold when the layer does not project), as at the end
     *       of SWA (ALGORITHMS.md 6.1, 6.4): the mean of 1 and 0.5 becomes 1;</li>
     *   <li>every bucket-switch counter is truncated toward zero ({@link BucketSwitchUpdater#truncateCounters});
     *       the momentum buffer keeps its value;</li>
     *   <li>the SD inference cache of every layer is dropped ({@link SdInferenceCache#invalidate}).</li>
     * </ul>
     * The mask M is not touched. On a network that is already in SD form nothing changes (the call is
     * idempotent), so it is safe to call after every averaging round.
     *
     * @param net a MultiLayerNetwork or ComputationGraph, initialised; Modified
     * @return how many coefficients and counters changed
     * @throws IllegalStateException if the network is not initialised
     */
    public static Restoration restoreInvariants(Model net) {
        layersOf(net); // rejects anything but a MultiLayerNetwork or ComputationGraph
        requireInitialised(net, "restoreInvariants");
        org.deeplearning4j.nn.api.Layer[] layers = net instanceof MultiLayerNetwork m ? m.getLayers()
                : ((ComputationGraph) net).getLayers();
        long coefficients = 0;
        for (org.deeplearning4j.nn.api.Layer layer : layers) {
            if (layer.conf().getLayer() instanceof SdLayer sd) {
                coefficients += SwaListener.project(layer.getParam(SdParamInitializer.C_KEY),
                        layer.getParam(SdParamInitializer.MASK_KEY), projectionTheta(sd));
            }
        }
        long counters = 0;
        Object updater = net instanceof MultiLayerNetwork m ? m.getUpdater(false) : ((ComputationGraph) net).getUpdater(false);
        if (updater instanceof BaseMultiLayerUpdater<?> u) {
            for (UpdaterBlock block : u.getUpdaterBlocks()) {
                if (block.getGradientUpdater() instanceof BucketSwitchUpdater bs && bs.getStateViewArray() != null) {
                    counters += bs.truncateCounters();
                }
            }
        }
        SdInferenceCache.invalidate(net);
        return new Restoration(coefficients, counters);
    }

    /** Whether the layer's forward pass projects C with a sparsity threshold (theta &gt; 0). */
    private static boolean projects(SdLayer sd) {
        return sd.isProjectCoefficients() && sd.getTheta() > 0;
    }

    /**
     * The threshold C is projected with to stay in the domain the layer computes with: its own theta, or, for a
     * layer without a sparsity threshold, none (projection onto the powers of two only).
     */
    private static double projectionTheta(SdLayer sd) {
        return projects(sd) ? sd.getTheta() : Double.MIN_NORMAL;
    }

    /**
     * Refuses bucket switches on a network of another data type than float32 or float64 (e.g. HALF, which an .sdm file
     * may hold): the switch's state and step work in those two only, and DL4J would fail when it builds the updater,
     * after the configuration was routed.
     */
    private static void requireSwitchDataType(Map<ParamRef, BucketSwitch> switches, DataType type) {
        if (!switches.isEmpty() && type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException("the network's data type must be FLOAT or DOUBLE to train its SD layers "
                    + "with the bucket switch (its state and steps are float32 or float64), got " + type
                    + "; cast the network to FLOAT first (its configuration's dataType and its parameters)");
        }
    }

    private static IUpdater requireOthers(IUpdater others) {
        return Objects.requireNonNull(others, "others (the updater of the non-coefficient parameters)");
    }

    /** An SD layer of a configuration: its C, its configuration and where it is, for messages. */
    private record SdLayerRef(ParamRef coefficients, SdLayer layer, String where) {
    }

    /** The SD layers in order; every one must be named (routing goes by layer name). */
    private static List<SdLayerRef> sdLayers(List<Layer> layers) {
        List<SdLayerRef> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (!(l instanceof SdLayer sd)) {
                continue;
            }
            String where = l.getClass().getSimpleName() + "(name=" + l.getLayerName() + ", index=" + i + ")";
            if (l.getLayerName() == null || l.getLayerName().isBlank()) {
                throw new IllegalArgumentException(where + " has no name: SD training routes parameters by "
                        + "layer name, so name every SD layer");
            }
            out.add(new SdLayerRef(ParamRef.of(l.getLayerName(), SdParamInitializer.C_KEY), sd, where));
        }
        return out;
    }

    private static Map<ParamRef, BucketSwitch> sameSwitch(List<Layer> layers, BucketSwitch bucketSwitch) {
        Map<ParamRef, BucketSwitch> out = new LinkedHashMap<>();
        for (SdLayerRef l : sdLayers(layers)) {
            out.put(l.coefficients(), Objects.requireNonNull(bucketSwitch, "bucketSwitch"));
        }
        return out;
    }

    private static Map<ParamRef, BucketSwitch> perLayerSwitches(List<Layer> layers, BucketSwitch template) {
        Objects.requireNonNull(template, "template");
        Map<ParamRef, BucketSwitch> out = new LinkedHashMap<>();
        for (SdLayerRef l : sdLayers(layers)) {
            SdLayer sd = l.layer();
            out.put(l.coefficients(), projects(sd) ? template.withTheta(sd.getTheta()) : template.clone());
        }
        return out;
    }

    /**
     * Checks that {@code switches} holds exactly the SD layers' C and that each switch fits its layer;
     * returns them in layer order.
     */
    private static Map<ParamRef, BucketSwitch> checkedSwitches(List<Layer> layers, Map<ParamRef, BucketSwitch> switches) {
        Objects.requireNonNull(switches, "switches (one BucketSwitch per SD layer's C)");
        List<SdLayerRef> sdLayers = sdLayers(layers);
        Map<ParamRef, BucketSwitch> out = new LinkedHashMap<>();
        for (SdLayerRef l : sdLayers) {
            BucketSwitch bs = switches.get(l.coefficients());
            if (bs == null) {
                throw new IllegalArgumentException(l.where() + ": no BucketSwitch for its coefficient parameter "
                        + l.coefficients() + " (the switches name " + switches.keySet() + ")");
            }
            checkFits(l, bs);
            out.put(l.coefficients(), bs);
        }
        for (ParamRef p : switches.keySet()) {
            if (!out.containsKey(p)) {
                throw new IllegalArgumentException("a BucketSwitch is given for " + p + ", which is not the "
                        + "coefficient parameter of an SD layer; those are " + out.keySet());
            }
        }
        return out;
    }

    private static void checkFits(SdLayerRef l, BucketSwitch bs) {
        SdLayer sd = l.layer();
        double threshold = sd.isProjectCoefficients() ? sd.getTheta() - 1e-5 : 0;
        if (bs.getMinCoeff() < threshold) {
            throw new IllegalArgumentException(l.where() + ": BucketSwitch.minCoeff must be >= the layer's "
                    + "projection threshold theta - 1e-5 = " + threshold + " (else a revived coefficient "
                    + "projects to 0 in the forward pass), got minCoeff " + bs.getMinCoeff());
        }
        if (bs.getMaxCoeff() > sd.getMaxCoeff()) {
            throw new IllegalArgumentException(l.where() + ": BucketSwitch.maxCoeff must be <= the layer's "
                    + "maxCoeff " + sd.getMaxCoeff() + " (the forward pass clamps there), got "
                    + bs.getMaxCoeff());
        }
    }

    private static List<Layer> graphLayers(ComputationGraphConfiguration conf) {
        List<Layer> out = new ArrayList<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (e.getValue() instanceof LayerVertex v) {
                out.add(v.getLayerConf().getLayer());
            }
        }
        return out;
    }

    private static List<Layer> layersOf(MultiLayerConfiguration conf) {
        List<Layer> out = new ArrayList<>();
        conf.getConfs().forEach(c -> out.add(c.getLayer()));
        return out;
    }

    private static List<Layer> layersOf(Model net) {
        if (net instanceof MultiLayerNetwork m) {
            return layersOf(m.getLayerWiseConfigurations());
        }
        if (net instanceof ComputationGraph g) {
            return graphLayers(g.getConfiguration());
        }
        throw notANetwork(net);
    }

    /**
     * Refuses a MultiLayerNetwork or ComputationGraph whose layers DL4J has not created yet ({@code init()} not
     * called), where DL4J's updater would fail with a NullPointerException.
     */
    private static void requireInitialised(Model net, String method) {
        if (!(net instanceof MultiLayerNetwork || net instanceof ComputationGraph)) {
            return; // the caller refuses it as no network
        }
        try {
            org.smartdeal.layers.Networks.layers(net);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("SdTraining." + method + ": " + e.getMessage() + "; to route a configuration "
                    + "before its network is built, use SdTraining.configure on the configuration", e);
        }
    }

    private static IllegalArgumentException notANetwork(Model net) {
        return new IllegalArgumentException("net must be a MultiLayerNetwork or ComputationGraph, got "
                + (net == null ? null : net.getClass().getName()));
    }
}
