package org.smartdeal.zoo.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks on output paths shared by the commands, made before any work so that nothing is lost. */
final class OutputPaths {

    private OutputPaths() {
    }

    /**
     * Requires an output folder that exists or can be created.
     *
     * @param option the option naming it, e.g. {@code --out}
     * @param dir the folder
     * @throws BadInputException when {@code dir} exists and is not a folder
     */
    static void requireFolderOrAbsent(String option, Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BadInputException(option + " " + dir + " exists and is not a folder; give a folder (created if missing)");
        }
    }

    /**
     * Whether two paths name the same file: equal once absolute and normalised, or, when both exist,
     * the same file by {@link Files#isSameFile} (links, other spellings).
     */
    static boolean sameFile(Path a, Path b) throws IOException {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    }
}
