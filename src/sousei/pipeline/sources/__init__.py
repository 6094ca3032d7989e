"""One module per bundle source: parse the raw files as published into tidy frames (each defines STEP)."""
