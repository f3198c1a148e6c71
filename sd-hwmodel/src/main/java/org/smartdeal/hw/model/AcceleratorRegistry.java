package org.smartdeal.hw.model;

import java.io.IOException;
import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The accelerator models known by name ({@code smartdeal energy --accelerators}, {@code EnergyReport.accelerators}):
 * the paper's five of {@link AcceleratorModel#all()}, then the models registered on the class path with Java's
 * {@link ServiceLoader}. To register a model without changing this project, put its class (public, with a public
 * no-argument constructor) in a jar or folder of your own with a file {@value #SERVICES_FILE} naming it, one class
 * name per line, and put that jar on the class path ({@code SMARTDEAL_CLASSPATH} for the {@code smartdeal}
 * launcher). A model priced from Java needs no registration at all: pass it to {@code EnergyReport.price}.
 *
 * <p>Every registered model is checked when the list is built: its name must follow {@link #NAME_RULE}, must not be
 * {@code all} and must not be taken by a built-in or another registered model; a class that cannot be found or
 * made is refused too. Each refusal is a {@link RegistrationException} naming the class, where it was loaded from
 * and the services files read, so a broken plug-in is never silently left out.
 */
public final class AcceleratorRegistry {

    /** Where {@link ServiceLoader} looks for registered models, relative to each class-path entry. */
    public static final String SERVICES_FILE = "META-INF/services/org.smartdeal.hw.model.AcceleratorModel";

    /**
     * What an accelerator model's name must match: lower-case letters, digits, '.', '_' and '-', starting with a letter
     * or digit (names become file names, {@code models/NAME.json}, and CSV fields).
     */
    public static final String NAME_RULE = "[a-z0-9][a-z0-9._-]*";

    private AcceleratorRegistry() {
    }

    /** A registered model that cannot be used: its class, its name or its loading is wrong. */
    public static final class RegistrationException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        RegistrationException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * {@link #models(ClassLoader)} with the current thread's context class loader (this class's own when there is
     * none), which is the application class path for the command line and for a DL4J training script.
     */
    public static List<AcceleratorModel> models() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return models(cl != null ? cl : AcceleratorRegistry.class.getClassLoader());
    }

    /**
     * The five built-in models in {@link AcceleratorModel#all()}'s order, then the models {@code loader} finds through
     * {@value #SERVICES_FILE}, in the order {@link ServiceLoader} gives them (class-path order, then line order). Each
     * call makes new instances.
     *
     * @throws RegistrationException when a registered class cannot be loaded or made, or its name breaks
     *                               {@link #NAME_RULE}, is {@code all} or is taken
     */
    public static List<AcceleratorModel> models(ClassLoader loader) {
        java.util.Objects.requireNonNull(loader, "loader");
        Map<String, AcceleratorModel> byName = new LinkedHashMap<>();
        for (AcceleratorModel m : AcceleratorModel.all()) byName.put(m.name(), m);
        Iterator<ServiceLoader.Provider<AcceleratorModel>> it =
            ServiceLoader.load(AcceleratorModel.class, loader).stream().iterator();
        while (true) {
            ServiceLoader.Provider<AcceleratorModel> p;
            AcceleratorModel m;
            String name;
            try {
                if (!it.hasNext()) break;
                p = it.next();
                m = p.get();
                name = m.name();
            } catch (ServiceConfigurationError | RuntimeException e) {
                throw new RegistrationException("a registered accelerator model cannot be loaded (" + e.getMessage()
                    + "); the class must be public, implement AcceleratorModel and have a public no-argument "
                    + "constructor; registered in " + servicesFiles(loader), e);
            }
            AcceleratorModel taken = name == null ? null : byName.get(name);
            String problem = name == null || !name.matches(NAME_RULE)
                ? "its name must be lower-case letters, digits, '.', '_' or '-' (it names files and CSV fields), got '"
                    + name + "'"
                : name.equals("all") ? "its name must not be 'all', which --accelerators reads as every model"
                : taken != null ? "its name '" + name + "' is taken by " + taken.getClass().getName() + " ("
                    + origin(taken.getClass()) + "); each model needs its own name"
                : null;
            if (problem != null) {
                // the services files are listed only for a refusal: listing them scans the class path
                throw new RegistrationException("accelerator model " + p.type().getName() + " (" + origin(p.type())
                    + ", registered in " + servicesFiles(loader) + "): " + problem, null);
            }
            byName.put(name, m);
        }
        return Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    /**
     * The jar or folder a class came from, for messages: {@code "from file:/path/my-models.jar"}, or
     * {@code "location unknown"}.
     *
     * @param c the class
     * @return the words naming where it came from
     */
    public static String origin(Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        return cs == null || cs.getLocation() == null ? "location unknown" : "from " + cs.getLocation();
    }

    /** Every {@value #SERVICES_FILE} the loader sees, for messages. */
    private static String servicesFiles(ClassLoader loader) {
        List<String> files = new ArrayList<>();
        try {
            for (URL u : Collections.list(loader.getResources(SERVICES_FILE))) files.add(u.toString());
        } catch (IOException e) {
            return SERVICES_FILE + " (the class path could not be listed: " + e.getMessage() + ")";
        }
        return files.isEmpty() ? SERVICES_FILE : String.join(", ", files);
    }
}
