"""Settings split by concern: ``base`` (embedded default and development), ``production``, ``test``."""
