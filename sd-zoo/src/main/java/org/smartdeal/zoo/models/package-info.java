/**
 * Network builders (VGG, ResNet, CIFAR ResNets, MobileNetV2, LeNet-300-100, a small CNN) that take
 * the input shape, class count, seed and updater and return DL4J configurations.
 *
 * <p>{@link org.smartdeal.zoo.models.ZooModel} is the registry by name;
 * {@link org.smartdeal.zoo.models.ModelStats} counts parameters and MACs from a configuration
 * without allocating it; {@link org.smartdeal.zoo.models.PaperLayerNames} maps the SmartDeal
 * paper's Table X / XI rows to layer names. Each builder class documents its layer names.
 */
package org.smartdeal.zoo.models;
