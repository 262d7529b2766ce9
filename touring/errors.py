"""Errors that name where a problem is, so a tour manager can fix the input by hand."""

from __future__ import annotations


class FieldError(ValueError):
    """A value that breaks a rule of the domain model, naming the field it belongs to.

    The model raises it at construction; the loader adds the file and the row.
    """

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class DataError(Exception):
    """One problem in the input, located by file, row and field.

    ``row`` is the spreadsheet row number (the header is row 1, so the first data row
    is row 2); it is ``None`` for problems that belong to a whole file or to a setting
    in ``tour.toml``.
    """

    def __init__(self, file: str, row: int | None, field: str | None, message: str, *, setting: bool = False):
        self.file = file
        self.row = row
        self.field = field
        self.message = message
        self.setting = setting  # field is a tour.toml key rather than a column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"'{self.field}'" if self.setting else f"column '{self.field}'")
        return f"{', '.join(where)}: {self.message}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DataError) and (
            (self.file, self.row, self.field, self.message)
            == (other.file, other.row, other.field, other.message)
        )

    def __hash__(self) -> int:
        return hash((self.file, self.row, self.field, self.message))


class TourDataError(Exception):
    """Every problem found while loading a tour; raised instead of a partial tour."""

    def __init__(self, errors: list[DataError], warnings: list[DataError] | None = None):
        self.errors = list(errors)
        self.warnings = list(warnings or [])
        count = len(self.errors)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the tour:"]
        lines += [f"  {error}" for error in self.errors]
        super().__init__("\n".join(lines))
