package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.data.FashionMnist;

/**
 * {@code smartdeal demo --quick} end to end (skipped with a reason when Fashion-MNIST is absent) and
 * its option errors (exit 2, message naming the option, the rule and the value).
 */
class DemoCommandTest {

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void quickDemoWritesAReloadableModelAndAnHonestSummary(@TempDir Path dir) throws IOException {
        Path data = FashionMnist.resolveDir(null);
        assumeTrue(FashionMnist.isAvailable(data),
                "Fashion-MNIST not installed in " + data + " (apt-get install dataset-fashion-mnist): skipping the demo run");
        // --quick with an explicit --epochs 2: the dense training runs the two epochs asked for
        CliRun r = run("demo", "--quick", "--epochs", "2", "--out", dir.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err() + r.out());
        JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertEquals(2, s.get("epochs").asInt());
        assertEquals(1, s.get("rtEpochs").asInt(), "--quick's one RT epoch");
        assertTrue(r.out().contains("(2 epochs)"), r.out());
        Path sdm = dir.resolve("lenet300.sdm");
        // The file's size is what the summary reports, and the writer's section accounting adds up to it.
        assertEquals(Files.size(sdm), s.get("sdmBytes").asLong());
        assertEquals(s.get("sdmBytes").asLong(), s.get("sdmAccountedBytes").asLong());
        // LeNet-300-100: 266,610 float32 parameters (ModelStatsTest).
        assertEquals(266_610L * 4, s.get("denseParamBytes").asLong());
        assertEquals(s.get("denseParamBytes").asDouble() / s.get("sdmBytes").asDouble(), s.get("fileCR").asDouble(), 1e-9);
        // One RT epoch: the default 6-epoch ramp is capped at 1, so the initial decomposition runs at
        // ramp factor 0.5 and the epoch at the full sparsity, the only candidate for the best epoch.
        assertEquals(1, s.get("rampEpochs").asInt());
        assertEquals(1, s.get("rtBestEpoch").asInt());
        assertTrue(r.out().contains("ramp 0.50"), r.out());
        // 10 classes: chance is 0.1; even one epoch on 5,400 images is far above twice that.
        assertTrue(s.get("baselineAccuracy").asDouble() > 0.2, "baseline " + s.get("baselineAccuracy"));
        assertTrue(s.get("sdAccuracy").asDouble() > 0.2, "SD " + s.get("sdAccuracy"));
        assertTrue(s.get("paperCR").asDouble() > 1, "paper CR " + s.get("paperCR"));
        assertTrue(Files.isRegularFile(dir.resolve("lenet300-dense.zip")));
        assertTrue(Files.isRegularFile(dir.resolve("report.json")));
        assertFalse(r.out().contains("1 epochs"), r.out());
        assertEquals("1 epoch", DemoCommand.epochs(1));
        // no --plan, no --theta: the default plan is recorded, theta null
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree(ConversionPlan.fromJson(DemoCommand.DEFAULT_PLAN).toJson()), s.get("plan"));
        assertTrue(s.get("planFile").isNull(), s.toString());
        assertTrue(s.get("theta").isNull(), s.toString());

        // The same run from the saved baseline repeats the first: its RT sees the shuffles the first run's RT saw
        // after the baseline's 2 epochs (InMemoryDataSetIterator.skipEpochs), so the file comes out byte for byte
        // equal (it did not before: RT then started from the epoch-0 shuffle)
        Path repeat = dir.resolve("repeat");
        CliRun same = run("demo", "--quick", "--dense", dir.resolve("lenet300-dense.zip").toString(),
                "--out", repeat.toString(), "--quiet");
        assertEquals(0, same.exit(), same.err() + same.out());
        assertArrayEquals(Files.readAllBytes(sdm), Files.readAllBytes(repeat.resolve("lenet300.sdm")));
        assertEquals(s.get("sdAccuracy").asDouble(), new ObjectMapper().readTree(repeat.resolve("summary.json").toFile())
                .get("sdAccuracy").asDouble());
        try (var files = Files.walk(repeat)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }

