"""Demand forecasting: a global gradient-boosted model over all SKU x store series (mlforecast +
LightGBM) with P10/P50/P90, the baselines it must beat, and the metrics that decide."""
