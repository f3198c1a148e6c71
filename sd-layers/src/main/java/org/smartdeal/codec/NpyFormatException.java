package org.smartdeal.codec;

import java.io.IOException;

/**
 * A file is not a {@code .npy} file this project can read. The message names the file, the
 * rule that failed and the value found.
 */
public class NpyFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming file, rule and value. */
    public NpyFormatException(String message) {
        super(message);
    }
}
