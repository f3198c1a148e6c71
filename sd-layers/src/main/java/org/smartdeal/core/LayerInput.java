package org.smartdeal.core;

import java.util.Objects;

/**
 * One layer to decompose: a name, its {@link SliceLayout} and its data, either the weight in the
 * layout's DL4J shape or already packed slices [K, m, n]. Arrays are referenced, never modified
 * and must not change during a decomposition.
 */
public final class LayerInput {

    private final String name;
    private final SliceLayout layout;
    private final float[] floats;
    private final double[] doubles;
    private final boolean packed;

    private LayerInput(String name, SliceLayout layout, float[] f, double[] d, boolean packed) {
        this.name = Objects.requireNonNull(name, "LayerInput.name must not be null");
        this.layout = Objects.requireNonNull(layout, "LayerInput.layout must not be null");
        this.floats = f;
        this.doubles = d;
        this.packed = packed;
        int len = f != null ? f.length : d.length;
        int expected = packed ? layout.packedLength() : layout.weightLength();
        if (len != expected) {
            throw new IllegalArgumentException("LayerInput(" + name + "): " + (packed
                    ? "packed slices" : "weight") + " length must be " + expected + " for "
                    + layout.describe() + ", got " + len);
        }
    }

    /** A float32 weight in {@code layout.weightShape()}, C order. */
    public static LayerInput ofWeight(String name, SliceLayout layout, float[] weight) {
        return new LayerInput(name, layout, Objects.requireNonNull(weight, "weight"), null, false);
    }

    /** A float64 weight in {@code layout.weightShape()}, C order. */
    public static LayerInput ofWeight(String name, SliceLayout layout, double[] weight) {
        return new LayerInput(name, layout, null, Objects.requireNonNull(weight, "weight"), false);
    }

    /** Packed slices [K, m, n] (padding entries are ignored and treated as 0). */
    public static LayerInput ofSlices(String name, SliceLayout layout, double[] packed) {
        return new LayerInput(name, layout, null, Objects.requireNonNull(packed, "packed"), true);
    }

    /** Packed float32 slices [K, m, n] (padding entries are ignored and treated as 0). */
    public static LayerInput ofSlices(String name, SliceLayout layout, float[] packed) {
        return new LayerInput(name, layout, Objects.requireNonNull(packed, "packed"), null, true);
    }

    /** The layer name used in results and error messages. */
    public String name() {
        return name;
    }

    /** The slice layout. */
    public SliceLayout layout() {
        return layout;
    }

    /** True for a weight whose unit entries are strided (dense, depthwise): gather by units. */
    boolean strided() {
        return !packed && layout.elementStride() != 1;
    }

    /**
     * Copies units [o0, o1) into buf in packed order (unit u at (u - o0) * S*m*n, padding 0),
     * reading the weight row by row so that consecutive units share cache lines (for dense
     * [nIn, nOut] and depthwise weights units are adjacent columns). Throws on NaN or infinity.
     */
    void gatherUnits(int o0, int o1, double[] buf) {
        int pu = layout.packedUnitLength();
        int len = layout.unitLength();
        int es = layout.elementStride();
        int us = layout.unitStride();
        int cnt = o1 - o0;
        for (int e = 0; e < len; e++) {
            int base = e * es + o0 * us;
            if (floats != null) {
                for (int u = 0; u < cnt; u++) {
                    buf[u * pu + e] = floats[base + u * us];
                }
            } else {
                for (int u = 0; u < cnt; u++) {
                    buf[u * pu + e] = doubles[base + u * us];
                }
            }
        }
        for (int u = 0; u < cnt; u++) {
            java.util.Arrays.fill(buf, u * pu + len, (u + 1) * pu, 0.0);
            for (int e = 0; e < len; e++) {
                double v = buf[u * pu + e];
                if (v - v != 0) {
                    throw new IllegalArgumentException("LayerInput(" + name + "): weights must be "
                            + "finite, got " + v + " in unit " + (o0 + u) + " at entry " + e);
                }
            }
        }
    }

    /**
     * Copies the real entries of slice k into {@code a[0 .. realRows(k)*n)} (double), zero-filling
     * padding within the last real row. Throws on NaN or infinity, naming the layer and index.
     */
    void gather(int k, double[] a) {
        int m = layout.rows();
        int n = layout.width();
        int sliceSize = m * n;
        int real = layout.realEntries(k);
        int rowsEnd = layout.realRows(k) * n;
        if (packed) {
            int base = k * sliceSize;
            if (floats != null) {
                for (int i = 0; i < real; i++) {
                    a[i] = floats[base + i];
                }
            } else {
                System.arraycopy(doubles, base, a, 0, real);
            }
        } else {
            int s = k % layout.slicesPerUnit();
            int o = k / layout.slicesPerUnit();
            int stride = layout.elementStride();
            int idx = layout.weightIndex(o, s * sliceSize);
            if (floats != null) {
                for (int i = 0; i < real; i++, idx += stride) {
                    a[i] = floats[idx];
                }
            } else {
                for (int i = 0; i < real; i++, idx += stride) {
                    a[i] = doubles[idx];
                }
            }
        }
        for (int i = real; i < rowsEnd; i++) {
            a[i] = 0.0;
        }
        for (int i = 0; i < real; i++) {
            double v = a[i];
            if (v - v != 0) {
                throw new IllegalArgumentException("LayerInput(" + name + "): weights must be "
                        + "finite, got " + v + " in slice " + k + " at entry " + i);
            }
        }
    }
}
