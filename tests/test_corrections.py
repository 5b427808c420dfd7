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


def _rows(con, table: str) -> list:
    return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def test_delete_a_person_everywhere_then_undo(store):
    with read_connection(store) as con:
        before = _people(con)
        quoted = con.execute("SELECT count(*) FROM quotes WHERE speaker = 'Shen Dingli'").fetchone()[0]
        unattributed = con.execute("SELECT count(*) FROM quotes WHERE speaker IS NULL").fetchone()[0]
    cid, changed = _fix(store, "person", subject="Shen Dingli", after=None)
    assert len(changed) == before["Shen Dingli"]["articles"]
    with read_connection(store) as con:
        assert "Shen Dingli" not in _people(con)
        assert con.execute("SELECT count(*) FROM mentions WHERE canonical = 'Shen Dingli'").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM quotes WHERE speaker IS NULL").fetchone()[0] == unattributed + quoted
        assert json.loads(C.listing(con)["before"][0]) == "Shen Dingli" and C.listing(con)["after"][0] is None
    with Store.open(store) as s, s.transaction() as con:
        C.undo(con, cid)
    with read_connection(store) as con:
        assert _people(con) == before


def test_a_person_s_side_and_status_change_every_chart_that_splits_by_side(store):
    person = "Rosie Levine"  # a USIP analyst the extraction reads as a commentator of side Other
    with read_connection(store) as con:
        aid = con.execute("SELECT article_id FROM persons WHERE canonical = ?", [person]).fetchone()[0]
        assert con.execute("SELECT side, official FROM persons WHERE canonical = ?", [person]).fetchone() == ("Other", False)
        us_before = con.execute("SELECT sentences FROM article_sides WHERE article_id = ? AND side = 'US'", [aid]).fetchone()
        spoken = con.execute("SELECT count(*) FROM sentences WHERE article_id = ? AND speaker = ?", [aid, person]).fetchone()[0]
        tone_us_before = con.execute("SELECT tone_us FROM articles WHERE article_id = ?", [aid]).fetchone()[0]
    cid, changed = _fix(store, "profile", subject=person, after={"side": "US", "official": True, "role": "Analyst"})
    assert changed == [aid]
    with read_connection(store) as con:
        people = Q.people(con, Filters()).set_index("person")
        assert people["side"][person] == "US"
        assert con.execute("SELECT DISTINCT side, official FROM quotes WHERE speaker = ?", [person]).fetchall() == [("US", True)]
        assert con.execute("SELECT DISTINCT side, role FROM mentions WHERE canonical = ?", [person]).fetchall() == [("US", "Analyst")]
        us_after = con.execute("SELECT sentences FROM article_sides WHERE article_id = ? AND side = 'US'", [aid]).fetchone()[0]
        assert us_after == (us_before[0] if us_before else 0) + spoken  # the derived per-side rows follow
        assert con.execute("SELECT count(*) FROM issue_hits WHERE speaker = ? AND side <> 'US'", [person]).fetchone()[0] == 0
        tone_us = con.execute("SELECT tone_us FROM articles WHERE article_id = ?", [aid]).fetchone()[0]
        assert tone_us is not None and tone_us != tone_us_before  # her quotes now count among US officials'
        assert json.loads(C.listing(con)["before"][0]) == {"side": "Other", "official": False, "role": "USIP"}
    with Store.open(store) as s, s.transaction() as con:
        C.undo(con, cid)
    with read_connection(store) as con:
        assert con.execute("SELECT side, official FROM persons WHERE canonical = ?", [person]).fetchone() == ("Other", False)
        assert con.execute("SELECT tone_us FROM articles WHERE article_id = ?", [aid]).fetchone()[0] == tone_us_before


