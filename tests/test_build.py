"""The incremental build on the seed corpus: what is redone after which change, errors, crash recovery."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest

import core.extract
from core.build import build
from core.catalogs import load_catalogs
from core.store.keys import content_hash, store_fingerprint
from core.model import RawArticle
from core.paths import PROJECT_ROOT
from core.store.schema import ARTICLE_TABLES
from core.store.db import Store, read_connection

SEEDS = PROJECT_ROOT / "seeds"
YELLEN = ("Treasury Secretary Janet Yellen met Vice Premier He Lifeng in Beijing.\n"
          "Yellen said the talks were candid and constructive, and both sides agreed to keep talking.\n"
          "She raised concerns about export controls and overcapacity in Chinese industry.")


@pytest.fixture
def store_copy(seed_store, tmp_path):
    """A private copy of the seed store that a test may change."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(seed_store, path)
    return path


@pytest.fixture
def seeds_copy(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


def table_counts(path) -> dict[str, int]:
    with read_connection(path) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ARTICLE_TABLES + ("articles",)}


def test_seed_build_stores_every_seed_with_its_fingerprint(seed_store):
    raws = [p.name for p in SEEDS.glob("*.txt")]
    with read_connection(seed_store) as con:
        rows = con.execute("SELECT file, fingerprint, words FROM articles").fetchall()
        per_article = con.execute("""
            SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM sentences s WHERE s.article_id = a.article_id)
                OR NOT EXISTS (SELECT 1 FROM lines l WHERE l.article_id = a.article_id)""").fetchone()[0]
    assert sorted(r[0] for r in rows) == sorted(raws)
    assert {r[1] for r in rows} == {store_fingerprint(None, load_catalogs())}
    assert all(r[2] > 100 for r in rows) and per_article == 0
    counts = table_counts(seed_store)
    assert counts["sentences"] > 5 * 10 and counts["persons"] > 5 and counts["issue_hits"] > 5


def test_noop_rebuild_loads_no_model(store_copy):
    """Nothing new: the build must decide so without importing spaCy (that is what keeps it ~1 s)."""
    code = f"""
        import sys, time
        t = time.perf_counter()
        from core.build import build
        report = build(None, {str(store_copy)!r}, progress=False)
        print(len(report.extracted), len(report.metadata_updated), report.unchanged,
              'spacy' in sys.modules, round(time.perf_counter() - t, 2))"""
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                         cwd=PROJECT_ROOT)
    assert out.returncode == 0, out.stderr
    extracted, meta, unchanged, spacy_loaded, seconds = out.stdout.split()
    assert (extracted, meta, unchanged, spacy_loaded) == ("0", "0", "5", "False"), out.stdout
    print(f"no-op rebuild: {seconds} s")


def test_visits_edit_reresolves_metadata_only(store_copy, seeds_copy):
    before = table_counts(store_copy)
    with open(seeds_copy / "visits.yaml", "a", encoding="utf-8") as fh:
        fh.write("# an analyst's note\n")
    report = build(None, store_copy, seeds=seeds_copy, progress=False)
    assert report.extracted == [] and len(report.metadata_updated) == 5
    assert table_counts(store_copy) == before
    with Store.open(store_copy, read_only=True) as store:
        assert set(store.fingerprints().values()) == {store_fingerprint(None, load_catalogs(seeds_copy))}
    again = build(None, store_copy, seeds=seeds_copy, progress=False)
    assert again.unchanged == 5 and not again.metadata_updated


