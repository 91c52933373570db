"""The hostile-input corpus as a table: what is sent, through which channel, and what must
come of it (a clear refusal naming the problem, or a safe result that a check confirms).

Channels: ``file`` (``import_files``, the service behind every import), ``command``
(``manage.py import_data``), ``upload`` (the Import page, as an admin), ``api-admin`` and
``api-planner`` (the batch API, as an admin and as a planner scoped to NORTH and DRINKS).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.hostile import payloads as p

REFUSED, SAFE = "refused", "safe"
FILE_CHANNELS = ("file", "command", "upload")
SALES = "date,store,sku,quantity\n"
OK_ROW = "2024-01-01,N1,COLA,1"


@dataclass(frozen=True)
class Case:
    """One hostile input.

    ``files`` (name to bytes) go through the file channels, ``body`` (a JSON-able value, or
    raw text) to ``kind``'s API endpoint. A refusal must mention ``reason``; a safe result
    must pass ``check`` (called with the run's context).
    """

    name: str
    expect: str
    reason: str = ""
    channels: tuple[str, ...] = ("file",)
    files: dict[str, bytes] = field(default_factory=dict)
    fmt: str = "sop"
    kind: str = "sales"
    body: Any = None
    content_type: str = "application/json"
    settings: dict[str, Any] = field(default_factory=dict)
    check: Callable[[dict], None] | None = None


def sales(*rows: str, header: str = SALES) -> dict[str, bytes]:
    return {"sales.csv": (header + "".join(f"{r}\n" for r in rows)).encode()}


def sales_case(name: str, cell_row: str, reason: str, **kw) -> Case:
    return Case(name, REFUSED, reason, files=sales(OK_ROW, cell_row), **kw)


def row(**fields: Any) -> list[dict[str, Any]]:
    base = {"date": "2024-01-01", "store": "N1", "sku": "COLA", "quantity": 1}
    return [{**base, **fields}]


def api(name: str, body: Any, reason: str = "", *, expect: str = REFUSED, **kw) -> list[Case]:
    """The same request as an admin and as a scoped planner."""
    return [
        Case(f"{name} [{who}]", expect, reason, channels=(f"api-{who}",), body=body, **kw)
        for who in ("admin", "planner")
    ]


def stored_text(model: str, field_name: str, expected: str) -> Callable[[dict], None]:
    def check(context: dict) -> None:
        values = set(context["models"][model].objects.values_list(field_name, flat=True))
        assert expected in values, f"{expected!r} not stored as text: {sorted(values)[:5]}"

    return check


def formula_neutralised(context: dict) -> None:
    from exports.formula_safety import neutralise_formula

    name = context["models"]["CalendarEvent"].objects.get().name
    assert name == '=HYPERLINK("http://evil","x")', name
    assert neutralise_formula(name) == "'" + name


def escaped_on_store_page(context: dict) -> None:
    store = context["models"]["Store"].objects.get(code="XSS1")
    page = context["admin_client"].get(f"/data/stores/{store.pk}/")
    assert page.status_code == 200, page.status_code
    assert b"<script>alert(1)</script>" not in page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.content


def grain_daily(context: dict) -> None:
    grains = set(context["models"]["SalesFact"].objects.values_list("grain", flat=True))
    assert grains == {"D"}, grains


def revenue_kept(context: dict) -> None:
    fact = context["models"]["SalesFact"].objects.get(store__code="S1", sku__code="CHIPS")
    assert (fact.quantity, fact.revenue, fact.price) == (9.0, 20.0, 2.0), fact.__dict__


FILE_CASES: list[Case] = [
    # Malformed CSV.
    Case("empty file", REFUSED, "is empty", FILE_CHANNELS, files={"sales.csv": b""}),
    Case("header only", SAFE, channels=FILE_CHANNELS, files=sales()),
    Case(
        "whitespace only",
        REFUSED,
        "required column 'date' is missing",
        files={"sales.csv": b"   \n\n  \n"},
    ),
    Case(
        "unclosed quote",
        REFUSED,
        "could not be read as CSV",
        FILE_CHANNELS,
        files=sales('2024-01-01,"N1,COLA,1', OK_ROW),
    ),
    Case(
        "too many fields",
        REFUSED,
        "Expected 4 fields",
        files=sales(OK_ROW, "2024-01-02,N1,COLA,1,9"),
    ),
    Case(
        "missing required column",
        REFUSED,
        "required column 'quantity' is missing",
        FILE_CHANNELS,
        files=sales(header="date,store,sku\n"),
    ),
    Case(
        "binary garbage",
        REFUSED,
        "not a CSV text file",
        FILE_CHANNELS,
        files={"sales.csv": bytes(range(256)) * 4},
    ),
    Case(
        "zip named csv",
        REFUSED,
        "not a CSV text file",
        FILE_CHANNELS,
        files={"sales.csv": p.xlsx([["a"]])},
    ),
    Case(
        "unknown kind of file",
        REFUSED,
        "not a known kind of file",
        files={"payroll.csv": b"a\n1\n"},
    ),
    Case(
        "unknown column is ignored",
        SAFE,
        channels=FILE_CHANNELS,
        files={"sales.csv": b"date,store,sku,quantity,extra\n2024-01-01,N1,COLA,1,zzz\n"},
    ),
    Case(
        "CR line endings",
        SAFE,
        files={"sales.csv": b"date,store,sku,quantity\r2024-01-01,N1,COLA,1\r"},
    ),
    Case(
        "CRLF line endings",
        SAFE,
        files={"sales.csv": b"date,store,sku,quantity\r\n2024-01-01,N1,COLA,1\r\n"},
    ),
    Case(
        "quoted comma in a name",
        SAFE,
        files={"events.csv": b'date,name\n2024-01-01,"Sale, big"\n'},
        check=stored_text("CalendarEvent", "name", "Sale, big"),
    ),
    Case(
        "doubled quotes",
        SAFE,
        files={"events.csv": b'date,name\n2024-01-01,"say ""hi"""\n'},
        check=stored_text("CalendarEvent", "name", 'say "hi"'),
    ),
    Case(
        "semicolon separated",
        REFUSED,
        "required column",
        files={"sales.csv": b"date;store;sku;quantity\n2024-01-01;N1;COLA;1\n"},
    ),
    Case(
        "duplicate rows", REFUSED, "duplicate of row 2", FILE_CHANNELS, files=sales(OK_ROW, OK_ROW)
    ),
    # Encodings.
    Case(
        "latin-1",
        REFUSED,
        "not UTF-8",
        FILE_CHANNELS,
        files={"events.csv": "date,name\n2024-01-01,Café\n".encode("latin-1")},
    ),
    Case(
        "UTF-16 LE with BOM",
        REFUSED,
        "UTF-16",
        FILE_CHANNELS,
        files={"sales.csv": ("\ufeff" + SALES + OK_ROW).encode("utf-16-le")},
    ),
    Case(
        "UTF-16 BE with BOM",
        REFUSED,
        "UTF-16",
        files={"sales.csv": ("\ufeff" + SALES + OK_ROW).encode("utf-16-be")},
    ),
    Case(
        "UTF-16 without BOM",
        REFUSED,
        "not a CSV text file",
        files={"sales.csv": (SALES + OK_ROW).encode("utf-16-le")},
    ),
    Case(
        "invalid UTF-8 past the sniffed head",
        REFUSED,
        "not UTF-8",
        files={"events.csv": b"date,name\n" + b"2024-01-01,ok\n" * 6000 + b"2024-01-02,\xff\xfe\n"},
    ),
    Case(
        "overlong UTF-8",
        REFUSED,
        "not UTF-8",
        files={"events.csv": b"date,name\n2024-01-01,\xc0\xaf\n"},
    ),
    Case(
        "UTF-8 encoded surrogate",
        REFUSED,
        "not UTF-8",
        files={"events.csv": b"date,name\n2024-01-01,\xed\xa0\x80\n"},
    ),
    Case(
        "UTF-8 BOM",
        SAFE,
        channels=FILE_CHANNELS,
        files={"sales.csv": ("\ufeff" + SALES + OK_ROW + "\n").encode()},
    ),
    Case(
        "right-to-left override in a name",
        SAFE,
        files={"events.csv": "date,name\n2024-01-01,abc\u202egnp.exe\n".encode()},
    ),
    # Dates.
    sales_case("impossible day", "2024-02-30,N1,COLA,1", "is not a valid date"),
    sales_case("month 13", "2024-13-01,N1,COLA,1", "is not a valid date"),
    sales_case("two-digit year", "24-01-01,N1,COLA,1", "is not a valid date"),
    sales_case("US date", "01/02/2024,N1,COLA,1", "is not a valid date"),
    sales_case("date and time", "2024-01-01T00:00,N1,COLA,1", "is not a valid date"),
    sales_case(
        "year 9999", "9999-12-31,N1,COLA,1", "outside the dates accepted", channels=FILE_CHANNELS
    ),
    sales_case("year 1", "0001-01-01,N1,COLA,1", "outside the dates accepted"),
    sales_case("sales in 2100", "2100-01-01,N1,COLA,1", "outside the dates accepted"),
    sales_case("Arabic-Indic digits in a date", "٢٠٢٤-٠١-٠١,N1,COLA,1", "is not a valid date"),
    sales_case("full-width digits in a date", "２０２４-01-01,N1,COLA,1", "is not a valid date"),
    Case(
        "promotion ending before it starts",
        REFUSED,
        "is before start_date",
        files={"promotions.csv": b"code,start_date,end_date\nP1,2024-02-01,2024-01-01\n"},
    ),
    # Numbers.
    sales_case("negative quantity", "2024-01-02,N1,COLA,-1", "is negative", channels=FILE_CHANNELS),
    sales_case("1e308", "2024-01-02,N1,COLA,1e308", "is larger than", channels=FILE_CHANNELS),
    sales_case("inf", "2024-01-02,N1,COLA,inf", "is not a number"),
    Case(
        "-Infinity revenue",
        REFUSED,
        "is not a number",
        files=sales(
            OK_ROW + ",1",
            "2024-01-02,N1,COLA,1,-Infinity",
            header="date,store,sku,quantity,revenue\n",
        ),
    ),
    sales_case("nan", "2024-01-02,N1,COLA,nan", "is not a number"),
    sales_case("NaN", "2024-01-02,N1,COLA,NaN", "is not a number"),
    sales_case("underscore digits", "2024-01-02,N1,COLA,1_000", "is not a number"),
    sales_case(
        "Arabic-Indic digits", "2024-01-02,N1,COLA,١٢", "is not a number", channels=FILE_CHANNELS
    ),
    sales_case("full-width digit", "2024-01-02,N1,COLA,５", "is not a number"),
    sales_case("thousands separator", '2024-01-02,N1,COLA,"1,000"', "is not a number"),
    sales_case("hexadecimal", "2024-01-02,N1,COLA,0x10", "is not a number"),
    sales_case("dangling exponent", "2024-01-02,N1,COLA,1e", "is not a number"),
    sales_case("double sign", "2024-01-02,N1,COLA,++1", "is not a number"),
    sales_case("400 digits", "2024-01-02,N1,COLA," + "9" * 400, "is not a number"),
    sales_case("quantity above the maximum", "2024-01-02,N1,COLA,1000000001", "is larger than"),
    Case("tiny exponent is zero", SAFE, files=sales("2024-01-02,N1,COLA,1e-400")),
    Case("negative zero", SAFE, files=sales("2024-01-02,N1,COLA,-0")),
    Case(
        "discount above 100",
        REFUSED,
        "is above 100",
        files={
            "promotions.csv": b"code,start_date,end_date,discount_pct\n"
            b"P1,2024-01-01,2024-01-02,150\n"
        },
    ),
    Case(
        "negative floor area",
        REFUSED,
        "is negative",
        files={"stores.csv": b"code,name,region,floor_area_m2\nN9,x,NORTH,-5\n"},
    ),
    # Codes and text.
    Case(
        "slash in a store code",
        REFUSED,
        "may hold only letters",
        FILE_CHANNELS,
        files={"stores.csv": b"code,name,region\nSEC/SLASH,x,NORTH\n"},
    ),
    Case(
        "space in a code",
        REFUSED,
        "may hold only letters",
        files={"stores.csv": b"code,name,region\nN 9,x,NORTH\n"},
    ),
    Case(
        "path traversal code",
        REFUSED,
        "may hold only letters",
        files={"skus.csv": b"code,name,category\n../../etc/passwd,x,DRINKS\n"},
    ),
    Case(
        "non-ASCII code",
        REFUSED,
        "may hold only letters",
        files={"skus.csv": "code,name,category\nÄÖ1,x,DRINKS\n".encode()},
    ),
    Case(
        "NUL in a CSV",
        REFUSED,
        "not a CSV text file",
        FILE_CHANNELS,
        files=sales(OK_ROW, "2024-01-02,N\x001,COLA,1"),
    ),
    Case(
        "escape in a name",
        REFUSED,
        "control character",
        files={"events.csv": b"date,name\n2024-01-01,a\x1b[31mred\n"},
    ),
    Case(
        "DEL in a name",
        REFUSED,
        "control character",
        files={"events.csv": b"date,name\n2024-01-01,a\x7fb\n"},
    ),
    Case(
        "literal \\N name",
        REFUSED,
        "'\\N' is not allowed",
        FILE_CHANNELS,
        files={"events.csv": b"date,name\n2024-01-01,\\N\n"},
    ),
    Case(
        "literal \\N mechanic",
        REFUSED,
        "'\\N' is not allowed",
        files={
            "promotions.csv": b"code,start_date,end_date,mechanic\nP1,2024-01-01,2024-01-02,\\N\n"
        },
    ),
    Case(
        "huge unknown store",
        REFUSED,
        "longer than 32 characters",
        files=sales(OK_ROW, "2024-01-02," + "S" * 10_072 + ",COLA,1"),
    ),
    Case(
        "unknown store",
        REFUSED,
        "store 'NOPE' does not exist",
        FILE_CHANNELS,
        files=sales(OK_ROW, "2024-01-02,NOPE,COLA,1"),
    ),
    Case(
        "long name",
        REFUSED,
        "longer than 120 characters",
        files={"events.csv": ("date,name\n2024-01-01," + "x" * 500 + "\n").encode()},
    ),
    Case(
        "header keys differing by case",
        REFUSED,
        "twice",
        FILE_CHANNELS,
        files=sales("2024-01-01,N1,N1,COLA,1", header="date,Store,store,sku,quantity\n"),
    ),
    Case(
        "same header twice",
        REFUSED,
        "twice",
        files=sales("2024-01-01,N1,COLA,1,2", header="date,store,sku,quantity,quantity\n"),
    ),
    # Formula injection: stored as text, neutralised on export.
    Case(
        "formula in an event name",
        SAFE,
        channels=FILE_CHANNELS,
        files={"events.csv": b'date,name\n2024-01-01,"=HYPERLINK(""http://evil"",""x"")"\n'},
        check=formula_neutralised,
    ),
    Case(
        "DDE payload in a store name",
        SAFE,
        files={"stores.csv": b"code,name,region\nN9,=cmd|' /C calc'!A0,NORTH\n"},
        check=stored_text("Store", "name", "=cmd|' /C calc'!A0"),
    ),
    Case(
        "formula as a code",
        REFUSED,
        "may hold only letters",
        files={"skus.csv": b"code,name,category\n=1+1,x,DRINKS\n"},
    ),
    # XSS payloads: stored as text, escaped on pages.
    Case(
        "script tag in a store name",
        SAFE,
        channels=FILE_CHANNELS,
        files={"stores.csv": b"code,name,region\nXSS1,<script>alert(1)</script>,NORTH\n"},
        check=escaped_on_store_page,
    ),
    Case(
        "img onerror in an event name",
        SAFE,
        files={"events.csv": b"date,name\n2024-01-01,<img src=x onerror=alert(1)>\n"},
        check=stored_text("CalendarEvent", "name", "<img src=x onerror=alert(1)>"),
    ),
    Case(
        "script tag as a code",
        REFUSED,
        "may hold only letters",
        FILE_CHANNELS,
        files={"stores.csv": b"code,name,region\n<script>,x,NORTH\n"},
    ),
    # Oversized.
    Case(
        "more columns than allowed",
        REFUSED,
        "more than 100 columns",
        files={"sales.csv": (",".join(f"c{i}" for i in range(150)) + "\n").encode()},
    ),
    Case(
        "more rows than allowed",
        REFUSED,
        "more than 3 rows",
        FILE_CHANNELS,
        files=sales(*[f"2024-01-0{d},N1,COLA,1" for d in range(1, 6)]),
        settings={"IMPORT_MAX_ROWS": 3},
    ),
    Case(
        "line longer than allowed",
        REFUSED,
        "line longer than",
        FILE_CHANNELS,
        files={"events.csv": b"date,name\n2024-01-01," + b"x" * 70_000 + b"\n"},
    ),
    Case(
        "upload above the size limit",
        REFUSED,
        "upload limit",
        ("upload",),
        files=sales(*[OK_ROW] * 200),
        settings={"IMPORT_MAX_UPLOAD_BYTES": 1024},
    ),
    Case(
        "xlsx cell longer than allowed",
        REFUSED,
        "at most 100 are allowed",
        FILE_CHANNELS,
        files={"events.xlsx": p.xlsx([["date", "name"], ["2024-01-01", "x" * 5000]])},
        settings={"IMPORT_MAX_CELL_CHARS": 100},
    ),
    # XML attacks on XLSX.
    Case(
        "XXE local file",
        REFUSED,
        "not a readable Excel",
        FILE_CHANNELS,
        files={"events.xlsx": p.xlsx_with_sheet(p.sheet_xml("&xxe;", p.XXE))},
    ),
    Case(
        "XXE remote DTD",
        REFUSED,
        "not a readable Excel",
        files={"events.xlsx": p.xlsx_with_sheet(p.sheet_xml("x", p.XXE_REMOTE))},
    ),
    Case(
        "billion laughs",
        REFUSED,
        "not a readable Excel",
        FILE_CHANNELS,
        files={"events.xlsx": p.xlsx_with_sheet(p.sheet_xml("&lol3;", p.BILLION_LAUGHS))},
    ),
    Case(
        "XXE text in a CSV is just text",
        SAFE,
        files={
            "events.csv": b'date,name\n2024-01-01,"<!ENTITY x SYSTEM ""file:///etc/passwd"">"\n'
        },
    ),
    # Compression bombs and broken archives.
    Case(
        "gz one 100 MB line",
        REFUSED,
        "line longer than",
        FILE_CHANNELS,
        files={"sales.csv.gz": p.gz_stream(SALES.encode(), b"x" * 2**20, 100)},
    ),
    Case(
        "gz many short lines by ratio",
        REFUSED,
        "possible decompression bomb",
        FILE_CHANNELS,
        files={"sales.csv.gz": p.gz_stream(SALES.encode(), (OK_ROW + "\n").encode() * 50_000, 40)},
        settings={"IMPORT_EXPANSION_ALLOWANCE_BYTES": 2**20},
    ),
    Case(
        "gz above the absolute size",
        REFUSED,
        "possible decompression bomb",
        files={"sales.csv.gz": p.gz(SALES.encode() + (OK_ROW + "\n").encode() * 20_000)},
        settings={"IMPORT_MAX_UNPACKED_BYTES": 100_000, "IMPORT_EXPANSION_ALLOWANCE_BYTES": 10_000},
    ),
    Case(
        "xlsx bomb by ratio",
        REFUSED,
        "possible zip bomb",
        FILE_CHANNELS,
        files={"sales.xlsx": p.xlsx_bomb(60)},
    ),
    Case("xlsx holding a zip", REFUSED, "Excel", files={"sales.xlsx": p.nested_zip_xlsx()}),
    Case(
        "truncated gz",
        REFUSED,
        "gzip",
        FILE_CHANNELS,
        files={"sales.csv.gz": p.gz((SALES + OK_ROW + "\n").encode() * 2000)[:200]},
    ),
    Case(
        "gz with a bad checksum",
        REFUSED,
        "not a valid gzip file",
        files={"sales.csv.gz": p.gz((SALES + OK_ROW + "\n").encode())[:-8] + b"\0" * 8},
    ),
    Case(
        "csv.gz that is not gzip",
        REFUSED,
        "not a gzip-compressed CSV",
        FILE_CHANNELS,
        files={"sales.csv.gz": (SALES + OK_ROW).encode()},
    ),
    Case(
        "xlsx that is not a zip",
        REFUSED,
        "not an Excel",
        FILE_CHANNELS,
        files={"sales.xlsx": b"date,store\n"},
    ),
    Case(
        "zip without workbook parts",
        REFUSED,
        "not an Excel",
        files={
            "sales.xlsx": p.xlsx([["a"]]).replace(b"[Content_Types].xml", b"[Content_Typez].xml")
        },
    ),
    # Numbered findings through files.
    Case(
        "two rows a week apart stay daily",
        SAFE,
        channels=FILE_CHANNELS,
        files=sales("2024-01-05,N1,COLA,1", "2024-01-12,N1,COLA,1"),
        check=grain_daily,
    ),
    Case(
        "sales without revenue keep it",
        SAFE,
        channels=FILE_CHANNELS,
        files=sales("2024-01-01,S1,CHIPS,9"),
        check=revenue_kept,
    ),
    Case(
        "walmart train with a 9999 date",
        REFUSED,
        "outside the dates accepted",
        FILE_CHANNELS,
        fmt="walmart",
        files={"train.csv": b"Store,Dept,Date,Weekly_Sales,IsHoliday\n1,1,9999-12-31,10,FALSE\n"},
    ),
    Case(
        "walmart train with 1e308",
        REFUSED,
        "is larger than",
        fmt="walmart",
        files={
            "train.csv": b"Store,Dept,Date,Weekly_Sales,IsHoliday\n1,1,2012-01-06,1e308,FALSE\n"
        },
    ),
    Case(
        "ai-sop cashback column with a slash",
        REFUSED,
        "'shop_sales.csv' is required",
        fmt="ai-sop",
        files={
            "shop_sales_dates.csv": b"date,wm_yr_wk,date_id,CASHBACK_A/B\n2015-01-01,11501,1,1\n"
        },
    ),
    Case(
        "ai-sop count in full-width digits",
        REFUSED,
        "is not a number",
        fmt="ai-sop",
        files={
            "shop_sales.csv": "item_id,store_id,date_id,cnt\nA_1,S1,1,５\n".encode(),
            "shop_sales_dates.csv": b"date,wm_yr_wk,date_id\n2015-01-01,11501,1\n",
        },
    ),
]

