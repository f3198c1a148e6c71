package org.smartdeal.hw.dl4j;

/**
 * A tensor to be measured or quantised to int8 holds a NaN or an infinity, which has no int8 value: the message names
 * the tensor (a layer's input, output or weights), and where it can, the first such value and its index. An
 * {@link IllegalArgumentException}, so that callers that refuse bad input need not know it; {@link EnergyListener}
 * catches it to skip a diverged minibatch instead of stopping the training it watches.
 */
public final class NonFiniteValuesException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** @param message names the tensor and the value */
    public NonFiniteValuesException(String message) {
        super(message);
    }
}
