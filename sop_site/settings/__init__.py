"""Settings split by concern: ``base`` (embedded default, development), ``production``, ``test``."""
