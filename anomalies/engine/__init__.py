"""Anomaly detectors and alerting: plain numerics over pandas/numpy, no Django."""