def test_an_issue_added_to_and_removed_from_sentences_moves_the_issue_counts(store):
    with read_connection(store) as con:
        counts = lambda: Q.issue_frequency(con, Filters()).set_index("issue")["sentences"].to_dict()  # noqa: E731
        before = counts()
        aid, sent = con.execute("""SELECT article_id, sent_idx FROM sentences s WHERE NOT EXISTS (SELECT 1 FROM issue_hits h
            WHERE h.article_id = s.article_id AND h.sent_idx = s.sent_idx AND h.issue = 'climate')
            ORDER BY article_id, sent_idx LIMIT 1""").fetchone()
        tagged = con.execute("SELECT article_id, sent_idx FROM issue_hits WHERE issue = 'taiwan' ORDER BY ALL LIMIT 1").fetchone()
    _fix(store, "issue", article_id=aid, item=sent, subject="climate", after=True)
    _fix(store, "issue", article_id=tagged[0], item=tagged[1], subject="taiwan", after=False)
    with read_connection(store) as con:
        after = counts()
        assert after["climate"] == before["climate"] + 1 and after["taiwan"] == before["taiwan"] - 1
        assert sent in C.corrected_sentences(con, aid) and tagged[1] in C.corrected_sentences(con, tagged[0])
        assert con.execute("SELECT trigger, weight FROM issue_hits WHERE article_id = ? AND sent_idx = ? AND issue = 'climate'",
                           [aid, sent]).fetchone() == (C.ANALYST_TRIGGER, 1.0)
    with pytest.raises(CorrectionError, match="Unknown issue 'weather'"):
        _fix(store, "issue", article_id=aid, item=sent, subject="weather", after=True)


def test_fixes_applied_in_one_batch_leave_the_same_rows_as_one_at_a_time(store, tmp_path):
    other = tmp_path / "one_by_one.duckdb"
    shutil.copy(store, other)
    with read_connection(store) as con:
        sents = con.execute("SELECT article_id, sent_idx FROM sentences ORDER BY hash(article_id || sent_idx) LIMIT 40").fetchall()
        quotes = con.execute("SELECT article_id, quote_idx FROM quotes ORDER BY hash(article_id || quote_idx) LIMIT 12").fetchall()
    fixes = [{"kind": "tone", "article_id": a, "item": s, "after": round((i % 9 - 4) / 4, 2)} for i, (a, s) in enumerate(sents)]
    fixes += [{"kind": "speaker", "article_id": a, "item": q, "after": "Wang Yi" if i % 3 else None} for i, (a, q) in enumerate(quotes)]
    fixes.insert(20, {"kind": "person", "subject": "Shen Dingli", "after": "Antony Blinken"})
    fixes += [{"kind": "issue", "article_id": a, "item": s, "subject": "trade", "after": i % 2 == 0} for i, (a, s) in enumerate(sents[:10])]
    fixes += [{"kind": "tone", "article_id": sents[0][0], "item": sents[0][1], "after": -1.0}]  # the last fix of a sentence wins
    with Store.open(store) as s, s.transaction() as con:
        ids, changed = C.add_many(con, fixes, author="tester")
    assert ids == list(range(1, len(fixes) + 1))
    with Store.open(other) as s, s.transaction() as con:
        one_by_one = set()
        for f in fixes:
            one_by_one |= set(C.add(con, author="tester", **f)[1])
    assert set(changed) == one_by_one
    tables = ("sentences", "quotes", "persons", "mentions", "issue_hits", "article_sides", "article_issues",
              "issue_pairs", "article_words")
    with read_connection(store) as a, read_connection(other) as b:
        for table in tables:
            assert _rows(a, table) == _rows(b, table), table
        assert a.execute("SELECT article_id, tone, tone_us, tone_china FROM articles ORDER BY 1").fetchall() == \
            b.execute("SELECT article_id, tone, tone_us, tone_china FROM articles ORDER BY 1").fetchall()
        assert a.execute("SELECT tone FROM sentences WHERE article_id = ? AND sent_idx = ?", sents[0]).fetchone() == (-1.0,)
    with Store.open(store) as s, s.transaction() as con:  # a bad fix anywhere: nothing of the batch is recorded
        with pytest.raises(CorrectionError, match="No sentence #9999"):
            C.add_many(con, [fixes[0], {"kind": "tone", "article_id": sents[0][0], "item": 9999, "after": 0.1}])
        assert len(C.listing(con)) == len(fixes)


