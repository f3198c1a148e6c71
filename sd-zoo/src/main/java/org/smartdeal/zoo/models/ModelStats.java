package org.smartdeal.zoo.models;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;

/**
 * Parameter and MAC counts of a zoo configuration, computed from the configuration alone (no
 * parameters are allocated, so VGG-16's 138 M parameters cost nothing to count).
 *
 * <p>Counting rules:
 * <ul>
 *   <li>params of a layer = {@code layer.initializer().numParams(layer)}, i.e. exactly what DL4J
 *       allocates; trainable params subtract a {@link BatchNormalization}'s running mean and
 *       variance ({@code 2 * nOut}), so trainable counts equal PyTorch's
 *       {@code sum(p.numel() for p in model.parameters())};</li>
 *   <li>MACs per example: {@link ConvolutionLayer}
 *       {@code outH * outW * kh * kw * nIn * nOut}; {@link DepthwiseConvolution2D}
 *       {@code outH * outW * kh * kw * nOut} (groups = nIn, nOut = nIn * depthMultiplier);
 *       {@link DenseLayer} and {@link OutputLayer} {@code nIn * nOut}. Bias additions,
 *       BatchNorm, activations, pooling and residual additions count 0 MACs (the convention of
 *       the MAC figures usually quoted for these models, e.g. 4.1 G for ResNet-50);</li>
 *   <li>any other layer type that has parameters is rejected with an
 *       {@link IllegalArgumentException}, so a new layer type is never silently counted as 0.</li>
 * </ul>
 */
public final class ModelStats {

    private ModelStats() {
    }

    /** Per-layer costs in network order (layers, then for graphs also parameter-free vertices). */
    public static List<LayerCost> layerCosts(ZooConfiguration configuration) {
        if (configuration instanceof ZooConfiguration.Sequential s) {
            return sequentialCosts(s.conf(), s.inputType());
        }
        ZooConfiguration.Graph g = (ZooConfiguration.Graph) configuration;
        return graphCosts(g.conf(), g.inputType());
    }

    /** Trainable parameters (BatchNorm running mean/variance excluded). */
    public static long trainableParams(ZooConfiguration configuration) {
        return layerCosts(configuration).stream().mapToLong(LayerCost::trainableParams).sum();
    }

    /** All parameters DL4J allocates; equals {@code network.numParams()} after {@code init()}. */
    public static long totalParams(ZooConfiguration configuration) {
        return layerCosts(configuration).stream().mapToLong(LayerCost::params).sum();
    }

    /** Multiply-accumulates for one example, per the rules in the class Javadoc. */
    public static long macs(ZooConfiguration configuration) {
        return layerCosts(configuration).stream().mapToLong(LayerCost::macs).sum();
    }

    /** Costs of a {@link MultiLayerConfiguration} built for {@code inputType}. */
    public static List<LayerCost> sequentialCosts(MultiLayerConfiguration conf, InputType inputType) {
        List<InputType> outputs = conf.getLayerActivationTypes(inputType);
        List<LayerCost> costs = new ArrayList<>(outputs.size());
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            String name = layer.getLayerName() != null ? layer.getLayerName() : "layer" + i;
            costs.add(layerCost(name, layer, outputs.get(i)));
        }
        return costs;
    }

    /** Costs of a {@link ComputationGraphConfiguration} with one input of type {@code inputType}. */
    public static List<LayerCost> graphCosts(ComputationGraphConfiguration conf, InputType inputType) {
        Map<String, InputType> outputs = conf.getLayerActivationTypes(inputType);
        List<LayerCost> costs = new ArrayList<>(conf.getVertices().size());
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            String name = e.getKey();
            GraphVertex vertex = e.getValue();
            if (vertex instanceof LayerVertex lv) {
                costs.add(layerCost(name, lv.getLayerConf().getLayer(), outputs.get(name)));
            } else {
                long params = vertex.numParams(true);
                if (params != 0) {
                    throw new IllegalArgumentException("ModelStats: vertex " + name + " ("
                            + vertex.getClass().getSimpleName() + ") has " + params
                            + " parameters; only parameter-free vertices are supported");
                }
                costs.add(new LayerCost(name, vertex.getClass().getSimpleName(), 0, 0, 0, outputs.get(name)));
            }
        }
        return costs;
    }

    /** Cost of one layer configuration whose activation type is {@code output}. */
    static LayerCost layerCost(String name, Layer layer, InputType output) {
        long params = layer.initializer().numParams(layer);
        long trainable = params;
        long macs;
        if (layer instanceof BatchNormalization bn) {
            trainable = params - 2 * bn.getNOut();
            macs = 0;
        } else if (layer instanceof DepthwiseConvolution2D dw) {
            int[] k = dw.getKernelSize();
            macs = spatial(name, output) * k[0] * k[1] * dw.getNOut();
        } else if (layer.getClass() == ConvolutionLayer.class) {
            ConvolutionLayer c = (ConvolutionLayer) layer;
            int[] k = c.getKernelSize();
            macs = spatial(name, output) * k[0] * k[1] * c.getNIn() * c.getNOut();
        } else if (layer.getClass() == DenseLayer.class || layer.getClass() == OutputLayer.class) {
            org.deeplearning4j.nn.conf.layers.FeedForwardLayer f =
                    (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) layer;
            macs = f.getNIn() * f.getNOut();
        } else if (params == 0) {
            macs = 0;
        } else {
            throw new IllegalArgumentException("ModelStats: layer " + name + " has unsupported type "
                    + layer.getClass().getName() + " with " + params + " parameters");
        }
        return new LayerCost(name, layer.getClass().getSimpleName(), params, trainable, macs, output);
    }

    private static long spatial(String name, InputType output) {
        if (!(output instanceof InputType.InputTypeConvolutional c)) {
            throw new IllegalArgumentException("ModelStats: layer " + name
                    + " expected a convolutional output type, got " + output);
        }
        return c.getHeight() * c.getWidth();
    }
}
