package org.smartdeal.layers;

/**
 * Common view of the SD layer configurations ({@link SdDenseLayer}, {@link SdOutputLayer},
 * {@link SdConvolutionLayer}): the SD hyperparameters and the geometry of the packed parameters.
 *
 * <p>Converters and cost models should test {@code instanceof SdLayer} <em>before</em> testing for
 * DL4J's layer types: {@link SdConvolutionLayer} is also a DL4J {@code ConvolutionLayer}.
 */
public interface SdLayer {

    /** Default maximum slice height (64 input channels of a 3x3 conv). */
    int DEFAULT_SLICE_ROWS = 192;
    /** Default basis width for dense, output and 1x1 conv layers. */
    int DEFAULT_BASIS_WIDTH = 3;
    /** Default threshold theta of the training projection P (ALGORITHMS.md 6.1). */
    double DEFAULT_THETA = 4e-3;
    /** Default clamp of |P(c)|. */
    double DEFAULT_MAX_COEFF = 32.0;
    /** Largest allowed sliceRows. */
    int MAX_SLICE_ROWS = 4096;
    /** Largest allowed basisWidth. */
    int MAX_BASIS_WIDTH = 64;

    /** Maximum slice height m. */
    int getSliceRows();

    /** Configured basis width n for dense/1x1 layouts (conv with kw &gt; 1 uses kw instead). */
    int getBasisWidth();

    /** Threshold theta of the projection P: |c| &lt; theta - 1e-5 projects to 0. */
    double getTheta();

    /** Clamp of |P(c)| (a power of two). */
    double getMaxCoeff();

    /**
     * Whether the forward pass applies the projection P to C (default true). Turn off only for
     * finite-difference gradient checks, where P's zero derivative would hide the straight-through
     * gradient.
     */
    boolean isProjectCoefficients();

    /** Whether the layer has a bias "b". */
    boolean hasBias();

    /** Geometry of the packed C, B and M for this layer (needs nIn and nOut set). */
    SdSliceShape sliceShape();

    /** Shape of the DL4J weight W that C and B rebuild ([nIn, nOut] or [nOut, nIn, kh, kw]). */
    long[] weightShape();

    /** Fan-in handed to the weight initialiser for B. */
    long fanIn();

    /** Fan-out handed to the weight initialiser for B. */
    long fanOut();
}
