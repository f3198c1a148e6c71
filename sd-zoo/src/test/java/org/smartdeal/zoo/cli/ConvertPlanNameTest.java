package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.Adam;
import org.smartdeal.zoo.models.InputShape;
import org.smartdeal.zoo.models.LeNet300;

/**
 * {@code convert --plan NAME}: a shipped plan is found by name when no file of that name exists; and
 * {@code convert --convert-depthwise} on top of a shipped plan.
 */
class ConvertPlanNameTest {

    @TempDir
    Path dir;

    @Test
    void planArgumentIsAFileOrAShippedPlanName() throws IOException {
        MultiLayerNetwork net = LeNet300.build(InputShape.MNIST, 10, 1, new Adam(1e-3)).init();
        Path zip = dir.resolve("lenet.zip");
        ModelSerializer.writeModel(net, zip.toFile(), false);
        Path sdm = dir.resolve("x.sdm");
        // The shipped ResNet-18 plan is resolved by name; it names layers LeNet does not have.
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SmartDeal.run(new PrintWriter(out, true), new PrintWriter(err, true), "convert", zip.toString(), "--out",
                sdm.toString(), "--plan", "resnet18-cifar10", "--quiet");
        assertEquals(SmartDeal.EXIT_BAD_INPUT, code);
        assertTrue(err.toString().contains("--plan resnet18-cifar10: plan.layers names layers the network does not"
                + " have: ["), err.toString());
        assertTrue(err.toString().contains("layer1.0.conv1"), err.toString());
        // Neither a file nor a shipped name: the error lists the shipped plans.
        err = new StringWriter();
        code = SmartDeal.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "convert", zip.toString(),
                "--out", sdm.toString(), "--plan", "resnet99", "--quiet");
        assertEquals(SmartDeal.EXIT_BAD_INPUT, code);
        assertTrue(err.toString().contains("--plan 'resnet99' is neither an existing file nor a shipped plan name; "
                + "shipped plans: "), err.toString());
        assertTrue(err.toString().contains("mobilenetv2-cifar100"), err.toString());
        assertFalse(Files.exists(sdm));
    }

    /**
     * {@code --convert-depthwise} converts the depthwise layers of the zoo's CIFAR MobileNetV2 (17 of them) on top of the
     * shipped Table XI plan, whose structured ratios still apply; without it they are kept. The report names each
     * depthwise layer's type, and the .sdm holds SD entries of the depthwise shape [3, 3, C, 1].
     */
    @Test
    void convertDepthwiseConvertsTheDepthwiseLayersOfAPlan() throws IOException {
        for (boolean depthwise : new boolean[] {false, true}) {
            Path sdm = dir.resolve("mb-" + depthwise + ".sdm");
            Path csv = dir.resolve("mb-" + depthwise + ".csv");
            StringWriter err = new StringWriter();
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("convert", "--zoo",
                    "mobilenetv2-cifar", "--plan", "mobilenetv2-cifar10", "--out", sdm.toString(), "--report",
                    csv.toString(), "--quiet"));
            if (depthwise) {
                args.add("--convert-depthwise");
            }
            int code = SmartDeal.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                    args.toArray(String[]::new));
            assertEquals(0, code, err.toString());
            java.util.List<String> rows = Files.readAllLines(csv).stream()
                    .filter(l -> l.contains("DepthwiseConvolution")).toList();
            assertEquals(17, rows.size(), rows.toString());
            String type = depthwise ? "SdDepthwiseConvolutionLayer,\"[3, 3, " : "DepthwiseConvolution2D (kept),\"[3, 3, ";
            assertTrue(rows.stream().allMatch(r -> r.contains(type)), rows.toString());
            StringWriter out = new StringWriter();
            assertEquals(0, SmartDeal.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "inspect",
                    sdm.toString()));
            assertEquals(depthwise, out.toString().lines().anyMatch(l -> l.matches("layers\\.0\\.conv2 +SD +\\[3, 3, 32, 1\\].*")),
                    out.toString());
        }
    }

    /**
     * The note on density targets missed by more than 10% names each such layer with its density and target; a layer
     * within 10%, one without a target, one kept dense and a separable layer's depthwise half whose layer has settings
     * of its own are not named (hand-made report rows).
     */
    @Test
    void densityTargetsMissedByMoreThanATenthAreNoted() {
        org.smartdeal.zoo.convert.ConversionPlan plan = org.smartdeal.zoo.convert.ConversionPlan.fromJson(
                "{\"defaults\": {\"density\": 0.25}, \"layers\": {\"c\": {\"theta\": 0.01, \"density\": 0},"
                        + " \"s\": {\"density\": 0.5}}}");
        java.util.List<org.smartdeal.zoo.convert.ConversionReport.Row> rows = java.util.List.of(row("a", true, 0.159),
                row("b", true, 0.26), row("c", true, 0.9), row("d", false, 1.0), row("s_dw", true, 0.9),
                row("s", true, 0.3));
        StringWriter err = new StringWriter();
        ConvertCommand.noteDensityMisses(new PrintWriter(err, true), plan,
                new org.smartdeal.zoo.convert.ConversionReport(rows));
        assertEquals("note: C density more than 10% off the plan's target in a 0.159 (target 0.25), s 0.300 (target "
                + "0.5): the density can jump across a target between two nearby thresholds, and the converter keeps the "
                + "smallest threshold whose density is at most the target; a layer's own theta chooses otherwise\n",
                err.toString());
        StringWriter none = new StringWriter();
        ConvertCommand.noteDensityMisses(new PrintWriter(none, true), plan,
                new org.smartdeal.zoo.convert.ConversionReport(java.util.List.of(row("b", true, 0.26))));
        assertEquals("", none.toString());
    }

    private static org.smartdeal.zoo.convert.ConversionReport.Row row(String name, boolean converted, double cDensity) {
        return new org.smartdeal.zoo.convert.ConversionReport.Row(name, "DenseLayer", "[4, 4]", converted, 16, 1,
                cDensity, cDensity, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1);
    }
}
