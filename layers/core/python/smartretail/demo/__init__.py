"""Demo and benchmark data: a deterministic demo tenant, and loaders for public data sets."""
