package org.smartdeal.zoo.recipes;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.DoublePredicate;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.smartdeal.optim.BucketSwitch;
import org.smartdeal.zoo.convert.SdConverter;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.TaskSplits.Task;
import org.smartdeal.zoo.models.InputShape;
import org.smartdeal.zoo.models.ZooConfiguration;
import org.smartdeal.zoo.models.ZooModel;
import org.smartdeal.zoo.text.Numbers;

/**
 * Everything {@link SdTrainingRecipe} needs to know, validated on construction (errors name the field,
 * the allowed range and the value). Build with {@link #builder(Task, Variant, ZooModel)}: task, variant
 * and architecture are required, everything else defaults to ALGORITHMS.md 6 and the paper's
 * Appendix E (PAPER-TABLES.md "Settings"):
 *
 * <ul>
 *   <li>80 epochs, SWA from epoch 40 ({@code swaStart} defaults to half the epochs when only the
 *       epochs are set);</li>
 *   <li>fine-tune lr 1e-2, SWA lr 2e-3; adaptation lr 1e-1, SWA lr 5e-3 (when only lr is set, the SWA lr
 *       keeps the paper's ratio: 0.2 for fine-tuning, 0.05 for adaptation);</li>
 *   <li>theta_g 5e-3, theta_c 7, decomposition theta 7e-3 (the paper's one-pass SD), weight decay 5e-4,
 *       momentum 0.9, batch 128;</li>
 *   <li>SS: vector-wise structured ratio 0.3 on every convolution and hidden dense layer, 0 on the
 *       classifier (our choice: the middle of the paper's ResNet-18 CIFAR-10 ratios, Table X, whose
 *       classifier ratio is 0); {@code layerRatios} overrides it per layer by name, as the paper's
 *       per-layer Tables X and XI do;</li>
 *   <li>pre-training (not specified by the paper for our models): 10 epochs of Adam(1e-3), batch 128;</li>
 *   <li>no validation hold-out ({@code validationExamples} 0): the target split is trained on whole.</li>
 * </ul>
 *
 * @param task            fine-tuning or adaptation
 * @param variant         VA, SD or SS
 * @param arch            {@link ZooModel#LENET300} or {@link ZooModel#CNN} (Fashion-MNIST, 1x28x28)
 * @param epochs          transfer-training epochs, in [1, 10000]
 * @param swaStart        epoch count from which SWA averages, in [1, epochs]
 * @param lr              initial learning rate of the transfer training, in (0, 10]
 * @param swaLr           learning rate from 90% of swaStart on, in (0, 10]
 * @param thetaG          bucket-switch dead zone, in [0, 1]
 * @param thetaC          bucket-switch counter threshold, in [1, 127]
 * @param theta           decomposition sparsity threshold, in [2^-10, 1]; the SD layers' forward pass and the SWA
 *                        projection use the power of two at or below it (the smallest value the
 *                        decomposition keeps)
 * @param structuredRatio SS vector-wise ratio of convolutions and hidden dense layers, in [0, 1)
 * @param layerRatios     SS per-layer ratios by layer name, each in [0, 1), overriding {@code structuredRatio}
 *                        (the classifier included); empty by default; every name must be a layer of
 *                        {@code arch}
 * @param layerThetas     SD and SS: per-layer decomposition thresholds by layer name, each in [2^-10, 1],
 *                        overriding {@code theta} for those layers (each layer's forward pass and its SWA
 *                        projection then follow its own); the bucket switch's minCoeff follows the largest
 *                        of theta and the decomposed layers' thresholds ({@link #maxTheta}) unless
 *                        {@code perLayerSwitch}; empty by default; every name must be a layer of {@code arch}
 * @param denseLayers     SD and SS: layers left dense (not decomposed; trained with SGD like VA), e.g. the
 *                        re-initialised classifier of adaptation; empty by default (the whole network in
 *                        SD form); every name must be a layer of {@code arch}, and for SD and SS not every one
 *                        of {@link #decomposedLayers} (nothing would be in SD form: that is VA)
 * @param perLayerSwitch  SD and SS: give each SD layer's C a bucket switch of its own whose minCoeff derives from
 *                        that layer's threshold ({@link #thetaFor}), so that a layer with a smaller threshold
 *                        revives coefficients at its own smallest bucket; false (the default, and what every run
 *                        in docs/RESULTS.md used) gives all layers one switch with minCoeff from {@link #maxTheta}
 *                        ({@link #switchTheta}). The two agree when every decomposed layer's threshold lies in
 *                        the same power-of-two interval as the largest
 * @param pretrainEpochs  dense pre-training epochs on the source split, in [1, 10000]
 * @param pretrainLr      Adam learning rate of the pre-training, in (0, 1]
 * @param weightDecay     L2 coefficient of every trained parameter (C included), in [0, 1]
 * @param batchSize       minibatch size, in [1, 65536]
 * @param seed            seed of the network initialisation and of the shuffling
 * @param validationExamples examples of the target split held out for validation
 *                        ({@link org.smartdeal.zoo.data.TaskSplits#holdOut}, seeded by {@code seed}) and not
 *                        trained on, so settings can be chosen without the test set; 0 for none, at most
 *                        1,000,000 (and fewer than the target split holds, checked when the recipe runs)
 */
