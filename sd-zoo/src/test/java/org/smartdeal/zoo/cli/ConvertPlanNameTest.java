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

/** {@code convert --plan NAME}: a shipped plan is found by name when no file of that name exists. */
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
}
