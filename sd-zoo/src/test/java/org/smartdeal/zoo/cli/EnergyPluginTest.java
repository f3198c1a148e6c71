package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smartdeal.hw.model.AcceleratorModel;
import org.smartdeal.hw.model.AcceleratorRegistry;
import org.smartdeal.hw.model.ActionCounts;
import org.smartdeal.hw.model.DianNao;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.Json;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.WeightRep;

/**
 * {@code smartdeal energy} with an accelerator model registered on the class path, as a jar on SMARTDEAL_CLASSPATH
 * registers one (docs/EXTENDING.md 2): here a services file in a temporary folder read through the thread's context
 * class loader, which is the application class path when the launcher runs.
 */
public class EnergyPluginTest {

    @TempDir
    Path dir;

    /** DianNao's action counts under the name {@code plugin-dn}: priced alike, so its ratios to DianNao are exactly 1. */
    public static class PluginDianNao implements AcceleratorModel {
        private final AcceleratorModel dn = new DianNao();

        @Override public String name() { return "plugin-dn"; }
        @Override public String workUnit() { return dn.workUnit(); }
        @Override public ActionCounts count(LayerSpec l, WeightRep w, ActStats act, ArchSpec arch) {
            ActionCounts c = dn.count(l, w, act, arch);
            return new ActionCounts(name(), c.layerId(), c.ccomp(), c.work(), c.peakPerCycle(), c.tiling(), c.actions());
        }
    }

    /** A registered model with a defect: its count fails on every layer (as a division by zero of its own would). */
    public static class FailingPlugin implements AcceleratorModel {
        @Override public String name() { return "failing-plugin"; }
        @Override public String workUnit() { return "MAC"; }
        @Override public ActionCounts count(LayerSpec l, WeightRep w, ActStats act, ArchSpec arch) {
            return fail(l);
        }

        private ActionCounts fail(LayerSpec l) {
            // thrown inside the JDK: the plug-in's line is the second of the trace, not the first
            return java.util.Objects.requireNonNull(null, "no counts for " + l.id());
        }
    }

    /**
     * A registered model that fails is bad input (exit 3) naming the model, its class, where it came from and the line
     * of its code that failed, not an internal error of the command's with a stack trace; nothing is written.
     */
    @Test
    void aRegisteredModelThatFailsIsBadInputNamingItsClassAndLine() throws IOException {
        Path out = dir.resolve("failed");
        CliRun r = registered(() -> CliRun.of("energy", "--paper-model", "resnet164", "--accelerators",
            "diannao,failing-plugin", "--out", out.toString()), FailingPlugin.class.getName());
        r.assertUserError(SmartDeal.EXIT_BAD_INPUT, "accelerator model 'failing-plugin' (" + FailingPlugin.class.getName()
            + ", from file:", "registered on the class path) failed: failing-plugin layer ",
            ": counting failed: NullPointerException \"no counts for ",
            "(at " + FailingPlugin.class.getName() + ".fail(EnergyPluginTest.java:");
        assertTrue(!r.err().contains("internal error"), r.err());
        assertTrue(Files.notExists(out), "nothing written");
    }

