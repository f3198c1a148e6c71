package org.smartdeal.zoo.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks on input file paths shared by the commands: a message naming the option, the path and the reason,
 * in the same words for every command (the one place these words are written).
 */
final class InputPaths {

    private InputPaths() {
    }

    /**
     * Requires a readable regular file.
     *
     * @param option the option naming it, e.g. {@code --plan}; null for a positional argument
     * @param file the file
     * @param expected what the file should be, e.g. {@code "a plan JSON file"}
     * @throws BadInputException "is a directory, expected ...", "no such file", "not a regular file (a device,
     *     pipe or socket), expected ..." or "cannot be read"
     */
    static void requireFile(String option, Path file, String expected) {
        String who = (option == null ? "" : option + " ") + file;
        if (Files.isDirectory(file)) {
            throw new BadInputException(who + ": is a directory, expected " + expected);
        }
        if (!Files.exists(file)) {
            throw noSuchFile(who, null);
        }
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(who + ": not a regular file (a device, pipe or socket), expected " + expected);
        }
        if (!Files.isReadable(file)) {
            throw new BadInputException(who + ": cannot be read (permission denied)");
        }
    }

    /**
     * The error for an input file that does not exist, also when it goes away between {@link #requireFile}
     * and the read.
     *
     * @param who the option and the path, or the path alone
     * @param cause the reader's exception, or null
     * @return "WHO: no such file"
     */
    static BadInputException noSuchFile(String who, Throwable cause) {
        return new BadInputException(who + ": no such file", cause);
    }
}
