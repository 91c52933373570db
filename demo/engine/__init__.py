"""Seeded, vectorised generator of a demo retail company (pure numerics, no Django).

The public entry point is :func:`generate_company`, which returns a :class:`DemoCompany`
of pandas DataFrames that the DB loader maps onto models.
"""

from demo.engine.company import DemoCompany, generate_company

__all__ = ["DemoCompany", "generate_company"]
