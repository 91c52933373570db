"""Import help: profile an unknown CSV/XLSX, propose how its columns map to the ``sop``
format, and, once the user has confirmed the mapping, import it with the usual validation.

Nothing is written to the company's data before the user confirms: the upload is kept in the
user's own folder under MEDIA_ROOT, named by a random token. The confirmed mapping rewrites it
as one ``sop`` table (``<kind>_mapped.csv``) and starts the ordinary import job, which
validates every row and, unless the user asks otherwise, writes all or nothing.
"""

from __future__ import annotations

import csv
import difflib
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.text import get_valid_filename

from imports.columns import DATE_PATTERN, NUMBER_PATTERN
from imports.formats.sop import SPECS
from imports.job_params import ImportParams
from imports.readers import read_table
from imports.services import HINT_UPLOAD, IMPORT_KIND
from jobs.models import JobRun
from jobs.services import job_start

EXAMPLES = 3
SNIFF_BYTES = 64 * 1024
TOKEN = re.compile(r"[0-9a-f]{32}")
# Other names files commonly give the sop columns (compared lower-case, without separators).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("day", "ds", "period", "week", "salesdate", "transactiondate", "дата"),
    "store": (
        "storeid",
        "storenbr",
        "storeno",
        "shop",
        "shopid",
        "location",
        "site",
        "outlet",
        "магазин",
    ),
    "sku": (
        "skuid",
        "item",
        "itemid",
        "itemnbr",
        "product",
        "productid",
        "article",
        "articleid",
        "товар",
        "артикул",
    ),
    "quantity": ("qty", "units", "unitsales", "unitssold", "sales", "volume", "количество"),
    "revenue": ("salesvalue", "amount", "turnover", "value", "выручка"),
    "price": ("unitprice", "sellprice", "цена"),
    "on_promotion": ("onpromo", "promo", "promotion", "promoflag"),
    "on_hand": ("onhand", "stock", "stockonhand", "inventory", "остаток"),
    "on_order": ("onorder", "openorders"),
    "code": ("id", "number", "nbr"),
    "name": ("description", "title", "label", "название"),
    "region": ("area", "district", "регион"),
    "category": ("family", "department", "group", "категория"),
    "unit_cost": ("cost", "purchaseprice"),
    "unit_price": ("price", "retailprice"),
}
DATE_FORMATS = {
    "iso": ("%Y-%m-%d", "YYYY-MM-DD"),
    "dmy_dot": ("%d.%m.%Y", "DD.MM.YYYY"),
    "dmy_slash": ("%d/%m/%Y", "DD/MM/YYYY"),
    "mdy_slash": ("%m/%d/%Y", "MM/DD/YYYY"),
}
NOT_MAPPED = ""


class ImportHelpError(Exception):
    """The upload or the mapping cannot be used; the message says why."""


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    kind: str  # integer, number, date, bool or text
    examples: tuple[str, ...]
    empty: int
    distinct: int
    date_format: str = ""
    first_date: str = ""
    last_date: str = ""


@dataclass
class FileProfile:
    name: str
    rows: int
    columns: list[ColumnProfile] = field(default_factory=list)

    @property
    def date_range(self) -> tuple[str, str] | None:
        dated = [c for c in self.columns if c.first_date]
        if not dated:
            return None
        return min(c.first_date for c in dated), max(c.last_date for c in dated)


@dataclass(frozen=True)
class MappingProposal:
    kind: str
    mapping: dict[str, str]  # sop column -> the file's column ("" when none)
    date_format: str
    score: float


def upload_folder(*, user: User, token: str) -> Path:
    if not TOKEN.fullmatch(token or ""):
        raise ImportHelpError("This upload is unknown; upload the file again.")
    return Path(settings.MEDIA_ROOT) / "assistant" / "imports" / str(user.pk) / token


