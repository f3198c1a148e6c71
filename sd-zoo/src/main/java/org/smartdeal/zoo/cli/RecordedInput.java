package org.smartdeal.zoo.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.smartdeal.codec.SdmFile;

/**
 * The image input shape a {@code .sdm} file records for the commands that read it: the META property {@value #KEY},
 * valued {@code CxHxW} as {@code --input} takes it (e.g. {@code 1x28x28}; docs/FORMAT.md, META).
 *
 * <p>DL4J's configuration of a graph, or of a network whose first layer is a convolution without a flat-input
 * preprocessor, states no input size. {@code convert} records the shape it knows: {@code --input}, or a zoo model's
 * image input. {@code sweep} records the image shape it feeds the network (Fashion-MNIST's 1x28x28) in every
 * candidate's bytes, so that the sizes it reports are those of the {@code best.sdm} it writes. {@code energy},
 * {@code export} and {@code evaluate} take the recorded shape as if it were their {@code --input} when none is given.
 * A network whose input is rows (a zoo model of dense layers, whose first layer states its nIn) gets no property. A
 * given {@code --input} wins over the recorded shape (the user said so); one that differs is named in one line on
 * standard error. A file without the property reads as before.
 */
final class RecordedInput {

    /** The META property's key. */
    static final String KEY = "input";

    private RecordedInput() {
    }

    /**
     * The shape a command uses and what to tell the user about it.
     *
     * @param shape {C, H, W}, or null when neither {@code --input} nor the file gives one
     * @param note  one line for standard error when {@code --input} differs from the recorded shape, else null
     */
    record Choice(int[] shape, String note) {

        /**
         * Prints the note, if any, on standard error.
         *
         * @param err the command's standard error
         */
        void warn(PrintWriter err) {
            if (note != null) {
                err.println(note);
                err.flush();
            }
        }
    }

    /**
     * A shape as the property (and {@code --input}) writes it.
     *
     * @param shape {C, H, W}
     * @return e.g. {@code 1x28x28}
     */
    static String format(int[] shape) {
        return shape[0] + "x" + shape[1] + "x" + shape[2];
    }

    /**
     * The value to record for an input type: CxHxW for images (given as images or flat), none for rows.
     *
     * @param type a network's input type, e.g. a zoo model's
     * @return the value, or null for an input type that is not an image
     */
    static String of(InputType type) {
        if (type instanceof InputType.InputTypeConvolutional c) {
            return c.getChannels() + "x" + c.getHeight() + "x" + c.getWidth();
        }
        if (type instanceof InputType.InputTypeConvolutionalFlat c) {
            return c.getDepth() + "x" + c.getHeight() + "x" + c.getWidth();
        }
        return null;
    }

    /**
     * The file's content with the shape recorded.
     *
     * @param file  the content to write
     * @param value the shape ({@link #format}, {@link #of}), or null to record none
     * @return {@code file} with the property, or {@code file} itself when {@code value} is null
     */
    static SdmFile record(SdmFile file, String value) {
        return value == null ? file : file.withProperty(KEY, value);
    }

    /**
     * The shape a command reading {@code file} uses: {@code --input} when given, else the recorded one.
     *
     * @param given      {@code --input}'s {C, H, W}, or null
     * @param properties the file's META properties ({@link ModelFiles.Loaded#properties()})
     * @param file       the model file, for messages
     * @return the shape and the note for standard error
     * @throws BadInputException when the recorded value is not CxHxW with positive integers (also when
     *     {@code --input} is given: the file is damaged), naming the file, the property, the rule and the value
     */
    static Choice choose(int[] given, Map<String, String> properties, Path file) {
        String value = properties.get(KEY);
        if (value == null) {
            return new Choice(given, null);
        }
        int[] recorded = FashionMnistInput.parseShape(value);
        if (recorded == null) {
            throw new BadInputException(file + ": META property " + KEY + " must be CxHxW with positive integers, as "
                    + "--input takes it (e.g. 1x28x28), got '" + value + "'");
        }
        if (given == null) {
            return new Choice(recorded, null);
        }
        String note = java.util.Arrays.equals(given, recorded) ? null : "note: --input " + format(given)
                + " differs from the input shape " + format(recorded) + " that " + file + " records; using --input";
        return new Choice(given, note);
    }
}
