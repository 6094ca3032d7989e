"""Pure domain logic (indicators, scores, diagnosis, projection): arrays and frames in, arrays and frames out; no I/O."""
