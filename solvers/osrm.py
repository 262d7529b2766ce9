"""Road distances and driving times from an OSRM server's ``/table`` service.

Only the standard library is used, so the OSRM backend costs no extra dependency: the
server does the routing and this module asks it over HTTP, splits requests that a
server would refuse as too big, and turns every way a table can fail into one
:class:`OsrmError` that names the server.

Points enter as (lat, lon), like everywhere in touring; OSRM wants lon,lat, and the
swap happens in :func:`_coordinates` only.
"""

from __future__ import annotations

import json
import math
import socket
import urllib.error
import urllib.request
from collections.abc import Sequence

Point = tuple[float, float]  # (lat, lon)

#: osrm-routed's own default ``--max-table-size``.
DEFAULT_MAX_COORDINATES = 100
#: Pairs named in an error message; the rest are counted.
_PAIRS_SHOWN = 5


class OsrmError(RuntimeError):
    """The OSRM server cannot be reached, refuses a request, or cannot route a pair."""


def osrm_table(url: str, points: list[Point], *, timeout_s: float = 30.0,
               max_coordinates: int = DEFAULT_MAX_COORDINATES,
               max_snap_m: float | None = None) -> tuple[list[list[float]], list[list[float]]]:
    """Road distances and car driving times between every ordered pair of ``points``.

    Parameters
    ----------
    url
        The server's base URL, such as ``http://127.0.0.1:5000`` (a trailing slash is
        fine); ``/table/v1/driving/...`` is appended.
    points
        (lat, lon) in degrees (WGS84).
    timeout_s
        Seconds to wait for the server on each request.
    max_coordinates
        The most coordinates sent in one request. Keep it at most the server's
        ``--max-table-size`` (100 unless the server was started with another value);
        larger tables are asked for in blocks and stitched together.
    max_snap_m
        When given, a point farther than this from the nearest road of the server's
        network raises :class:`OsrmError`: OSRM silently moves every point onto its
        nearest road, so a point off the server's extract would otherwise be routed
        from wherever that road is, possibly kilometres away.

    Returns
    -------
    distances_m, durations_s
        Square matrices over ``points`` (row: from, column: to) of metres and seconds as
        OSRM reports them; zero on the diagonal.

    Raises
    ------
    OsrmError
        When the server cannot be reached, answers with an error (its ``code`` and
        ``message`` are quoted), finds no road route for a pair (the pairs and points are
        named), or a point lies farther than ``max_snap_m`` from its network.
    ValueError
        When a point is not a valid (lat, lon) or ``max_coordinates`` is below 2.

    Examples
    --------
    >>> distances_m, durations_s = osrm_table(  # doctest: +SKIP
    ...     "http://127.0.0.1:5000", [(60.1719, 24.9414), (60.1697, 24.9515)])
    """
    if max_coordinates < 2:
        raise ValueError(f"max_coordinates must be at least 2 (a table needs two points), not {max_coordinates}")
    coordinates = _coordinates(points)
    base = url.rstrip("/")
    count = len(points)
    distances: list[list[float | None]] = [[0.0] * count for _ in range(count)]
    durations: list[list[float | None]] = [[0.0] * count for _ in range(count)]
    snaps: dict[int, float] = {}
    # OSRM refuses a table of fewer than two coordinates; one point is trivially zero.
    if count >= 2:
        for indices in _blocks(count, max_coordinates):
            answer = _request(base, [coordinates[i] for i in indices], timeout_s)
            _stitch(answer, base, indices, distances, durations, snaps)
    if max_snap_m is not None:
        _check_snaps(base, points, snaps, max_snap_m)
    _check_routable(base, points, distances, durations, snaps)
    return distances, durations  # type: ignore[return-value]  # no None left after the check


def _coordinates(points: Sequence[Point]) -> list[str]:
    """Each (lat, lon) as OSRM's ``lon,lat``; six decimals place a point within 0.1 m."""
    coordinates = []
    for i, point in enumerate(points):
        try:
            lat, lon = (float(v) for v in point)
        except (TypeError, ValueError):
            raise ValueError(f"point {i} is not a (lat, lon) pair: {point!r}") from None
        if not (math.isfinite(lat) and -90.0 <= lat <= 90.0 and math.isfinite(lon) and -180.0 <= lon <= 180.0):
            raise ValueError(f"point {i} ({lat}, {lon}) is not a (lat, lon) in degrees "
                             "(lat within -90..90, lon within -180..180)")
        coordinates.append(f"{lon:.6f},{lat:.6f}")
    return coordinates


def _blocks(count: int, max_coordinates: int) -> list[list[int]]:
    """The points (indices) of each request, so that together they cover every ordered pair.

    Up to ``max_coordinates`` points go in one request. Past that the points are cut into
    chunks of half the limit, and each two chunks go together in one full table: it holds
    both directions between them (and within each), so ``k`` chunks take ``k(k-1)/2``
    requests rather than ``k**2`` one-way ones, and none sends more than the limit.
    """
    if count <= max_coordinates:
        return [list(range(count))]
    size = max_coordinates // 2
    chunks = [list(range(start, min(start + size, count))) for start in range(0, count, size)]
    return [chunks[a] + chunks[b] for a in range(len(chunks)) for b in range(a + 1, len(chunks))]


