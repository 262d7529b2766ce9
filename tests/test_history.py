"""The plan history on SQLAlchemy: the embedded SQLite file and a real PostgreSQL (from the pgserver wheel).

Every test that takes ``database`` runs on both backends: ``None`` is the default file in
the tour folder, otherwise the URL of a fresh PostgreSQL database on the session's server.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import warnings
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from solvers.replan import CancelShow, CrewUnavailable
from solvers.schedule import ScheduleParams
from touring.io import load_tour
from touring.io.history import HISTORY_FILE, History, HistoryError
from touring.io.plan import plan_to_json
from touring.model import DateRange
from touring.planning import make_plan

REPO = Path(__file__).parent.parent
TINY = Path(__file__).parent / "data" / "tiny"


# --- backends ------------------------------------------------------------------------

class Postgres:
    """One PostgreSQL server for the session, and the database the tests share."""

    def __init__(self, uri: str):
        base = sa.make_url(uri).set(drivername="postgresql+psycopg")
        self._admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with self._admin.connect() as connection:
            # Test data is thrown away: skip the flushes to disk, which dominate on a busy machine.
            connection.exec_driver_sql("ALTER SYSTEM SET fsync = off")
            connection.exec_driver_sql("SELECT pg_reload_conf()")
            connection.exec_driver_sql("CREATE DATABASE touring")
        self.url = base.set(database="touring")
        self._engine = sa.create_engine(self.url)

    def empty(self) -> str:
        """The URL of the shared database, without history tables (as a team's new database)."""
        with self._engine.begin() as connection:
            connection.exec_driver_sql("SET LOCAL lock_timeout = '10s'")  # a leaked connection fails, not hangs
            connection.exec_driver_sql("DROP TABLE IF EXISTS events, versions")
        return self.url.render_as_string(hide_password=False)

    def close(self) -> None:
        self._engine.dispose()
        self._admin.dispose()


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    """A PostgreSQL server from the pgserver wheel, started once, deleted at the end.

    PostgreSQL refuses to run as root. pgserver handles that itself: when the effective
    uid is 0 it creates (once, with ``useradd``) a system user ``pgserver``, gives it the
    data folder, opens read and traverse rights on every parent folder of the data folder
    and of its bundled binaries, and runs ``initdb`` and ``pg_ctl`` as that user
    (``subprocess.run(user=...)``). The server listens on a Unix socket in the data
    folder only, so parallel sessions never compete for a port. As any other user it runs
    the binaries directly.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers) and falls back to /tmp.
        warnings.simplefilter("ignore")
        if sys.version_info >= (3, 13):
            pgserver = pytest.importorskip("pgserver", reason="pgserver has wheels for Python 3.9 to 3.12 only")
        else:
            import pgserver
    # As root the data folder goes to a private temporary folder, not under tmp_path_factory: pgserver
    # opens every parent of it to its user, but each pytest session that starts as root resets
    # /tmp/pytest-of-root to 0700, and a session started meanwhile (another checkout, a second
    # terminal) locks initdb out with "could not access directory ...: Permission denied".
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    parent = Path(tempfile.mkdtemp(prefix="touring-postgres-")) if as_root else tmp_path_factory.mktemp("postgres")
    try:
        server = pgserver.get_server(parent / "data", cleanup_mode="delete")
        handle = Postgres(server.get_uri())
        yield handle
        handle.close()
        server.cleanup()
    finally:
        if as_root:
            shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request) -> str | None:
    """None for the embedded SQLite file, or the URL of the PostgreSQL database with no history yet."""
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("postgres").empty()


@pytest.fixture
def shared_url(database, tmp_path) -> str:
    """A URL that two tour folders can share: a SQLite file outside both, or the PostgreSQL database."""
    return database or f"sqlite:///{tmp_path / 'shared.sqlite'}"


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """The tiny tour planned once for the module (the history tests do not change it)."""
    folder = tmp_path_factory.mktemp("planned") / "tiny"
    shutil.copytree(TINY, folder, ignore=shutil.ignore_patterns(".touring"))
    loaded = load_tour(folder)
    plan = make_plan(loaded, ScheduleParams(time_limit_s=5, workers=2))
    assert plan.found
    return loaded, plan


@pytest.fixture
def root(tmp_path) -> Path:
    """An empty tour folder: the history needs only its name (the key) and, by default, its .touring."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    return folder


def counts(history: History) -> tuple[int, int]:
    """(versions, events) stored for the history's tour, read on a connection of its own."""
    engine = sa.create_engine(history.url)
    try:
        with engine.connect() as connection:
            return tuple(connection.execute(sa.text(f"SELECT COUNT(*) FROM {table} WHERE tour = :tour"),
                                            {"tour": history.tour}).scalar_one()
                         for table in ("versions", "events"))
    finally:
        engine.dispose()


CANCEL = (CancelShow("ab-brussels"), CrewUnavailable("anna", DateRange(date(2026, 3, 10), date(2026, 3, 12))))


def after_version_insert(history, action):
    """Run ``action`` once, mid-write: right after the next version row's INSERT, inside its
    transaction, before the commit (the writer subprocesses get this function's source too)."""
    pending = [action]

    def hook(connection, cursor, statement, parameters, context, executemany):
        if pending and statement.lstrip().upper().startswith("INSERT INTO VERSIONS"):
            pending.pop()()

    sa.event.listen(history._engine, "after_cursor_execute", hook)


# --- versions ----------------------------------------------------------------------

def test_versions_are_numbered_from_one_and_read_back(planned, root, database):
    loaded, plan = planned
    with History(root, database) as history:
        assert history.latest() is None and history.versions() == ()
        assert history.add(plan, loaded.tour) == 1
        assert history.add(plan, loaded.tour, CANCEL, 1, date(2026, 3, 5)) == 2
        versions = history.versions()
        assert history.plan_json(2) == json.loads(json.dumps(plan_to_json(plan, loaded.tour)))
        assert history.plan(2).bookings == plan.bookings
        with pytest.raises(KeyError):
            history.plan_json(3)
    assert [(v.number, v.based_on, v.today, v.events) for v in versions] == \
        [(1, None, None, ()), (2, 1, date(2026, 3, 5), CANCEL)]
    assert versions[1].shows == len(plan.bookings) and versions[1].km == round(plan.km, 1)
    assert versions[1].status == plan.schedule_report.status
    assert (root / HISTORY_FILE).exists() == (database is None)


def test_a_version_based_on_an_unknown_one_is_refused_and_nothing_is_kept(planned, root, database):
    loaded, plan = planned
    with History(root, database) as history:
        history.add(plan, loaded.tour)
        with pytest.raises(HistoryError, match="history database .*(FOREIGN KEY|foreign key)"):
            history.add(plan, loaded.tour, CANCEL, based_on=7)
        assert counts(history) == (1, 0)
        assert history.add(plan, loaded.tour, CANCEL, based_on=1) == 2


def test_tours_sharing_a_database_keep_their_own_numbers(planned, tmp_path, shared_url):
    loaded, plan = planned
    (tmp_path / "spring").mkdir()
    (tmp_path / "autumn").mkdir()
    with History(tmp_path / "spring", shared_url) as spring, History(tmp_path / "autumn", shared_url) as autumn:
        assert spring.add(plan, loaded.tour) == 1
        assert autumn.add(plan, loaded.tour) == 1
        assert spring.add(plan, loaded.tour, CANCEL, 1) == 2
        assert [v.number for v in spring.versions()] == [1, 2] and [v.number for v in autumn.versions()] == [1]
        assert autumn.versions()[0].events == () and spring.versions()[1].events == CANCEL
        with pytest.raises(KeyError):
            autumn.plan_json(2)
    # The key is the folder's name, wherever the folder is: another checkout finds the same history.
    (tmp_path / "elsewhere" / "spring").mkdir(parents=True)
    with History(tmp_path / "elsewhere" / "spring", shared_url) as again:
        assert again.latest() == 2


# --- two writers -------------------------------------------------------------------

def test_a_writer_that_starts_during_another_write_gets_the_next_number(planned, tmp_path, shared_url):
    """The second writer reads MAX(number) while the first holds its version row uncommitted.

    Without the lock (SQLite) or SERIALIZABLE and the retry (PostgreSQL) it would read the
    same maximum and fail on the key or, without the key, store a second version 1.
    """
    loaded, plan = planned
    (tmp_path / "tiny").mkdir()
    second: dict[str, object] = {}

    def write_second() -> None:
        try:
            with History(tmp_path / "tiny", shared_url) as other:
                second["number"] = other.add(plan, loaded.tour, CANCEL, 1)
        except BaseException as error:  # reported by the main thread
            second["error"] = error

    thread = threading.Thread(target=write_second)

    def second_starts() -> None:
        thread.start()
        time.sleep(0.5)  # the second writer is now waiting for the lock or on the uncommitted key

    with History(tmp_path / "tiny", shared_url) as first:
        after_version_insert(first, second_starts)
        assert first.add(plan, loaded.tour) == 1
        thread.join(30)
        assert second == {"number": 2}
        assert [(v.number, v.events) for v in first.versions()] == [(1, ()), (2, CANCEL)]


def test_serialising_the_plan_holds_no_lock(planned, tmp_path, shared_url):
    """Another writer gets in while a plan is serialised: the lock is taken only for the inserts.

    Were the plan serialised inside the transaction, the inner write would wait for the
    outer's lock (SQLite: and fail after the 30 s timeout) or lose its race (PostgreSQL).
    """
    loaded, plan = planned
    (tmp_path / "tiny").mkdir()
    with History(tmp_path / "tiny", shared_url) as first, History(tmp_path / "tiny", shared_url) as second:
        def to_json_while_second_writes(plan, tour):
            assert second.add(plan, tour, CANCEL) == 1
            return plan_to_json(plan, tour)

        assert first.add(plan, loaded.tour, to_json=to_json_while_second_writes) == 2
        assert [(v.number, v.events) for v in first.versions()] == [(1, CANCEL), (2, ())]


def test_many_concurrent_writers_never_share_a_number(planned, tmp_path, shared_url):
    """Four writers open a new database at once (racing to create the tables too) and add three versions each."""
    loaded, plan = planned
    (tmp_path / "tiny").mkdir()
    numbers: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer() -> None:
        try:
            start.wait()
            with History(tmp_path / "tiny", shared_url) as history:
                for _ in range(3):
                    numbers.append(history.add(plan, loaded.tour, CANCEL[:1]))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(numbers) == list(range(1, 13))
    with History(tmp_path / "tiny", shared_url) as history:
        assert counts(history) == (12, 12)


# --- interrupted writes --------------------------------------------------------------

def test_an_exception_mid_write_leaves_the_history_as_it_was(planned, root, database):
    loaded, plan = planned
    with History(root, database) as history:
        history.add(plan, loaded.tour)
        before = counts(history)

        def interrupt() -> None:
            raise RuntimeError("interrupted")

        after_version_insert(history, interrupt)
        with pytest.raises(RuntimeError, match="interrupted"):
            history.add(plan, loaded.tour, CANCEL, 1, date(2026, 3, 5))
        assert counts(history) == before
        assert history.add(plan, loaded.tour) == 2  # the number was not used up


def test_a_plan_that_does_not_serialise_writes_nothing(planned, root, database):
    loaded, plan = planned
    with History(root, database) as history:
        history.add(plan, loaded.tour)
        before = counts(history)
        with pytest.raises(TypeError):
            history.add(plan, loaded.tour, CANCEL, 1, to_json=lambda plan, tour: {"not json": object()})
        assert counts(history) == before
        assert history.add(plan, loaded.tour) == 2


def _run_writer(root: Path, database: str | None, body: str) -> subprocess.CompletedProcess:
    """Run ``body`` in a fresh Python with ``history`` open on the tour and version 1's plan as ``plan``."""
    script = textwrap.dedent(f"""
        import sqlalchemy as sa
        from touring.io.history import History, HistoryError
        from solvers.replan import CancelShow
        history = History({str(root)!r}, {database!r})
        plan, document = history.plan(1), history.plan_json(1)
    """) + inspect.getsource(after_version_insert) + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (
                              str(REPO), os.environ.get("PYTHONPATH"))))})


