"""sousei: an open evidence-based policy-making workbench for 地方創生."""

__version__ = "0.1.0"
