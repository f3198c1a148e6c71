package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.layers.SdConvolutionLayer;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.SdSliceShape;
import org.smartdeal.layers.params.SdParamInitializer;

/**
 * Round trips through {@link SdModelFile} of dense and 1x1 conv SD layers for every basis width 1..16
 * and several slice heights, with one slice whose B is 1000 times larger than the others'.
 *
 * <p>That slice stands for what conversion produced for a LeNet-300-100 with basis width 4: fc1
 * ([784, 300]) has R = 196 rows per unit, slices of 192 and 4 rows, and the least-squares B of a
 * 4-row slice reached 260 while the other slices' B stayed below 1. With one int8 scale per layer
 * (format 2.3) f was -2 and the B of 547 of the 600 slices rounded to 0: the file loaded into a
 * network at chance accuracy. Format 2.4 stores a scale per slice.
 */
class SliceScaleRoundTripTest {

    private static final int[] SLICE_ROWS = {192, 512, 7};
    /** Dense [nIn, nOut]: LeNet-300-100's fc1, and rows that are not multiples of most widths. */
    private static final int[][] DENSE_SHAPES = {{784, 300}, {101, 13}, {7, 5}};
    private static final int BATCH = 3;

    @TempDir
    Path dir;

    @Test
    void denseLayersOfEveryWidthReloadToTheSameOutputs() throws IOException {
        int cases = 0;
        for (int[] shape : DENSE_SHAPES) {
            for (int n = 1; n <= 16; n++) {
                for (int sliceRows : SLICE_ROWS) {
                    if (sliceRows < n) {
                        continue; // sliceRows must be >= basisWidth (SliceLayout)
                    }
                    MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(n).list()
                            .layer(new SdDenseLayer.Builder().nIn(shape[0]).nOut(shape[1]).basisWidth(n)
                                    .sliceRows(sliceRows).activation(Activation.IDENTITY).build())
                            .build());
                    net.init();
                    INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, shape[0]).subi(0.5);
                    checkRoundTrip(net, x, "dense " + shape[0] + "x" + shape[1] + " n=" + n + " sliceRows=" + sliceRows);
                    cases++;
                }
            }
        }
        assertEquals(3 * (16 + 16 + 7), cases); // sliceRows 7 only with n <= 7
    }

    @Test
    void oneByOneConvolutionsOfEveryWidthReloadToTheSameOutputs() throws IOException {
        for (int n = 1; n <= 16; n++) {
            for (int sliceRows : SLICE_ROWS) {
                if (sliceRows < n) {
                    continue;
                }
                // 37 input channels: 1x1 filters of 37 weights, padded into rows of n (SliceLayout.conv, kw == 1)
                MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(n).list()
                        .layer(new SdConvolutionLayer.Builder(1, 1).nOut(6).basisWidth(n).sliceRows(sliceRows)
                                .activation(Activation.IDENTITY).build())
                        .setInputType(InputType.convolutional(1, 1, 37)).build());
                net.init();
                INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 37, 1, 1).subi(0.5);
                checkRoundTrip(net, x, "conv 1x1 37->6 n=" + n + " sliceRows=" + sliceRows);
            }
        }
    }

    /**
     * Fills the SD layer with C in {0, +-2^p} (mask C != 0), B uniform in [-0.5, 0.5) and B of slice
     * S-1 (the last slice of unit 0) times 1000, writes and reads the network, and checks:
     * <ul>
     *   <li>against the network built from the file's own values (B int8-rounded per slice, {@link
     *       Int8Basis#roundTrip(double[], int)}): the same parameters and outputs exactly;</li>
     *   <li>against the unrounded network: each output within the bound of the int8 rounding. With
     *       f_k the largest f with max|B_k| 2^f &lt;= 127, max|B_k| 2^f_k &gt; 63.5, so a rounded entry moves by at
     *       most 2^-(f_k+1) &lt; max|B_k| / 127; a weight w = sum_j C_ij B_jc by at most
     *       sum_j |C_ij| max|B_k| / 127, an identity output by sum_e |x_e| times that. Float32 sums
     *       of up to 784 products add at most 1e-4 of sum_e |x_e w_e|.</li>
     * </ul>
     * With one scale per layer the B of every slice but the large one rounds to 0, far outside the bound.
     */
    private void checkRoundTrip(MultiLayerNetwork net, INDArray x, String where) throws IOException {
        Layer layer = net.getLayer(0);
        SdSliceShape s = ((SdLayer) layer.conf().getLayer()).sliceShape();
        int k = (int) s.numSlices();
        int m = (int) s.sliceHeight();
        int n = s.basisWidth();
        int spu = (int) s.slicesPerUnit();
        Random r = new Random(where.hashCode());
        double[] c = new double[k * m * n];
        for (int i = 0; i < c.length; i++) {
            boolean real = s.isRealRow(i / (m * n) % spu, i / n % m);
            c[i] = !real || r.nextInt(3) == 0 ? 0 : (r.nextBoolean() ? 1 : -1) * Math.scalb(1.0, -r.nextInt(6));
        }
        double[] b = new double[k * n * n];
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextDouble() - 0.5;
        }
        for (int i = (spu - 1) * n * n; i < spu * n * n; i++) {
            b[i] *= 1000;
        }
        set(layer, SdParamInitializer.C_KEY, c);
        set(layer, SdParamInitializer.MASK_KEY, maskOf(c));
        set(layer, SdParamInitializer.B_KEY, b);
        b = layer.getParam(SdParamInitializer.B_KEY).dup('c').castTo(DataType.DOUBLE).data().asDouble(); // as float32
        layer.getParam("b").assign(Nd4j.rand(DataType.FLOAT, layer.getParam("b").shape()).subi(0.5));
        INDArray exact = net.output(x).castTo(DataType.DOUBLE).reshape(BATCH, -1);

        Path file = dir.resolve("m.sdm");
        SdModelFile.write(net, file);
        MultiLayerNetwork back = SdModelFile.readMultiLayerNetwork(file);
        INDArray got = back.output(x).castTo(DataType.DOUBLE).reshape(BATCH, -1);

        // the bound of the int8 rounding, per output
        double[] maxB = new double[k];
        for (int i = 0; i < b.length; i++) {
            maxB[i / (n * n)] = Math.max(maxB[i / (n * n)], Math.abs(b[i]));
        }
        int units = (int) s.units();
        int perUnit = (int) s.weightsPerUnit();
        double[] xs = x.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        for (int o = 0; o < units; o++) {
            for (int row = 0; row < BATCH; row++) {
                double bound = 0;
                double magnitude = 0;
                for (int e = 0; e < perUnit; e++) {
                    int p = o * spu * m * n + e;
                    int slice = p / (m * n);
                    int rowStart = p / n * n;
                    double cSum = 0;
                    double w = 0;
                    for (int j = 0; j < n; j++) {
                        cSum += Math.abs(c[rowStart + j]);
                        w += c[rowStart + j] * b[(slice * n + j) * n + p % n];
                    }
                    double xe = Math.abs(xs[row * perUnit + e]);
                    bound += xe * cSum * maxB[slice] / 127;
                    magnitude += xe * Math.abs(w);
                }
                double diff = Math.abs(got.getDouble(row, o) - exact.getDouble(row, o));
                double limit = bound + 1e-4 * magnitude + 1e-6;
                assertTrue(diff <= limit, where + ": output [" + row + ", " + o + "] moved by " + diff
                        + " on reload, more than the int8 rounding of B allows (" + limit + ")");
            }
        }
        // the network built from the file's own values: B int8-rounded per slice
        double[] bStored = Int8Basis.roundTrip(b, k);
        set(layer, SdParamInitializer.B_KEY, bStored);
        assertEquals(net.params(), back.params(), where);
        assertEquals(net.output(x), back.output(x), where);
    }

    private static double[] maskOf(double[] c) {
        double[] mask = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            mask[i] = c[i] != 0 ? 1 : 0;
        }
        return mask;
    }

    private static void set(Layer layer, String key, double[] values) {
        INDArray p = layer.getParam(key);
        p.assign(Nd4j.create(values, p.shape(), 'c').castTo(p.dataType()));
    }
}
