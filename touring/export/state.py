"""What an export sent, kept next to it so that the next export into the same folder
re-issues it: ``OUT/export-state.json``.

The state holds the plan the export was made from (its plan.json document), the plan the
export before it was made from (what the "changed since" boxes compare against), and per
calendar file the SEQUENCE, a content digest and the text of every event sent (see
:func:`touring.export.calendars.reissue`). It is written last and atomically, so an export
that fails part-way leaves the state of the last complete one, and the next export
re-issues against that.

Exporting a plan equal to the one of the state again is the same issue: nothing changes
(SEQUENCE kept, the same "changed since" boxes). A different plan is the next issue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from touring.errors import DataError
from touring.export.calendars import Issued
from touring.io.files import write_text_atomic

STATE_FILE = "export-state.json"
SCHEMA = "touring-export-state"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Issue:
    """One issue of the exports: its number (1 for the first export into a folder), the
    plan version it was made from when known, when it was made, and the plan document."""

    number: int
    version: int | None
    issued_at: str
    plan: dict

    @property
    def label(self) -> str:
        """``version 3``, or ``the export of 2026-03-09`` when the version is not known."""
        return f"version {self.version}" if self.version is not None else f"the export of {self.issued_at[:10]}"

    def to_json(self) -> dict:
        return {"issue": self.number, "version": self.version, "issued_at": self.issued_at, "plan": self.plan}


@dataclass(frozen=True)
class ExportState:
    issue: Issue
    since: Issue | None  # the issue before, which the "changed since" boxes compare against
    calendars: dict[str, dict[str, Issued]]  # calendar file (relative to OUT) -> UID -> what was sent


def _issue(data: dict, where: str) -> Issue:
    version = data["version"]
    if not isinstance(data["issue"], int) or not (version is None or isinstance(version, int)):
        raise ValueError(f"{where}: 'issue' and 'version' must be whole numbers")
    if not isinstance(data["plan"], dict):
        raise ValueError(f"{where}: 'plan' must be a plan document")
    return Issue(data["issue"], version, str(data["issued_at"]), data["plan"])


def read_state(out_dir: str | Path) -> ExportState | None:
    """The state of the last export into ``out_dir``; ``None`` when there was none.

    Raises
    ------
    DataError
        When the file is there but is not a state this code reads; the message names the field.
    """
    path = Path(out_dir) / STATE_FILE
    if not path.exists():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(path.name, None, None, f"is not a JSON document: {error}") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise DataError(path.name, None, "schema", f"must be '{SCHEMA}'", setting=True)
    if document.get("schema_version") != SCHEMA_VERSION:
        raise DataError(path.name, None, "schema_version",
                        f"is {document.get('schema_version')!r}; this touring reads {SCHEMA_VERSION}", setting=True)
    where = "issue"
    try:
        issue = _issue(document["issue"], where)
        where = "since"
        since = _issue(document["since"], where) if document["since"] is not None else None
        calendars = {}
        for name, events in document["calendars"].items():
            where = f"calendars.{name}"
            calendars[name] = {uid: Issued(int(e["sequence"]), str(e["digest"]), bool(e["cancelled"]), str(e["ical"]))
                               for uid, e in events.items()}
    except KeyError as error:
        raise DataError(path.name, None, where, f"lacks the field {error.args[0]!r}", setting=True) from None
    except (TypeError, ValueError, AttributeError) as error:
        raise DataError(path.name, None, where, f"has a bad value: {error}", setting=True) from None
    return ExportState(issue, since, calendars)


def write_state(out_dir: str | Path, state: ExportState) -> Path:
    """Write ``state`` into ``out_dir`` atomically; returns the file."""
    document = {
        "schema": SCHEMA, "schema_version": SCHEMA_VERSION,
        "issue": state.issue.to_json(),
        "since": state.since.to_json() if state.since is not None else None,
        "calendars": {name: {uid: {"sequence": e.sequence, "digest": e.digest, "cancelled": e.cancelled,
                                   "ical": e.ical} for uid, e in events.items()}
                      for name, events in state.calendars.items()},
    }
    path = Path(out_dir) / STATE_FILE
    write_text_atomic(path, json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    return path


def next_issue(previous: ExportState | None, plan: dict, version: int | None,
               issued_at: str) -> tuple[Issue, Issue | None]:
    """This export's issue and the issue its changes are told against.

    The same plan as the previous issue is that issue again (its version kept unless one is
    given), still compared with the issue before it; another plan is the next issue,
    compared with the previous one; the first export into a folder compares with nothing.
    """
    if previous is None:
        return Issue(1, version, issued_at, plan), None
    if previous.issue.plan == plan:
        kept = previous.issue
        return Issue(kept.number, version if version is not None else kept.version, issued_at, plan), previous.since
    return Issue(previous.issue.number + 1, version, issued_at, plan), previous.issue