        // A second run from this folder's own baseline, with a plan and a theta override: both are recorded,
        // and the baseline, an input, is left byte for byte as it was (not rewritten).
        Path plan = Files.writeString(dir.resolve("plan.json"),
                "{\"defaults\": {\"sliceRows\": 512}, \"layers\": {\"fc3\": {\"theta\": 0.01}}}");
        Path zip = dir.resolve("lenet300-dense.zip");
        byte[] baseline = Files.readAllBytes(zip);
        String oldSummary = Files.readString(dir.resolve("summary.json"));
        CliRun again = run("demo", "--quick", "--rt-epochs", "1", "--dense", zip.toString(), "--plan", plan.toString(),
                "--theta", "0.02", "--out", dir.toString(), "--quiet");
        assertEquals(0, again.exit(), again.err() + again.out());
        assertArrayEquals(baseline, Files.readAllBytes(zip));
        assertTrue(again.out().contains("is the --dense input, left as it was"), again.out());
        JsonNode t = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertEquals(plan.toString(), t.get("planFile").asText());
        // the plan file with --theta applied everywhere (fc3's own 0.01 replaced), the file's slice rows kept
        ConversionPlan used = ConversionPlan.fromJson(json.writeValueAsString(t.get("plan")));
        assertEquals(0.02, used.defaults().theta());
        assertEquals(0.02, used.settingsFor("fc3").theta());
        assertEquals(512, used.defaults().sliceRows());
        assertEquals(0.02, t.get("theta").asDouble());
        assertEquals(zip.toString(), t.get("dense").asText());
        assertTrue(!oldSummary.equals(Files.readString(dir.resolve("summary.json"))));
        assertEquals(List.of("/", "lenet300-dense.zip", "lenet300.sdm", "plan.json", "report.json", "summary.json"),
                List.copyOf(CliRun.files(dir).keySet()), "no temporary file left");

        // --rt-epochs 0: the re-training settings that did not apply are null, and no best RT epoch is printed
        Path noRt = dir.resolve("no-rt");
        CliRun conversionOnly = run("demo", "--quick", "--rt-epochs", "0", "--dense", zip.toString(), "--out",
                noRt.toString(), "--quiet");
        assertEquals(0, conversionOnly.exit(), conversionOnly.err() + conversionOnly.out());
        assertTrue(conversionOnly.out().contains("| no RT |") && !conversionOnly.out().contains("RT best epoch"),
                conversionOnly.out());
        JsonNode u = new ObjectMapper().readTree(noRt.resolve("summary.json").toFile());
        assertEquals(0, u.get("rtEpochs").asInt());
        for (String f : List.of("rampEpochs", "keepZeros", "rtBestEpoch", "rtLearningRate")) {
            assertTrue(u.get(f).isNull(), f + " in " + u);
        }
        assertFalse(conversionOnly.err().contains("warning: C keeps no"), conversionOnly.err());

