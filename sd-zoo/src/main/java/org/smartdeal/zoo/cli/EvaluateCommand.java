package org.smartdeal.zoo.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.smartdeal.codec.ConfigurationCheck;
import org.smartdeal.optim.ModelScore;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.InMemoryDataSetIterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code smartdeal evaluate}: test accuracy and loss of a {@code .sdm} or DL4J {@code .zip} model. A zip's data
 * normaliser ({@code ModelSerializer.addNormalizerToModel}) is applied to the images, as DL4J applies it to a network
 * restored with its normaliser.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Accuracy and mean loss of a model (.sdm or DL4J .zip) on the Fashion-MNIST test set.")
public final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "a .sdm or DL4J .zip model")
    Path file;

    @Option(names = "--data", paramLabel = "NAME",
            description = "dataset; only fashion-mnist; default ${DEFAULT-VALUE}")
    String data = "fashion-mnist";

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = FashionMnistInput.DATA_DIR_DESCRIPTION)
    Path dataDir;

    @Option(names = "--limit", paramLabel = "N", description = "evaluate the first N test examples, N >= 1")
    Integer limit;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        if (!"fashion-mnist".equals(data)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--data must be fashion-mnist, got '" + data + "'");
        }
        if (limit != null && limit < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--limit must be >= 1, got " + limit);
        }
        ModelFiles.Loaded loaded = ModelFiles.loadWithProperties(file);
        Model net = loaded.net();
        org.nd4j.linalg.dataset.api.preprocessor.Normalizer<?> normalizer = ModelFiles.normalizer(file);
        ModelFiles.requireFiniteParameters(net, file.toString(), "evaluated");
        if (net instanceof org.deeplearning4j.nn.graph.ComputationGraph g
                && g.getConfiguration().getNetworkInputs().size() != 1) {
            throw new BadInputException(file + ": the graph has " + g.getConfiguration().getNetworkInputs().size()
                    + " inputs " + g.getConfiguration().getNetworkInputs() + ", but Fashion-MNIST gives one (its images); "
                    + "evaluate scores networks of one input");
        }
        // the check energy --data makes: the network takes 1x28x28 images (or 784 values), else a clear error; a
        // shape the .sdm records is what the network takes
        int[] recorded = RecordedInput.choose(null, loaded.properties(), file).shape();
        InputType type = FashionMnistInput.inputType(net, recorded, true, file);
        FashionMnistInput.Layout layout = FashionMnistInput.layout(type, file.toString(), recorded);
        FashionMnistInput.requireTenClasses(net, file);
        // layer sizes that do not fit are named as such (DL4J's first forward pass names only the shapes it met)
        FashionMnistInput.requireTenClassOutput(ForwardCheck.requireRuns(net, type, file), file);
        FashionMnist test = FashionMnistInput.load(dataDir, false);
        if (limit != null) {
            test = test.limit(limit);
        }
        InMemoryDataSetIterator it = test.iterator(512, false, 0);
        FashionMnistInput.apply(it, layout);
        if (normalizer != null) {
            normalise(it, normalizer);
        }
        ModelScore s;
        try (Progress p = Progress.start("evaluating", it.numExamples(), quiet)) {
            s = ModelScore.of(net, it, p::stepBy);
        } catch (org.deeplearning4j.exception.DL4JInvalidInputException e) {
            throw new BadInputException(file + ": the network does not take Fashion-MNIST's 1x28x28 images: "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            // the network passed the load checks and ran two all-zero images (ForwardCheck), so what fails here is
            // what real images or the scoring meet: values that overflow to NaN, a loss DL4J cannot score per example
            // (its CenterLossOutputLayer), memory; on crafted files DL4J also fails with index, null-pointer and
            // unsupported-operation exceptions (a fuzzing audit), so the exception's class is named
            // (ConfigurationCheck.describe), which keeps a defect of ours recognisable
            throw new BadInputException(file + ": the network fails on the test images (DL4J's forward pass or its "
                    + "per-example scoring): " + ConfigurationCheck.describe(e), e);
        }
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "%s: accuracy %.4f, loss %.4f on %d Fashion-MNIST test examples%s%n", file, s.accuracy(),
                s.loss(), s.examples(), normalizer == null ? ""
                : ", normalised by the zip's " + normalizer.getClass().getSimpleName());
        return SmartDeal.EXIT_OK;
    }

    /**
     * Feeds the network what it was trained on: the images in its layout, then processed by the zip's normaliser, as
     * DL4J's own evaluation of a network restored with its normaliser does. The normaliser gets the pixels scaled to
     * [0, 1], as DL4J's MNIST iterators give them, except an ImagePreProcessingScaler, which gets the 0-255 bytes it
     * is made to scale.
     */
    private void normalise(InMemoryDataSetIterator it, org.nd4j.linalg.dataset.api.preprocessor.Normalizer<?> normalizer) {
        org.nd4j.linalg.dataset.api.DataSetPreProcessor layoutStep = it.getPreProcessor();
        org.nd4j.linalg.dataset.api.DataSetPreProcessor step;
        if (normalizer instanceof org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler scaler) {
            // it scales image bytes, 0-255, which FashionMnist has already divided by 255: give it the bytes
            step = ds -> {
                ds.setFeatures(ds.getFeatures().mul(255));
                scaler.preProcess(ds);
            };
        } else if (normalizer instanceof org.nd4j.linalg.dataset.api.preprocessor.DataNormalization n) {
            step = n;
        } else if (normalizer instanceof org.nd4j.linalg.dataset.api.preprocessor.MultiDataNormalization n) {
            // a graph's normaliser: its one input and output
            step = ds -> {
                org.nd4j.linalg.dataset.MultiDataSet m = new org.nd4j.linalg.dataset.MultiDataSet(ds.getFeatures(),
                        ds.getLabels());
                n.preProcess(m);
                ds.setFeatures(m.getFeatures(0));
                ds.setLabels(m.getLabels(0));
            };
        } else {
            throw new BadInputException(file + ": holds a data normaliser of a kind evaluate cannot apply ("
                    + normalizer.getClass().getName() + "; DataNormalization and MultiDataNormalization are applied)");
        }
        it.setPreProcessor(ds -> {
            if (layoutStep != null) {
                layoutStep.preProcess(ds);
            }
            step.preProcess(ds);
        });
    }
}
