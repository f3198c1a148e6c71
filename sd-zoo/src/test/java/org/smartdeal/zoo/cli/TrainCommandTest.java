package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.smartdeal.codec.SdModelFile;
import org.smartdeal.zoo.data.FashionMnist;

/**
 * {@code smartdeal train}: a small run per variant and task (skipped with a reason when Fashion-MNIST is
 * absent) and option errors (exit 2, message naming the option, the rule and the value).
 */
class TrainCommandTest {

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /**
     * --swa-start's default as the help states it and as the settings compute it: half the epochs rounded down, at
     * least 1 (by hand: 80 -> 40, 3 -> 1, 1 -> 1). The help said "epochs/2", which for --epochs 1 reads 0 or 0.5,
     * outside the option's own range [1, epochs].
     */
    @Test
    void theHelpGivesTheSwaStartDefaultTheSettingsUse() {
        for (int[] c : new int[][] {{80, 40}, {3, 1}, {1, 1}}) {
            assertEquals(c[1], org.smartdeal.zoo.recipes.TrainingSettings.builder(
                    org.smartdeal.zoo.data.TaskSplits.Task.FINETUNE, org.smartdeal.zoo.recipes.Variant.SD,
                    org.smartdeal.zoo.models.ZooModel.LENET300).epochs(c[0]).build().swaStart(), "epochs " + c[0]);
        }
        CliRun help = run("train", "--help");
        assertEquals(0, help.exit(), help.err());
        String text = help.out().replaceAll("\\s+", " ");
        assertTrue(text.contains("in [1, epochs]; default half the epochs, rounded down, at least 1"), text);
    }

    private static void requireData() {
        Path dir = FashionMnist.resolveDir(null);
        assumeTrue(FashionMnist.isAvailable(dir),
                "Fashion-MNIST not installed in " + dir + " (apt-get install dataset-fashion-mnist): skipping training run");
    }

    /**
     * 2,000 training examples (1,000 source, 1,000 target for fine-tuning; about 1,000 / 1,000 by class
     * for adaptation), 1 pre-training and 2 training epochs. The bounds are chance-based: 10 classes give
     * 0.1 for fine-tuning, the 5 target classes 0.2 for adaptation; a working run is far above 2x chance.
     */
    @ParameterizedTest
    @CsvSource({"finetune,va", "finetune,sd", "finetune,ss", "adapt,va", "adapt,sd"})
    void smallRunWritesSummaryAndModel(String task, String variant, @TempDir Path dir) throws IOException {
        requireData();
        CliRun r = run("train", "--task", task, "--variant", variant, "--arch", "lenet300", "--epochs", "2",
                "--swa-start", "1", "--pretrain-epochs", "1", "--limit", "2000", "--out", dir.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains("training epoch 2/2"), r.out());
        // the epoch lines count C's bucket switches only where there is a C: not in pre-training, not in VA
        assertTrue(r.out().contains("pre-training epoch 1/1"), r.out());
        assertTrue(r.out().lines().filter(l -> l.contains("pre-training epoch 1/1"))
                .noneMatch(l -> l.contains("switched")), r.out());
        assertEquals(!variant.equals("va"), r.out().lines().filter(l -> l.contains("training epoch 2/2"))
                .anyMatch(l -> l.matches(".* C entr(y|ies) switched,.*")), r.out());
        // SWA from epoch 1 of 2 averages the weights at the end of both
        assertTrue(r.out().contains("SWA: the weights of 2 epochs averaged (from epoch 1)"), r.out());
        // the settings line names what the variant uses: no thresholds for va, which trains dense
        String header = r.out().lines().filter(l -> l.startsWith("lenet300 " + task + " " + variant + ": 2 epochs"))
                .findFirst().orElseThrow(() -> new AssertionError("no settings line: " + r.out()));
        assertEquals(!variant.equals("va"), header.contains("theta 0.00700000, theta_g 0.00500000, theta_c 7"), header);
        assertTrue(header.contains("pre-train 1 epoch,"), header);
        assertFalse(r.out().contains("1 epochs"), r.out());
        // an SD model's file in bits, "other" included (ALGORITHMS.md 4.3); VA writes a DL4J zip and no such line
        java.util.Optional<String> bits = r.out().lines().filter(l -> l.startsWith("model bits: index ")).findFirst();
        assertEquals(!variant.equals("va"), bits.isPresent(), r.out());
        if (bits.isPresent()) {
            long size = Files.size(dir.resolve("lenet300-" + task + "-" + variant + ".sdm"));
            assertTrue(bits.get().endsWith("; total " + 8 * size + " bits = " + size + " bytes"), bits.get());
        }
        JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertEquals(task, s.get("task").asText());
        // settings a variant does not use are null in the summary
        for (String key : List.of("theta", "thetaG", "thetaC", "perLayerSwitch", "layerThetas", "denseLayers")) {
            assertEquals(variant.equals("va"), s.get(key).isNull(), key + " in " + s);
        }
        for (String key : List.of("structuredRatio", "layerRatios")) {
            assertEquals(!variant.equals("ss"), s.get(key).isNull(), key + " in " + s);
        }
        assertEquals(variant, s.get("variant").asText());
        assertEquals(2, s.get("epochs").asInt());
        assertFalse(s.get("perLayerSwitch").asBoolean(), "one bucket switch by default");
        double chance = task.equals("finetune") ? 0.1 : 0.2;
        assertTrue(s.get("accuracy").asDouble() > 2 * chance, "accuracy " + s.get("accuracy"));
        String ext = variant.equals("va") ? ".zip" : ".sdm";
        Path model = dir.resolve("lenet300-" + task + "-" + variant + ext);
        assertTrue(Files.isRegularFile(model), model + " missing");
        assertEquals(Files.size(model), s.get("modelBytes").asLong());
        assertTrue(s.get("seconds").asDouble() > 0);
        assertEquals(2, s.get("epochLog").size());
        assertFalse(r.err().contains("warning: C keeps no non-zero coefficient"), r.err());
        if (variant.equals("va")) {
            // LeNet-300-100 has 266,610 parameters (ModelStatsTest); SGD with momentum holds value + momentum,
            // 4 + 4 bytes each.
            assertEquals(266_610L * 8, s.get("trainableStateBytes").asLong());
            assertTrue(s.get("coefficientDensity").isNull());
        } else {
            assertTrue(s.get("trainableStateBytes").asLong() < 266_610L * 8,
                    "SD state " + s.get("trainableStateBytes") + " must be below the dense 2,132,880 bytes");
            double density = s.get("coefficientDensity").asDouble();
            assertTrue(density > 0 && density < 1, "density " + density);
        }
    }