def _request(base: str, coordinates: list[str], timeout_s: float) -> dict:
    """One full ``/table`` request; every failure becomes an :class:`OsrmError` naming ``base``."""
    query = "annotations=duration,distance"
    request = urllib.request.Request(f"{base}/table/v1/driving/{';'.join(coordinates)}?{query}",
                                     headers={"User-Agent": "touring", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        # OSRM answers a refused request with HTTP 400 and its usual JSON body, which
        # says why; anything else (a proxy's page, a 404) is reported by its status.
        answer = _json(error.read())
        if answer is not None and "code" in answer:
            raise OsrmError(_refusal(base, answer)) from None
        raise OsrmError(f"the OSRM server at {base} answered HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise OsrmError(f"cannot reach the OSRM server at {base}: {_why(error.reason, timeout_s)}") from None
    except (OSError, TimeoutError) as error:  # a reset or a timeout while reading the answer
        raise OsrmError(f"cannot reach the OSRM server at {base}: {_why(error, timeout_s)}") from None
    answer = _json(body)
    if answer is None:
        raise OsrmError(f"the OSRM server at {base} answered something other than JSON: {body[:200]!r}")
    if answer.get("code") != "Ok":
        raise OsrmError(_refusal(base, answer))
    return answer


def _json(body: bytes) -> dict | None:
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


def _refusal(base: str, answer: dict) -> str:
    code, message = answer.get("code"), answer.get("message", "no message")
    hint = ""
    if code == "TooBig":
        hint = " (pass max_coordinates no larger than the server's --max-table-size)"
    return f"the OSRM server at {base} answered {code}: {message}{hint}"


def _why(reason: object, timeout_s: float) -> str:
    """A short reason why a server could not be reached, for people."""
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"no answer within {timeout_s:g} s"
    if isinstance(reason, socket.gaierror):
        return f"unknown host ({reason.strerror})"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason)


def _stitch(answer: dict, base: str, indices: list[int], distances: list[list[float | None]],
            durations: list[list[float | None]], snaps: dict[int, float]) -> None:
    """Copy one answer's table over ``indices`` (point indices) into the whole matrices."""
    try:
        block_distances, block_durations = answer["distances"], answer["durations"]
        for r, i in enumerate(indices):
            for c, j in enumerate(indices):
                if i != j:  # the diagonal stays zero, whatever the block says
                    distances[i][j] = _number(block_distances[r][c])
                    durations[i][j] = _number(block_durations[r][c])
        # How far OSRM moved each point to put it on a road: the clue to a point off the extract.
        for i, waypoint in zip(indices, answer.get("sources", ())):
            if waypoint.get("distance") is not None:
                snaps[i] = float(waypoint["distance"])
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise OsrmError(f"the OSRM server at {base} answered a table of an unexpected shape "
                        f"({type(error).__name__}: {error})") from None


def _number(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _point(points: Sequence[Point], i: int, snaps: dict[int, float]) -> str:
    lat, lon = points[i]
    snap = f"; {snaps[i]:.0f} m from the nearest road" if i in snaps else ""
    return f"point {i} ({lat:.5f}, {lon:.5f}{snap})"


def _check_snaps(base: str, points: Sequence[Point], snaps: dict[int, float], max_snap_m: float) -> None:
    far = [i for i in sorted(snaps) if snaps[i] > max_snap_m]
    if far:
        raise OsrmError(f"the OSRM server at {base} has no road within {max_snap_m:g} m of "
                        + ", ".join(_point(points, i, snaps) for i in far)
                        + ": such a point lies off the road network of the server's extract")


def _check_routable(base: str, points: Sequence[Point], distances: list[list[float | None]],
                    durations: list[list[float | None]], snaps: dict[int, float]) -> None:
    """Raise when OSRM found no route for some pair (it answers null for such a pair)."""
    count = len(points)
    missing = [(i, j) for i in range(count) for j in range(count)
               if distances[i][j] is None or durations[i][j] is None]
    if not missing:
        return
    shown = ", ".join(f"from point {i} to point {j}" for i, j in missing[:_PAIRS_SHOWN])
    more = f" and {len(missing) - _PAIRS_SHOWN} more" if len(missing) > _PAIRS_SHOWN else ""
    involved = sorted({i for pair in missing for i in pair})
    raise OsrmError(
        f"the OSRM server at {base} finds no road route {shown}{more} "
        f"({len(missing)} of {count * (count - 1)} ordered pairs); the points: "
        + ", ".join(_point(points, i, snaps) for i in involved)
        + ". A point off the server's extract, or on roads cut off from the rest of its network "
        "(a one-way street at the extract's edge, say), cannot be routed.")
