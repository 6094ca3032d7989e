"""Pure domain logic (indicators, scores, diagnosis, projection): arrays and frames in and out; no I/O."""
