package org.smartdeal.zoo.models;

import java.util.Objects;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A zoo network's DL4J configuration together with the input type it was built for.
 *
 * <p>Plain stacks are {@link Sequential} ({@link MultiLayerConfiguration}); residual networks are
 * {@link Graph} ({@link ComputationGraphConfiguration}). Building a configuration allocates no
 * parameters; {@link #init()} does.
 */
public sealed interface ZooConfiguration permits ZooConfiguration.Sequential, ZooConfiguration.Graph {

    /** The DL4J input type the configuration was built with (needed for per-layer shapes). */
    InputType inputType();

    /** Builds and initialises the network (allocates and initialises all parameters). */
    Model init();

    /**
     * A {@link MultiLayerConfiguration} zoo network.
     *
     * @param conf      the configuration
     * @param inputType the input type passed to {@code setInputType}
     */
    record Sequential(MultiLayerConfiguration conf, InputType inputType) implements ZooConfiguration {
        /** Validates that both fields are set. */
        public Sequential {
            Objects.requireNonNull(conf, "Sequential.conf");
            Objects.requireNonNull(inputType, "Sequential.inputType");
        }

        /** Builds and initialises a {@link MultiLayerNetwork}. */
        @Override
        public MultiLayerNetwork init() {
            MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
            net.init();
            return net;
        }
    }

    /**
     * A {@link ComputationGraphConfiguration} zoo network with a single input and a single output.
     *
     * @param conf      the configuration
     * @param inputType the input type passed to {@code setInputTypes}
     */
    record Graph(ComputationGraphConfiguration conf, InputType inputType) implements ZooConfiguration {
        /** Validates that both fields are set. */
        public Graph {
            Objects.requireNonNull(conf, "Graph.conf");
            Objects.requireNonNull(inputType, "Graph.inputType");
        }

        /** Builds and initialises a {@link ComputationGraph}. */
        @Override
        public ComputationGraph init() {
            ComputationGraph net = new ComputationGraph(conf.clone());
            net.init();
            return net;
        }
    }
}
