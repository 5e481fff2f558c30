"""Reproducible performance measurements. Each prints one JSON line of figures."""
