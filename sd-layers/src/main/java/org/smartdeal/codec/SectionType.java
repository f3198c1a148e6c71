package org.smartdeal.codec;

/** The kinds of section in an {@code .sdm} file, with their one-byte codes. */
public enum SectionType {
    /** The DL4J configuration JSON, UTF-8. Code 1, always section 0. */
    CONFIG(1),
    /** Network type, properties and the table of contents. Code 2, always section 1. */
    META(2),
    /** One SD layer ({@link SdLayerEntry}). Code 3. */
    SD_LAYER(3),
    /** One float32 array ({@link FloatArrayEntry}). Code 4. */
    FLOAT_ARRAY(4);

    private final int code;

    SectionType(int code) {
        this.code = code;
    }

    /** The byte written to the file. */
    public int code() {
        return code;
    }

    /** The type of a code, or null if the code is unknown. */
    public static SectionType ofCode(int code) {
        for (SectionType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