def import_help_upload(*, user: User, upload: UploadedFile) -> str:
    """Keep ``upload`` in the user's own folder until the mapping is confirmed; its token."""
    token = uuid.uuid4().hex
    folder = upload_folder(user=user, token=token)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (get_valid_filename(Path(upload.name).name) or "upload.csv")
    with path.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    _commas(path)
    return token


def _commas(path: Path) -> None:
    """Rewrite a CSV separated by semicolons, tabs or bars (as many systems export) with
    commas, the separator the import reads; anything it cannot read is left as it was."""
    if path.suffix.lower() != ".csv":
        return
    try:
        with path.open(encoding="utf-8-sig", newline="") as source:
            dialect = csv.Sniffer().sniff(source.read(SNIFF_BYTES), delimiters=",;\t|")
            if dialect.delimiter == ",":
                return
            source.seek(0)
            rows = list(csv.reader(source, delimiter=dialect.delimiter))
    except (csv.Error, UnicodeDecodeError):
        return
    with path.open("w", encoding="utf-8", newline="") as target:
        csv.writer(target).writerows(rows)


def uploaded_file(*, user: User, token: str) -> Path:
    """The file kept under ``token`` for ``user`` (another user's token finds nothing)."""
    folder = upload_folder(user=user, token=token)
    files = sorted(folder.glob("*")) if folder.is_dir() else []
    if not files:
        raise ImportHelpError("This upload is unknown or was removed; upload the file again.")
    return files[0]


def _read(path: Path) -> pd.DataFrame:
    try:
        frame = read_table(path, path.name)
    except Exception as exc:  # the readers' own errors and pandas' parse errors alike
        raise ImportHelpError(f"The file could not be read: {exc}") from exc
    return frame.drop(columns=["_file", "_row"])


def file_profile(*, path: Path) -> FileProfile:
    """Columns, their types, examples and date ranges, from the whole file."""
    frame = _read(path)
    profile = FileProfile(name=path.name, rows=len(frame))
    for name in frame.columns:
        profile.columns.append(_column_profile(name, frame[name]))
    return profile


def _column_profile(name: str, column: pd.Series) -> ColumnProfile:
    filled = column[column != ""]
    examples = tuple(filled.drop_duplicates().head(EXAMPLES).astype(str))
    kind, date_format, first, last = _kind(filled)
    return ColumnProfile(
        name=name,
        kind=kind,
        examples=examples,
        empty=int(len(column) - len(filled)),
        distinct=int(filled.nunique()),
        date_format=date_format,
        first_date=first,
        last_date=last,
    )


def _kind(values: pd.Series) -> tuple[str, str, str, str]:
    if values.empty:
        return "text", "", "", ""
    text = values.astype(str)
    lower = set(text.str.lower().unique()[:50])
    if lower <= {"true", "false", "yes", "no", "y", "n"}:
        return "bool", "", "", ""
    if text.str.fullmatch(r"[+-]?[0-9]+").all():
        return "integer", "", "", ""
    if text.str.fullmatch(NUMBER_PATTERN).all():
        return "number", "", "", ""
    for key, (fmt, _label) in DATE_FORMATS.items():
        if key == "iso" and not text.str.fullmatch(DATE_PATTERN).all():
            continue
        dates = pd.to_datetime(text, format=fmt, errors="coerce")
        if dates.notna().all():
            return "date", key, f"{dates.min():%Y-%m-%d}", f"{dates.max():%Y-%m-%d}"
    return "text", "", "", ""


def _normal(name: str) -> str:
    return re.sub(r"[^0-9a-zа-яё]", "", name.lower())


def _match(target: str, profile: FileProfile, taken: set[str]) -> tuple[str, float]:
    """The file's column that most likely holds ``target``, and how sure (0 to 1)."""
    wanted = {_normal(target), *SYNONYMS.get(target, ())}
    best, best_score = NOT_MAPPED, 0.0
    for column in profile.columns:
        if column.name in taken:
            continue
        normal = _normal(column.name)
        if normal in wanted:
            score = 1.0 if normal == _normal(target) else 0.9
        else:
            score = max(difflib.SequenceMatcher(None, normal, w).ratio() for w in wanted)
            score = score if score >= 0.8 else 0.0
        if score > best_score:
            best, best_score = column.name, score
    return best, best_score