def test_a_merge_promoted_into_the_catalogue_is_used_by_the_next_build_and_then_not_needed(store, tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), seeds)
    cid, _ = _fix(store, "person", subject="Shen Dingli", after="Professor Shen")
    tone, _ = _fix(store, "tone", article_id=_first_article(store), item=0, after=0.5)
    with read_connection(store) as con:
        with pytest.raises(CorrectionError, match="only those can be promoted"):
            C.promote(con, tone, seeds)
        merged = _people(con)["Professor Shen"]
        message = C.promote(con, cid, seeds)
    assert "'Professor Shen' added to actors.csv (side Other) with the alias 'Shen Dingli'" in message
    from core.catalogs import load_actors
    actor = {a.canonical: a for a in load_actors(seeds / "actors.csv")}["Professor Shen"]
    assert actor.aliases == ("Shen Dingli",) and actor.side == "Other"
    with read_connection(store) as con, pytest.raises(CorrectionError, match="already in actors.csv"):
        C.promote(con, cid, seeds)
    report = build(None, store, seeds=seeds, progress=False)
    assert len(report.extracted) == 5 and not report.errors
    with read_connection(store) as con:
        people = _people(con)
        assert "Shen Dingli" not in people and people["Professor Shen"]["mentions"] == merged["mentions"]
        status = C.listing(con).set_index("id")["status"]
        assert status[cid] == C.NOT_NEEDED and status[tone] == C.APPLIED
        assert con.execute("SELECT bool_and(in_catalog) FROM persons WHERE canonical = 'Professor Shen'").fetchone() == (True,)


def _first_article(store) -> str:
    with read_connection(store) as con:
        return con.execute("SELECT min(article_id) FROM articles").fetchone()[0]


def test_the_cli_deletes_changes_profiles_tags_issues_and_promotes(store, tmp_path):
    runner = CliRunner()
    run = lambda *args: runner.invoke(main, ["--store", str(store), "fix", *args])  # noqa: E731
    aid = _first_article(store)
    out = run("delete", "Shen Dingli")
    assert out.exit_code == 0 and "#1: 'Shen Dingli' deleted in 2 articles." in out.output
    out = run("profile", "Rosie Levine", "--side", "US", "--commentator")
    assert out.exit_code == 0 and "#2: 'Rosie Levine': side US, official False in 1 article." in out.output
    assert "Give --side" in run("profile", "Rosie Levine").output
    out = run("issue", aid[:8], "0", "climate")
    assert out.exit_code == 0 and f"#3: sentence 0 of {aid[:12]} + climate in 1 article." in out.output
    assert run("issue", aid[:8], "0", "weather").exit_code == 1
    assert run("issue", aid[:8], "0", "climate", "--remove").exit_code == 0
    listed = run("list").output
    assert "profile" in listed and "not needed" not in listed
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), seeds)
    assert "only those can be promoted" in run("promote", "1", "--seeds", str(seeds)).output  # a delete is no merge
    assert run("person", "Rosie Levine", "Rosalind Levine").exit_code == 0
    out = run("promote", "5", "--seeds", str(seeds))
    assert out.exit_code == 0 and "'Rosalind Levine' added to actors.csv (side US)" in out.output


def _articles_page(store, monkeypatch, article: str):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DIPLOTONE_STORE", str(store))
    app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=90)
    app.run()
    app.switch_page("pages/articles.py")
    app.run()
    app.selectbox(key="article").set_value(article).run()
    assert not app.exception, app.exception
    return app


def _click(app, label: str):
    [button] = [b for b in app.button if b.label == label]
    return button.click().run()


def test_the_articles_panel_deletes_a_person_sets_a_profile_and_tags_an_issue(store, monkeypatch):
    with read_connection(store) as con:
        aid = con.execute("SELECT article_id FROM persons WHERE canonical = 'Shen Dingli' ORDER BY mentions DESC").fetchone()[0]
        other = con.execute("SELECT canonical FROM persons WHERE article_id = ? AND canonical <> 'Shen Dingli' "
                            "AND NOT in_catalog ORDER BY canonical LIMIT 1", [aid]).fetchone()[0]
    app = _articles_page(store, monkeypatch, aid)
    app.selectbox(key="fx_p_old").set_value("Shen Dingli")
    app.radio(key="fx_p_scope").set_value("In this article only")
    _click(app, "Delete: not a person")
    assert [s.value for s in app.success] == ["Saved; 1 article updated in every chart."]
    app.selectbox(key="fx_pr_name").set_value(other)
    app.selectbox(key="fx_pr_side").set_value("China")
    app.radio(key="fx_pr_status").set_value("official")
    _click(app, "Change")
    app.selectbox(key="fx_t_idx").set_value(2)
    app.selectbox(key="fx_i_issue").set_value("climate")
    _click(app, "Add issue")
    assert not app.exception and not app.error, [e.value for e in app.error]
    log = " ".join(m.value for m in app.markdown).replace("\\", "")
    assert "#1 person (this article): Shen Dingli → deleted" in log
    assert f"#2 profile of {other} (every article): side Other, official False → side China, official True" in log
    assert "#3 issue climate (item 2): not tagged → added" in log
    html = " ".join(str(h.proto.body) for h in app.get("html"))
    assert html.count("✎ corrected") >= 2  # sentence 2 (its issue) and those where the people changed
    with read_connection(store) as con:
        assert con.execute("SELECT count(*) FROM persons WHERE article_id = ? AND canonical = 'Shen Dingli'", [aid]).fetchone()[0] == 0
        assert con.execute("SELECT side, official FROM persons WHERE article_id = ? AND canonical = ?",
                           [aid, other]).fetchone() == ("China", True)
        assert con.execute("SELECT count(*) FROM issue_hits WHERE article_id = ? AND sent_idx = 2 AND issue = 'climate'",
                           [aid]).fetchone()[0] == 1
    [undo] = [b for b in app.button if b.key == "undo_3"]
    undo.click().run()
    with read_connection(store) as con:
        assert con.execute("SELECT count(*) FROM issue_hits WHERE article_id = ? AND sent_idx = 2 AND issue = 'climate'",
                           [aid]).fetchone()[0] == 0


