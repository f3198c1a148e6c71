/**
 * The bridge from real DL4J networks to the cost model, and the only sd-hwmodel package that imports
 * DL4J/ND4J: {@link org.smartdeal.hw.dl4j.Workloads} (LayerSpec and WeightRep of every conv/dense
 * layer, dense or SD), {@link org.smartdeal.hw.dl4j.ActStatsCollector} (HWMODEL.md 1.3 statistics of
 * real 8-bit activations), {@link org.smartdeal.hw.dl4j.EnergyListener} (per-layer accounting during
 * training or evaluation) and {@link org.smartdeal.hw.dl4j.EnergyReport} (price a network on the five
 * accelerators and write the reports).
 */
package org.smartdeal.hw.dl4j;