def mapping_proposed(profile: FileProfile) -> MappingProposal:
    """The kind of ``sop`` table the file most likely is and a column for each field."""
    best: MappingProposal | None = None
    for kind, spec in SPECS.items():
        mapping: dict[str, str] = {}
        taken: set[str] = set()
        score = 0.0
        for column in spec.columns:
            source, sure = _match(column.name, profile, taken)
            mapping[column.name] = source
            if source:
                taken.add(source)
                score += sure * (2 if column.required else 1)
            elif column.required:
                score -= 2
        if best is None or score > best.score:
            best = MappingProposal(kind=kind, mapping=mapping, date_format="", score=score)
    assert best is not None
    date_sources = {c.name: c.date_format for c in profile.columns if c.date_format}
    formats = [date_sources[s] for s in best.mapping.values() if s in date_sources]
    return MappingProposal(
        kind=best.kind,
        mapping=best.mapping,
        date_format=formats[0] if formats else "iso",
        score=best.score,
    )


def mapped_table(
    *, frame: pd.DataFrame, kind: str, mapping: dict[str, str], date_format: str
) -> pd.DataFrame:
    """The file as a ``sop`` table of ``kind``: mapped columns renamed, dates as ISO text.

    A date that does not parse in ``date_format`` is left as it was, so the import's own
    validation reports it with its row.
    """
    if kind not in SPECS:
        raise ImportHelpError(f"'{kind}' is not a kind of sop table.")
    spec = SPECS[kind]
    known = {column.name: column for column in spec.columns}
    unknown_targets = sorted(set(mapping) - set(known))
    if unknown_targets:
        raise ImportHelpError(f"{kind} tables have no column {', '.join(unknown_targets)}.")
    chosen = {target: source for target, source in mapping.items() if source}
    missing_sources = sorted(set(chosen.values()) - set(frame.columns))
    if missing_sources:
        raise ImportHelpError(f"The file has no column {', '.join(missing_sources)}.")
    required = [c.name for c in spec.columns if c.required and c.name not in chosen]
    if required:
        raise ImportHelpError(
            f"A {kind} table needs the column(s) {', '.join(required)}; pick the file's column "
            "for each."
        )
    fmt = DATE_FORMATS.get(date_format, DATE_FORMATS["iso"])[0]
    table = pd.DataFrame(index=frame.index)
    for target, source in chosen.items():
        values = frame[source]
        if known[target].kind == "date" and date_format != "iso":
            parsed = pd.to_datetime(values, format=fmt, errors="coerce")
            values = parsed.dt.strftime("%Y-%m-%d").where(parsed.notna(), values)
        table[target] = values
    return table


def import_help_start(
    *,
    user: User,
    token: str,
    kind: str,
    mapping: dict[str, str],
    date_format: str,
    create_missing: bool,
    skip_invalid: bool,
) -> JobRun:
    """Rewrite the kept upload with the confirmed mapping and start the ordinary import."""
    source = uploaded_file(user=user, token=token)
    table = mapped_table(frame=_read(source), kind=kind, mapping=mapping, date_format=date_format)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    folder = Path(settings.MEDIA_ROOT) / "imports" / f"{stamp}-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind}_mapped.csv"
    table.to_csv(path, index=False)
    params = ImportParams(
        format="sop",
        paths=(str(path),),
        files=(f"{source.name} (as {kind})",),
        create_missing=create_missing,
        skip_invalid=skip_invalid,
        hint=HINT_UPLOAD,
    )
    return job_start(kind=IMPORT_KIND, params=params, actor=user)