@pytest.mark.slow
def test_a_line_marked_as_boilerplate_leaves_the_analysis_survives_a_rebuild_and_comes_back_on_undo(store, tmp_path):
    from core.ingest.clean import MARKED_BOILERPLATE

    runner = CliRunner()
    run = lambda *args: runner.invoke(main, ["--store", str(store), "fix", *args])  # noqa: E731
    with read_connection(store) as con:  # a kept line of the body that is one sentence of the analysis
        aid, line, text = con.execute("""SELECT l.article_id, l.line_idx, s.text FROM lines l JOIN sentences s
            ON s.article_id = l.article_id AND trim(s.text) = trim(l.text) WHERE NOT l.removed AND length(l.text) > 80
            ORDER BY l.article_id, l.line_idx LIMIT 1""").fetchone()
        n = con.execute("SELECT count(*) FROM sentences WHERE article_id = ?", [aid]).fetchone()[0]
    out = run("line", aid[:10], str(line), "--boilerplate")
    assert out.exit_code == 0 and "1 article read again from the marked lines." in out.output, out.output
    gone = lambda con: con.execute("SELECT count(*) FROM sentences WHERE article_id = ? AND text = ?",  # noqa: E731
                                   [aid, text]).fetchone()[0] == 0
    with read_connection(store) as con:
        assert gone(con) and con.execute("SELECT count(*) FROM sentences WHERE article_id = ?", [aid]).fetchone()[0] == n - 1
        assert con.execute("SELECT removed, reason FROM lines WHERE article_id = ? AND line_idx = ?",
                           [aid, line]).fetchone() == (True, MARKED_BOILERPLATE)
    seeds = tmp_path / "seeds"  # a catalogue edit: every article is extracted again, the line stays out
    shutil.copytree(seeds_dir(), seeds)
    (seeds / "actors.csv").write_text((seeds / "actors.csv").read_text(encoding="utf-8") + "Test Person,,Other,person,\n",
                                      encoding="utf-8")
    assert len(build(None, store, seeds=seeds, progress=False).extracted) == 5
    with read_connection(store) as con:
        assert gone(con)
    assert run("undo", "1").exit_code == 0
    with read_connection(store) as con:
        assert not gone(con) and con.execute("SELECT count(*) FROM sentences WHERE article_id = ?", [aid]).fetchone()[0] == n
        assert con.execute("SELECT removed FROM lines WHERE article_id = ? AND line_idx = ?", [aid, line]).fetchone() == (False,)


def test_undoing_a_fix_in_one_article_restores_only_that_fix(store):
    with read_connection(store) as con:
        (a, s1, t1), (b, s2, _) = con.execute("""SELECT article_id, min(sent_idx), arg_min(tone, sent_idx) FROM sentences
                                                 GROUP BY article_id ORDER BY article_id LIMIT 2""").fetchall()
    with Store.open(store) as st, st.transaction() as con:
        (merge, first, second), _ = C.add_many(con, [
            {"kind": "person", "subject": "Shen Dingli", "after": "Antony Blinken"},
            {"kind": "tone", "article_id": a, "item": s1, "after": 0.9},
            {"kind": "tone", "article_id": b, "item": s2, "after": -0.9}])
        assert C.undo(con, first) == [a]  # only its article is restored and replayed
    with read_connection(store) as con:
        tone = lambda aid, s: con.execute("SELECT tone FROM sentences WHERE article_id = ? AND sent_idx = ?",  # noqa: E731
                                          [aid, s]).fetchone()[0]
        assert tone(a, s1) == t1 and tone(b, s2) == -0.9
        assert "Shen Dingli" not in _people(con)  # the merge still holds
        assert C.listing(con).set_index("id")["status"].to_dict() == {merge: "applied", first: "undone", second: "applied"}