def test_a_writer_killed_mid_write_leaves_the_history_as_it_was(planned, root, database):
    loaded, plan = planned
    with History(root, database) as history:
        history.add(plan, loaded.tour)
        before = counts(history)
    killed = _run_writer(root, database, """
        import os, signal
        after_version_insert(history, lambda: os.kill(os.getpid(), signal.SIGKILL))  # before the commit
        history.add(plan, None, (CancelShow("ab-brussels"),), 1, to_json=lambda plan, tour: document)
    """)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    with History(root, database) as history:
        assert counts(history) == before
        assert history.add(plan, loaded.tour) == 2


def test_a_full_disk_at_commit_leaves_the_sqlite_history_as_it_was(planned, root):
    """The file may not grow (RLIMIT_FSIZE, as a full disk would refuse it) when the commit writes the pages."""
    loaded, plan = planned
    with History(root) as history:
        history.add(plan, loaded.tour)
        before = counts(history)
    size = (root / HISTORY_FILE).stat().st_size
    assert len(json.dumps(plan_to_json(plan, loaded.tour))) > 8192  # the new version cannot fit in the slack
    full = _run_writer(root, None, f"""
        import resource, signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, ({size} + 4096, {size} + 4096))
        try:
            history.add(plan, None, (CancelShow("ab-brussels"),), 1, to_json=lambda plan, tour: document)
        except HistoryError as error:
            print("refused:", error)
    """)
    assert full.returncode == 0, full.stderr
    assert full.stdout.startswith("refused: history database sqlite:///"), full.stdout
    assert (root / HISTORY_FILE).stat().st_size <= size + 4096
    with History(root) as history:
        assert counts(history) == before
        assert history.add(plan, loaded.tour) == 2


