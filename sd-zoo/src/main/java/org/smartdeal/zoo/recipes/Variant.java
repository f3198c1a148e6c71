package org.smartdeal.zoo.recipes;

/** The three training variants compared by the paper's Tables V and VI (ALGORITHMS.md 6.5). */
public enum Variant {
    /** Vanilla: dense training with SGD with momentum. */
    VA("va"),
    /** SD-T: the decomposed network trained in SD form (bucket switch on C). */
    SD("sd"),
    /** SD-T on a network decomposed after vector-wise structured pruning (ALGORITHMS.md 3.1). */
    SS("ss");

    private final String id;

    Variant(String id) {
        this.id = id;
    }

    /** The command-line name ("va", "sd" or "ss"). */
    public String id() {
        return id;
    }

    /** Whether the variant trains an SD network (SD or SS). */
    public boolean isSd() {
        return this != VA;
    }

    /**
     * The variant with the given command-line name.
     *
     * @param name "va", "sd" or "ss" (case-insensitive)
     * @return the variant
     * @throws IllegalArgumentException naming the allowed values and the value
     */
    public static Variant byName(String name) {
        for (Variant v : values()) {
            if (v.id.equalsIgnoreCase(String.valueOf(name).trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("variant must be one of [va, sd, ss], got '" + name + "'");
    }
}
