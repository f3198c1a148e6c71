package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
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
        CliRun r = run("demo", "--quick", "--rt-epochs", "1", "--out", dir.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err() + r.out());
        JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
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
    }

    @Test
    void rampLongerThanRtIsAnOptionError(@TempDir Path dir) {
        CliRun r = run("demo", "--rt-epochs", "3", "--ramp-epochs", "4", "--out", dir.toString());
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("--ramp-epochs must be in [0, --rt-epochs = 3], got 4"), r.err());
    }
}