# --- files written by the first layout -----------------------------------------------

# The DDL of touring/io/history.py before the move to SQLAlchemy (stdlib sqlite3, one tour per file).
OLD_DDL = """
CREATE TABLE IF NOT EXISTS versions (
    number INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    based_on INTEGER NULL REFERENCES versions(number),
    today TEXT NULL,
    plan_json TEXT NOT NULL,
    shows INTEGER NOT NULL,
    km REAL NOT NULL,
    fees REAL NOT NULL,
    objective REAL NULL,
    status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    version INTEGER NOT NULL REFERENCES versions(number),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data_json TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (version, position)
);
"""


def test_a_file_written_by_the_first_layout_is_read_and_extended(planned, root):
    loaded, plan = planned
    document = json.dumps(plan_to_json(plan, loaded.tour))
    (root / HISTORY_FILE).parent.mkdir()
    with sqlite3.connect(root / HISTORY_FILE) as old:
        old.executescript(OLD_DDL)
        old.executemany("INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            (1, "2026-03-01T09:00:00+00:00", None, None, document, 3, 512.5, 9000.0, 12.5, "OPTIMAL"),
            (2, "2026-03-05T09:00:00+00:00", 1, "2026-03-05", document, 2, 400.0, 6000.0, None, "FEASIBLE")])
        old.execute("INSERT INTO events VALUES (2, 0, 'cancel', ?, 'cancel show ab-brussels')",
                    (json.dumps({"show_id": "ab-brussels"}),))
    old.close()
    with History(root) as history:
        versions = history.versions()
        assert [(v.number, v.based_on, v.today, v.shows, v.km, v.objective, v.status, v.events) for v in versions] == [
            (1, None, None, 3, 512.5, 12.5, "OPTIMAL", ()),
            (2, 1, date(2026, 3, 5), 2, 400.0, None, "FEASIBLE", (CancelShow("ab-brussels"),))]
        assert history.plan(1).bookings == plan.bookings
        assert history.add(plan, loaded.tour, CANCEL, 2) == 3
    with sqlite3.connect(root / HISTORY_FILE) as db:
        assert {row[0] for row in db.execute("SELECT DISTINCT tour FROM versions")} == {"tiny"}
        assert sorted(db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")) == [("events",), ("versions",)]
    db.close()


def test_a_migration_that_fails_leaves_the_old_file_as_it_was(root):
    """A version based on one that is missing (the old code checked no keys): the new key refuses it."""
    (root / HISTORY_FILE).parent.mkdir()
    with sqlite3.connect(root / HISTORY_FILE) as old:
        old.executescript(OLD_DDL)
        old.execute("INSERT INTO versions VALUES (2, '2026-03-05T09:00:00+00:00', 1, NULL, '{}', 2, 1.0, 2.0, NULL, "
                    "'OPTIMAL')")
    old.close()
    before = (root / HISTORY_FILE).read_bytes()
    with pytest.raises(HistoryError, match="FOREIGN KEY constraint failed"):
        History(root)
    assert (root / HISTORY_FILE).read_bytes() == before


# --- command line --------------------------------------------------------------------

def test_cli_keeps_the_history_in_the_database_given_by_db(planned, tmp_path, database):
    """replan, history and diff with --db (or TOURING_DB); with the default, the file in the tour."""
    from touring.cli import main

    tiny_tour = tmp_path / "tiny"
    shutil.copytree(planned[0].root, tiny_tour)  # with its travel cache: the solves are all this test waits for
    out = tmp_path / "out"
    db_args = ["--db", database] if database else []
    planned = CliRunner().invoke(main, ["plan", str(tiny_tour), "-o", str(out), "--quiet", "--time-limit", "5"])
    assert planned.exit_code == 0, planned.output
    plan = json.loads((out / "plan.json").read_text())
    ab = next(s for s in plan["shows"] if s["show_id"] == "ab-brussels")
    missing = CliRunner().invoke(main, ["history", str(tiny_tour), *db_args])
    assert missing.exit_code == 1
    shown = sa.make_url(database).render_as_string(hide_password=True) if database else None
    assert missing.output == (f"Error: no history yet for tour 'tiny' in {shown}: run touring replan first\n"
                              if database else
                              f"Error: no history yet in {tiny_tour / HISTORY_FILE}: run touring replan first\n")
    replanned = CliRunner().invoke(main, ["replan", str(tiny_tour), "--plan", str(out / "plan.json"), "--today",
                                          ab["setup_start"], "--cancel", "ab-brussels", "-o", str(out),
                                          "--time-limit", "5", *db_args])
    assert replanned.exit_code == 0, replanned.output
    assert replanned.output.startswith("version 2 (from 1): 2 shows, ")
    assert (tiny_tour / HISTORY_FILE).exists() == (database is None)
    env = {"TOURING_DB": database} if database else {}
    listed = CliRunner().invoke(main, ["history", str(tiny_tour)], env=env)
    assert listed.exit_code == 0, listed.output
    assert listed.output.startswith("v1 (first, ") and "\nv2 (from 1, today " in listed.output
    assert listed.output.endswith("  - cancel show ab-brussels\n")
    diff = CliRunner().invoke(main, ["diff", str(tiny_tour), "1", "2"], env=env)
    assert diff.exit_code == 0 and "show at Ancienne Belgique is cancelled." in diff.output


def test_cli_names_a_database_it_cannot_use(root):
    from touring.cli import main

    tiny_tour = root

    bad = CliRunner().invoke(main, ["history", str(tiny_tour), "--db", "no such url"])
    assert bad.exit_code == 1
    assert bad.output == ("Error: the history database URL does not parse; "
                          "expected e.g. postgresql+psycopg://user@host/touring\n")
    driver = CliRunner().invoke(main, ["history", str(tiny_tour), "--db", "nosuchdb://u:secret@host/x"])
    assert driver.exit_code == 1
    assert driver.output.startswith("Error: cannot open the history database nosuchdb://u:***@host/x: ")
    down = CliRunner().invoke(main, ["history", str(tiny_tour), "--db",
                                     "postgresql+psycopg://u:secret@/x?host=/nonexistent-socket-dir"])
    assert down.exit_code == 1
    assert down.output.startswith("Error: history database postgresql+psycopg://u:***@/x?host=%2Fnonexistent")
    assert "secret" not in down.output
