package org.smartdeal.hw.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.WeightRep;

import java.io.IOException;
import java.net.URLClassLoader;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models registered with {@link java.util.ServiceLoader}: each test writes a services file into a folder of its own
 * and reads it through a class loader over that folder, whose parent (the test class path) holds the stand-in models
 * below. The expected names are the five of {@link AcceleratorModel#all()} in its documented order, then the
 * services file's lines in order.
 */
public class AcceleratorRegistryTest {

    private static final List<String> FIVE = List.of("diannao", "cambriconx", "scnn", "bitpragmatic", "smartdeal");

    @TempDir
    Path tmp;

    /** DianNao's counts under another name: the same actions, so the same price. */
    public static class DianNaoCopy implements AcceleratorModel {
        private final AcceleratorModel dn = new DianNao();

        @Override public String name() { return "diannao-copy"; }
        @Override public String workUnit() { return dn.workUnit(); }
        @Override public ActionCounts count(LayerSpec l, WeightRep w, ActStats act, ArchSpec arch) {
            ActionCounts c = dn.count(l, w, act, arch);
            return new ActionCounts(name(), c.layerId(), c.ccomp(), c.work(), c.peakPerCycle(), c.tiling(), c.actions());
        }
    }

    /** A second valid model, to check the services file's order is kept. */
    public static class Other extends DianNaoCopy {
        @Override public String name() { return "other_1.0"; }
    }

    /** Takes a built-in's name. */
    public static class NamedDianNao extends DianNaoCopy {
        @Override public String name() { return "diannao"; }
    }

    /** Takes the name of {@link DianNaoCopy}. */
    public static class SecondCopy extends DianNaoCopy {
    }

    /** A name that cannot be a file name or CSV field. */
    public static class BadName extends DianNaoCopy {
        @Override public String name() { return "Dense Array"; }
    }

    /** The word --accelerators reads as every model. */
    public static class NamedAll extends DianNaoCopy {
        @Override public String name() { return "all"; }
    }

    /** No name at all. */
    public static class NullName extends DianNaoCopy {
        @Override public String name() { return null; }
    }

    /** ServiceLoader cannot make it: no public no-argument constructor. */
    public static class NeedsArgument extends DianNaoCopy {
        public NeedsArgument(int unused) {
        }
    }

    /** Its constructor fails. */
    public static class FailsToStart extends DianNaoCopy {
        public FailsToStart() {
            throw new IllegalStateException("license file missing");
        }
    }

    private ClassLoader registering(String... lines) throws IOException {
        return registering(tmp, lines);
    }

    /**
     * A loader that sees the test class path plus a services file in {@code dir} listing {@code lines} (class names),
     * as a plug-in jar on {@code SMARTDEAL_CLASSPATH} would.
     */
    public static ClassLoader registering(Path dir, String... lines) throws IOException {
        Path f = dir.resolve(AcceleratorRegistry.SERVICES_FILE);
        Files.createDirectories(f.getParent());
        Files.write(f, List.of(lines));
        return new URLClassLoader(new URL[]{dir.toUri().toURL()}, AcceleratorRegistryTest.class.getClassLoader());
    }

    private static String binary(Class<?> c) {
        return c.getName();
    }

    private static List<String> names(List<AcceleratorModel> models) {
        return models.stream().map(AcceleratorModel::name).toList();
    }

    @Test
    void withoutRegistrationsTheFiveBuiltInsInTheirOrder() {
        assertEquals(FIVE, names(AcceleratorRegistry.models(getClass().getClassLoader())));
        assertEquals(FIVE, names(AcceleratorModel.all()));
        assertEquals(FIVE, names(AcceleratorRegistry.models()));
    }

    @Test
    void registeredModelsFollowTheFiveInTheServicesFilesOrder() throws IOException {
        // the services file format: comments after '#', blank lines ignored
        ClassLoader cl = registering("# models of our own", binary(Other.class), "", binary(DianNaoCopy.class) + "  # a copy");
        List<AcceleratorModel> m = AcceleratorRegistry.models(cl);
        List<String> expected = new java.util.ArrayList<>(FIVE);
        expected.addAll(List.of("other_1.0", "diannao-copy"));
        assertEquals(expected, names(m));
        assertInstanceOf(Other.class, m.get(5));
        assertInstanceOf(DianNaoCopy.class, m.get(6));
        assertNotSame(m.get(6), AcceleratorRegistry.models(cl).get(6), "each call makes new instances");
        assertThrows(UnsupportedOperationException.class, () -> m.add(new DianNao()));
    }

    /** {@code models()} reads the thread's context class loader (the application class path of a launcher or script). */
    @Test
    void theContextClassLoaderIsTheOneRead() throws IOException {
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(registering(binary(DianNaoCopy.class)));
        try {
            assertEquals("diannao-copy", AcceleratorRegistry.models().get(5).name());
            Thread.currentThread().setContextClassLoader(null);
            assertEquals(FIVE, names(AcceleratorRegistry.models()), "without one, this class's own loader");
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }

    @Test
    void aRegisteredModelCannotTakeABuiltInsOrAnotherRegisteredModelsName() throws IOException {
        String m = refusal(binary(NamedDianNao.class));
        assertTrue(m.contains("accelerator model " + binary(NamedDianNao.class) + " (from "), m);
        assertTrue(m.contains("its name 'diannao' is taken by org.smartdeal.hw.model.DianNao"), m);
        assertTrue(m.contains("registered in " + tmp.resolve(AcceleratorRegistry.SERVICES_FILE).toUri().toURL()), m);

        m = refusal(binary(DianNaoCopy.class), binary(SecondCopy.class));
        assertTrue(m.contains(binary(SecondCopy.class) + " (from "), m);
        assertTrue(m.contains("its name 'diannao-copy' is taken by " + binary(DianNaoCopy.class)), m);
    }

    @Test
    void aRegisteredModelsNameFollowsTheRule() throws IOException {
        String m = refusal(binary(BadName.class));
        assertTrue(m.contains("its name must be lower-case letters, digits, '.', '_' or '-' (it names files and CSV "
            + "fields), got 'Dense Array'"), m);
        assertTrue(refusal(binary(NullName.class)).contains("got 'null'"));
        assertTrue(refusal(binary(NamedAll.class)).contains("its name must not be 'all'"));
    }

    @Test
    void aClassThatCannotBeLoadedOrMadeIsRefusedNotSkipped() throws IOException {
        String m = refusal("com.example.NoSuchAccelerator");
        assertTrue(m.startsWith("a registered accelerator model cannot be loaded ("), m);
        assertTrue(m.contains("com.example.NoSuchAccelerator"), m);
        assertTrue(m.contains("public no-argument constructor; registered in "
            + tmp.resolve(AcceleratorRegistry.SERVICES_FILE).toUri().toURL()), m);

        assertTrue(refusal(binary(NeedsArgument.class)).contains(binary(NeedsArgument.class)));
        m = refusal(binary(FailsToStart.class));
        assertTrue(m.contains(binary(FailsToStart.class)), m);
        // ServiceLoader wraps the constructor's exception; the registry keeps the chain
        AcceleratorRegistry.RegistrationException e = assertThrows(AcceleratorRegistry.RegistrationException.class,
            () -> AcceleratorRegistry.models(registering(binary(FailsToStart.class))));
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        assertEquals("license file missing", root.getMessage());

        // not a model at all (a class of the class path: ServiceLoader ignores classes of named modules, the JDK's)
        m = refusal(binary(AcceleratorRegistryTest.class));
        assertTrue(m.contains(binary(AcceleratorRegistryTest.class) + " not a subtype"), m);
    }

    private String refusal(String... lines) throws IOException {
        ClassLoader cl = registering(lines);
        return assertThrows(AcceleratorRegistry.RegistrationException.class, () -> AcceleratorRegistry.models(cl))
            .getMessage();
    }
}
