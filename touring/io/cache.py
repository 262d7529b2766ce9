"""An on-disk cache of computed JSON documents (travel matrices), one file per key."""

from __future__ import annotations

import json
from pathlib import Path

from touring.io.files import write_text_atomic

CACHE_FOLDER = ".touring/cache"


class JsonCache:
    """Keeps documents as ``DIRECTORY/KEY.json``; a key names its inputs' hash, so stale
    entries are never read, only left behind."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    @classmethod
    def for_tour(cls, tour_root: Path) -> JsonCache:
        return cls(Path(tour_root) / CACHE_FOLDER)

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def get(self, key: str) -> dict | None:
        try:
            return json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, data: dict) -> None:
        try:
            write_text_atomic(self.path(key), json.dumps(data, separators=(",", ":")))
        except OSError:
            pass  # a read-only tour folder still plans; it just computes again next time
