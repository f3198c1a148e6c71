package org.smartdeal.bench;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The timing runners of RESULTS sections 1 and 5.2 ({@link DecomposeRunner}, {@link ConversionTimeRunner}) refuse bad
 * arguments by name, with {@link RunnerArgs}' messages as the other runners do. Before, {@code ConversionTimeRunner
 * --repeat 0} printed its CSV header and no row and ended normally (no figure, no error), an option missing its value
 * ended in an ArrayIndexOutOfBoundsException in both, and {@code --repeat x} in a bare NumberFormatException. No
 * timing here: every case is refused before any weight is made.
 */
class RunnerArgumentsTest {

    private static String refusal(Executable run) {
        return assertThrows(IllegalArgumentException.class, run).getMessage();
    }

    @Test
    void conversionTimeRunnerRefusesBadArgumentsByName() {
        String m = refusal(() -> ConversionTimeRunner.main(new String[] {"resnet50", "--repeat", "0"}));
        assertTrue(m.contains("--repeat must be a positive integer, got 0"), m);
        m = refusal(() -> ConversionTimeRunner.main(new String[] {"resnet50", "--repeat", "x"}));
        assertTrue(m.contains("--repeat must be a positive integer, got 'x'"), m);
        m = refusal(() -> ConversionTimeRunner.main(new String[] {"--repeat"}));
        assertTrue(m.contains("--repeat needs a value"), m);
        m = refusal(() -> ConversionTimeRunner.main(new String[] {"resnet50", "--repeats", "2"}));
        assertTrue(m.contains("unknown option --repeats"), m);
    }

    @Test
    void decomposeRunnerRefusesBadArgumentsByName() {
        String m = refusal(() -> DecomposeRunner.main(new String[] {"vgg19-cifar", "--threads"}));
        assertTrue(m.contains("--threads needs a value"), m);
        m = refusal(() -> DecomposeRunner.main(new String[] {"vgg19-cifar", "--threads", "0"}));
        assertTrue(m.contains("--threads must be a positive integer, got 0"), m);
        m = refusal(() -> DecomposeRunner.main(new String[] {"vgg19-cifar", "--repeat", "0"}));
        assertTrue(m.contains("--repeat must be a positive integer, got 0"), m);
        m = refusal(() -> DecomposeRunner.main(new String[] {"vgg19-cifar", "--csv"}));
        assertTrue(m.contains("--csv needs a value"), m);
        m = refusal(() -> DecomposeRunner.main(new String[] {"vgg19-cifar", "--seed", "x"}));
        assertTrue(m.contains("--seed must be an integer, got 'x'"), m);
        m = refusal(() -> DecomposeRunner.main(new String[] {"vgg19-cifar", "--thread", "2"}));
        assertTrue(m.contains("unknown option --thread"), m);
    }
}
