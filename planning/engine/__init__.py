"""The planning cycle's numerics: spreading an override down a hierarchy, forecast value added."""
