package org.smartdeal.hw.model;

import java.util.List;

/**
 * A network priced on one accelerator: per-layer results and sums over the benchmark layers
 * ({@code inBenchmark}, what Figs. 8-10 count) (HWMODEL.md 3).
 *
 * @param model       model name
 * @param accelerator accelerator name
 * @param workUnit    what the accelerator's work counts ({@link AcceleratorModel#workUnit()})
 * @param layers      per-layer results in execution order
 */
public record ModelResult(String model, String accelerator, String workUnit, List<LayerResult> layers) {

    /** Copies the list. */
    public ModelResult {
        layers = List.copyOf(layers);
    }

    /** How many benchmark layers the accelerator priced: what the totals sum (0: nothing priced, not "free"). */
    public int benchmarkLayersPriced() {
        return (int) layers.stream().filter(r -> r.layer().inBenchmark()).count();
    }

    /** Benchmark energy, pJ. */
    public double energyPj() {
        return layers.stream().filter(r -> r.layer().inBenchmark()).mapToDouble(LayerResult::totalPj).sum();
    }

    /** Benchmark latency, cycles (layers run one at a time). */
    public double cycles() {
        return layers.stream().filter(r -> r.layer().inBenchmark()).mapToDouble(LayerResult::cycles).sum();
    }

    /** Benchmark DRAM bytes. */
    public double dramBytes() {
        return layers.stream().filter(r -> r.layer().inBenchmark()).mapToDouble(LayerResult::dramBytes).sum();
    }

    /** Benchmark energy of one level and data type, pJ. */
    public double energyPj(Action.Level lv, Action.Data d) {
        return layers.stream().filter(r -> r.layer().inBenchmark()).mapToDouble(r -> r.energyPj()[lv.ordinal()][d.ordinal()]).sum();
    }

    /** Benchmark DRAM bytes of one tensor: "W", "I", "O" or "psum". */
    public double dramBytes(String tensor) {
        return layers.stream().filter(r -> r.layer().inBenchmark()).mapToDouble(r -> switch (tensor) {
            case "W" -> r.counts().tiling().wBytes();
            case "I" -> r.counts().tiling().iBytes();
            case "O" -> r.counts().tiling().oBytes();
            case "psum" -> r.counts().tiling().psumBytes();
            default -> throw new IllegalArgumentException("tensor must be W, I, O or psum, got " + tensor);
        }).sum();
    }
}
