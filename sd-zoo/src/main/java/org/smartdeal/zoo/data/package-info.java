/**
 * Fashion-MNIST iterators and the fine-tune / adaptation task splits.
 */
package org.smartdeal.zoo.data;
