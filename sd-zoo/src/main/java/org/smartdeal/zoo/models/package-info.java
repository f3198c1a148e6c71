/**
 * Network builders (VGG, ResNet, MobileNetV2, LeNet) that take the input shape and class count.
 */
package org.smartdeal.zoo.models;
