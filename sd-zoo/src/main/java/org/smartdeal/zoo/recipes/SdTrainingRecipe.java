package org.smartdeal.zoo.recipes;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.smartdeal.codec.AtomicFiles;
import org.smartdeal.codec.SdModelFile;
import org.smartdeal.codec.SdmWriter;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.optim.BucketSwitch;
import org.smartdeal.optim.ModelScore;
import org.smartdeal.optim.ParamRef;
import org.smartdeal.optim.SdTraining;
import org.smartdeal.optim.SdUpdaterRouting;
import org.smartdeal.optim.SwaListener;
import org.smartdeal.optim.SwaLrSchedule;
import org.smartdeal.optim.TrainingDivergedException;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.LayerPlan;
import org.smartdeal.zoo.convert.SdConverter;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.InMemoryDataSetIterator;
import org.smartdeal.zoo.data.TaskSplits;
import org.smartdeal.zoo.data.TaskSplits.Task;
import org.smartdeal.zoo.models.InputShape;
import org.smartdeal.zoo.models.ZooConfiguration;

/**
 * The transfer-training recipe of SD training (SmartDeal, Chen et al., arXiv 2101.01163, Sec. IV and
 * VI-C; ALGORITHMS.md 6) on Fashion-MNIST, for {@code lenet300} and {@code cnn}:
 *
 * <ol>
 *   <li><b>Pre-train</b> the dense network on the task's source split (Adam, {@code pretrainEpochs}).</li>
 *   <li><b>Adaptation only: reset the classifier</b>: the output layer's parameters are replaced by a
 *       fresh initialisation (its own weight init, seed + 1). The network keeps its 10 outputs (see
 *       {@link TaskSplits}).</li>
 *   <li><b>SD and SS: decompose once</b> with {@link SdConverter} at theta ({@code 7e-3} by default, the
 *       paper's one-pass SD), every dense, output and convolution layer, the re-initialised classifier
 *       included (so the whole network trains in SD form; decomposing random weights is as exact as
 *       decomposing trained ones), except the {@code denseLayers}, which stay DL4J layers and train as
 *       VA. SS first prunes vector-wise with {@code structuredRatio} every layer but the classifier, or
 *       per layer with {@code layerRatios} (ALGORITHMS.md 3.1).</li>
 *   <li><b>Train</b> on the target split for {@code epochs} with {@link SdTraining#configure}: SD layers'
 *       C with {@link BucketSwitch} (one for all layers, minCoeff from the largest threshold, or with
 *       {@code perLayerSwitch} one per layer, minCoeff from the layer's threshold), everything else (all of
 *       VA) with SGD with Nesterov momentum 0.9 and weight decay; both follow the {@link SwaLrSchedule}.
 *       {@link SwaListener} averages from {@code swaStart} and writes the average (C projected inside its
 *       mask with its layer's own forward threshold,
 *       {@link SdTraining#swaListener(org.deeplearning4j.nn.api.Model, int)}) into the network.</li>
 *   <li><b>Evaluate</b> on the task's test set (and on the validation examples, when
 *       {@link TrainingSettings#validationExamples} holds some of the target split out: they are not trained
 *       on, and every intermediate accuracy is then measured on them instead of the test set), <b>save</b>
 *       ({@code .sdm} via {@link SdModelFile} for SD/SS,
 *       DL4J {@code .zip} without updater for VA), reload and evaluate the file's content. The file is
 *       written at once, or handed to a {@link ModelOutput} that writes it together with other files.</li>
 * </ol>
 * Progress goes to a {@link RecipeListener}: one step per minibatch, one {@link RecipeListener.EpochResult}
 * per epoch, log lines for each stage. The run is deterministic for a seed up to DL4J's own
 * floating-point ordering.
 */
public final class SdTrainingRecipe {

    /** Test-set minibatch size. */
    private static final int EVAL_BATCH = 512;

    private SdTrainingRecipe() {
    }