    /**
     * {@link EnergyCommand#pluginFailure}: a failure of a model under one of the five names is not a plug-in's (returned
     * as it is, an internal error); a plug-in whose counts the cost model refuses has no line of its own in the trace,
     * and the message names none rather than the cost model's.
     */
    @Test
    void aPluginFailureNamesTheLineOnlyWhenThePluginsCodeThrew() {
        org.smartdeal.hw.spec.Knobs k = org.smartdeal.hw.spec.Knobs.defaults();
        org.smartdeal.hw.spec.Workload w = org.smartdeal.hw.spec.PaperModels.workload("resnet164", k, ArchSpec.paper().withKnobs(k));
        AcceleratorModel builtInName = new FailingPlugin() {
            @Override public String name() { return "diannao"; }
        };
        var e = org.junit.jupiter.api.Assertions.assertThrows(org.smartdeal.hw.dl4j.EnergyReport.PricingException.class,
            () -> org.smartdeal.hw.dl4j.EnergyReport.price(w, "x", List.of(builtInName), k));
        assertTrue(EnergyCommand.pluginFailure(e) == e, "one of the five's names: not a plug-in's failure");
        AcceleratorModel misnamed = new PluginDianNao() {
            @Override public ActionCounts count(LayerSpec l, WeightRep wr, ActStats act, ArchSpec arch) {
                return new DianNao().count(l, wr, act, arch); // named diannao, not plugin-dn
            }
        };
        var refused = org.junit.jupiter.api.Assertions.assertThrows(org.smartdeal.hw.dl4j.EnergyReport.PricingException.class,
            () -> org.smartdeal.hw.dl4j.EnergyReport.price(w, "x", List.of(misnamed), k));
        String m = EnergyCommand.pluginFailure(refused).getMessage();
        assertTrue(m.startsWith("accelerator model 'plugin-dn' (") && m.contains(": the model's counts are named "
            + "'diannao'"), m);
        assertTrue(!m.contains("(at "), m);
    }

    /** Runs {@code body} with a context class loader that also sees a services file listing {@code classNames}. */
    private <T> T registered(Supplier<T> body, String... classNames) throws IOException {
        Path plugin = Files.createTempDirectory(dir, "plugin");
        Path f = plugin.resolve(AcceleratorRegistry.SERVICES_FILE);
        Files.createDirectories(f.getParent());
        Files.write(f, List.of(classNames));
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader cl = new URLClassLoader(new URL[]{plugin.toUri().toURL()}, getClass().getClassLoader())) {
            Thread.currentThread().setContextClassLoader(cl);
            return body.get();
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRegisteredModelIsListedInTheHelpAndPricedByName() throws IOException {
        CliRun help = registered(() -> CliRun.of("energy", "--help"), PluginDianNao.class.getName());
        assertTrue(help.out().replaceAll("\\s+", " ").contains("bitpragmatic, plugin-dn (not with --paper"), help.out());

        Path out = dir.resolve("priced");
        CliRun r = registered(() -> CliRun.of("energy", "--paper-model", "resnet164", "--accelerators",
            "diannao,plugin-dn", "--out", out.toString()), PluginDianNao.class.getName());
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> s = Json.parseObject(Files.readString(out.resolve("summary.json")));
        Map<String, Object> acc = (Map<String, Object>) ((Map<String, Object>) s.get("accelerators")).get("plugin-dn");
        assertEquals(1.0, ((Number) acc.get("energyEfficiencyVsDiannao")).doubleValue(), 0);
        assertEquals(1.0, ((Number) acc.get("speedupVsDiannao")).doubleValue(), 0);
        assertTrue(Files.isRegularFile(out.resolve("models/plugin-dn.json")));

        // without the registration the name is a usage error listing the five
        CliRun unknown = CliRun.of("energy", "--paper-model", "resnet164", "--accelerators", "plugin-dn", "--out",
            dir.resolve("unknown").toString());
        unknown.assertUserError(SmartDeal.EXIT_USAGE, "--accelerators: accelerator must be all or one of "
            + "[smartdeal, diannao, cambriconx, scnn, bitpragmatic], got 'plugin-dn'");
    }

    @Test
    void aBrokenRegistrationIsBadInputNamingTheClassAndNothingIsWritten() throws IOException {
        Path out = dir.resolve("broken");
        CliRun r = registered(() -> CliRun.of("energy", "--paper-model", "resnet164", "--out", out.toString()),
            "com.example.MissingAccelerator");
        r.assertUserError(SmartDeal.EXIT_BAD_INPUT, "a registered accelerator model cannot be loaded",
            "com.example.MissingAccelerator", AcceleratorRegistry.SERVICES_FILE);
        assertTrue(Files.notExists(out), "nothing written");

        // the help still shows, with the five and a word that a registration is broken
        CliRun help = registered(() -> CliRun.of("energy", "--help"), "com.example.MissingAccelerator");
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.out().replaceAll("\\s+", " ").contains("scnn, bitpragmatic (and a registered model that is broken: "
            + "running energy names it) (not with --paper"), help.out());
    }
}
