package org.smartdeal.bench;

/** Command-line values of the experiment runners. */
final class RunnerArgs {

    private RunnerArgs() {
    }

    /**
     * The integer value at {@code args[i]} of option {@code flag}.
     *
     * @throws IllegalArgumentException naming the flag when the value is missing, not an integer or below min
     */
    static int integer(String flag, String[] args, int i, int min) {
        String rule = min == 1 ? "a positive integer" : "an integer >= " + min;
        String text = value(flag, args, i);
        int v;
        try {
            v = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be " + rule + ", got '" + text + "'", e);
        }
        if (v < min) {
            throw new IllegalArgumentException(flag + " must be " + rule + ", got " + v);
        }
        return v;
    }

    /**
     * The value at {@code args[i]} of option {@code flag}.
     *
     * @throws IllegalArgumentException naming the flag when the value is missing
     */
    static String value(String flag, String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }
}
