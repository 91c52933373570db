"""Small worlds the assistant's tests share: sales in two regions, a fake Ollama server."""

from __future__ import annotations

import datetime as dt
import socket

from history.models import SalesFact

END = dt.date(2025, 6, 29)  # a Sunday, the last day with sales


def sell(store, sku, *, per_day: float, days: int = 56, price: float = 2.0) -> None:
    """``per_day`` units a day for ``days`` days up to ``END``."""
    SalesFact.objects.bulk_create(
        SalesFact(
            store=store,
            sku=sku,
            date=END - dt.timedelta(days=offset),
            quantity=per_day,
            revenue=per_day * price,
            price=price,
        )
        for offset in range(days)
    )


def stock_world(world: dict) -> dict:
    """The ``scoped_world`` with sales: the scoped planner's N1 × COLA sells 10 a day, the
    south store S1 sells 7 COLA and 4 CHIPS a day (out of the planner's scope)."""
    sell(world["store_in"], world["sku_in"], per_day=10)
    sell(world["store_out"], world["sku_in"], per_day=7)
    sell(world["store_out"], world["sku_out"], per_day=4)
    return world


def closed_port_url() -> str:
    """An address where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
