"""Where things live: the shipped seeds folder and the user's store file.

The store defaults to the user's data directory so a dashboard started from any folder finds
the same corpus; DIPLOTONE_STORE (or the --store option) overrides it, e.g. for tests.
DIPLOTONE_SEEDS points at another seeds folder (a user's edited copy of the catalogues).
"""
from __future__ import annotations

import os
from pathlib import Path

import platformdirs

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def seeds_dir() -> Path:
    return Path(os.environ.get("DIPLOTONE_SEEDS") or PROJECT_ROOT / "seeds")


def store_path(override: str | os.PathLike | None = None) -> Path:
    if override:
        return Path(override)
    if os.environ.get("DIPLOTONE_STORE"):
        return Path(os.environ["DIPLOTONE_STORE"])
    return Path(platformdirs.user_data_dir("diplotone")) / "diplotone.duckdb"
