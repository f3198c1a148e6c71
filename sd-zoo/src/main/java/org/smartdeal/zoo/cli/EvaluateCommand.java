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
            FashionMnistInput.normalise(it, normalizer, file);
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
}
