"""Corrections that persist: merge/rename people, reassign speakers, set tone; survive rebuilds; undo; share."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from core import corrections as C
from core.store import queries as Q
from core.build import build
from core.cli import main
from core.corrections import CorrectionError
from core.filters import Filters
from core.paths import seeds_dir
from core.search.results import search
from core.store.db import Store, read_connection


@pytest.fixture
def store(seed_store, tmp_path):
    path = tmp_path / "store.duckdb"
    shutil.copy(seed_store, path)
    return path


def _people(con) -> dict:
    return Q.people(con, Filters()).set_index("person")[["mentions", "quotes", "articles"]].to_dict("index")


def _fix(store, kind, **kw):
    with Store.open(store) as s, s.transaction() as con:
        return C.add(con, kind, author="tester", **kw)


def test_merge_moves_mentions_and_quotes_to_the_target(store):
    with read_connection(store) as con:
        before = _people(con)
    _fix(store, "person", subject="Shen Dingli", after="Antony Blinken")
    with read_connection(store) as con:
        after = _people(con)
        assert "Shen Dingli" not in after
        merged = after["Antony Blinken"]
        assert merged["mentions"] == before["Antony Blinken"]["mentions"] + before["Shen Dingli"]["mentions"]
        assert merged["quotes"] == before["Antony Blinken"]["quotes"] + before["Shen Dingli"]["quotes"]
        side = con.execute("SELECT DISTINCT side FROM quotes WHERE speaker = 'Antony Blinken'").fetchall()
        assert side == [("US",)]  # the merged quotes take the target's side
        log = C.listing(con)
        assert log[["kind", "subject", "author", "status"]].values.tolist() == [["person", "Shen Dingli", "tester", "applied"]]
        assert json.loads(log["before"][0]) == "Shen Dingli" and json.loads(log["after"][0]) == "Antony Blinken"


def test_rename_in_one_article_only(store):
    with read_connection(store) as con:
        aid = con.execute("SELECT article_id FROM persons WHERE canonical = 'Xi Jinping' ORDER BY article_id LIMIT 1").fetchone()[0]
        n = con.execute("SELECT count(DISTINCT article_id) FROM persons WHERE canonical = 'Xi Jinping'").fetchone()[0]
    _, changed = _fix(store, "person", subject="Xi Jinping", after="President Xi", article_id=aid)
    assert changed == [aid]
    with read_connection(store) as con:
        people = _people(con)
        assert people["President Xi"]["articles"] == 1 and people["Xi Jinping"]["articles"] == n - 1


def test_speaker_and_tone_corrections_change_the_charts(store):
    with read_connection(store) as con:
        aid, quote, sent, old = con.execute("""SELECT article_id, quote_idx, sent_idx, speaker FROM quotes
                                               WHERE speaker IS NOT NULL ORDER BY article_id, quote_idx LIMIT 1""").fetchone()
        tone_before = Q.tone_trend(con, Filters()).set_index("article_id")["tone"][aid]
    _fix(store, "speaker", article_id=aid, item=quote, after="Wang Yi")
    _fix(store, "tone", article_id=aid, item=sent, after=1.0)
    with read_connection(store) as con:
        assert con.execute("SELECT speaker, side, tone FROM quotes WHERE article_id = ? AND quote_idx = ?",
                           [aid, quote]).fetchone() == ("Wang Yi", "China", 1.0)
        assert con.execute("SELECT speaker, tone FROM sentences WHERE article_id = ? AND sent_idx = ?",
                           [aid, sent]).fetchone() == ("Wang Yi", 1.0)
        assert Q.tone_trend(con, Filters()).set_index("article_id")["tone"][aid] > tone_before
        assert C.corrected_sentences(con, aid) == {sent}
        assert Q.person_quotes(con, Filters(), "Wang Yi")["text"].str.len().gt(0).any()
    _fix(store, "speaker", article_id=aid, item=quote, after=None)  # remove the speaker
    with read_connection(store) as con:
        assert con.execute("SELECT speaker FROM quotes WHERE article_id = ? AND quote_idx = ?", [aid, quote]).fetchone() == (None,)
        counts = dict(con.execute("SELECT canonical, quotes FROM persons WHERE article_id = ?", [aid]).fetchall())
        assert counts.get("Wang Yi", 0) == 0 and counts.get(old, 0) == con.execute(
            "SELECT count(*) FROM quotes WHERE article_id = ? AND speaker = ?", [aid, old]).fetchone()[0]


@pytest.mark.parametrize("kind, kw, message", [
    ("person", {"subject": "Nobody Here", "after": "X"}, "No person 'Nobody Here'"),
    ("person", {"subject": "Wang Yi", "after": "Wang Yi"}, "different new name"),
    ("tone", {"article_id": "nope", "item": 1, "after": 0.5}, "No sentence #1"),
    ("speaker", {"article_id": "nope", "item": 1, "after": "X"}, "No quote #1"),
    ("nonsense", {"after": 1}, "Unknown correction"),
])
def test_bad_corrections_say_why_and_change_nothing(store, kind, kw, message):
    with pytest.raises(CorrectionError, match=message):
        _fix(store, kind, **kw)
    with read_connection(store) as con:
        assert C.listing(con).empty


def test_corrections_survive_a_rebuild_after_a_catalogue_edit_and_undo_restores(store, tmp_path):
    with read_connection(store) as con:
        before = _people(con)
        aid, sent = con.execute("SELECT article_id, sent_idx FROM sentences WHERE tone < 0 ORDER BY article_id LIMIT 1").fetchone()
    merge, _ = _fix(store, "person", subject="Shen Dingli", after="Antony Blinken")
    _fix(store, "tone", article_id=aid, item=sent, after=0.75)
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), seeds)
    lexicon = seeds / "actors.csv"
    lexicon.write_text(lexicon.read_text(encoding="utf-8") + "Test Person,,Other,person,\n", encoding="utf-8")
    report = build(None, store, seeds=seeds, progress=False)
    assert len(report.extracted) == 5 and not report.errors  # every seed article re-extracted
    with read_connection(store) as con:
        assert "Shen Dingli" not in _people(con)
        assert con.execute("SELECT tone FROM sentences WHERE article_id = ? AND sent_idx = ?", [aid, sent]).fetchone() == (0.75,)
        lines, _ = search(con, Filters(query='person:"Antony Blinken"'), limit=1000)
        spoken = con.execute("SELECT count(*) FROM sentences WHERE speaker = 'Antony Blinken'").fetchone()[0]
        assert lines["speaker"].eq("Antony Blinken").sum() == spoken  # the index follows the corrected rows
    with Store.open(store) as s, s.transaction() as con:
        C.undo(con, merge)
    with read_connection(store) as con:
        now = _people(con)
        assert now["Shen Dingli"] == before["Shen Dingli"] and now["Antony Blinken"] == before["Antony Blinken"]
        assert con.execute("SELECT tone FROM sentences WHERE article_id = ? AND sent_idx = ?", [aid, sent]).fetchone() == (0.75,)
        assert C.listing(con).set_index("id")["status"][merge] == "undone"


def test_a_correction_whose_sentence_changed_is_kept_stale_and_not_applied(store):
    with read_connection(store) as con:
        aid, sent, tone = con.execute("SELECT article_id, sent_idx, tone FROM sentences ORDER BY article_id LIMIT 1").fetchone()
    cid, _ = _fix(store, "tone", article_id=aid, item=sent, after=0.5)
    with Store.open(store) as s, s.transaction() as con:  # the sentence's text changes (a re-ingested version)
        con.execute("UPDATE base_sentences SET text = 'changed' WHERE article_id = ? AND sent_idx = ?", [aid, sent])
        con.execute("UPDATE sentences SET text = 'changed' WHERE article_id = ? AND sent_idx = ?", [aid, sent])
        C.undo(con, C.add(con, "person", subject="Wang Yi", after="Someone")[0])  # replays the log
    with read_connection(store) as con:
        log = C.listing(con).set_index("id")
        assert log["status"][cid] == "stale"
        assert con.execute("SELECT tone FROM sentences WHERE article_id = ? AND sent_idx = ?", [aid, sent]).fetchone() == (tone,)


def test_export_import_and_the_cli(store, tmp_path):
    runner = CliRunner()
    run = lambda *args: runner.invoke(main, ["--store", str(store), "fix", *args])  # noqa: E731
    out = run("person", "Shen Dingli", "Antony Blinken", "--author", "ana")
    assert out.exit_code == 0 and "#1: 'Shen Dingli' -> 'Antony Blinken' in 2 articles." in out.output
    assert run("tone", "nope", "1", "0.5").exit_code == 1
    listed = run("list")
    assert "Shen Dingli" in listed.output and "applied" in listed.output and "ana" in listed.output
    exported = tmp_path / "team.json"
    assert run("export", str(exported)).exit_code == 0
    other = tmp_path / "other.duckdb"
    shutil.copy(store.parent / "store.duckdb", other)
    with Store.open(other) as s, s.transaction() as con:  # a colleague's store without the correction
        C.undo(con, 1)
        con.execute("DELETE FROM corrections")
    imported = runner.invoke(main, ["--store", str(other), "fix", "import", str(exported)])
    assert imported.exit_code == 0 and "1 correction added" in imported.output
    with read_connection(other) as con:
        assert "Shen Dingli" not in _people(con)
    again = runner.invoke(main, ["--store", str(other), "fix", "import", str(exported)])
    assert "0 corrections added" in again.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"x": 1}')
    assert "Not a Diplotone corrections file" in runner.invoke(main, ["--store", str(other), "fix", "import", str(bad)]).output
    assert run("undo", "1").exit_code == 0 and run("undo", "1").exit_code == 1
