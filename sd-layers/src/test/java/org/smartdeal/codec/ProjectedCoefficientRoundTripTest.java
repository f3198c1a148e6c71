package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.SdOutputLayer;

/**
 * A network written and read back computes what it computed before, also where a coefficient lies between the
 * buckets and theta is not a power of two (found by a bug hunt: the file held P(0.0045) = 2^-8, which the loaded
 * layer's P sent to 0; P now keeps 2^-7, the smallest power of two it keeps, and P(P(c)) = P(c)).
 */
class ProjectedCoefficientRoundTripTest {

    /** The SD layers' default theta 4e-3, C = 0.0045 (P: 2^-7), B = I, x = (1000, 0, 0): output 7.8125 before and after. */
    @Test
    void aWrittenNetworkReadsBackWithTheSameOutputsAtTheDefaultTheta() throws Exception {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE).list()
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MSE).name("out").nIn(3).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        INDArray c = net.getLayer(0).getParam("C");
        INDArray m = net.getLayer(0).getParam("M");
        INDArray b = net.getLayer(0).getParam("B");
        c.assign(0);
        m.assign(0);
        c.putScalar(0, 0.0045); // a coefficient a plain updater or parameter averaging left between buckets
        m.putScalar(0, 1);
        b.assign(Nd4j.eye(b.size(1)).reshape(b.shape()).castTo(b.dataType())); // B = I: exact in int8
        net.getLayer(0).getParam("b").assign(0);
        INDArray x = Nd4j.createFromArray(new double[][] {{1000, 0, 0}});
        double before = net.output(x).getDouble(0);
        MultiLayerNetwork back = (MultiLayerNetwork) SdModelFile.read(
                SdmWriter.serialize(SdModelFile.toSdm(net)).bytes(), "mem.sdm");
        double after = back.output(x).getDouble(0);
        assertEquals(1000 * 0x1p-7, before, 1e-9, "the forward pass computes with P(0.0045) = 2^-7");
        assertEquals(before, after, 1e-9, "output of the network written and of the network read back (C[0] = "
                + back.getLayer(0).getParam("C").getDouble(0) + ")");
    }
}
