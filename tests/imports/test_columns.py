"""Validation by distinct texts: a repetitive column is checked once per text, and every row
holding a bad text is still reported by its own row number."""

from __future__ import annotations

import pandas as pd

from imports.columns import Column, TableSpec, distinct_texts, validate_table
from imports.report import ImportReport

SPEC = TableSpec(
    "sales",
    (
        Column("store", "code", required=True),
        Column("date", "date", required=True),
        Column("quantity", "number", required=True, minimum=0),
    ),
)


def _frame(rows: int) -> pd.DataFrame:
    stores = ["S1", "S 2", "", "S3"] * (rows // 4)
    quantities = [str(n) for n in range(len(stores))]
    quantities[5] = "-1"
    return pd.DataFrame(
        {
            "_file": "sales.csv",
            "_row": range(2, len(stores) + 2),
            "store": pd.Series(stores, dtype="str"),
            "date": pd.Series(["2024-01-01", "2024-13-01"] * (len(stores) // 2), dtype="str"),
            "quantity": pd.Series(quantities, dtype="str"),
        }
    )


def test_each_bad_row_of_a_repetitive_column_is_reported_by_its_row():
    frame = _frame(4_000)
    report = ImportReport()
    typed = validate_table(SPEC, frame, report)
    by_reason: dict[str, list[int]] = {}
    for error in report.errors:
        by_reason.setdefault(error["reason"], []).append(error["row"])
    unsafe = "store 'S 2' may hold only letters, digits, '-', '_' and '.'"
    assert by_reason[unsafe] == list(range(3, 4_002, 4))
    assert by_reason["store is empty"] == list(range(4, 4_002, 4))
    assert len(by_reason["date '2024-13-01' is not a valid date (YYYY-MM-DD)"]) == 2_000
    assert by_reason["quantity -1 is negative"] == [7]
    assert typed["store"].tolist()[:4] == ["S1", "S 2", "", "S3"]
    assert typed["date"].iloc[0] == pd.Timestamp("2024-01-01") and pd.isna(typed["date"].iloc[1])
    assert typed["_bad"].tolist()[:4] == [False, True, True, True]
    assert not typed["_bad"].iloc[8]


def test_a_column_of_mostly_different_texts_is_checked_as_it_is():
    amounts = pd.Series([str(n) for n in range(10_000)], dtype="str")
    texts, spread = distinct_texts(amounts)
    assert texts is amounts
    repeated = pd.Series(["a", "b"] * 5_000, dtype="str")
    texts, spread = distinct_texts(repeated)
    assert texts.tolist() == ["a", "b"]
    assert spread(texts == "b").tolist() == (repeated == "b").tolist()
