"""Reading tables (CSV files or workbook sheets) and writing files atomically.

A table is read into rows of text keyed by lower-case column name, each with the row
number a spreadsheet would show (the header is row 1), so every later error can point at
the cell to fix.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from touring.errors import DataError


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, str]  # column name (lower case, stripped) -> cell text (stripped)


@dataclass(frozen=True)
class Table:
    source: str  # what error messages call it: 'venues.csv' or 'tour.xlsx, sheet venues'
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def _normalize_header(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def read_csv(path: Path) -> Table:
    """Read a CSV file; comma, semicolon or tab separated (Excel in Belgium writes ';')."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(path.name, None, None, f"is not UTF-8 text ({error.reason} at byte {error.start})") from None
    first_line = text.splitlines()[0] if text.strip() else ""
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines = list(reader)
    if not lines:
        raise DataError(path.name, None, None, "is empty; it needs a header row")
    columns = tuple(_normalize_header(c) for c in lines[0])
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(columns):
            raise DataError(path.name, number, None,
                            f"has {len(cells)} cells but the header has {len(columns)} columns "
                            f"(a '{delimiter}' inside a value needs quotes)")
        values = {col: cell.strip() for col, cell in zip(columns, cells)}
        rows.append(Row(number, values))
    return Table(path.name, columns, tuple(rows))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_workbook(path: Path) -> dict[str, Table]:
    """Read every sheet of an .xlsx workbook as a table keyed by lower-case sheet name."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several unrelated types for a bad file
        raise DataError(path.name, None, None, f"cannot be read as an .xlsx workbook: {error}") from None
    tables = {}
    for sheet in workbook.worksheets:
        lines = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        source = f"{path.name}, sheet {sheet.title}"
        if not lines:
            tables[sheet.title.strip().lower()] = Table(source, (), ())
            continue
        columns = tuple(_normalize_header(c) for c in lines[0])
        rows = tuple(Row(n, {c: v for c, v in zip(columns, cells) if c})
                     for n, cells in enumerate(lines[1:], start=2) if any(cells))
        tables[sheet.title.strip().lower()] = Table(source, columns, rows)
    workbook.close()
    return tables


def write_text_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old content or the new, never a half."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
