package org.smartdeal.hw.train;

import org.smartdeal.hw.model.Action;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.Specs;

/**
 * One counted action of one layer in one pass of a training iteration (HWMODEL.md 5). The priced part is
 * an inference {@link Action}: its count is in the energy table's unit (bytes for memory, 8-bit-equivalent
 * operations for compute) and its energy is {@code count x }{@link EnergyTable#pj(String) pj}{@code (unit)}.
 * The count is {@code quantity x factor}: the quantity is what the layer does, in its own unit (16-bit
 * MACs, bytes, parameters, C_e non-zeros), and the factor is the product of the {@link TrainingSpec} fields
 * named in {@code factorSource} (1 and "-" when none).
 *
 * @param layer        layer id
 * @param pass         training pass
 * @param action       level, data type, name, count and energy-table unit key
 * @param quantity     what is counted, in {@code quantityUnit}
 * @param quantityUnit unit of the quantity, e.g. "16-bit MACs"
 * @param factor       table units per quantity unit
 * @param factorSource the TrainingSpec fields whose product is the factor, e.g. "multWidthFactor"
 */
public record TrainingAction(String layer, TrainingModel.Pass pass, Action action, double quantity, String quantityUnit,
                             double factor, String factorSource) {

    /** Checks that the count is exactly {@code quantity x factor}. */
    public TrainingAction {
        if (action.count() != quantity * factor)
            throw new IllegalArgumentException("TrainingAction(" + layer + ", " + pass + ", " + action.name() + ").count must be quantity "
                + Specs.plain(quantity) + " x factor " + Specs.plain(factor) + ", got " + Specs.plain(action.count()));
    }

    /** An action of {@code quantity x factor} table units priced by {@code unit}. */
    static TrainingAction of(String layer, TrainingModel.Pass pass, Action.Level level, Action.Data data, String name,
                             double quantity, String quantityUnit, double factor, String factorSource, String unit) {
        return new TrainingAction(layer, pass, new Action(level, data, name, quantity * factor, unit), quantity, quantityUnit,
            factor, factorSource);
    }

    /** Energy in pJ: count x the table's unit energy. */
    public double energyPj(EnergyTable e) {
        return action.count() * e.pj(action.unit());
    }

    /**
     * What one count of an energy-table unit key is: "bytes" for {@code dram}, {@code rf} and
     * {@code sram<bank>}, else the operation the table prices.
     */
    public static String countUnit(String unit) {
        if (unit.startsWith("sram")) return "bytes";
        return switch (unit) {
            case "dram", "rf" -> "bytes";
            case "mult" -> "8-bit multiplies";
            case "add" -> "8-bit adds";
            case "reShiftAdd" -> "RE shift-adds";
            case "select" -> "selects";
            case "huffman" -> "Huffman decodes";
            default -> "operations";
        };
    }
}
