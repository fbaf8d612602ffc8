"""trustlab: helpers for reproducible research notebooks on live-stream (trust) e-commerce."""

__version__ = "0.1.0"
