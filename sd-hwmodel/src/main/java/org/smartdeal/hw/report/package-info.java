/**
 * Report writers (per-layer and per-model CSV/JSON with every count, energy term, unit and knob),
 * XChart PNG charts, and {@link org.smartdeal.hw.report.PaperStudy}, the Figs. 8-10 comparison.
 */
package org.smartdeal.hw.report;
