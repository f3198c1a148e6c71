package org.smartdeal.codec;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.SdDenseLayer;

/**
 * Run in a JVM of its own with a small heap by {@link LoadMemoryLimitTest}: reads what a small crafted input
 * describes and prints the outcome's class and message on one line ({@code OK} when nothing was thrown). Test
 * code, not a tool.
 */
public final class LoadMemoryProbe {

    private LoadMemoryProbe() {
    }

    /**
     * A RUNS-indexed layer of {@code rows} rows of n = 15 whose every row is non-zero, coded in one bit per row
     * (a one-pattern Huffman table with a 0-bit code): 15 positions per input bit.
     */
    static byte[] amplifiedRuns(int rows) {
        BitWriter w = new BitWriter();
        w.writeBits(1, 32);
        w.writeBits(rows, 32);
        w.writeBits(15, 32);
        w.writeBits(rows, 32); // K, m, n, R
        w.writeBits(1, 16);
        w.writeSigned(0, 16);
        w.writeBits(0, 5);
        w.writeBits(0, 5); // C table: the one symbol 0 (value 2^0), code length 0
        w.writeBits(IndexMode.RUNS.code(), IndexMode.FIELD_BITS);
        w.writeBits(0, 5); // k = 0: every run is one bit
        for (long i = 0; i <= rows; i++) {
            w.writeBit(1); // rows + 1 runs of 0 zero rows: every row non-zero
        }
        w.writeBit(1); // Huffman-coded patterns
        w.writeBits(1, 16);
        w.writeSigned(0x7FFF, 16);
        w.writeBits(0, 5);
        w.writeBits(0, 5); // pattern table: all 15 entries, code length 0
        w.writeSigned(0, 16);
        w.writeBits(0, 4); // f = 0, shift width 0
        for (int i = 0; i < 15 * 15; i++) {
            w.writeBits(64, 8); // B
        }
        w.padToByte();
        return w.toByteArray();
    }

    /** An SD dense layer of nIn inputs and one output, one weight per row (basisWidth 1), C all zero. */
    static SdmFile zeroDenseLayer(int nIn) {
        int sliceRows = 4096;
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
                .layer(new SdDenseLayer.Builder().nIn(nIn).nOut(1).basisWidth(1).sliceRows(sliceRows).build())
                .layer(new org.deeplearning4j.nn.conf.layers.LossLayer.Builder(LossFunctions.LossFunction.MSE).build())
                .build();
        int k = (nIn + sliceRows - 1) / sliceRows;
        byte[] q = new byte[k];
        java.util.Arrays.fill(q, (byte) 64);
        SdLayerData d = new SdLayerData(k, sliceRows, 1, nIn, new double[k * sliceRows], Int8Basis.oneScale(q, 0, k));
        SdLayerEntry e = new SdLayerEntry("0", "0", new long[] {nIn, 1}, d, null);
        FloatArrayEntry bias = new FloatArrayEntry("0_b", FloatArrayEntry.Role.OTHER, new long[] {1}, new float[1]);
        return new SdmFile(NetworkType.MULTI_LAYER_NETWORK, conf.toJson(), Map.of(), List.of(e, bias));
    }

    /**
     * @param args {@code runs ROWS} (decode {@link #amplifiedRuns}) or {@code build NIN} (build
     *             {@link #zeroDenseLayer})
     */
    public static void main(String[] args) {
        try {
            int size = Integer.parseInt(args[1]);
            if (args[0].equals("runs")) {
                SdLayerCodec.decode(amplifiedRuns(size), "probe");
            } else {
                SdmFile file = zeroDenseLayer(size);
                SdModelFile.build(file, "probe");
            }
            System.out.println("OK");
        } catch (Throwable t) {
            System.out.println(t.getClass().getName() + ": " + t.getMessage());
        }
    }
}
