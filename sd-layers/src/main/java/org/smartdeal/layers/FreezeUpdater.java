package org.smartdeal.layers;

import java.util.Collections;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * An updater whose update is always exactly zero, so the parameter never changes. SD layers route
 * their mask "M" to it (DL4J's {@code NoOp} does not freeze: it passes the raw gradient through).
 * Stateless; serialises to JSON as its class name only.
 */
public final class FreezeUpdater implements IUpdater {

    private static final long serialVersionUID = 1L;

    /** Creates the (stateless) freeze updater. */
    public FreezeUpdater() {
    }

    @Override
    public long stateSize(long numParams) {
        return 0;
    }

    @Override
    public GradientUpdater<FreezeUpdater> instantiate(INDArray viewArray, boolean initializeViewArray) {
        return new Applier(this);
    }

    @Override
    public GradientUpdater<FreezeUpdater> instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        return new Applier(this);
    }

    @Override
    public IUpdater clone() {
        return new FreezeUpdater();
    }

    /** Always 0: a frozen parameter has no learning rate. */
    @Override
    public double getLearningRate(int iteration, int epoch) {
        return 0.0;
    }

    /** Always false. */
    @Override
    public boolean hasLearningRate() {
        return false;
    }

    /** Unsupported: a frozen parameter has no learning rate. */
    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        throw new UnsupportedOperationException("FreezeUpdater has no learning rate to set (got lr=" + lr + ")");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FreezeUpdater;
    }

    @Override
    public int hashCode() {
        return FreezeUpdater.class.getName().hashCode();
    }

    @Override
    public String toString() {
        return "FreezeUpdater()";
    }

    /** The runtime side: overwrites the incoming gradient (which DL4J then subtracts) with zeros. */
    private static final class Applier implements GradientUpdater<FreezeUpdater> {
        private final FreezeUpdater config;

        Applier(FreezeUpdater config) {
            this.config = config;
        }

        @Override
        public FreezeUpdater getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> stateMap, boolean initialize) {
            // stateless
        }

        @Override
        public Map<String, INDArray> getState() {
            return Collections.emptyMap();
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
            // stateless
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            gradient.assign(0);
        }
    }
}
