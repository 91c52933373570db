"""Anomaly detection numerics: detectors that score, alerting that merges and explains.

Pure pandas/numpy/scikit-learn: no Django. ``anomalies.engine.scan.scan_detect`` is the entry
point; the service (``anomalies.services``) loads its inputs in bulk and stores its events.
"""