    /**
     * SS adaptation with a per-layer ratio, a per-layer theta, a bucket switch per layer and the classifier
     * left dense: all in the log, the summary and the file (the converter gives an SD layer the power of two at
     * or below its theta as its forward projection threshold: fc1 7e-3 -> 2^-8, fc2 0.02 -> 2^-6; the bucket
     * switches' minCoeff is the smallest power of two at or above each theta: fc1 2^-7, fc2 2^-5).
     */
    @Test
    void layerRatiosDenseLayersAndPerLayerSwitchReachSummaryAndFile(@TempDir Path dir) throws IOException {
        requireData();
        CliRun r = run("train", "--task", "adapt", "--variant", "ss", "--arch", "lenet300", "--epochs", "2",
                "--lr", "1e-2", "--swa-start", "1", "--pretrain-epochs", "1", "--limit", "2000", "--layer-ratios",
                "fc1=0.1", "--layer-thetas", "fc2=0.02", "--dense-layers", "fc3", "--per-layer-switch",
                "--out", dir.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains("structured ratio 0.300000 (fc1=0.100000), dense layers [fc3], a bucket switch per"
                + " layer"), r.out());
        assertTrue(r.out().contains("theta 0.00700000 (fc2=0.0200000)"), r.out());
        assertTrue(r.out().contains("bucket switch per layer: minCoeff fc1=0.0078125, fc2=0.03125"), r.out());
        JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertTrue(s.get("perLayerSwitch").asBoolean(), s.toString());
        assertEquals(0.1, s.get("layerRatios").get("fc1").asDouble());
        assertEquals(1, s.get("layerRatios").size());
        assertEquals(0.02, s.get("layerThetas").get("fc2").asDouble());
        assertEquals("fc3", s.get("denseLayers").get(0).asText());
        // plumbing, not accuracy: 16 minibatches at lr 1e-2 leave the new classifier near chance (0.2), so the
        // check is that training moved it above chance and that the file, fc3's float weights included, gives
        // back the trained network's accuracy (B's int8 rounding aside)
        assertTrue(s.get("accuracy").asDouble() > 0.25, "accuracy " + s.get("accuracy"));
        assertEquals(s.get("accuracy").asDouble(), s.get("fileAccuracy").asDouble(), 0.01);
        MultiLayerNetwork net = (MultiLayerNetwork) SdModelFile.read(dir.resolve("lenet300-adapt-ss.sdm"));
        assertEquals(java.util.Set.of("W", "b"), net.getLayer(2).paramTable().keySet());
        assertEquals(0x1p-8, ((org.smartdeal.layers.SdLayer) net.getLayer(0).conf().getLayer()).getTheta());
        assertEquals(0x1p-6, ((org.smartdeal.layers.SdLayer) net.getLayer(1).conf().getLayer()).getTheta());
        assertTrue(net.getLayer(0).paramTable().containsKey("C"));
    }

