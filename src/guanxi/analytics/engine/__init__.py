"""Guanxi analytics engine: pure numpy / scipy / Polars, no Django."""
