package org.smartdeal.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * An SD layer as stored in an {@code .sdm} file.
 *
 * @param name        the layer name (e.g. DL4J's layer name); non-empty
 * @param paramPrefix the prefix of the layer's parameter keys in the network's parameter table
 *                    (opaque to the codec; may be empty)
 * @param weightShape the shape of the dense weight W that C*B rebuilds (e.g. DL4J's
 *                    [nOut, nIn, kh, kw] or [nIn, nOut]); every dimension &gt;= 1; its product is
 *                    the layer's weight count in the paper CR's numerator
 * @param layer       packed C and int8 B
 * @param mask        the fixed mask M over packed C (length K*m*n), or null when M = (C != 0).
 *                    The writer stores it only if it differs from C != 0, so a mask equal to
 *                    C != 0 reads back as null; {@link #effectiveMask()} is the same either way
 */
public record SdLayerEntry(String name, String paramPrefix, long[] weightShape, SdLayerData layer, boolean[] mask)
        implements SdmEntry {

    /** Validates the fields. */
    public SdLayerEntry {
        Objects.requireNonNull(name, "SdLayerEntry.name");
        Objects.requireNonNull(paramPrefix, "SdLayerEntry.paramPrefix");
        Objects.requireNonNull(weightShape, "SdLayerEntry.weightShape");
        Objects.requireNonNull(layer, "SdLayerEntry.layer");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("SdLayerEntry.name must not be empty");
        }
        if (weightShape.length < 1 || weightShape.length > FloatArrayEntry.MAX_RANK) {
            throw new IllegalArgumentException("SdLayerEntry(" + name + ").weightShape rank must be in [1, "
                    + FloatArrayEntry.MAX_RANK + "], got " + weightShape.length);
        }
        for (int i = 0; i < weightShape.length; i++) {
            if (weightShape[i] < 1) {
                throw new IllegalArgumentException("SdLayerEntry(" + name + ").weightShape[" + i
                        + "] must be >= 1, got " + Arrays.toString(weightShape));
            }
        }
        FloatArrayEntry.product(weightShape, "SdLayerEntry(" + name + ").weightShape");
        if (mask != null && mask.length != layer.c().length) {
            throw new IllegalArgumentException("SdLayerEntry(" + name + ").mask length " + mask.length
                    + " != K*m*n = " + layer.c().length);
        }
    }

    /** An entry whose mask is C != 0. */
    public static SdLayerEntry of(String name, String paramPrefix, long[] weightShape, SdLayerData layer) {
        return new SdLayerEntry(name, paramPrefix, weightShape, layer, null);
    }

    /** The mask: the stored one, or C != 0 when none is stored. A new array. */
    public boolean[] effectiveMask() {
        if (mask != null) {
            return mask.clone();
        }
        double[] c = layer.c();
        boolean[] m = new boolean[c.length];
        for (int i = 0; i < c.length; i++) {
            m[i] = c[i] != 0.0;
        }
        return m;
    }

    /** True if a mask is given and differs from C != 0 (only then is it written). */
    public boolean hasExplicitMask() {
        if (mask == null) {
            return false;
        }
        double[] c = layer.c();
        for (int i = 0; i < c.length; i++) {
            if (mask[i] != (c[i] != 0.0)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public SectionType sectionType() {
        return SectionType.SD_LAYER;
    }

    @Override
    public long parameterCount() {
        return FloatArrayEntry.product(weightShape, "weightShape");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SdLayerEntry e && name.equals(e.name) && paramPrefix.equals(e.paramPrefix)
                && Arrays.equals(weightShape, e.weightShape) && layer.equals(e.layer)
                && Arrays.equals(effectiveMask(), e.effectiveMask());
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, paramPrefix, Arrays.hashCode(weightShape), layer);
    }

    @Override
    public String toString() {
        return "SdLayerEntry[" + name + ", prefix=" + paramPrefix + ", W" + Arrays.toString(weightShape) + ", "
                + layer + (hasExplicitMask() ? ", explicit mask" : "") + "]";
    }
}
