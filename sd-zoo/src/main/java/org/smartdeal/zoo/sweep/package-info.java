/**
 * Arbiter (1.0.0-beta7) support for hyperparameter sweeps over SD networks: one {@code LayerSpace} per SD layer
 * ({@link org.smartdeal.zoo.sweep.SdDenseLayerSpace}, {@link org.smartdeal.zoo.sweep.SdOutputLayerSpace},
 * {@link org.smartdeal.zoo.sweep.SdConvolutionLayerSpace}), the SD hyperparameters of a layer as a nested
 * {@code ParameterSpace} ({@link org.smartdeal.zoo.sweep.SdHyperparameterSpace}, sampled as
 * {@link org.smartdeal.zoo.sweep.SdHyperparameters}), and an Arbiter {@code TaskListener} that makes each
 * candidate train in SD form ({@link org.smartdeal.zoo.sweep.SdTrainingTaskListener}).
 *
 * <p>The spaces go into Arbiter's {@code MultiLayerSpace} beside its own; everything else (candidate generators,
 * runners, score functions, data sources) is Arbiter's:
 *
 * <pre>{@code
 * MultiLayerSpace space = new MultiLayerSpace.Builder()
 *         .updater(new AdamSpace(new ContinuousParameterSpace(5e-3, 2e-2),
 *                 new FixedValue<>(0.9), new FixedValue<>(0.999), new FixedValue<>(1e-8)))
 *         .addLayer(new SdDenseLayerSpace.Builder().nIn(12).nOut(16).activation(Activation.TANH)
 *                 .sd(new SdHyperparameterSpace.Builder()
 *                         .theta(new ContinuousParameterSpace(1e-3, 1e-2))
 *                         .sliceRows(new DiscreteParameterSpace<>(6, 12)).build())
 *                 .build())
 *         .addLayer(new SdOutputLayerSpace.Builder().nIn(16).nOut(3).activation(Activation.SOFTMAX)
 *                 .lossFunction(LossFunction.MCXENT).build())
 *         .numEpochs(2)
 *         .build();
 * }</pre>
 *
 * <p>Pass beta1, beta2 and epsilon to {@code AdamSpace} explicitly: {@code new AdamSpace(lr)} sets all three to the
 * learning rate's space (Arbiter 1.0.0-beta7 bug). The spaces serialise with Arbiter's JSON
 * ({@code MultiLayerSpace.toJson()/fromJson}) by field name and class name: do not rename their fields or classes
 * once released.
 *
 * <p>The conversion sweep searches the settings of {@link org.smartdeal.zoo.convert.ConversionPlan}s for a trained
 * network instead ({@link org.smartdeal.zoo.sweep.ConversionPlanSpace}, {@link org.smartdeal.zoo.sweep.ConversionTaskCreator},
 * {@link org.smartdeal.zoo.sweep.CompressionScoreFunction}, {@link org.smartdeal.zoo.sweep.ConversionSweep}); it
 * is what {@code smartdeal sweep} runs. {@link org.smartdeal.zoo.sweep.FashionMnistDataSource} gives Arbiter's
 * runners Fashion-MNIST by class name and properties.
 *
 * <p>Belongs here: Arbiter adapters for SD layers, SD training and conversion. Not here: the {@code smartdeal sweep} command
 * ({@code zoo.cli}); dataset readers ({@code zoo.data}; their Arbiter data sources live here). Arbiter types are used here and,
 * to build the search it runs (generators, parameter spaces), by {@code smartdeal sweep}'s command class; nowhere
 * else in sd-zoo.
 */
package org.smartdeal.zoo.sweep;