BIG_BATCH = row() * 50_001

API_CASES: list[Case] = [
    *api("malformed JSON", '[{"date": ', "JSON parse error"),
    *api("not a list", {"date": "2024-01-01"}, "Post a JSON list"),
    *api("empty list", [], "empty"),
    *api("list of numbers", [1, 2, 3], "Post a JSON list"),
    *api("JSON nested 100,000 deep", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    *api("nested object value", row(store={"code": "N1"}), "must be a text"),
    *api("keys differing by case", [{**row()[0], "Store": "S1"}], "differ only by case"),
    *api("year 9999", row(date="9999-12-31"), "outside the dates accepted"),
    *api("1e308 as a JSON number", row(quantity=1e308), "is larger than"),
    *api(
        "Infinity literal",
        '[{"date": "2024-01-01", "store": "N1", "sku": "COLA", "quantity": Infinity}]',
        "not JSON compliant",
    ),
    *api(
        "NaN literal",
        '[{"date": "2024-01-01", "store": "N1", "sku": "COLA", "quantity": NaN}]',
        "not JSON compliant",
    ),
    *api("Arabic-Indic digits", row(quantity="١٢"), "is not a number"),
    *api("full-width digit", row(quantity="５"), "is not a number"),
    *api("underscore digits", row(quantity="1_000"), "is not a number"),
    *api("integer of 5,000 digits", '[{"quantity": ' + "9" * 5000 + "}]", "JSON parse error"),
    *api("boolean quantity", row(quantity=True), "is not a number"),
    *api("null store", row(store=None), "store is empty"),
    *api("negative quantity", row(quantity=-5), "is negative"),
    *api("slash in a store code", row(store="SEC/SLASH"), "may hold only letters"),
    *api("NUL in a code", row(sku="CO\x00LA"), "control character"),
    *api("literal \\N as a store", row(store="\\N"), "'\\N' is not allowed"),
    *api("huge cell", row(store="S" * 10_072), "longer than 32 characters"),
    *api("script tag as a store", row(store="<script>alert(1)</script>"), "may hold only letters"),
    *api("unknown store", row(store="NOPE"), "does not exist"),
    *api("duplicate rows", row() * 2, "duplicate of row 1"),
    *api("unknown field is ignored", [{**row()[0], "colour": "red"}], expect=SAFE),
    *api(
        "XML body with XXE",
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
        "Unsupported media type",
        content_type="application/xml",
    ),
    *api(
        "form-encoded body",
        "date=2024-01-01",
        "Unsupported media type",
        content_type="application/x-www-form-urlencoded",
    ),
    *api(
        "more rows than allowed",
        BIG_BATCH,
        "at most 50,000 rows",
    ),
    *api(
        "body above the request size limit",
        BIG_BATCH,
        "larger than the 1,000,000 bytes allowed",
        settings={"IMPORT_API_MAX_BODY_BYTES": 1_000_000},
    ),
    *api(
        "order in the future by 10 years",
        [
            {
                "order_ref": "PO-F",
                "store": "N1",
                "sku": "COLA",
                "ordered_on": "2036-01-01",
                "promised_on": "2036-01-02",
                "quantity_ordered": 1,
            }
        ],
        "outside the dates accepted",
        kind="supply_orders",
    ),
    *api(
        "order received before ordered",
        [
            {
                "order_ref": "PO-R",
                "store": "N1",
                "sku": "COLA",
                "ordered_on": "2024-01-05",
                "promised_on": "2024-01-06",
                "received_on": "2024-01-01",
                "quantity_ordered": 1,
            }
        ],
        "is before ordered_on",
        kind="supply_orders",
    ),
    *api(
        "inventory at a store and a warehouse",
        [{"date": "2024-01-01", "store": "N1", "warehouse": "W-N", "sku": "COLA", "on_hand": 1}],
        "not both",
        kind="inventory",
    ),
    Case(
        "another region's store [planner]",
        REFUSED,
        "outside your scope",
        channels=("api-planner",),
        body=row(store="S1"),
    ),
    Case(
        "another category's SKU [planner]",
        REFUSED,
        "outside your scope",
        channels=("api-planner",),
        body=row(sku="CHIPS"),
    ),
    Case(
        "another region's warehouse [planner]",
        REFUSED,
        "outside your scope",
        channels=("api-planner",),
        kind="inventory",
        body=[{"date": "2024-01-01", "warehouse": "W-S", "sku": "COLA", "on_hand": 1}],
    ),
    Case(
        "taking over another region's order [planner]",
        REFUSED,
        "existing order outside your scope",
        channels=("api-planner",),
        kind="supply_orders",
        body=[
            {
                "order_ref": "PO-SOUTH",
                "store": "N1",
                "sku": "COLA",
                "ordered_on": "2024-01-01",
                "promised_on": "2024-01-02",
                "quantity_ordered": 1,
            }
        ],
    ),
    Case(
        "own order [planner]",
        SAFE,
        channels=("api-planner",),
        kind="supply_orders",
        body=[
            {
                "order_ref": "PO-NEW",
                "store": "N1",
                "sku": "COLA",
                "ordered_on": "2024-01-01",
                "promised_on": "2024-01-02",
                "quantity_ordered": 1,
            }
        ],
    ),
    Case(
        "sales without revenue keep it [admin]",
        SAFE,
        channels=("api-admin",),
        body=row(store="S1", sku="CHIPS", quantity=9),
        check=revenue_kept,
    ),
    Case(
        "two rows a week apart stay daily [admin]",
        SAFE,
        channels=("api-admin",),
        body=[*row(date="2024-01-05"), *row(date="2024-01-12")],
        check=grain_daily,
    ),
]

CLOSURES = "store,from,to,reason\n"
OK_CLOSURE = "N1,2024-01-01,2024-01-02,flood"


def closures(*rows: str) -> dict[str, bytes]:
    return {"closures.csv": (CLOSURES + "".join(f"{r}\n" for r in (OK_CLOSURE, *rows))).encode()}


def closure(**fields: Any) -> list[dict[str, Any]]:
    base = {"store": "N1", "from": "2024-01-01", "to": "2024-01-02", "reason": "flood"}
    return [{**base, **fields}]


CLOSURE_CASES: list[Case] = [
    Case(
        "closure ending before it starts",
        REFUSED,
        "to 2024-01-01 is before from 2024-01-09",
        FILE_CHANNELS,
        files=closures("N1,2024-01-09,2024-01-01,x"),
    ),
    Case(
        "closure of an unknown store",
        REFUSED,
        "store 'NOPE' does not exist",
        files=closures("NOPE,2024-01-05,2024-01-06,x"),
    ),
    Case(
        "closure on 30 February",
        REFUSED,
        "is not a valid date",
        files=closures("N1,2024-02-30,2024-03-01,x"),
    ),
    Case(
        "closure until 9999",
        REFUSED,
        "outside the dates accepted",
        files=closures("N1,2024-01-05,9999-12-31,x"),
    ),
    Case(
        "closure reason with an escape",
        REFUSED,
        "control character",
        files=closures("N1,2024-01-05,2024-01-06,a\x1b[31mred"),
    ),
    Case(
        "closure reason \\N",
        REFUSED,
        "'\\N' is not allowed",
        files=closures("N1,2024-01-05,2024-01-06,\\N"),
    ),
    Case(
        "formula as a closure reason",
        SAFE,
        channels=FILE_CHANNELS,
        files=closures('N1,2024-01-05,2024-01-06,"=HYPERLINK(""http://evil"",""x"")"'),
        check=stored_text("StoreClosure", "reason", '=HYPERLINK("http://evil","x")'),
    ),
    Case(
        "script tag as a closure reason",
        SAFE,
        channels=("file", "upload"),
        files=closures("N1,2024-01-05,2024-01-06,<script>alert(1)</script>"),
        check=stored_text("StoreClosure", "reason", "<script>alert(1)</script>"),
    ),
    *api(
        "closure ending before it starts",
        closure(to="2023-12-01"),
        "is before from",
        kind="closures",
    ),
    *api(
        "closure with a nested store",
        closure(store={"code": "N1"}),
        "must be a text",
        kind="closures",
    ),
    *api(
        "closure of a huge store code",
        closure(store="S" * 10_072),
        "longer than 32",
        kind="closures",
    ),
    *api(
        "closure from year 1",
        closure(**{"from": "0001-01-01"}),
        "outside the dates",
        kind="closures",
    ),
    Case(
        "another region's closure [planner]",
        REFUSED,
        "outside your scope",
        channels=("api-planner",),
        kind="closures",
        body=closure(store="S1"),
    ),
    Case(
        "own store's closure [planner]",
        SAFE,
        channels=("api-planner",),
        kind="closures",
        body=closure(),
        check=stored_text("StoreClosure", "reason", "flood"),
    ),
]

PAGE_CASES: list[Case] = [
    Case("no file", REFUSED, "This field is required", ("upload",)),
    Case(
        "unknown format",
        REFUSED,
        "Select a valid choice",
        ("upload",),
        fmt="xml",
        files=sales(OK_ROW),
    ),
    Case(
        "path traversal in a file name",
        SAFE,
        channels=("upload",),
        files={"../../../sales.csv": (SALES + OK_ROW + "\n").encode()},
    ),
    Case(
        "script tag in a file name",
        REFUSED,
        "not a known kind",
        ("upload",),
        files={"<script>alert(1)</script>.csv": b"a\n1\n"},
    ),
    Case(
        "img onerror in a file name",
        REFUSED,
        "not a known kind",
        ("upload",),
        files={"<img src=x onerror=alert(1)>.csv": b"a\n1\n"},
    ),
    Case(
        "img onerror in a refused cell",
        REFUSED,
        "may hold only letters",
        ("upload",),
        files=sales(OK_ROW, "2024-01-02,<img src=x onerror=alert(1)>,COLA,1"),
    ),
    Case(
        "two files with the same name",
        REFUSED,
        "same name",
        ("upload",),
        files={"sales.csv": sales(OK_ROW)["sales.csv"], "SALES.csv": sales(OK_ROW)["sales.csv"]},
    ),
    Case(
        "exe renamed csv",
        REFUSED,
        "not a CSV text file",
        ("upload",),
        files={"sales.csv": b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64},
    ),
    Case(
        "planner posts to the upload page", REFUSED, "403", ("upload-planner",), files=sales(OK_ROW)
    ),
]

ALL_CASES: list[Case] = [*FILE_CASES, *API_CASES, *CLOSURE_CASES, *PAGE_CASES]


def json_body(case: Case) -> str:
    return case.body if isinstance(case.body, str) else json.dumps(case.body)
