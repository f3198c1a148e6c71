/**
 * How numbers are written in the messages and reports of sd-zoo (a package of its own so that the command
 * line, the conversion plans and the training recipes, which do not depend on each other, write them alike).
 */
package org.smartdeal.zoo.text;
