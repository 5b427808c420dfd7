"""Extraction on a Dask LocalCluster (2 worker processes) stores exactly what a local build stores."""
from __future__ import annotations

import pytest

from core.build import build
from core.schema import ARTICLE_TABLES
from core.store import read_connection

# Columns that legitimately differ between two builds of the same corpus.
VOLATILE = {"ingested_at"}


def table(path, name):
    with read_connection(path) as con:
        cols = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall() if r[0] not in VOLATILE]
        order = ", ".join(cols)
        return con.execute(f"SELECT {order} FROM {name} ORDER BY {order}").fetchall()


@pytest.mark.slow
def test_dask_build_equals_local_build(seed_store, tmp_path):
    path = tmp_path / "dask.duckdb"
    progress = []
    report = build(None, path, progress=False, dask="local", batch_size=2,
                   on_progress=lambda done, total: progress.append((done, total)))
    assert not report.errors and len(report.extracted) == 5
    assert progress[0] == (0, 5) and progress[-1] == (5, 5) and len(progress) == 4  # 3 partitions
    for name in ARTICLE_TABLES + ("articles",):
        assert table(path, name) == table(seed_store, name), name