    /**
     * Receives the model file a run produces, complete, instead of the run writing it: a caller that writes
     * other files with it (a summary) holds it and writes all of them together (e.g. with
     * {@link AtomicFiles#writeAll}), so that they appear at once.
     */
    @FunctionalInterface
    public interface ModelOutput {
        /**
         * @param file    where the model file goes ({@link #modelFile})
         * @param content the whole file: {@code .sdm} for SD/SS, DL4J ModelSerializer {@code .zip} for VA;
         *                the run does not use it afterwards
         * @throws IOException when writing fails
         */
        void accept(Path file, byte[] content) throws IOException;
    }

    /**
     * Runs one epoch of the transfer training (step 4) on the network being trained: the place where the
     * work of an epoch can be spread over workers. The recipe sets the network up (updater routing, schedules)
     * before the first epoch and, around each call, starts and ends the epoch for SWA and increments the
     * network's epoch count, so an implementation only fits: {@link #LOCAL} fits every minibatch in order; a
     * parameter-averaging one (dl4j-spark's scheme) fits copies of the network on parts of the epoch, writes
     * their mean into it and calls {@link SdTraining#restoreInvariants} (docs/ARBITER-SPARK.md, Spark).
     */
    @FunctionalInterface
    public interface EpochTrainer {
        /** Fits the minibatches of {@code data} one by one on {@code net}, in order (single machine). */
        EpochTrainer LOCAL = SdTrainingRecipe::fitEpoch;

        /**
         * @param net      the network being trained (its parameters hold the epoch's result on return)
         * @param data     the epoch's minibatches (reset before use; shuffled per epoch by the recipe's seed)
         * @param listener receives {@link RecipeListener#step} per minibatch
         * @return the mean training score (loss + L2) over the epoch's minibatches; a NaN or infinite value ends the
         *     run with a {@link TrainingDivergedException}
         */
        double fitEpoch(MultiLayerNetwork net, InMemoryDataSetIterator data, RecipeListener listener);
    }

    /**
     * Runs the recipe, pre-training included.
     *
     * @param s        the settings
     * @param data     the task's data ({@link TaskSplits#split}); its task must be {@code s.task()}
     * @param outDir   folder for the model file {@code <arch>-<task>-<variant>.sdm|.zip} (created)
     * @param listener progress receiver, may be {@link RecipeListener#NONE}
     * @return accuracy, trainable-state bytes, model file and bytes, per-epoch results
     * @throws IOException when the model file cannot be written or read back
     */
    public static RecipeResult run(TrainingSettings s, TaskSplits.TaskData data, Path outDir, RecipeListener listener)
            throws IOException {
        return run(s, data, null, outDir, listener);
    }

    /**
     * Runs the recipe from a given pre-trained network (e.g. to compare the three variants from the same
     * start), or pre-trains first when it is null.
     *
     * @param s          the settings
     * @param data       the task's data; its task must be {@code s.task()}
     * @param pretrained the result of {@link #pretrain} for these settings and data (not modified: a copy
     *                   is trained), or null
     * @param outDir     folder for the model file (created)
     * @param listener   progress receiver
     * @return the result
     * @throws IOException when the model file cannot be written or read back
     */
    public static RecipeResult run(TrainingSettings s, TaskSplits.TaskData data, MultiLayerNetwork pretrained,
            Path outDir, RecipeListener listener) throws IOException {
        return run(s, data, pretrained, outDir, listener, (file, content) -> {
            Files.createDirectories(outDir);
            AtomicFiles.write(file, content);
        });
    }

