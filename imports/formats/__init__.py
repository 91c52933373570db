"""The file formats an import understands, each a parser from files to a ``Batch``."""

from imports.formats import ai_sop, sop, walmart

PARSERS = {"sop": sop.parse, "ai-sop": ai_sop.parse, "walmart": walmart.parse}
FORMAT_CHOICES = (
    ("sop", "S&OP long format (sales, stores, SKUs, inventory, ... as CSV/XLSX)"),
    ("ai-sop", "AI S&OP prototype (shop_sales, shop_sales_dates, shop_sales_prices)"),
    ("walmart", "Walmart store sales (train, features, stores)"),
)