def test_articles_yaml_edit_updates_that_article_only(store_copy, seeds_copy):
    import yaml

    data = yaml.safe_load((seeds_copy / "articles.yaml").read_text(encoding="utf-8"))
    entry = data["articles"][0]
    entry["title"] = "A title the analyst prefers"
    (seeds_copy / "articles.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = build(None, store_copy, seeds=seeds_copy, progress=False)
    assert report.metadata_updated == [entry["file"]] and report.extracted == [] and report.unchanged == 4
    with read_connection(store_copy) as con:
        assert con.execute("SELECT title FROM articles WHERE file = ?", [entry["file"]]).fetchone()[0] == entry["title"]


@pytest.mark.slow
def test_actors_edit_reextracts_and_edited_seed_replaces_old_version(store_copy, seeds_copy):
    with open(seeds_copy / "actors.csv", "a", encoding="utf-8") as fh:
        fh.write("Jane Placeholder-Envoy,Placeholder-Envoy,Other,person,Analyst\n")
    edited = sorted(seeds_copy.glob("*.txt"))[0]
    old_id = content_hash(edited.read_text(encoding="utf-8"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA correction was appended later.\n", encoding="utf-8")
    report = build(None, store_copy, seeds=seeds_copy, progress=False)
    assert sorted(report.extracted) == sorted(p.name for p in seeds_copy.glob("*.txt"))
    assert report.removed == [edited.name]
    with Store.open(store_copy, read_only=True) as store:
        assert old_id not in store.fingerprints() and len(store.fingerprints()) == 5


def test_metadata_edit_reassigns_inferred_visit_without_nlp_and_survives_rebuild(isolated_store, seeds_copy):
    raw = RawArticle("yellen.txt", YELLEN)
    assert not build([raw], isolated_store, seeds=seeds_copy, progress=False).errors
    aid = content_hash(YELLEN)
    catalogs = load_catalogs(seeds_copy)
    with Store.open(isolated_store) as store:
        sentences = store.con.execute("SELECT * FROM sentences ORDER BY sent_idx").fetchall()
        fingerprint = store.fingerprints()[aid]
        store.set_user_meta(aid, {"pub_date": "2023-07-07"}, catalogs)
        first = store.con.execute("SELECT visit, pub_date::VARCHAR, meta_source FROM articles").fetchone()
        store.set_user_meta(aid, {"pub_date": "2024-04-07", "title": "Yellen again"}, catalogs)
        second = store.con.execute("SELECT visit, title FROM articles").fetchone()
        assert store.con.execute("SELECT * FROM sentences ORDER BY sent_idx").fetchall() == sentences
        assert store.fingerprints()[aid] == fingerprint
    assert first[:2] == ("yellen-2023-07", "2023-07-07") and '"pub_date": "user"' in first[2]
    assert second == ("yellen-2024-04", "Yellen again")
    with open(seeds_copy / "actors.csv", "a", encoding="utf-8") as fh:
        fh.write("Jane Placeholder-Envoy,,Other,person,\n")
    report = build([raw], isolated_store, seeds=seeds_copy, progress=False)
    assert report.extracted == ["yellen.txt"]
    with read_connection(isolated_store) as con:
        assert con.execute("SELECT visit, title, pub_date::VARCHAR FROM articles").fetchone() == (
            "yellen-2024-04", "Yellen again", "2024-04-07")


def test_failing_article_is_reported_and_others_are_stored(isolated_store, monkeypatch):
    real = core.extract.extract

    def extract(raw, ctx, **kwargs):
        if raw.file == "bad.txt":
            raise ValueError("boom")
        return real(raw, ctx, **kwargs)

    monkeypatch.setattr(core.extract, "extract", extract)
    report = build([RawArticle("bad.txt", "Some text about Taiwan."), RawArticle("yellen.txt", YELLEN)],
                   isolated_store, progress=False)
    assert report.extracted == ["yellen.txt"]
    assert [(e.source, "boom" in e.problem) for e in report.errors] == [("bad.txt", True)]
    with read_connection(isolated_store) as con:
        assert con.execute("SELECT file FROM articles").fetchall() == [("yellen.txt",)]


@pytest.mark.slow
def test_build_killed_mid_write_is_completed_by_next_build(tmp_path):
    """kill -9 inside the second batch's write transaction: batch one stays whole, the next build finishes."""
    path = tmp_path / "s.duckdb"
    code = f"""
        import os, signal
        import core.store.db
        from core.build import build
        real, writes = core.store.db._insert, []
        def insert(con, table, frame):
            real(con, table, frame)
            if table == 'articles':
                writes.append(1)
            if table == 'sentences' and len(writes) == 2:
                os.kill(os.getpid(), signal.SIGKILL)
        core.store.db._insert = insert
        build(None, {str(path)!r}, progress=False, batch_size=2)"""
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    counts = table_counts(path)
    assert counts["articles"] == 2
    with read_connection(path) as con:
        orphans = sum(con.execute(f"""SELECT count(*) FROM {t} WHERE article_id NOT IN
                                      (SELECT article_id FROM articles)""").fetchone()[0] for t in ARTICLE_TABLES)
    assert orphans == 0
    report = build(None, path, progress=False, batch_size=2)
    assert len(report.extracted) == 3 and report.unchanged == 2 and not report.errors
    assert table_counts(path)["articles"] == 5