    /**
     * Runs the recipe and hands the model file to {@code output} instead of writing it: the result's
     * {@code fileAccuracy} and {@code modelBytes} are those of that content, and nothing is written to
     * {@code outDir} by the run.
     *
     * @param s          the settings
     * @param data       the task's data; its task must be {@code s.task()}
     * @param pretrained the result of {@link #pretrain} for these settings and data (not modified), or null
     * @param outDir     folder the model file is meant for (names it, see {@link #modelFile}; not created)
     * @param listener   progress receiver
     * @param output     receives the model file's path and content once, after training
     * @return the result
     * @throws IOException from {@code output}, or when the content cannot be read back
     */
    public static RecipeResult run(TrainingSettings s, TaskSplits.TaskData data, MultiLayerNetwork pretrained,
            Path outDir, RecipeListener listener, ModelOutput output) throws IOException {
        return run(s, data, pretrained, outDir, listener, output, EpochTrainer.LOCAL);
    }

    /**
     * Runs the recipe with the transfer training's epochs run by {@code trainer} (for example spread over
     * workers); everything else as {@link #run(TrainingSettings, TaskSplits.TaskData, MultiLayerNetwork, Path,
     * RecipeListener, ModelOutput)}.
     *
     * @param s          the settings
     * @param data       the task's data; its task must be {@code s.task()}
     * @param pretrained the result of {@link #pretrain} for these settings and data (not modified), or null
     * @param outDir     folder the model file is meant for (names it; not created)
     * @param listener   progress receiver
     * @param output     receives the model file's path and content once, after training
     * @param trainer    runs each transfer-training epoch ({@link EpochTrainer#LOCAL}: one machine)
     * @return the result
     * @throws IOException from {@code output}, or when the content cannot be read back
     */
    public static RecipeResult run(TrainingSettings s, TaskSplits.TaskData data, MultiLayerNetwork pretrained,
            Path outDir, RecipeListener listener, ModelOutput output, EpochTrainer trainer) throws IOException {
        if (trainer == null) {
            throw new IllegalArgumentException("SdTrainingRecipe.run: the epoch trainer must not be null "
                    + "(EpochTrainer.LOCAL: one machine)");
        }
        if (data.task() != s.task()) {
            throw new IllegalArgumentException("data is split for task " + data.task().id() + " but the settings say "
                    + s.task().id());
        }
        if (!listener.showsTestFigures() && s.validationExamples() == 0) {
            throw new IllegalArgumentException("a listener that hides test figures needs a validation hold-out"
                    + " (TrainingSettings.validationExamples > 0), got 0: the intermediate checks would score the"
                    + " test set");
        }
        // the plan's rules hold for the architecture whatever its weights: refuse a plan before pre-training, not after
        checkPlan(s);
        long t0 = System.nanoTime();
        listener.log(s.describe());
        listener.log(data.describe());
        InMemoryDataSetIterator testIt = data.test().iterator(EVAL_BATCH, false, s.seed());
        FashionMnist target = data.target();
        InMemoryDataSetIterator valIt = null;
        if (s.validationExamples() > 0) {
            if (s.validationExamples() >= target.size()) {
                throw new IllegalArgumentException("TrainingSettings.validationExamples must be below the "
                        + target.size() + " examples of the target split, got " + s.validationExamples());
            }
            TaskSplits.HoldOut h = TaskSplits.holdOut(target, s.validationExamples(), s.seed());
            target = h.fit();
            valIt = h.validation().iterator(EVAL_BATCH, false, s.seed());
            listener.log(String.format(Locale.ROOT, "validation: %d of the %d target examples held out, %d trained on;"
                    + " accuracies before the end are on the validation examples", h.validation().size(),
                    data.target().size(), target.size()));
        }
        // Intermediate checks use the validation examples when there are some, so the test set is scored once.
        InMemoryDataSetIterator checkIt = valIt != null ? valIt : testIt;
        String checkSet = valIt != null ? "validation" : "test";

        MultiLayerNetwork dense = pretrained != null ? pretrained.clone() : pretrain(s, data.source(), listener);
        double pretrainAccuracy = Double.NaN;
        if (s.task() == Task.FINETUNE) {
            pretrainAccuracy = scoreAfter(TrainingDivergedException.Phase.PRE_TRAINING, dense, checkIt, listener,
                    "scoring (" + checkSet + ")").accuracy();
            listener.log(String.format(Locale.ROOT, "pre-trained dense %s: %s accuracy %.4f", s.arch().id(),
                    checkSet, pretrainAccuracy));
        } else {
            String name = resetClassifier(dense, s);
            listener.log("adaptation: classifier '" + name + "' re-initialised");
        }

        MultiLayerNetwork net = dense;
        double decomposedAccuracy = Double.NaN;
        if (s.variant().isSd()) {
            ConversionPlan plan = plan(s, dense);
            SdConverter.Result r = SdConverter.convert(dense, plan);
            net = (MultiLayerNetwork) r.network();
            listener.decomposed(r.report());
            decomposedAccuracy = score(net, checkIt, listener, "scoring (" + checkSet + ")").accuracy();
            listener.log(String.format(Locale.ROOT, "decomposed (theta %s%s): paper CR %.1fx, %s accuracy %.4f%s",
                    s.thetaText(), s.variant() == Variant.SS
                            ? ", structured ratio " + s.ratioText() : "",
                    r.report().paperCR(), checkSet, decomposedAccuracy, s.task() == Task.FINETUNE ? ""
                            : " (the re-initialised classifier is not trained yet: near chance or below)"));
        }

        List<RecipeListener.EpochResult> epochs = transfer(s, net, target, listener, trainer);
        double validationAccuracy = valIt != null
                ? scoreAfter(TrainingDivergedException.Phase.TRAINING, net, valIt, listener, "scoring (validation)")
                        .accuracy() : Double.NaN;
        ModelScore score = scoreAfter(TrainingDivergedException.Phase.TRAINING, net, testIt, listener, "scoring (test)");
        long stateBytes = TrainableState.bytes(net);
        long stateBytesAsHeld = TrainableState.bytesAsHeld(net);
        double density = s.variant().isSd() ? coefficientDensity(net) : Double.NaN;

        Path file = modelFile(s, outDir);
        byte[] content;
        Model reloaded;
        if (s.variant().isSd()) {
            content = SdmWriter.serialize(SdModelFile.toSdm(net)).bytes();
            reloaded = SdModelFile.read(content, file.toString());
        } else {
            ByteArrayOutputStream zip = new ByteArrayOutputStream();
            ModelSerializer.writeModel(net, zip, false);
            content = zip.toByteArray();
            reloaded = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(content), false);
        }
        output.accept(file, content);
        double fileAccuracy = score(reloaded, testIt, listener, "scoring the reloaded file (test)").accuracy();
        long modelBytes = content.length;
        double seconds = (System.nanoTime() - t0) / 1e9;
        String testFigures = listener.showsTestFigures()
                ? String.format(Locale.ROOT, "test accuracy %.4f (reloaded file %.4f)", score.accuracy(), fileAccuracy)
                : "test accuracy sealed";
        listener.log(String.format(Locale.ROOT,
                "%s %s %s: %s%s, trainable state %d bytes, %s %d bytes, %.1f s",
                s.arch().id(), s.task().id(), s.variant().id(), valIt != null
                        ? String.format(Locale.ROOT, "validation accuracy %.4f, ", validationAccuracy) : "",
                testFigures, stateBytes, file.getFileName(), modelBytes, seconds));
        return new RecipeResult(s, net, score.accuracy(), score.loss(), fileAccuracy, pretrainAccuracy,
                decomposedAccuracy, validationAccuracy, stateBytes, stateBytesAsHeld, file, modelBytes, density,
                epochs, seconds);
    }

    /**
     * Dense pre-training of {@code s.arch()} on the source split with Adam({@code s.pretrainLr()}) for
     * {@code s.pretrainEpochs()} epochs (seeded by {@code s.seed()}).
     *
     * @param s        the settings
     * @param source   the source split
     * @param listener progress receiver
     * @return the pre-trained dense network
     */
    public static MultiLayerNetwork pretrain(TrainingSettings s, FashionMnist source, RecipeListener listener) {
        MultiLayerNetwork dense = (MultiLayerNetwork) s.arch()
                .configuration(InputShape.MNIST, FashionMnist.CLASSES, s.seed(), new Adam(s.pretrainLr())).init();
        double before = lossBefore(dense, source, s.batchSize());
        InMemoryDataSetIterator it = source.iterator(s.batchSize(), true, s.seed());
        int steps = batches(source.size(), s.batchSize());
        listener.phaseStarted("pre-training", (long) steps * s.pretrainEpochs());
        try {
            for (int e = 0; e < s.pretrainEpochs(); e++) {
                long t = System.nanoTime();
                double loss = fitEpoch(dense, it, listener);
                TrainingDivergedException.requireFiniteEpoch(loss, dense.params(),
                        TrainingDivergedException.Phase.PRE_TRAINING, e + 1, s.pretrainEpochs(), s.pretrainLr());
                TrainingDivergedException.requireNoRunaway(loss, before, TrainingDivergedException.Phase.PRE_TRAINING,
                        e + 1, s.pretrainEpochs(), s.pretrainLr());
                dense.incrementEpochCount();
                listener.epoch(new RecipeListener.EpochResult("pre-training", e + 1, s.pretrainEpochs(),
                        s.pretrainLr(), loss, 0, false, (System.nanoTime() - t) / 1e9));
            }
        } finally {
            listener.phaseEnded();
        }
        return dense;
    }

    /**
     * Replaces the output layer's parameters by a fresh initialisation of the same configuration
     * (seed + 1), as the adaptation task requires.
     *
     * @return the output layer's name
     */
    static String resetClassifier(MultiLayerNetwork net, TrainingSettings s) {
        ZooConfiguration.Sequential fresh = (ZooConfiguration.Sequential) s.arch()
                .configuration(InputShape.MNIST, FashionMnist.CLASSES, s.seed() + 1);
        MultiLayerNetwork other = fresh.init();
        int last = net.getnLayers() - 1;
        for (Map.Entry<String, INDArray> p : other.getLayer(last).paramTable().entrySet()) {
            net.getLayer(last).getParam(p.getKey()).assign(p.getValue());
        }
        return net.getLayer(last).conf().getLayer().getLayerName();
    }

    /**
     * The conversion plan: {@link TrainingSettings#thetaFor} each layer the converter converts (theta unless
     * {@code layerThetas} says otherwise); SS adds {@link TrainingSettings#ratioFor} to each of them (the structured
     * ratio to every such layer but the classifier unless {@code layerRatios} says otherwise); the
     * {@code denseLayers} are skipped. Other layers (pooling) get no override.
     *
     * @param s     the settings
     * @param dense the network to decompose (its layer names and which layer is last)
     * @return the plan the recipe decomposes {@code dense} with
     */
    public static ConversionPlan plan(TrainingSettings s, MultiLayerNetwork dense) {
        LayerPlan d = LayerPlan.DEFAULTS;
        LayerPlan defaults = new LayerPlan("defaults", s.theta(), d.sliceRows(), d.basisWidth(), d.maxCoeff(),
                d.maxIter(), d.tol(), 0, 0, false);
        Map<String, LayerPlan> overrides = new LinkedHashMap<>();
        int n = dense.getnLayers();
        for (int i = 0; i < n; i++) {
            org.deeplearning4j.nn.conf.layers.Layer conf = dense.getLayer(i).conf().getLayer();
            if (!SdConverter.converts(conf)) {
                continue; // pooling and the like: nothing to decompose or prune (a ratio there is refused)
            }
            String name = conf.getLayerName();
            double ratio = s.ratioFor(name, i == n - 1);
            boolean skip = s.denseLayers().contains(name);
            if (ratio > 0 || skip || s.layerThetas().containsKey(name)) {
                overrides.put(name, new LayerPlan(name, s.thetaFor(name), d.sliceRows(), d.basisWidth(), d.maxCoeff(),
                        d.maxIter(), d.tol(), ratio, 0, skip));
            }
        }
        return new ConversionPlan(defaults, false, overrides);
    }

    /**
     * Checks, before any training, the conversion plan SD and SS will decompose with ({@link #plan}) against
     * {@code s.arch()} freshly initialised, with the converter's own rules ({@link SdConverter#checkPlan}): they
     * depend on the layers' shapes, not on their weights, so a plan refused here would be refused after
     * pre-training. Nothing to check for VA.
     *
     * @param s the settings
     * @throws org.smartdeal.zoo.convert.StructuredRatioTooLargeException when a structured ratio
     *     ({@link TrainingSettings#ratioFor}) would zero every row of a layer's units
     * @throws IllegalArgumentException when the plan breaks another of the converter's rules
     */
    public static void checkPlan(TrainingSettings s) {
        if (!s.variant().isSd()) {
            return;
        }
        MultiLayerNetwork dense = (MultiLayerNetwork) s.arch()
                .configuration(InputShape.MNIST, FashionMnist.CLASSES, s.seed()).init();
        SdConverter.checkPlan(dense, plan(s, dense));
    }

    /** Transfer training with the SD-T routing, the SWA lr schedule and SWA. */
    private static List<RecipeListener.EpochResult> transfer(TrainingSettings s, MultiLayerNetwork net,
            FashionMnist target, RecipeListener listener, EpochTrainer trainer) {
        ISchedule schedule = new SwaLrSchedule(s.lr(), s.swaLr(), s.swaStart());
        IUpdater others = SdUpdaterRouting.sgdMomentum(schedule);
        Map<ParamRef, BucketSwitch> switches = bucketSwitches(s, net, schedule);
        SdTraining.configure(net, switches, others, s.weightDecay());
        if (!switches.isEmpty()) {
            listener.log(switchText(s, switches));
        }
        net.setEpochCount(0);
        net.setIterationCount(0);
        SwaListener swa = SdTraining.swaListener(net, s.swaStart());
        List<ParamRef> cParams = new ArrayList<>(SdTraining.coefficientParams(net));

        double lossBefore = lossBefore(net, target, s.batchSize());
        InMemoryDataSetIterator it = target.iterator(s.batchSize(), true, s.seed() + 1);
        int steps = batches(target.size(), s.batchSize());
        List<RecipeListener.EpochResult> out = new ArrayList<>();
        listener.phaseStarted("training", (long) steps * s.epochs());
        try {
            for (int e = 0; e < s.epochs(); e++) {
                long t = System.nanoTime();
                Map<ParamRef, INDArray> before = snapshot(net, cParams);
                swa.onEpochStart(net);
                double loss;
                try {
                    loss = trainer.fitEpoch(net, it, listener);
                } catch (TrainingDivergedException d) {
                    // a NaN gradient at the bucket switch, mid-epoch: the switch knows neither epoch nor parameter
                    throw d.inEpoch(e + 1, s.epochs(), nanUpdate(net, cParams));
                }
                TrainingDivergedException.requireFiniteEpoch(loss, net.params(),
                        TrainingDivergedException.Phase.TRAINING, e + 1, s.epochs(), schedule.valueAt(0, e));
                TrainingDivergedException.requireNoRunaway(loss, lossBefore, TrainingDivergedException.Phase.TRAINING,
                        e + 1, s.epochs(), schedule.valueAt(0, e));
                swa.onEpochEnd(net);
                net.incrementEpochCount();
                RecipeListener.EpochResult r = new RecipeListener.EpochResult("training", e + 1, s.epochs(),
                        schedule.valueAt(0, e), loss, changed(net, before), !cParams.isEmpty(),
                        (System.nanoTime() - t) / 1e9);
                out.add(r);
                listener.epoch(r);
            }
        } finally {
            listener.phaseEnded();
        }
        swa.finish(net, it);
        listener.log(String.format(Locale.ROOT, "SWA: the weights of %d %s averaged (from epoch %d)", swa.samples(),
                swa.samples() == 1 ? "epoch" : "epochs", s.swaStart()));
        return out;
    }

    /**
     * The model file a run writes into {@code outDir}: {@code <arch>-<task>-<variant>.sdm} for SD and SS,
     * {@code .zip} (DL4J ModelSerializer) for VA.
     *
     * @param s      the settings
     * @param outDir the output folder
     * @return the file
     */
    public static Path modelFile(TrainingSettings s, Path outDir) {
        return outDir.resolve(s.arch().id() + "-" + s.task().id() + "-" + s.variant().id()
                + (s.variant().isSd() ? SdModelFile.EXTENSION : ".zip"));
    }

    /**
     * The bucket switch of every SD layer's C: the settings' lr schedule, theta_g, theta_c and weight decay,
     * minCoeff from {@link TrainingSettings#switchTheta} of the layer (its own threshold with
     * {@link TrainingSettings#perLayerSwitch}, else the largest: then all switches are equal, the one switch
     * of {@link SdTraining#configure(org.deeplearning4j.nn.api.Model, BucketSwitch, IUpdater, double)}).
     *
     * @param s        the settings
     * @param net      the network to train, SD layers named as in {@code s.arch()}
     * @param schedule the learning-rate schedule
     * @return the switches by coefficient parameter, in layer order (empty for VA)
     */
    static Map<ParamRef, BucketSwitch> bucketSwitches(TrainingSettings s, MultiLayerNetwork net, ISchedule schedule) {
        BucketSwitch template = BucketSwitch.builder(s.lr()).learningRateSchedule(schedule).thetaG(s.thetaG())
                .thetaC(s.thetaC()).weightDecay(s.weightDecay()).build();
        Map<ParamRef, BucketSwitch> out = new LinkedHashMap<>();
        for (ParamRef c : SdTraining.coefficientParams(net)) {
            out.put(c, template.withTheta(s.switchTheta(c.layerName())));
        }
        return out;
    }

    /** The log line naming each layer's minCoeff, or the one shared by all. */
    private static String switchText(TrainingSettings s, Map<ParamRef, BucketSwitch> switches) {
        if (!s.perLayerSwitch()) {
            return String.format(Locale.ROOT, "bucket switch: minCoeff %s for every SD layer (largest theta %g)",
                    switches.values().iterator().next().getMinCoeff(), s.maxTheta());
        }
        StringBuilder b = new StringBuilder("bucket switch per layer: minCoeff");
        String sep = " ";
        for (Map.Entry<ParamRef, BucketSwitch> e : switches.entrySet()) {
            b.append(sep).append(e.getKey().layerName()).append('=').append(e.getValue().getMinCoeff());
            sep = ", ";
        }
        return b.toString();
    }

    /**
     * The loss of {@code net} on the first minibatch of {@code data} in its stored order, before a phase trains it:
     * the reference of the runaway check ({@link TrainingDivergedException#requireNoRunaway}), regularization
     * included as in the epochs' mean loss. A fresh unshuffled iterator, so that the training iterator's order is
     * the one it would have had.
     */
    private static double lossBefore(MultiLayerNetwork net, FashionMnist data, int batchSize) {
        if (data.size() == 0) {
            return Double.NaN;
        }
        return net.score(data.limit(Math.min(batchSize, data.size())).iterator(batchSize, false, 0).next(), false);
    }

    private static double fitEpoch(MultiLayerNetwork net, InMemoryDataSetIterator it, RecipeListener listener) {
        it.reset();
        double sum = 0;
        int n = 0;
        while (it.hasNext()) {
            net.fit(it.next());
            sum += net.score();
            n++;
            listener.step();
        }
        if (n == 0) {
            throw new IllegalArgumentException("the epoch's data holds no minibatch: nothing to train on");
        }
        return sum / n;
    }

    /**
     * The coefficient parameter whose update holds a NaN after the bucket switch refused one, as "layer L, parameter
     * C", or null when none does (another trainer's network). DL4J updates the parameters in layer order, each
     * switched in place in its gradient view before the next is touched, so the first C whose update still holds a
     * NaN is the one refused: the ones before it hold finite steps.
     */
    private static String nanUpdate(MultiLayerNetwork net, List<ParamRef> cParams) {
        org.deeplearning4j.nn.gradient.Gradient g = net.gradient();
        if (g == null) {
            return null;
        }
        for (ParamRef p : cParams) {
            INDArray u = g.gradientForVariable().get(net.getLayer(p.layerName()).getIndex() + "_" + p.paramKey());
            if (u != null && u.isNaN().any()) {
                return "layer " + p.layerName() + ", parameter " + p.paramKey();
            }
        }
        return null;
    }

    private static Map<ParamRef, INDArray> snapshot(MultiLayerNetwork net, List<ParamRef> params) {
        Map<ParamRef, INDArray> out = new LinkedHashMap<>();
        for (ParamRef p : params) {
            out.put(p, layerParam(net, p).dup());
        }
        return out;
    }

    private static long changed(MultiLayerNetwork net, Map<ParamRef, INDArray> before) {
        long n = 0;
        for (Map.Entry<ParamRef, INDArray> e : before.entrySet()) {
            n += layerParam(net, e.getKey()).neq(e.getValue()).castTo(DataType.INT32).sumNumber().longValue();
        }
        return n;
    }

    private static INDArray layerParam(MultiLayerNetwork net, ParamRef p) {
        return net.getLayer(p.layerName()).getParam(p.paramKey());
    }

    /**
     * Fraction of non-zero entries over every SD layer's C, counting only the entries of real rows
     * ({@link org.smartdeal.layers.SdSliceShape#realCoefficientLength}, ALGORITHMS.md 1.3): the zero rows that pad a unit's
     * last slice up to the slice height are not C's entries.
     */
    static double coefficientDensity(MultiLayerNetwork net) {
        long nz = 0;
        long total = 0;
        for (ParamRef p : SdTraining.coefficientParams(net)) {
            nz += layerParam(net, p).neq(0).castTo(DataType.INT32).sumNumber().longValue();
            total += ((SdLayer) net.getLayer(p.layerName()).conf().getLayer()).sliceShape().realCoefficientLength();
        }
        return total == 0 ? Double.NaN : (double) nz / total;
    }

    private static int batches(int examples, int batch) {
        return (examples + batch - 1) / batch;
    }

    /**
     * Scores a network right after a training phase. Each epoch's loss is computed before its updates, so an epoch can
     * end with a finite loss and weights that give NaN outputs: that is the phase's divergence, reported as such.
     */
    private static ModelScore scoreAfter(TrainingDivergedException.Phase phase, MultiLayerNetwork net,
            InMemoryDataSetIterator data, RecipeListener listener, String what) {
        try {
            return score(net, data, listener, what);
        } catch (ModelScore.NonFiniteOutputException e) {
            throw new TrainingDivergedException(phase, phase.label() + " diverged: after its last epoch " + e.getMessage()
                    + "; lower the learning rate");
        }
    }

    /** Scores a network as a phase of its own for the listener (a progress bar), one step per minibatch. */
    private static ModelScore score(org.deeplearning4j.nn.api.Model net, InMemoryDataSetIterator data, RecipeListener listener,
            String what) {
        listener.phaseStarted(what, batches(data.numExamples(), data.batch()));
        try {
            return ModelScore.of(net, data, n -> listener.step());
        } finally {
            listener.phaseEnded();
        }
    }
}