@pytest.mark.parametrize("change, message", [
    ({"after": "\"abc\""}, "A tone is a number"),
    ({"after": "not json"}, "Expecting value"),
    ({"item": "1; DROP TABLE sentences"}, "wrong type"),
    ({"created_at": "yesterday"}, "Invalid isoformat"),
])
def test_a_bad_corrections_file_is_refused_whole_with_the_reason(store, tmp_path, change, message):
    aid = _first_article(store)
    _fix(store, "tone", article_id=aid, item=0, after=0.5)
    with read_connection(store) as con:
        good = json.loads(C.export_json(con))
    bad = {**good["corrections"][0], "created_at": "2026-01-01 00:00:00", **change}
    good["corrections"].append(bad)
    with Store.open(store) as s, s.transaction() as con:
        with pytest.raises(CorrectionError, match=f"Correction 2 of the file cannot be imported.*{message}"):
            C.import_json(con, json.dumps(good))
        assert len(C.listing(con)) == 1


def test_a_corrected_person_is_marked_on_the_people_chart_and_in_every_csv(store):
    import io

    import pandas as pd

    from core import evidence as E
    from core import figures as F
    from core.export import csv_text

    def shown(con):
        ppl = Q.people(con, Filters())
        fig = F.people(ppl, F.ChartContext(Filters(), 5))
        labels = dict(zip(fig.layout.yaxis.tickvals or (), fig.layout.yaxis.ticktext or ()))
        hover = [c[4] for t in fig.data if "Antony Blinken" in t.y for y, c in zip(t.y, t.customdata)
                 if y == "Antony Blinken"]
        csv = pd.read_csv(io.StringIO(csv_text(ppl))).set_index("person")["corrected"]
        quotes = Q.person_quotes(con, Filters(), "Antony Blinken")
        ev = E.of(con, Filters(), "person", "Antony Blinken").rows
        return labels, hover, csv, quotes, ev

    with read_connection(store) as con:
        labels, hover, csv, quotes, ev = shown(con)
        shen = set(con.execute("SELECT article_id || '/' || sent_idx FROM quotes WHERE speaker = 'Shen Dingli'").fetchall())
    assert labels == {} and not any(hover) and not csv.any() and not quotes["corrected"].any() and not ev["corrected"].any()
    cid, _ = _fix(store, "person", subject="Shen Dingli", after="Antony Blinken")
    with read_connection(store) as con:
        labels, hover, csv, quotes, ev = shown(con)
        lines, _ = search(con, Filters(query="Shen"))
    assert labels["Antony Blinken"] == "Antony Blinken ✎" and labels["Xi Jinping"] == "Xi Jinping"
    assert all("✎ corrected" in h for h in hover) and len(hover) == 2  # the mentions bar and the quotes bar
    assert csv["Antony Blinken"] and not csv["Xi Jinping"]  # the People CSV's column
    moved = {f"{a}/{s}" for a, s in quotes[quotes["corrected"]][["article_id", "sent_idx"]].itertuples(index=False)}
    assert moved == {s for (s,) in shen}  # the quotes CSV marks the quotes the merge gave him, and only those
    assert ev["corrected"].any() and not ev["corrected"].all()  # the evidence CSV marks the sentences changed
    assert lines["corrected"].any()  # search lines (KWIC CSV) too
    with Store.open(store) as s, s.transaction() as con:
        C.undo(con, cid)
    with read_connection(store) as con:
        labels, hover, csv, quotes, ev = shown(con)
    assert labels == {} and not csv.any() and not quotes["corrected"].any() and not ev["corrected"].any()