    /**
     * A validation hold-out: 200 of the 1,000 fine-tuning target examples are held out, so 800 are trained
     * on; the validation accuracy is reported beside the test accuracy, and the test set is scored only at
     * the end (the intermediate checks name the validation set).
     */
    @Test
    void validationHoldOutIsReportedAndNotTrainedOn(@TempDir Path dir) throws IOException {
        requireData();
        CliRun r = run("train", "--task", "finetune", "--variant", "sd", "--arch", "lenet300", "--epochs", "2",
                "--swa-start", "1", "--pretrain-epochs", "1", "--limit", "2000", "--validation", "200",
                "--out", dir.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains("validation: 200 of the 1000 target examples held out, 800 trained on"), r.out());
        assertTrue(r.out().contains("pre-trained dense lenet300: validation accuracy"), r.out());
        assertTrue(r.out().matches("(?s).*decomposed \\(theta [^\\n]*, validation accuracy [0-9.]+\\R.*"),
                "decomposition is checked on the validation set: " + r.out());
        assertTrue(r.out().matches("(?s).*lenet300 finetune sd: validation accuracy [0-9.]+, test accuracy [0-9.]+ .*"),
                r.out());
        JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertEquals(800, s.get("targetExamples").asInt());
        assertEquals(200, s.get("validationExamples").asInt());
        assertEquals(2000, s.get("testExamples").asInt());
        double v = s.get("validationAccuracy").asDouble();
        assertTrue(v > 0.2 && v <= 1, "validation accuracy " + v + " must be above 2x chance (0.1)");
        assertTrue(s.get("accuracy").asDouble() > 0.2, "test accuracy " + s.get("accuracy"));
    }

