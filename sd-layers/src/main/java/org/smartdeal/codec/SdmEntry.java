package org.smartdeal.codec;

/** One parameter entry of an {@code .sdm} file: an SD layer or a float32 array. */
public sealed interface SdmEntry permits SdLayerEntry, FloatArrayEntry {

    /** The entry's name (unique among entries of the same kind). */
    String name();

    /** The section type that stores this entry. */
    SectionType sectionType();

    /** Number of parameters this entry stands for (the dense weight count for an SD layer). */
    long parameterCount();
}
