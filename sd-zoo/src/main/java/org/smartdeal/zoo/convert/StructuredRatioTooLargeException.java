package org.smartdeal.zoo.convert;

import java.util.Locale;
import org.smartdeal.core.StructuredPruning;

/**
 * A plan's structured ratio would prune every row of every unit of a layer (ALGORITHMS.md 3.1 prunes
 * ceil(ratio x rows) of a unit's rows), leaving the layer all zeros: thrown by {@link SdConverter#checkPlan} and
 * {@link SdConverter#decompose}. It carries the layer, the ratio and the unit's rows, so that a caller whose
 * settings made the plan (a command line) can say which of its own settings to change and to what.
 */
public final class StructuredRatioTooLargeException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String layer;
    private final double ratio;
    private final int unitRows;
    private final java.util.List<StructuredRatioTooLargeException> more;

    /**
     * The refusal of a layer, with the later layers of the same plan whose ratio would zero their rows too.
     *
     * @param layer      the layer's name in the plan
     * @param layerClass its configuration's class, for the message (e.g. {@code ConvolutionLayer})
     * @param ratio      the plan's structured ratio for it
     * @param unitRows   rows of each of its units in the plan's slice layout (the ratio prunes all of them)
     * @param more       the same refusal for the plan's later layers, in network order (not repeated in the message
     *                   beyond their names and bounds); empty when this layer is the only one
     */
    StructuredRatioTooLargeException(String layer, String layerClass, double ratio, int unitRows,
            java.util.List<StructuredRatioTooLargeException> more) {
        super(String.format(Locale.ROOT, "plan for layer %s: structuredRatio %s would zero every row of every unit of "
                + "this %s, which has %d row%s per unit (a ratio r prunes ceil(r x rows) = %d of them), leaving the "
                + "layer all zeros; give it %s in plan.layers[%s]", layer, ratio, layerClass, unitRows,
                unitRows == 1 ? "" : "s", StructuredPruning.rowsToPrune(ratio, unitRows), unitRows == 1
                ? "structuredRatio 0" : "a structuredRatio of at most " + largestAllowed(unitRows), layer)
                + alsoIn(more));
        this.layer = layer;
        this.more = java.util.List.copyOf(more);
        this.ratio = ratio;
        this.unitRows = unitRows;
    }

    /** @return the layer's name in the plan */
    public String layer() {
        return layer;
    }

    /** @return the structured ratio the plan gave the layer */
    public double ratio() {
        return ratio;
    }

    /** @return the rows of each of the layer's units */
    public int unitRows() {
        return unitRows;
    }

    /**
     * @return the largest ratio that leaves a row of each unit, as a fraction: {@code (rows - 1)/rows}, e.g.
     *     {@code 2/3}, or {@code 0} for units of one row
     */
    public String largestAllowed() {
        return largestAllowed(unitRows);
    }

    /**
     * @return the later layers of the same plan whose ratio would zero every row of their units too, in network
     *     order; empty when this layer is the only one
     */
    public java.util.List<StructuredRatioTooLargeException> more() {
        return more;
    }

    private static String alsoIn(java.util.List<StructuredRatioTooLargeException> more) {
        if (more.isEmpty()) {
            return "";
        }
        java.util.List<String> parts = new java.util.ArrayList<>();
        for (StructuredRatioTooLargeException e : more) {
            parts.add(e.layer + " (structuredRatio " + e.ratio + ", at most " + e.largestAllowed() + ")");
        }
        return "; the same holds for " + String.join(", ", parts);
    }

    private static String largestAllowed(int rows) {
        return rows == 1 ? "0" : (rows - 1) + "/" + rows;
    }
}
