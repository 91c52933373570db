"""Pilot statistics: assignment, power, effect estimates and their checks. No Django."""