def test_undoing_an_every_article_merge_after_a_rebuild_restores_only_the_articles_it_changed(store, tmp_path):
    with read_connection(store) as con:
        shen = sorted(r[0] for r in con.execute("SELECT DISTINCT article_id FROM persons WHERE canonical = 'Shen Dingli'").fetchall())
        firsts = con.execute("SELECT article_id, min(sent_idx) FROM sentences GROUP BY ALL ORDER BY 1").fetchall()
    assert len(shen) == 2 and len(firsts) == 5
    with Store.open(store) as s, s.transaction() as con:  # every article has a fix, so every one has a copy
        C.add_many(con, [{"kind": "tone", "article_id": a, "item": i, "after": 0.7} for a, i in firsts], "tester")
    out = CliRunner().invoke(main, ["--store", str(store), "fix", "person", "Shen Dingli", "Professor Shen"])
    assert out.exit_code == 0 and "in 2 articles." in out.output, out.output
    seeds = tmp_path / "seeds"  # a catalogue edit: every article is extracted again
    shutil.copytree(seeds_dir(), seeds)
    (seeds / "actors.csv").write_text((seeds / "actors.csv").read_text(encoding="utf-8") + "Test Person,,Other,person,\n",
                                      encoding="utf-8")
    assert len(build(None, store, seeds=seeds, progress=False).extracted) == 5
    with Store.open(store) as s, s.transaction() as con:
        assert C.undo(con, 6) == shen  # the merge's two articles, not the five corrected ones
    with read_connection(store) as con:
        people = _people(con)
        assert "Professor Shen" not in people and people["Shen Dingli"]["articles"] == 2
        tones = [con.execute("SELECT tone FROM sentences WHERE article_id = ? AND sent_idx = ?", [a, i]).fetchone()[0]
                 for a, i in firsts]
        assert tones == [0.7] * 5  # the other fixes hold
    out = CliRunner().invoke(main, ["--store", str(store), "fix", "undo", "1"])
    assert out.exit_code == 0 and "#1 undone in 1 article." in out.output, out.output


@pytest.mark.slow
def test_fixes_made_before_a_line_is_marked_follow_their_sentence_and_quote_when_the_numbers_move(store):
    runner = CliRunner()
    run = lambda *args: runner.invoke(main, ["--store", str(store), "fix", *args])  # noqa: E731
    with read_connection(store) as con:  # a kept body line of the analysis, with a quote after it
        aid, line, sent = con.execute("""SELECT l.article_id, l.line_idx, max(s.sent_idx) FROM lines l JOIN sentences s
            ON s.article_id = l.article_id AND strpos(l.text, s.text) > 0 WHERE NOT l.removed AND length(l.text) > 80
            AND EXISTS (SELECT 1 FROM quotes q WHERE q.article_id = l.article_id AND q.sent_idx > s.sent_idx + 1)
            GROUP BY ALL ORDER BY l.article_id, l.line_idx LIMIT 1""").fetchone()
        k, k_text = con.execute("SELECT sent_idx, text FROM sentences WHERE article_id = ? AND sent_idx > ? + 1 "
                                "ORDER BY sent_idx DESC LIMIT 1", [aid, sent]).fetchone()
        q, q_text = con.execute("SELECT quote_idx, text FROM quotes WHERE article_id = ? AND sent_idx > ? + 1 "
                                "ORDER BY quote_idx DESC LIMIT 1", [aid, sent]).fetchone()
    assert run("tone", aid[:10], str(k), "0.8").exit_code == 0
    assert run("speaker", aid[:10], str(q), "Wang Yi").exit_code == 0
    out = run("line", aid[:10], str(line), "--boilerplate")
    assert out.exit_code == 0 and "1 article read again" in out.output, out.output

    def state(con):
        tone = con.execute("SELECT sent_idx, tone FROM sentences WHERE article_id = ? AND text = ?", [aid, k_text]).fetchall()
        speaker = con.execute("SELECT quote_idx, speaker FROM quotes WHERE article_id = ? AND text = ?", [aid, q_text]).fetchall()
        log = C.listing(con).set_index("id")[["item", "status"]].to_dict("index")
        return tone, speaker, log

    with read_connection(store) as con:
        tone, speaker, log = state(con)
    assert len(tone) == 1 and tone[0][0] < k and tone[0][1] == 0.8  # fewer sentences before it: the fix followed it
    assert len(speaker) == 1 and speaker[0][1] == "Wang Yi" and speaker[0][0] <= q
    assert log[1] == {"item": tone[0][0], "status": "applied"} and log[2] == {"item": speaker[0][0], "status": "applied"}
    listed = run("list")
    assert "stale" not in listed.output and listed.output.count("applied") == 3, listed.output
    assert run("undo", "3").exit_code == 0  # the line back: the numbers move back, the fixes with them
    with read_connection(store) as con:
        tone, speaker, log = state(con)
    assert tone == [(k, 0.8)] and speaker == [(q, "Wang Yi")]
    assert log[1] == {"item": k, "status": "applied"} and log[2] == {"item": q, "status": "applied"}