public record TrainingSettings(Task task, Variant variant, ZooModel arch, int epochs, int swaStart, double lr,
                               double swaLr, double thetaG, int thetaC, double theta, double structuredRatio,
                               Map<String, Double> layerRatios, Map<String, Double> layerThetas,
                               Set<String> denseLayers, boolean perLayerSwitch, int pretrainEpochs,
                               double pretrainLr, double weightDecay, int batchSize, long seed,
                               int validationExamples) {

    /** Paper default: 80 epochs. */
    public static final int DEFAULT_EPOCHS = 80;
    /** Fine-tune lr 1e-2 (Appendix E). */
    public static final double FINETUNE_LR = 1e-2;
    /** Fine-tune SWA lr 2e-3 (Appendix E). */
    public static final double FINETUNE_SWA_LR = 2e-3;
    /** Adaptation lr 1e-1 (Appendix E). */
    public static final double ADAPT_LR = 1e-1;
    /** Adaptation SWA lr 5e-3 (Appendix E, ResNet-18). */
    public static final double ADAPT_SWA_LR = 5e-3;
    /** theta = 7e-3 for the one-pass SD (Appendix E). */
    public static final double DEFAULT_THETA = 7e-3;
    /** SS structured ratio of convolutions and hidden dense layers (our choice, see the class comment). */
    public static final double DEFAULT_STRUCTURED_RATIO = 0.3;
    /** Pre-training epochs (our choice). */
    public static final int DEFAULT_PRETRAIN_EPOCHS = 10;
    /** Pre-training Adam learning rate (our choice, as the demo). */
    public static final double DEFAULT_PRETRAIN_LR = 1e-3;
    /** Minibatch size. */
    public static final int DEFAULT_BATCH_SIZE = 128;
    /** Default seed. */
    public static final long DEFAULT_SEED = 42L;

    /** Validates every field. */
    public TrainingSettings {
        Objects.requireNonNull(task, "TrainingSettings.task");
        Objects.requireNonNull(variant, "TrainingSettings.variant");
        Objects.requireNonNull(arch, "TrainingSettings.arch");
        if (arch != ZooModel.LENET300 && arch != ZooModel.CNN) {
            throw new IllegalArgumentException("TrainingSettings.arch must be one of [lenet300, cnn], got '"
                    + arch.id() + "'");
        }
        checkInt("epochs", epochs, 1, 10_000);
        checkInt("swaStart", swaStart, 1, epochs);
        checkOpen("lr", lr, 10);
        checkOpen("swaLr", swaLr, 10);
        check("thetaG", thetaG, 0, 1);
        checkInt("thetaC", thetaC, 1, 127);
        check("theta", theta, 0x1p-10, 1);
        if (!(structuredRatio >= 0 && structuredRatio < 1)) {
            throw new IllegalArgumentException("TrainingSettings.structuredRatio must be in [0, 1), got "
                    + Numbers.plain(structuredRatio));
        }
        checkLayerValues("layerRatios", layerRatios, RATIO_RANGE);
        checkLayerValues("layerThetas", layerThetas, THETA_RANGE);
        Objects.requireNonNull(denseLayers, "TrainingSettings.denseLayers");
        if (!layerRatios.isEmpty() || !layerThetas.isEmpty() || !denseLayers.isEmpty()) {
            MultiLayerConfiguration conf = ((ZooConfiguration.Sequential) arch
                    .configuration(InputShape.MNIST, FashionMnist.CLASSES, DEFAULT_SEED)).conf();
            requireLayers(arch, conf, "layerRatios", layerRatios.keySet());
            requireLayers(arch, conf, "layerThetas", layerThetas.keySet());
            requireLayers(arch, conf, "denseLayers", denseLayers);
            List<String> decomposed = decomposedLayers(conf);
            if (variant.isSd() && denseLayers.containsAll(decomposed)) {
                throw new IllegalArgumentException("TrainingSettings.denseLayers names every layer " + arch.id()
                        + " decomposes (" + String.join(", ", decomposed) + "): nothing would be trained in SD form;"
                        + " variant va trains it dense, got variant " + variant.id());
            }
        }
        layerRatios = Collections.unmodifiableMap(new LinkedHashMap<>(layerRatios));
        layerThetas = Collections.unmodifiableMap(new LinkedHashMap<>(layerThetas));
        denseLayers = Collections.unmodifiableSet(new LinkedHashSet<>(denseLayers));
        checkInt("pretrainEpochs", pretrainEpochs, 1, 10_000);
        checkOpen("pretrainLr", pretrainLr, 1);
        check("weightDecay", weightDecay, 0, 1);
        checkInt("batchSize", batchSize, 1, 65_536);
        checkInt("validationExamples", validationExamples, 0, 1_000_000);
    }

    /** An allowed interval of per-layer values: the test and its text for messages. */
    private record Range(DoublePredicate contains, String text) {
    }

    /** Structured ratios: [0, 1). */
    private static final Range RATIO_RANGE = new Range(r -> r >= 0 && r < 1, "[0, 1)");
    /** Decomposition thresholds: [2^-10, 1]. */
    private static final Range THETA_RANGE = new Range(t -> t >= 0x1p-10 && t <= 1,
            "[" + Numbers.plain(0x1p-10) + ", 1]");

    private static void checkLayerValues(String field, Map<String, Double> values, Range range) {
        Objects.requireNonNull(values, "TrainingSettings." + field);
        for (Map.Entry<String, Double> e : values.entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank()) {
                throw new IllegalArgumentException("TrainingSettings." + field + ": a layer name is blank");
            }
            Double v = e.getValue();
            if (v == null || !range.contains().test(v)) {
                throw new IllegalArgumentException("TrainingSettings." + field + "['" + e.getKey()
                        + "'] must be in " + range.text() + ", got " + (v == null ? "null" : Numbers.plain(v)));
            }
        }
    }

    /**
     * The layers of an architecture that SD and SS decompose (those {@link SdConverter#converts}), which
     * {@link #layerRatios}, {@link #layerThetas} and {@link #denseLayers} may name; {@link #denseLayers} may not name
     * all of them.
     *
     * @param arch {@link ZooModel#LENET300} or {@link ZooModel#CNN}
     * @return their names, in layer order, e.g. {@code [fc1, fc2, fc3]} for lenet300
     */
    public static List<String> decomposedLayers(ZooModel arch) {
        return decomposedLayers(((ZooConfiguration.Sequential) arch
                .configuration(InputShape.MNIST, FashionMnist.CLASSES, DEFAULT_SEED)).conf());
    }

    private static List<String> decomposedLayers(MultiLayerConfiguration conf) {
        return conf.getConfs().stream().map(NeuralNetConfiguration::getLayer).filter(SdConverter::converts)
                .map(org.deeplearning4j.nn.conf.layers.Layer::getLayerName).toList();
    }

    /** Each named layer must be one of {@code arch}'s layers that are decomposed (a pooling layer is not). */
    private static void requireLayers(ZooModel arch, MultiLayerConfiguration conf, String field, Set<String> named) {
        List<String> decomposed = decomposedLayers(conf);
        Map<String, String> kinds = new LinkedHashMap<>(); // every layer's class, by name in order
        for (NeuralNetConfiguration c : conf.getConfs()) {
            kinds.put(c.getLayer().getLayerName(), c.getLayer().getClass().getSimpleName());
        }
        for (String n : named) {
            if (!kinds.containsKey(n)) {
                throw new IllegalArgumentException("TrainingSettings." + field + " names layer '" + n + "', which "
                        + arch.id() + " does not have; its layers are " + kinds.keySet());
            }
            if (!decomposed.contains(n)) {
                throw new IllegalArgumentException("TrainingSettings." + field + " names layer '" + n + "', a "
                        + kinds.get(n) + ", which is not decomposed; the decomposed layers are " + decomposed);
            }
        }
    }

    private static void checkInt(String field, int v, int lo, int hi) {
        if (v < lo || v > hi) {
            throw new IllegalArgumentException("TrainingSettings." + field + " must be in [" + lo + ", " + hi
                    + "], got " + v);
        }
    }

    private static void check(String field, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) {
            throw new IllegalArgumentException("TrainingSettings." + field + " must be in [" + Numbers.plain(lo) + ", "
                    + Numbers.plain(hi) + "], got " + Numbers.plain(v));
        }
    }

    private static void checkOpen(String field, double v, double hi) {
        if (!(v > 0 && v <= hi)) {
            throw new IllegalArgumentException("TrainingSettings." + field + " must be in (0, " + Numbers.plain(hi)
                    + "], got " + Numbers.plain(v));
        }
    }

    /**
     * A builder with the documented defaults.
     *
     * @param task    required: fine-tuning or adaptation
     * @param variant required: VA, SD or SS
     * @param arch    required: lenet300 or cnn
     * @return the builder
     */
    public static Builder builder(Task task, Variant variant, ZooModel arch) {
        return new Builder(task, variant, arch);
    }

    /** The structured ratio actually applied: {@link #structuredRatio} for SS, 0 otherwise. */
    public double effectiveStructuredRatio() {
        return variant == Variant.SS ? structuredRatio : 0.0;
    }

    /**
     * Parses per-layer structured ratios written as {@code name=ratio[,name=ratio...]}, e.g.
     * {@code conv2=0.1,conv3=0.2,fc1=0.3} (the form of the {@code --layer-ratios} options).
     *
     * @param text the list; blank gives an empty map
     * @return the ratios in the order given
     * @throws IllegalArgumentException naming the item that is not {@code name=number}, a repeated
     *         name or a ratio outside [0, 1)
     */
    public static Map<String, Double> parseLayerRatios(String text) {
        return parseLayerValues(text, "ratio", RATIO_RANGE);
    }

    /**
     * Parses per-layer decomposition thresholds written as {@code name=theta[,name=theta...]}, e.g.
     * {@code conv3=0.07,fc1=0.05} (the form of the {@code --layer-thetas} options).
     *
     * @param text the list; blank gives an empty map
     * @return the thresholds in the order given
     * @throws IllegalArgumentException naming the item that is not {@code name=number}, a repeated
     *         name or a threshold outside [2^-10, 1]
     */
    public static Map<String, Double> parseLayerThetas(String text) {
        return parseLayerValues(text, "theta", THETA_RANGE);
    }

    private static Map<String, Double> parseLayerValues(String text, String noun, Range range) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String item : text.split(",")) {
            String t = item.trim();
            int eq = t.indexOf('=');
            if (eq <= 0 || eq == t.length() - 1) {
                throw new IllegalArgumentException("layer " + noun + " '" + t + "' is not of the form name=" + noun);
            }
            String name = t.substring(0, eq).trim();
            double r;
            try {
                r = Double.parseDouble(t.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("layer " + noun + " '" + t + "': '" + t.substring(eq + 1).trim()
                        + "' is not a number");
            }
            if (!range.contains().test(r)) {
                throw new IllegalArgumentException("layer " + noun + " '" + t + "' must be in " + range.text()
                        + ", got " + Numbers.plain(r));
            }
            if (out.put(name, r) != null) {
                throw new IllegalArgumentException("layer " + noun + " for '" + name + "' is given twice");
            }
        }
        return out;
    }

    /**
     * The structured ratio SS applies to one layer: 0 for VA, SD and {@link #denseLayers}; otherwise the
     * layer's entry of {@link #layerRatios} if it has one, else 0 for the classifier and
     * {@link #structuredRatio} for every other layer.
     *
     * @param layer      the layer's name
     * @param classifier whether it is the network's output layer
     * @return the ratio, in [0, 1)
     */
    public double ratioFor(String layer, boolean classifier) {
        if (takesStructuredRatio(layer, classifier)) {
            return structuredRatio;
        }
        Double r = variant == Variant.SS && !denseLayers.contains(layer) ? layerRatios.get(layer) : null;
        return r != null ? r : 0.0;
    }

    /**
     * Whether {@link #ratioFor} gives this layer {@link #structuredRatio}: SS, not one of the {@link #denseLayers},
     * no entry of its own in {@link #layerRatios}, and not the classifier.
     *
     * @param layer      the layer's name
     * @param classifier whether it is the network's output layer
     * @return true when the layer is pruned by the structured ratio
     */
    public boolean takesStructuredRatio(String layer, boolean classifier) {
        return variant == Variant.SS && !denseLayers.contains(layer) && !layerRatios.containsKey(layer) && !classifier;
    }

    /** The decomposition threshold of one layer: its entry of {@link #layerThetas}, else {@link #theta}. */
    public double thetaFor(String layer) {
        Double t = layerThetas.get(layer);
        return t != null ? t : theta;
    }

    /**
     * The largest decomposition threshold in use: {@link #theta} or a larger entry of {@link #layerThetas}
     * for a layer SD and SS decompose (not one of the {@link #denseLayers}). Conservative when every
     * decomposed layer has its own, lower threshold (theta still counts).
     */
    public double maxTheta() {
        double max = theta;
        for (Map.Entry<String, Double> e : layerThetas.entrySet()) {
            if (!denseLayers.contains(e.getKey())) {
                max = Math.max(max, e.getValue());
            }
        }
        return max;
    }

    /**
     * The bucket-switch minCoeff (ALGORITHMS.md 6.2) of one switch for every layer: the smallest 2^i at or
     * above {@link #maxTheta}, so that a revived coefficient survives every layer's projection.
     */
    public double minCoeff() {
        return BucketSwitch.minCoeffFor(maxTheta());
    }

    /**
     * The threshold from which the bucket switch of one SD layer's C derives its minCoeff
     * ({@link BucketSwitch#minCoeffFor}): the layer's own ({@link #thetaFor}) with {@link #perLayerSwitch},
     * else {@link #maxTheta} (one switch for all layers, minCoeff {@link #minCoeff()}).
     *
     * @param layer the layer's name
     * @return the threshold, in [2^-10, 1]
     */
    public double switchTheta(String layer) {
        return perLayerSwitch ? thetaFor(layer) : maxTheta();
    }

    /** One line for logs. */
    public String describe() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s %s %s: %s (SWA from %d), lr %g -> %g",
                arch.id(), task.id(), variant.id(), count(epochs, "epoch"), swaStart, lr, swaLr));
        // theta, theta_g, theta_c, the ratios and the dense layers only mean something for SD and SS
        if (variant.isSd()) {
            b.append(String.format(Locale.ROOT, ", theta %s, theta_g %g, theta_c %d", thetaText(), thetaG, thetaC));
        }
        if (variant == Variant.SS) {
            b.append(", structured ratio ").append(ratioText());
        }
        if (variant.isSd() && !denseLayers.isEmpty()) {
            b.append(", dense layers ").append(denseLayers);
        }
        if (variant.isSd() && perLayerSwitch) {
            b.append(", a bucket switch per layer");
        }
        b.append(String.format(Locale.ROOT, ", pre-train %s, batch %d, seed %d", count(pretrainEpochs, "epoch"),
                batchSize, seed));
        if (validationExamples > 0) {
            b.append(", ").append(validationExamples).append(" target examples held out for validation");
        }
        return b.toString();
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** The SS ratios for logs: the default, then the per-layer overrides, e.g. {@code 0.3 (conv2=0.1)}. */
    public String ratioText() {
        return withOverrides(structuredRatio, layerRatios);
    }

    /** The thresholds for logs: the default, then the per-layer overrides, e.g. {@code 0.06 (fc1=0.05)}. */
    public String thetaText() {
        return withOverrides(theta, layerThetas);
    }

    private static String withOverrides(double base, Map<String, Double> perLayer) {
        String b = String.format(Locale.ROOT, "%g", base);
        if (perLayer.isEmpty()) {
            return b;
        }
        return b + perLayer.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s=%g", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", ", " (", ")"));
    }

    /** Builder for {@link TrainingSettings}; the three required settings are the factory's arguments. */
    public static final class Builder {
        private final Task task;
        private final Variant variant;
        private final ZooModel arch;
        private int epochs = DEFAULT_EPOCHS;
        private Integer swaStart;
        private Double lr;
        private Double swaLr;
        private double thetaG = BucketSwitch.DEFAULT_THETA_G;
        private int thetaC = BucketSwitch.DEFAULT_THETA_C;
        private double theta = DEFAULT_THETA;
        private double structuredRatio = DEFAULT_STRUCTURED_RATIO;
        private Map<String, Double> layerRatios = Map.of();
        private Map<String, Double> layerThetas = Map.of();
        private Set<String> denseLayers = Set.of();
        private boolean perLayerSwitch;
        private int pretrainEpochs = DEFAULT_PRETRAIN_EPOCHS;
        private double pretrainLr = DEFAULT_PRETRAIN_LR;
        private double weightDecay = BucketSwitch.DEFAULT_WEIGHT_DECAY;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private long seed = DEFAULT_SEED;
        private int validationExamples;

        private Builder(Task task, Variant variant, ZooModel arch) {
            this.task = Objects.requireNonNull(task, "task");
            this.variant = Objects.requireNonNull(variant, "variant");
            this.arch = Objects.requireNonNull(arch, "arch");
        }

        /** Optional: transfer-training epochs (default 80). */
        public Builder epochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        /** Optional: SWA start (default half the epochs, at least 1: 40 of 80). */
        public Builder swaStart(int swaStart) {
            this.swaStart = swaStart;
            return this;
        }

        /** Optional: initial learning rate (default by task: 1e-2 fine-tune, 1e-1 adaptation). */
        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        /** Optional: SWA learning rate (default lr times 0.2 for fine-tuning, 0.05 for adaptation). */
        public Builder swaLr(double swaLr) {
            this.swaLr = swaLr;
            return this;
        }

        /** Optional: bucket-switch dead zone theta_g (default 5e-3). */
        public Builder thetaG(double thetaG) {
            this.thetaG = thetaG;
            return this;
        }

        /** Optional: bucket-switch counter threshold theta_c (default 7). */
        public Builder thetaC(int thetaC) {
            this.thetaC = thetaC;
            return this;
        }

        /** Optional: decomposition threshold theta (default 7e-3). */
        public Builder theta(double theta) {
            this.theta = theta;
            return this;
        }

        /** Optional: SS structured ratio (default 0.3; ignored by VA and SD). */
        public Builder structuredRatio(double structuredRatio) {
            this.structuredRatio = structuredRatio;
            return this;
        }

        /** Optional: SS per-layer ratios by layer name, overriding the structured ratio (default none). */
        public Builder layerRatios(Map<String, Double> layerRatios) {
            this.layerRatios = Objects.requireNonNull(layerRatios, "layerRatios");
            return this;
        }

        /** Optional: per-layer decomposition thresholds by layer name, overriding theta (default none). */
        public Builder layerThetas(Map<String, Double> layerThetas) {
            this.layerThetas = Objects.requireNonNull(layerThetas, "layerThetas");
            return this;
        }

        /** Optional: layers SD and SS leave dense (default none). */
        public Builder denseLayers(Set<String> denseLayers) {
            this.denseLayers = Objects.requireNonNull(denseLayers, "denseLayers");
            return this;
        }

        /**
         * Optional: SD and SS give each SD layer's C its own bucket switch, minCoeff from the layer's threshold
         * (default false: one switch, minCoeff from the largest threshold).
         */
        public Builder perLayerSwitch(boolean perLayerSwitch) {
            this.perLayerSwitch = perLayerSwitch;
            return this;
        }

        /** Optional: pre-training epochs (default 10). */
        public Builder pretrainEpochs(int pretrainEpochs) {
            this.pretrainEpochs = pretrainEpochs;
            return this;
        }

        /** Optional: pre-training Adam learning rate (default 1e-3). */
        public Builder pretrainLr(double pretrainLr) {
            this.pretrainLr = pretrainLr;
            return this;
        }

        /** Optional: weight decay (default 5e-4). */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** Optional: minibatch size (default 128). */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Optional: seed (default 42). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Optional: target examples held out for validation (default 0, none). */
        public Builder validationExamples(int validationExamples) {
            this.validationExamples = validationExamples;
            return this;
        }

        /** Validates and builds. */
        public TrainingSettings build() {
            double defaultLr = task == Task.FINETUNE ? FINETUNE_LR : ADAPT_LR;
            double ratio = task == Task.FINETUNE ? FINETUNE_SWA_LR / FINETUNE_LR : ADAPT_SWA_LR / ADAPT_LR;
            double defaultSwaLr = task == Task.FINETUNE ? FINETUNE_SWA_LR : ADAPT_SWA_LR;
            double l = lr != null ? lr : defaultLr;
            double s = swaLr != null ? swaLr : lr == null ? defaultSwaLr : l * ratio;
            int start = swaStart != null ? swaStart : Math.max(1, epochs / 2);
            return new TrainingSettings(task, variant, arch, epochs, start, l, s, thetaG, thetaC, theta,
                    structuredRatio, layerRatios, layerThetas, denseLayers, perLayerSwitch, pretrainEpochs, pretrainLr,
                    weightDecay, batchSize, seed, validationExamples);
        }
    }
}
