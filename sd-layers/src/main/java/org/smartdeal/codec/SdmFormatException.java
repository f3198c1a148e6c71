package org.smartdeal.codec;

import java.io.IOException;

/**
 * A file or byte stream does not follow the {@code .sdm} format (or an encoded SD layer inside
 * it): truncated, corrupt, foreign or of an unsupported version. The message names the file
 * and section where known, the rule that failed, and the value found.
 */
public class SdmFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming where and what failed. */
    public SdmFormatException(String message) {
        super(message);
    }

    /** Creates the exception with a message and the underlying cause. */
    public SdmFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
