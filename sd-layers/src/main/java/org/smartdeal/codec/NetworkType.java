package org.smartdeal.codec;

/** Which DL4J network class the CONFIG section of an {@code .sdm} file builds. */
public enum NetworkType {
    /** Not a DL4J network (generic use of the container). Code 0. */
    OTHER(0),
    /** {@code MultiLayerNetwork} from a {@code MultiLayerConfiguration} JSON. Code 1. */
    MULTI_LAYER_NETWORK(1),
    /** {@code ComputationGraph} from a {@code ComputationGraphConfiguration} JSON. Code 2. */
    COMPUTATION_GRAPH(2);

    private final int code;

    NetworkType(int code) {
        this.code = code;
    }

    /** The byte written to the file. */
    public int code() {
        return code;
    }

    /** The type of a code, or null if the code is unknown. */
    public static NetworkType ofCode(int code) {
        for (NetworkType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
