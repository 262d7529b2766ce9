"""Shared fixtures: tiny tours on disk, copied so each test may edit its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).parent.parent / "data"


@pytest.fixture
def tiny_tour(tmp_path: Path) -> Path:
    """A copy of tests/data/tiny that the test may change."""
    target = tmp_path / "tiny"
    shutil.copytree(DATA / "tiny", target, ignore=shutil.ignore_patterns(".touring"))
    return target
