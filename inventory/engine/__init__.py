"""Inventory policies, optimisation and simulation: plain numerics, no Django."""
