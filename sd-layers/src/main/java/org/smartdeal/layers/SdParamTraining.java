package org.smartdeal.layers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

/**
 * Per-parameter updaters and regularizations of one SD layer, set through
 * {@link PerParamUpdaterRouting#setParamTraining} (e.g. by {@code SdTraining.configure}): a parameter
 * listed here uses its own updater and regularizations instead of the layer's weight/bias settings.
 * Part of the layer configuration, so it travels in the JSON (updaters and regularizations are
 * serialised with their class names).
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class SdParamTraining implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private Map<String, IUpdater> updaters = new LinkedHashMap<>();
    private Map<String, List<Regularization>> regularization = new LinkedHashMap<>();

    /** An empty routing (also used by JSON deserialisation). */
    public SdParamTraining() {
    }

    /** The updater set for {@code paramKey}, or null when none was set. */
    public IUpdater updater(String paramKey) {
        return updaters.get(paramKey);
    }

    /** The regularizations set for {@code paramKey} (in order), or null when none were set. */
    public List<Regularization> regularization(String paramKey) {
        return regularization.get(paramKey);
    }

    /**
     * Sets one parameter's updater and regularizations (copied into a new list).
     *
     * @param paramKey       the parameter key
     * @param updater        its updater, not null
     * @param regularization its regularizations in order, not null (may be empty)
     */
    public void set(String paramKey, IUpdater updater, List<Regularization> regularization) {
        updaters.put(paramKey, Objects.requireNonNull(updater, "updater of " + paramKey));
        this.regularization.put(paramKey, new ArrayList<>(
                Objects.requireNonNull(regularization, "regularization of " + paramKey)));
    }

    /** A deep copy (updaters and regularizations cloned where they can be). */
    public SdParamTraining copy() {
        SdParamTraining c = new SdParamTraining();
        updaters.forEach((k, u) -> c.updaters.put(k, u.clone()));
        regularization.forEach((k, r) -> {
            List<Regularization> l = new ArrayList<>();
            r.forEach(x -> l.add(x.clone()));
            c.regularization.put(k, l);
        });
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SdParamTraining p && updaters.equals(p.updaters) && regularization.equals(p.regularization);
    }

    @Override
    public int hashCode() {
        return Objects.hash(updaters, regularization);
    }

    @Override
    public String toString() {
        return "SdParamTraining(updaters=" + updaters + ", regularization=" + regularization + ")";
    }
}
