package org.smartdeal.optim;

import java.util.Objects;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The learning-rate schedule of SD training (ALGORITHMS.md 6.3), as used by the SWA reference code:
 * with {@code t = epoch / swaStart} (epoch 0-based, as DL4J counts it),
 * <pre>
 * factor = 1                                   for t &lt;= 0.5
 *        = 1 - (1 - swaLr/lr) * (t - 0.5)/0.4  for 0.5 &lt; t &lt;= 0.9
 *        = swaLr/lr                            for t &gt; 0.9
 * value  = lr * factor
 * </pre>
 * The value depends on the epoch only, not on the iteration.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class SwaLrSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final double lr;
    private final double swaLr;
    private final int swaStart;

    /**
     * @param lr       initial learning rate, finite and > 0
     * @param swaLr    learning rate from t = 0.9 on (and during SWA), finite and > 0
     * @param swaStart epoch at which SWA starts, >= 1
     */
    @JsonCreator
    public SwaLrSchedule(@JsonProperty("lr") double lr, @JsonProperty("swaLr") double swaLr,
            @JsonProperty("swaStart") int swaStart) {
        if (!(lr > 0 && Double.isFinite(lr))) {
            throw new IllegalArgumentException("SwaLrSchedule.lr must be finite and > 0, got " + lr);
        }
        if (!(swaLr > 0 && Double.isFinite(swaLr))) {
            throw new IllegalArgumentException("SwaLrSchedule.swaLr must be finite and > 0, got " + swaLr);
        }
        if (swaStart < 1) {
            throw new IllegalArgumentException("SwaLrSchedule.swaStart must be >= 1, got " + swaStart);
        }
        this.lr = lr;
        this.swaLr = swaLr;
        this.swaStart = swaStart;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double t = (double) epoch / swaStart;
        double ratio = swaLr / lr;
        double factor;
        if (t <= 0.5) {
            factor = 1.0;
        } else if (t <= 0.9) {
            factor = 1.0 - (1.0 - ratio) * (t - 0.5) / 0.4;
        } else {
            factor = ratio;
        }
        return lr * factor;
    }

    @Override
    public SwaLrSchedule clone() {
        return new SwaLrSchedule(lr, swaLr, swaStart);
    }

    /** Initial learning rate. */
    public double getLr() {
        return lr;
    }

    /** Final (SWA) learning rate. */
    public double getSwaLr() {
        return swaLr;
    }

    /** Epoch at which SWA starts. */
    public int getSwaStart() {
        return swaStart;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SwaLrSchedule)) {
            return false;
        }
        SwaLrSchedule s = (SwaLrSchedule) o;
        return Double.compare(lr, s.lr) == 0 && Double.compare(swaLr, s.swaLr) == 0 && swaStart == s.swaStart;
    }

    @Override
    public int hashCode() {
        return Objects.hash(lr, swaLr, swaStart);
    }

    @Override
    public String toString() {
        return "SwaLrSchedule(lr=" + lr + ", swaLr=" + swaLr + ", swaStart=" + swaStart + ")";
    }
}
