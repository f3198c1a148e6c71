package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.smartdeal.zoo.models.ZooModel;

import picocli.CommandLine;

/** {@code zoo list} prints one row per zoo model with its documented parameter count and MACs. */
class ZooCommandTest {

    /** Trainable parameter counts as asserted (with sources) in ModelStatsTest. */
    private static final Map<String, String> PARAMS = Map.ofEntries(
            Map.entry("lenet300", "266,610"), Map.entry("cnn", "98,442"),
            Map.entry("vgg11", "132,863,336"), Map.entry("vgg16", "138,357,544"), Map.entry("vgg19", "143,667,240"),
            Map.entry("vgg11-cifar", "9,756,426"), Map.entry("vgg16-cifar", "15,253,578"),
            Map.entry("vgg19-cifar", "20,565,834"), Map.entry("resnet18", "11,689,512"),
            Map.entry("resnet50", "25,557,032"), Map.entry("resnet18-cifar", "11,173,962"),
            Map.entry("resnet20", "269,722"), Map.entry("resnet56", "853,018"), Map.entry("resnet164", "1,703,258"),
            Map.entry("mobilenetv2", "3,504,872"), Map.entry("mobilenetv2-cifar", "2,296,922"));

    @Test
    void listPrintsEveryModelWithShapeParamsAndMacs() {
        StringWriter text = new StringWriter();
        CommandLine cli = new CommandLine(new ZooCommand());
        cli.setOut(new PrintWriter(text));
        assertEquals(0, cli.execute("list"));

        List<String> lines = text.toString().lines().collect(Collectors.toList());
        assertTrue(lines.get(0).startsWith("NAME"), lines.get(0));
        Map<String, String[]> rows = lines.stream().skip(1).map(l -> l.trim().split("\\s+"))
                .collect(Collectors.toMap(c -> c[0], Function.identity()));
        assertEquals(ZooModel.names().size(), rows.size());
        for (ZooModel m : ZooModel.values()) {
            String[] row = rows.get(m.id());
            assertEquals(m.defaultInputShape().toString(), row[1], m.id());
            assertTrue(PARAMS.containsKey(m.id()), "zoo model " + m.id() + " has no trainable parameter count in "
                    + "ZooCommandTest.PARAMS: add it (docs/EXTENDING.md 5)");
            assertEquals(PARAMS.get(m.id()), row[3], m.id() + " " + Arrays.toString(row));
        }
        // MACs, independent count (see ModelStatsTest)
        assertEquals("15,470,264,320", rows.get("vgg16")[4]);
        assertEquals("300,774,272", rows.get("mobilenetv2")[4]);
    }

    @Test
    void zooWithoutSubcommandIsUsageErrorListingSubcommands() {
        CliRun r = CliRun.of("zoo");
        assertEquals(SmartDeal.EXIT_USAGE, r.exit(), r.err());
        assertTrue(r.err().contains("Missing required subcommand"), r.err());
        assertTrue(r.err().contains("Commands:") && r.err().contains("list"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void zooWithoutSubcommandBehavesLikeBareSmartdeal() {
        CliRun top = CliRun.of();
        CliRun zoo = CliRun.of("zoo");
        assertEquals(top.exit(), zoo.exit());
        assertEquals(top.err().lines().findFirst(), zoo.err().lines().findFirst());
    }

    @Test
    void zooHelpStillExitsZero() {
        CliRun r = CliRun.of("zoo", "--help");
        assertEquals(SmartDeal.EXIT_OK, r.exit(), r.err());
        assertTrue(r.out().contains("list"), r.out());
    }
}