        // --theta 1 zeroes every coefficient: demo warns as convert, decompose and train do (it printed the table's
        // density 0 without a word; found by session 43's CLI hunt), and the run still succeeds
        Path allZero = dir.resolve("all-zero");
        CliRun zeroC = run("demo", "--quick", "--rt-epochs", "0", "--theta", "1", "--dense", zip.toString(), "--out",
                allZero.toString(), "--quiet");
        assertEquals(0, zeroC.exit(), zeroC.err() + zeroC.out());
        assertTrue(zeroC.err().contains("warning: C keeps no non-zero coefficient in fc1, fc2, fc3 (C density 0): W = C*B "
                + "is zero there; a lower --theta"), zeroC.err());
    }

    /**
     * What the user gives is checked before any training, and a failed run leaves an earlier run's folder
     * byte for byte as it was. The dataset folder given is empty: had a check come after the data is
     * loaded (and training started), the error would be the missing dataset instead.
     */
    @Test
    void badPlanOutOrDenseFailsBeforeTrainingAndLeavesAnEarlierRunAlone(@TempDir Path tmp) throws IOException {
        Path earlier = Files.createDirectories(tmp.resolve("earlier"));
        for (String f : List.of("lenet300-dense.zip", "lenet300.sdm", "summary.json", "report.json")) {
            Files.writeString(earlier.resolve(f), "an earlier run's " + f);
        }
        Map<String, String> before = CliRun.files(earlier);
        Path noData = Files.createDirectories(tmp.resolve("no-data"));
        Path conv1 = Files.writeString(tmp.resolve("conv1.json"), "{\"layers\": {\"conv1\": {\"skip\": true}}}");
        Path sdm = Files.writeString(tmp.resolve("model.sdm"), "not read");
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        // LeNet-300-100's 266,610 parameters in another MLP, 784-284-148-10: trained and converted as the demo's before
        Path other = tmp.resolve("mlp-284-148.zip");
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork mlp = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(
                new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().list()
                        .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(784).nOut(284).build())
                        .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(284).nOut(148).build())
                        .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nIn(148).nOut(10)
                                .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                        .build());
        mlp.init();
        assertEquals(266_610, mlp.numParams());
        org.deeplearning4j.util.ModelSerializer.writeModel(mlp, other.toFile(), false);
        String[][] cases = {
            // a plan naming a layer LeNet-300-100 lacks: the message of convert's check, exit 3, no stack trace
            {"--plan", conv1.toString(), "--plan " + conv1 + ": plan.layers names layers the network does not have: [conv1]",
                "[fc1, fc2, fc3]"},
            {"--plan", tmp.resolve("none.json").toString(), "--plan '" + tmp.resolve("none.json") + "' is neither an "
                + "existing file nor a shipped plan name; shipped plans: resnet18-cifar10, "},
            {"--plan", tmp.toString(), "--plan " + tmp + ": is a directory, expected a plan JSON file"},
            // a shipped plan's name is resolved as convert resolves it, then refused by the same check: its layers
            // (conv1 first, Table X's ResNet-18) are another network's
            {"--plan", "resnet18-cifar10", "--plan resnet18-cifar10: plan.layers names layers the network does not "
                + "have: [conv1, ", "[fc1, fc2, fc3]"},
            {"--dense", sdm.toString(), "--dense " + sdm + ": not a DL4J ModelSerializer .zip of LeNet-300-100"},
            {"--dense", other.toString(), "--dense " + other + ": not LeNet-300-100: layer 0 (layer0) has W [784, 284], "
                + "the zoo model's [784, 300]"},
            // a plan that is one of the run's outputs would be overwritten by it
            {"--plan", earlier.resolve("summary.json").toString(), "--plan " + earlier.resolve("summary.json")
                + " is the output file", "inputs are never overwritten"},
        };
        for (String[] c : cases) {
            CliRun r = run("demo", "--quick", c[0], c[1], "--out", earlier.toString(), "--data-dir", noData.toString(), "--quiet");
            r.assertUserError(SmartDeal.EXIT_BAD_INPUT, java.util.Arrays.copyOfRange(c, 2, c.length));
            assertFalse(r.out().contains("dense LeNet-300-100"), "nothing trained: " + r.out());
            assertEquals(before, CliRun.files(earlier), c[0] + " " + c[1]);
        }
        // --quick's one RT epoch is a default: a ramp longer than it is refused as such, an explicit --rt-epochs is
        // honoured (this run gets past the check and stops at the missing data)
        run("demo", "--quick", "--ramp-epochs", "3", "--out", earlier.toString(), "--data-dir", noData.toString(),
                "--quiet").assertUserError(SmartDeal.EXIT_USAGE, "--ramp-epochs must be in [0, --rt-epochs = 1], got 3");
        run("demo", "--quick", "--rt-epochs", "4", "--ramp-epochs", "3", "--out", earlier.toString(), "--data-dir",
                noData.toString(), "--quiet").assertUserError(SmartDeal.EXIT_BAD_INPUT, noData.toString());
        assertEquals(before, CliRun.files(earlier));
        // --out naming a file, or a folder whose parent cannot be a folder: exit 3 naming --out and the path
        run("demo", "--quick", "--out", file.toString(), "--data-dir", noData.toString(), "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--out " + file + " exists and is not a folder");
        run("demo", "--quick", "--out", file.resolve("sub").toString(), "--data-dir", noData.toString(), "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--out " + file.resolve("sub"), "cannot be created",
                        file + " is a file, not a folder");
        assertEquals("x", Files.readString(file));
        // an output file that is a folder in --out
        Path clash = Files.createDirectories(tmp.resolve("clash").resolve("summary.json"));
        run("demo", "--quick", "--out", clash.getParent().toString(), "--data-dir", noData.toString(), "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, clash + ": is a directory, expected a file");
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "no /proc: skipping the /proc/x case");
        CliRun p = run("demo", "--quick", "--out", "/proc/x", "--data-dir", noData.toString(), "--quiet");
        p.assertUserError(SmartDeal.EXIT_BAD_INPUT, "--out /proc/x: the folder does not exist and cannot be created");
        assertFalse(p.err().contains(".partial") || p.err().contains(".tmp"), p.err());
    }

    /**
     * Options that would have no effect are usage errors, before any work: --epochs when --dense gives the trained
     * network, and the re-training options with --rt-epochs 0 (named as typed). The dataset folder given is empty, so
     * a check that came after loading the data would fail on the data instead.
     */
    @Test
    void optionsWithoutEffectAreUsageErrors(@TempDir Path tmp) throws IOException {
        Path noData = Files.createDirectories(tmp.resolve("no-data"));
        Path dense = Files.writeString(tmp.resolve("lenet300-dense.zip"), "not read");
        String[] common = {"--out", tmp.resolve("out").toString(), "--data-dir", noData.toString(), "--quiet"};
        String[][] cases = {
            {"--quick", "--epochs", "3", "--dense", dense.toString()},
            {"--quick", "--rt-epochs", "0", "--rt-lr", "0.1"},
            {"--quick", "--rt-epochs", "0", "--no-keep-zeros"},
            {"--rt-epochs", "0", "--keep-zeros"},
            {"--quick", "--rt-epochs", "0", "--ramp-epochs", "0"},
        };
        String[][] messages = {
            {"--epochs applies to dense training only, and --dense " + dense + " gives the trained network",
                "--epochs 3"},
            {"--rt-lr applies to re-training only: --rt-epochs 0 trains no epoch"},
            {"--no-keep-zeros applies to re-training only: --rt-epochs 0 trains no epoch"},
            {"error: --keep-zeros applies to re-training only"},
            {"--ramp-epochs applies to re-training only", "give --rt-epochs N (N >= 1)"},
        };
        for (int i = 0; i < cases.length; i++) {
            String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("demo"),
                    java.util.stream.Stream.concat(java.util.Arrays.stream(cases[i]), java.util.Arrays.stream(common)))
                    .toArray(String[]::new);
            run(args).assertUserError(SmartDeal.EXIT_USAGE, messages[i]);
        }
        assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
        // --rt-epochs 0 alone passes the option checks and stops at the missing data
        run("demo", "--quick", "--rt-epochs", "0", "--out", tmp.resolve("out").toString(), "--data-dir",
                noData.toString(), "--quiet").assertUserError(SmartDeal.EXIT_BAD_INPUT, noData.toString());
    }

    @Test
    void rampLongerThanRtIsAnOptionError(@TempDir Path dir) {
        CliRun r = run("demo", "--rt-epochs", "3", "--ramp-epochs", "4", "--out", dir.toString());
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("--ramp-epochs must be in [0, --rt-epochs = 3], got 4"), r.err());
    }

    /**
     * A --dense zip saved with a data normaliser expects its inputs processed by it (evaluate applies it), while demo
     * trains and scores on Fashion-MNIST pixels scaled to [0, 1] and its .sdm carries none: such a zip was taken
     * with the normaliser silently dropped. It is refused before any work (exit 3, naming the normaliser); an
     * ImagePreProcessingScaler to [0, 1] gives exactly demo's pixels and is taken (the run then stops at the
     * missing data).
     */
    @Test
    void aDenseZipWithADataNormaliserDemoDoesNotApplyIsRefused(@TempDir Path tmp) throws IOException {
        Path noData = Files.createDirectories(tmp.resolve("no-data"));
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = org.smartdeal.zoo.models.LeNet300.build(
                org.smartdeal.zoo.models.InputShape.MNIST, FashionMnist.CLASSES, 1,
                new org.nd4j.linalg.learning.config.Adam(1e-3)).init();
        org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize standardize =
                new org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize();
        // fitted on 10 random rows: any fitted statistics make the point
        standardize.fit(new org.nd4j.linalg.dataset.DataSet(org.nd4j.linalg.factory.Nd4j.rand(10, 784),
                org.nd4j.linalg.factory.Nd4j.zeros(10, 10)));
        Path standardized = tmp.resolve("standardized.zip");
        org.deeplearning4j.util.ModelSerializer.writeModel(net, standardized.toFile(), false);
        org.deeplearning4j.util.ModelSerializer.addNormalizerToModel(standardized.toFile(), standardize);
        Path out = tmp.resolve("out");
        run("demo", "--quick", "--dense", standardized.toString(), "--out", out.toString(), "--data-dir",
                noData.toString(), "--quiet").assertUserError(SmartDeal.EXIT_BAD_INPUT, "--dense " + standardized
                + ": holds a data normaliser (NormalizerStandardize", "demo trains and scores on Fashion-MNIST pixels "
                + "scaled to [0, 1]");
        assertFalse(Files.exists(out));
        // a scaler to [-1, 1] changes the pixels too
        Path minusOne = tmp.resolve("minus-one.zip");
        org.deeplearning4j.util.ModelSerializer.writeModel(net, minusOne.toFile(), false);
        org.deeplearning4j.util.ModelSerializer.addNormalizerToModel(minusOne.toFile(),
                new org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler(-1, 1));
        run("demo", "--quick", "--dense", minusOne.toString(), "--out", out.toString(), "--data-dir",
                noData.toString(), "--quiet").assertUserError(SmartDeal.EXIT_BAD_INPUT, "--dense " + minusOne
                + ": holds a data normaliser (ImagePreProcessingScaler");
        // 0-255 to [0, 1] is what demo gives the network: taken, and the run goes on to read the data
        Path unit = tmp.resolve("unit.zip");
        org.deeplearning4j.util.ModelSerializer.writeModel(net, unit.toFile(), false);
        org.deeplearning4j.util.ModelSerializer.addNormalizerToModel(unit.toFile(),
                new org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler(0, 1));
        CliRun r = run("demo", "--quick", "--dense", unit.toString(), "--out", out.toString(), "--data-dir",
                noData.toString(), "--quiet");
        r.assertUserError(SmartDeal.EXIT_BAD_INPUT, noData.toString());
        assertFalse(r.err().contains("normaliser"), r.err());
    }
}