    /**
     * --seal-test: the output shows the validation accuracy but no test accuracy ("test accuracy sealed"),
     * summary.json has no accuracy, fileAccuracy or loss and points to sealed-test.json, which has all three.
     */
    @Test
    void sealedTestFiguresAreOnlyInTheSealedFile(@TempDir Path dir) throws IOException {
        requireData();
        CliRun r = run("train", "--task", "finetune", "--variant", "va", "--arch", "lenet300", "--epochs", "1",
                "--pretrain-epochs", "1", "--limit", "2000", "--validation", "200", "--seal-test",
                "--out", dir.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().matches("(?s).*lenet300 finetune va: validation accuracy [0-9.]+, test accuracy sealed, .*"),
                r.out());
        assertFalse(r.out().contains("reloaded file"), r.out());
        assertTrue(r.out().contains("test figures sealed in " + dir.resolve("sealed-test.json")), r.out());
        JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertFalse(s.has("accuracy") || s.has("fileAccuracy") || s.has("loss"), s.toString());
        assertEquals("sealed-test.json", s.get("testSealed").asText());
        assertTrue(s.get("validationAccuracy").asDouble() > 0.2, s.toString());
        JsonNode t = new ObjectMapper().readTree(dir.resolve("sealed-test.json").toFile());
        assertTrue(t.get("accuracy").asDouble() > 0.2, "test accuracy above 2x chance: " + t);
        // the VA .zip reloads bit-identically, so the file's accuracy is the trained network's
        assertEquals(t.get("accuracy").asDouble(), t.get("fileAccuracy").asDouble(), 0.0, t.toString());
        assertTrue(t.get("loss").asDouble() > 0, t.toString());
        // the file names its run: a later run into the folder that does not seal leaves it, with a note
        assertEquals("va", t.get("variant").asText());
        assertEquals(s.get("seed").asLong(), t.get("seed").asLong());
        assertEquals(s.get("modelFile").asText(), t.get("modelFile").asText());
        CliRun again = run("train", "--task", "finetune", "--variant", "va", "--arch", "lenet300", "--epochs", "1",
                "--pretrain-epochs", "1", "--limit", "2000", "--validation", "200", "--out", dir.toString(), "--quiet");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.err().contains("note: " + dir.resolve("sealed-test.json") + " is an earlier sealed run's; this "
                + "run's test figures are in summary.json"), again.err());
        assertEquals(t, new ObjectMapper().readTree(dir.resolve("sealed-test.json").toFile()));
    }

    @Test
    void optionsOfOtherVariantsAndAFileAsOutAreRejected(@TempDir Path dir) throws java.io.IOException {
        CliRun r = run("train", "--task", "finetune", "--variant", "va", "--arch", "lenet300", "--structured-ratio", "0.3",
                "--out", dir.toString(), "--quiet");
        assertEquals(SmartDeal.EXIT_USAGE, r.exit(), r.err());
        assertTrue(r.err().contains("--structured-ratio applies to --variant ss only, got --variant va"), r.err());
        // a usage error is the message and a pointer to --help, not the whole option list
        assertTrue(r.err().startsWith("error: --structured-ratio applies"), r.err());
        assertTrue(r.err().contains("Try 'smartdeal train --help' for the options.") && !r.err().contains("Usage:"), r.err());
        r = run("train", "--task", "finetune", "--variant", "va", "--arch", "lenet300", "--per-layer-switch",
                "--out", dir.toString(), "--quiet");
        assertEquals(SmartDeal.EXIT_USAGE, r.exit(), r.err());
        assertTrue(r.err().contains("--per-layer-switch applies to --variant sd and ss only (va is trained dense,"
                + " with no decomposition and no bucket switch), got --variant va"), r.err());
        for (String[] opt : new String[][] {{"--theta", "0.01"}, {"--layer-thetas", "fc1=0.05"}, {"--dense-layers", "fc3"},
                {"--theta-g", "0.01"}, {"--theta-c", "5"}}) {
            r = run("train", "--task", "finetune", "--variant", "va", "--arch", "lenet300", opt[0], opt[1],
                    "--out", dir.toString(), "--quiet");
            assertEquals(SmartDeal.EXIT_USAGE, r.exit(), opt[0] + ": " + r.err());
            assertTrue(r.err().contains(opt[0] + " applies to --variant sd and ss only"), r.err());
        }
        Path file = java.nio.file.Files.writeString(dir.resolve("afile"), "x");
        r = run("train", "--task", "finetune", "--variant", "va", "--arch", "lenet300", "--out", file.toString(), "--quiet");
        assertEquals(SmartDeal.EXIT_BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("exists and is not a folder"), r.err());
    }

    @Test
    void sealTestWithoutValidationIsRejected(@TempDir Path dir) {
        CliRun r = run("train", "--task", "finetune", "--variant", "va", "--arch", "lenet300", "--seal-test",
                "--out", dir.toString(), "--quiet");
        assertEquals(SmartDeal.EXIT_USAGE, r.exit(), r.err());
        assertTrue(r.err().contains("--seal-test needs --validation N"), r.err());
    }

    @Test
    void validationAsLargeAsTheTargetSplitIsRejected(@TempDir Path dir) {
        requireData();
        CliRun r = run("train", "--task", "finetune", "--variant", "va", "--arch", "lenet300", "--limit", "2000",
                "--validation", "1000", "--out", dir.toString(), "--quiet");
        assertEquals(SmartDeal.EXIT_USAGE, r.exit(), r.err());
        assertTrue(r.err().contains("--validation must be below the 1000 examples of the target split (after --limit"
                + " 2000), got 1000"), r.err());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--task|transfer|--task must be one of [finetune, adapt], got 'transfer'",
        "--variant|xx|--variant must be one of [va, sd, ss], got 'xx'",
        "--arch|resnet18|--arch must be one of [lenet300, cnn], got 'resnet18'",
        "--epochs|0|--epochs must be in [1, 10000], got 0",
        "--lr|-1|--lr must be in (0, 10], got -1",
        "--theta-g|2|--theta-g must be in [0, 1], got 2",
        "--theta|2|--theta must be in [0.0009765625, 1], got 2",
        "--theta-c|0|--theta-c must be in [1, 127], got 0",
        "--limit|1|--limit must be in [2, 60000], got 1",
        "--validation|0|--validation must be in [1, 60000], got 0",
        "--structured-ratio|1|--structured-ratio must be in [0, 1), got 1",
        "--layer-ratios|fc1:0.2|--layer-ratios: layer ratio 'fc1:0.2' is not of the form name=ratio",
        "--layer-ratios|fc1=x|--layer-ratios: layer ratio 'fc1=x': 'x' is not a number",
        "--layer-ratios|fc1=1.5|--layer-ratios: layer ratio 'fc1=1.5' must be in [0, 1), got 1.5",
        "--layer-ratios|fc1=0.1,fc1=0.2|--layer-ratios: layer ratio for 'fc1' is given twice",
        "--layer-ratios|conv9=0.1|--layer-ratios names layer 'conv9', which lenet300 does not have; its layers are [fc1, fc2, fc3]",
        "--layer-thetas|fc1=2|--layer-thetas: layer theta 'fc1=2' must be in [0.0009765625, 1], got 2",
        "--layer-thetas|conv9=0.1|--layer-thetas names layer 'conv9', which lenet300 does not have; its layers are [fc1, fc2, fc3]",
        "--dense-layers|fc9|--dense-layers names layer 'fc9', which lenet300 does not have; its layers are [fc1, fc2, fc3]"})
    void badOptionsExitWith2AndNameOptionRuleAndValue(String option, String value, String message) {
        java.util.List<String> args = new java.util.ArrayList<>(
                java.util.List.of("train", "--task", "finetune", "--variant", "sd", "--arch", "lenet300"));
        int at = args.indexOf(option);
        if (at >= 0) {
            args.set(at + 1, value);
        } else {
            args.add(option);
            args.add(value);
        }
        CliRun r = run(args.toArray(String[]::new));
        assertEquals(SmartDeal.EXIT_USAGE, r.exit(), r.err());
        assertTrue(r.err().contains(message), r.err());
    }

    @Test
    void swaStartAfterTheLastEpochIsRejected() {
        CliRun r = run("train", "--task", "adapt", "--variant", "va", "--arch", "cnn", "--epochs", "4", "--swa-start", "5");
        assertEquals(SmartDeal.EXIT_USAGE, r.exit(), r.err());
        assertTrue(r.err().contains("--swa-start must be in [1, 4], got 5"), r.err());
    }

    @Test
    void missingDatasetExitsWith3AndSaysWhereItLooked(@TempDir Path empty) {
        CliRun r = run("train", "--task", "finetune", "--variant", "va", "--arch", "lenet300", "--data-dir", empty.toString(),
                "--out", empty.resolve("out").toString(), "--quiet");
        assertEquals(SmartDeal.EXIT_BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains(empty.toString()) && r.err().contains("dataset-fashion-mnist"), r.err());
    }

    /** Writes an IDX pair of {@code n} blank 28x28 images labelled 0, 1, 0, 1, ... as {@code prefix}-*-ubyte. */
    private static void blankIdx(Path dir, String prefix, int n) throws IOException {
        java.nio.ByteBuffer labels = java.nio.ByteBuffer.allocate(8 + n).putInt(2049).putInt(n);
        for (int i = 0; i < n; i++) {
            labels.put((byte) (i % 2));
        }
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), labels.array());
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), java.nio.ByteBuffer.allocate(16 + n * 784)
                .putInt(2051).putInt(n).putInt(28).putInt(28).array());
    }

    /**
     * The model, sealed-test.json and summary.json appear together, after the run: while the command prints
     * its progress (the recipe's last line comes after the model is saved and reloaded), --out holds none of
     * them; the model used to be written first, on its own. On 40 blank synthetic examples (no dataset
     * needed): 1 pre-training and 1 SD epoch.
     */
    @Test
    void theOutputsAppearTogetherAfterTheRun(@TempDir Path dir) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        blankIdx(data, "train", 40);
        blankIdx(data, "t10k", 4);
        Path out = dir.resolve("out");
        List<String> lines = new java.util.ArrayList<>();
        java.io.Writer watching = new java.io.Writer() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public void write(char[] c, int off, int len) {
                for (int i = off; i < off + len; i++) {
                    if (c[i] != '\n') {
                        line.append(c[i]);
                        continue;
                    }
                    try (java.util.stream.Stream<Path> files = Files.exists(out) ? Files.list(out)
                            : java.util.stream.Stream.empty()) {
                        lines.add(line + " | in --out: " + files.map(p -> p.getFileName().toString()).sorted()
                                .toList());
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    line.setLength(0);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.io.StringWriter err = new java.io.StringWriter();
        int exit = SmartDeal.run(new java.io.PrintWriter(watching, true), new java.io.PrintWriter(err, true), "train",
                "--task", "finetune", "--variant", "sd", "--arch", "lenet300", "--epochs", "1", "--swa-start", "1",
                "--pretrain-epochs", "1", "--batch", "8", "--validation", "4", "--seal-test", "--data-dir",
                data.toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, exit, err + String.join("\n", lines));
        int wrote = 0;
        while (wrote < lines.size() && !lines.get(wrote).startsWith("wrote ")) {
            wrote++;
        }
        assertTrue(wrote < lines.size() && wrote > 3, String.join("\n", lines));
        for (String l : lines.subList(0, wrote)) {
            assertTrue(l.endsWith(" | in --out: []"), "nothing in --out before the end: " + String.join("\n", lines));
        }
        assertTrue(lines.get(wrote).endsWith(" | in --out: [lenet300-finetune-sd.sdm, sealed-test.json, summary.json]"),
                String.join("\n", lines));
    }

    /**
     * --out is checked before the data is read or anything trained (the data folder here is empty: a later
     * check would report the missing dataset instead), and a failed run leaves the folder as it was.
     */
    @Test
    void unwritableOutFailsBeforeTrainingAndLeavesTheFolderAlone(@TempDir Path dir) throws IOException {
        Path noData = Files.createDirectories(dir.resolve("no-data"));
        Path file = Files.writeString(dir.resolve("afile"), "x");
        run("train", "--task", "finetune", "--variant", "va", "--arch", "lenet300", "--data-dir", noData.toString(),
                "--out", file.resolve("sub").toString(), "--quiet").assertUserError(SmartDeal.EXIT_BAD_INPUT,
                "--out " + file.resolve("sub") + ": the folder does not exist and cannot be created (" + file
                        + " is a file, not a folder)");
        Path earlier = Files.createDirectories(dir.resolve("earlier"));
        Files.writeString(earlier.resolve("lenet300-finetune-va.zip"), "an earlier model");
        Files.createDirectories(earlier.resolve("summary.json"));
        var before = CliRun.files(earlier);
        run("train", "--task", "finetune", "--variant", "va", "--arch", "lenet300", "--data-dir", noData.toString(),
                "--out", earlier.toString(), "--quiet").assertUserError(SmartDeal.EXIT_BAD_INPUT,
                earlier.resolve("summary.json") + ": is a directory, expected a file");
        assertEquals(before, CliRun.files(earlier));
        // the model file the recipe writes is checked up front too
        Path modelDir = Files.createDirectories(dir.resolve("model-dir").resolve("lenet300-finetune-sd.sdm"));
        run("train", "--task", "finetune", "--variant", "sd", "--arch", "lenet300", "--data-dir", noData.toString(),
                "--out", modelDir.getParent().toString(), "--quiet").assertUserError(SmartDeal.EXIT_BAD_INPUT,
                modelDir + ": is a directory, expected a file");
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "no /proc: skipping the /proc/x case");
        run("train", "--task", "finetune", "--variant", "va", "--arch", "lenet300", "--data-dir", noData.toString(),
                "--out", "/proc/x", "--quiet").assertUserError(SmartDeal.EXIT_BAD_INPUT,
                "--out /proc/x: the folder does not exist and cannot be created");
    }

    /**
     * A layer left dense takes no structured ratio and no threshold: naming it in both is a usage error
     * (with an empty data folder and a temporary --out, so that a regression fails fast and writes nothing here).
     */
    @Test
    void denseLayersContradictingPerLayerSettingsAreUsageErrors(@TempDir Path dir) {
        String[] common = {"train", "--task", "finetune", "--arch", "lenet300", "--data-dir", dir.toString(),
            "--out", dir.resolve("out").toString(), "--quiet"};
        run(concat(common, "--variant", "ss", "--dense-layers", "fc1", "--layer-ratios", "fc1=0.2"))
                .assertUserError(SmartDeal.EXIT_USAGE, "--layer-ratios names layer 'fc1', which --dense-layers leaves dense");
        run(concat(common, "--variant", "sd", "--dense-layers", "fc2,fc1", "--layer-thetas", "fc1=0.05"))
                .assertUserError(SmartDeal.EXIT_USAGE, "--layer-thetas names layer 'fc1', which --dense-layers leaves dense");
    }

    /**
     * A structured ratio that would zero every row of a layer's units is refused before any work (exit 2), by the
     * option that gave it, with the largest ratio allowed there: the converter's rule, checked on the architecture
     * before pre-training rather than after it. CNN conv1 units have 3 rows (1 channel, 3x3 kernel):
     * ceil(0.9 x 3) = 3; LeNet-300-100's fc1 units have their 784 inputs in ceil(784 / 3) = 262 rows of the basis width,
     * fc3's their 100 in 34. The data folder is empty, so a run that got past the
     * options would stop at the data (exit 3) instead of training; nothing appears in --out.
     */
    @Test
    void aStructuredRatioThatZeroesALayerIsAUsageErrorBeforeTraining(@TempDir Path dir) {
        Path out = dir.resolve("out");
        String[] common = {"train", "--variant", "ss", "--data-dir", dir.toString(), "--out", out.toString(), "--quiet",
            "--pretrain-epochs", "1", "--epochs", "1", "--limit", "1000"};
        java.util.Map<String, String> before = CliRun.files(dir);
        run(concat(common, "--task", "adapt", "--arch", "cnn", "--layer-ratios", "conv1=0.9"))
                .assertUserError(SmartDeal.EXIT_USAGE, "error: --layer-ratios conv1=0.9 would zero every row of conv1's "
                        + "units (3 rows each", "at most 2/3 there");
        // every layer the option would empty is named, so that one correction is enough: 0.9999 prunes
        // ceil(0.9999 x 262) = 262 rows of fc1 and ceil(0.9999 x 100) = 100 of fc2 (the classifier takes no global ratio)
        run(concat(common, "--task", "finetune", "--arch", "lenet300", "--structured-ratio", "0.9999"))
                .assertUserError(SmartDeal.EXIT_USAGE, "error: --structured-ratio 0.9999 would zero every row of fc1's "
                        + "units (262 rows each", "at most 261/262 there; so would it in fc2 (100 rows each, at most "
                        + "99/100)");
        // conv2's units have 16 channels x 3 rows = 48: ceil(0.99 x 48) = 48; fc1's own 0.5 leaves rows
        run(concat(common, "--task", "adapt", "--arch", "cnn", "--layer-ratios", "conv1=0.9,conv2=0.99,fc1=0.5"))
                .assertUserError(SmartDeal.EXIT_USAGE, "at most 2/3 there; so would --layer-ratios conv2=0.99 (48 rows "
                        + "each, at most 47/48)");
        // the classifier is pruned only when --layer-ratios names it, and is refused by that option then
        run(concat(common, "--task", "finetune", "--arch", "lenet300", "--layer-ratios", "fc3=0.999"))
                .assertUserError(SmartDeal.EXIT_USAGE, "--layer-ratios fc3=0.999 would zero every row of fc3's units",
                        "at most 33/34 there");
        assertEquals(before, CliRun.files(dir), "nothing written");
        assertFalse(Files.exists(out));
        // the largest ratio allowed passes the options and stops at the missing data
        assertEquals(SmartDeal.EXIT_BAD_INPUT, run(concat(common, "--task", "adapt", "--arch", "cnn", "--layer-ratios",
                "conv1=0.66")).exit());
    }

    /**
     * --structured-ratio prunes the layers that have no ratio of their own, the classifier and the --dense-layers
     * excepted (TrainingSettings.ratioFor): when --layer-ratios (with --dense-layers) covers every one of them, it
     * prunes nothing. Such a run was accepted, and summary.json reported the ignored ratio as the run's
     * structuredRatio; it is a usage error now, as a ratio for a layer left dense is. lenet300's layers that take it
     * are fc1 and fc2 (fc3 is the classifier); the cnn's conv1, conv2, conv3 and fc1 (fc2 is). The data folder is
     * empty: a run that gets past the options stops at the data (exit 3).
     */
    @Test
    void aStructuredRatioThatNoLayerTakesIsAUsageError(@TempDir Path dir) {
        Path out = dir.resolve("out");
        String[] common = {"train", "--variant", "ss", "--data-dir", dir.toString(), "--out", out.toString(), "--quiet"};
        run(concat(common, "--task", "finetune", "--arch", "lenet300", "--structured-ratio", "0.5", "--layer-ratios",
                "fc2=0.2,fc1=0.1")).assertUserError(SmartDeal.EXIT_USAGE, "error: --structured-ratio 0.5 applies to no "
                + "layer: --layer-ratios gives every layer it would prune (fc1, fc2; not the classifier fc3) a ratio of "
                + "its own; leave out --structured-ratio or one of those entries");
        run(concat(common, "--task", "adapt", "--arch", "cnn", "--structured-ratio", "0.2", "--layer-ratios",
                "conv1=0,conv2=0.1,conv3=0.2", "--dense-layers", "fc1")).assertUserError(SmartDeal.EXIT_USAGE,
                "--structured-ratio 0.2 applies to no layer: --layer-ratios gives every layer it would prune (conv1, "
                + "conv2, conv3; not the classifier fc2, nor fc1, which --dense-layers leaves dense) a ratio of its own");
        run(concat(common, "--task", "finetune", "--arch", "lenet300", "--structured-ratio", "0.3", "--dense-layers",
                "fc2,fc1")).assertUserError(SmartDeal.EXIT_USAGE, "--structured-ratio 0.3 applies to no layer: "
                + "--dense-layers leaves every layer it would prune dense (fc1, fc2), and the classifier fc3 takes a "
                + "ratio from --layer-ratios only");
        assertFalse(Files.exists(out));
        // a layer without an entry takes it: fc2 here; and the classifier's own entry leaves fc1 and fc2 to it
        assertEquals(SmartDeal.EXIT_BAD_INPUT, run(concat(common, "--task", "finetune", "--arch", "lenet300",
                "--structured-ratio", "0.5", "--layer-ratios", "fc1=0.1")).exit());
        assertEquals(SmartDeal.EXIT_BAD_INPUT, run(concat(common, "--task", "finetune", "--arch", "lenet300",
                "--structured-ratio", "0.5", "--layer-ratios", "fc3=0.1")).exit());
        // without --structured-ratio, covering every layer is how per-layer ratios are given (README's cnn rows)
        assertEquals(SmartDeal.EXIT_BAD_INPUT, run(concat(common, "--task", "adapt", "--arch", "cnn", "--layer-ratios",
                "conv1=0,conv2=0.1,conv3=0.2,fc1=0.3")).exit());
    }

    /**
     * SD or SS with every decomposed layer left dense would write an "sd" model without an SD layer: refused before
     * any work (exit 2), for either architecture and in any order; leaving some layers dense stops at the missing data.
     */
    @Test
    void denseLayersNamingEveryDecomposedLayerAreAUsageError(@TempDir Path dir) {
        Path out = dir.resolve("out");
        String[] common = {"train", "--task", "finetune", "--data-dir", dir.toString(), "--out", out.toString(),
            "--quiet"};
        run(concat(common, "--variant", "sd", "--arch", "lenet300", "--dense-layers", "fc1,fc2,fc3"))
                .assertUserError(SmartDeal.EXIT_USAGE, "error: --dense-layers names every layer of lenet300 that SD "
                        + "decomposes (fc1, fc2, fc3): nothing would be trained in SD form; use --variant va");
        run(concat(common, "--variant", "ss", "--arch", "cnn", "--dense-layers", "fc2,conv1,fc1,conv3,conv2"))
                .assertUserError(SmartDeal.EXIT_USAGE, "--dense-layers names every layer of cnn that SD decomposes "
                        + "(conv1, conv2, conv3, fc1, fc2)", "use --variant va", "got --variant ss");
        assertFalse(Files.exists(out));
        // a name the arch lacks among them is named as such
        run(concat(common, "--variant", "sd", "--arch", "lenet300", "--dense-layers", "fc1,fc2,fc3,fc4"))
                .assertUserError(SmartDeal.EXIT_USAGE, "--dense-layers names layer 'fc4', which lenet300 does not have");
        assertEquals(SmartDeal.EXIT_BAD_INPUT, run(concat(common, "--variant", "sd", "--arch", "lenet300",
                "--dense-layers", "fc1,fc3")).exit());
    }

    /**
     * A per-layer threshold far above fc1's weights leaves its C without a non-zero coefficient: the run goes on
     * (exit 0) and warns on standard error as convert does. 1,000 examples, 1 pre-training and 1 training epoch.
     */
    @Test
    void aLayerWhoseCIsAllZeroIsWarnedAbout(@TempDir Path dir) {
        requireData();
        CliRun r = run("train", "--task", "finetune", "--variant", "sd", "--arch", "lenet300", "--layer-thetas",
                "fc1=0.5", "--epochs", "1", "--pretrain-epochs", "1", "--limit", "1000", "--out", dir.toString(),
                "--quiet");
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.err().startsWith("warning: C keeps no non-zero coefficient in fc1 (C density 0): W = C*B is zero "
                + "there; a lower --theta or --layer-thetas value keeps weights"), r.err());
        assertFalse(r.err().contains("--density"), "train has no --density: " + r.err());
    }

    private static String[] concat(String[] a, String... b) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b)).toArray(String[]::new);
    }

    @Test
    void helpShowsTheDenseLayersSyntaxOnce() {
        CliRun r = run("train", "--help");
        assertEquals(0, r.exit(), r.err());
        String synopsis = r.out().replaceAll("\\s+", " ");
        assertTrue(synopsis.contains("[--dense-layers=NAME[,NAME...]]..."), r.out());
        assertFalse(synopsis.contains("[,NAME[,NAME...]...]"), r.out());
    }
}
