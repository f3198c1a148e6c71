package org.smartdeal.zoo.cli;

/**
 * A problem with what the user gave (a file, a value): the command exits with code
 * {@value SmartDeal#EXIT_BAD_INPUT} and prints the message, which names the file or option, the
 * rule and the value.
 */
public final class BadInputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message what was wrong, what is allowed, and the value found */
    public BadInputException(String message) {
        super(message);
    }

    /**
     * @param message what was wrong, what is allowed, and the value found
     * @param cause the underlying exception
     */
    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
