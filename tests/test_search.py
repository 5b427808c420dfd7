"""Search: the query language, the tantivy index beside the store, KWIC lines, a search as a filter."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from click.testing import CliRunner

from core.store import queries as Q
from core.cli import main
from core.filters import Filters, from_query_params, to_query_params
from core.search.index import index_dir, sync
from core.search.results import delete_query, highlight_spans, kwic, query_scope, save_query, saved_queries, search
from core.search.syntax import And, Not, Or, QueryError, Term, highlighter, parse
from core.store.db import Store, read_connection


# --- the language -----------------------------------------------------------------------------

def test_parse_words_phrases_operators_fields():
    assert parse("sanctions chips") == And((Term("text", ("sanctions",)), Term("text", ("chips",))))
    assert parse('"Export controls" OR taiwan') == Or((Term("text", ("export", "controls")), Term("text", ("taiwan",))))
    assert parse("tariffs -steel") == And((Term("text", ("tariffs",)), Not(Term("text", ("steel",)))))
    assert parse("sanction*") == Term("text", ("sanction",), prefix=True)
    assert parse('person:"Wang Yi"') == Term("person", ("wang", "yi"))
    assert parse("issue:human_rights") == Term("issue", ("human", "rights"))
    # AND binds tighter than OR; parentheses regroup
    assert parse("a b OR c") == Or((And((Term("text", ("a",)), Term("text", ("b",)))), Term("text", ("c",))))
    assert parse("a (b OR c)") == And((Term("text", ("a",)), Or((Term("text", ("b",)), Term("text", ("c",))))))


@pytest.mark.parametrize("query, message", [
    ('"open', "phrase is not closed"), ("(a", "'(' is not closed"), ("a AND", "ends with an operator"),
    ("foo:bar", "Unknown search field 'foo'"), (")", "Unexpected ')'"), ("***", "no letters or digits"),
    ("", "empty"), ("x" * 2000, "under 1,000"), ('"ab cd"*', "'*' has no letters")])
def test_malformed_queries_say_what_is_wrong(query, message):
    with pytest.raises(QueryError, match=re.escape(message)):
        parse(query)


def test_kwic_centres_the_first_match_on_whole_words():
    text = ("The United States has imposed sweeping sanctions on Chinese chip makers, a move that Beijing "
            "called bullying and vowed to answer in kind.")
    left, word, right = kwic(text, highlighter(parse("sanction*")), width=30)
    assert word == "sanctions"
    assert left == "… States has imposed sweeping" and right.startswith("on Chinese chip makers,") and right.endswith("…")
    assert highlight_spans("Sanctions, sanctioned; not asanction", "sanction*") == [(0, 9), (11, 21)]
    assert highlight_spans("U.S. export controls", '"export controls" -x') == [(5, 20)]


# --- against the seed store -------------------------------------------------------------------

def _truth(con, pattern: str) -> set[tuple[str, int]]:
    """(article_id, sent_idx) of non-duplicate sentences whose lowercased text matches a regex."""
    return set(con.execute("""
        SELECT s.article_id, s.sent_idx FROM sentences s JOIN articles a USING (article_id)
        WHERE a.duplicate_of IS NULL AND regexp_matches(lower(s.text), ?)""", [pattern]).fetchall())


def _found(con, query: str, **filters) -> set[tuple[str, int]]:
    lines, total = search(con, Filters(query=query, **filters), limit=100_000)
    assert total == len(lines)
    return set(zip(lines["article_id"], lines["sent_idx"].astype(int)))


def test_build_leaves_an_index_in_step(seed_store):
    assert (index_dir(seed_store) / "stamp.json").exists()
    assert sync(seed_store).indexed == 0  # nothing behind: a no-op


def test_results_are_the_sentences_a_reader_would_find(seed_store):
    w = r"(^|[^a-z0-9])"
    e = r"([^a-z0-9]|$)"
    with read_connection(seed_store) as con:
        assert _found(con, "sanctions") == _truth(con, f"{w}sanctions{e}") != set()
        assert _found(con, "sanction*") == _truth(con, f"{w}sanction")
        assert _found(con, '"export controls"') == _truth(con, f"{w}export controls{e}") != set()
        both = _truth(con, f"{w}taiwan{e}") & _truth(con, f"{w}strait{e}")
        assert _found(con, "taiwan strait") == both != set()
        assert _found(con, "taiwan -strait") == _truth(con, f"{w}taiwan{e}") - both
        assert _found(con, "fentanyl OR climate") == _truth(con, f"{w}(fentanyl|climate){e}")
        spoken = set(con.execute("""SELECT s.article_id, s.sent_idx FROM sentences s JOIN articles a USING (article_id)
                                    WHERE a.duplicate_of IS NULL AND s.speaker = 'Wang Yi'""").fetchall())
        assert spoken and _found(con, 'speaker:"Wang Yi"') == spoken
        mentioned = set(con.execute("""SELECT DISTINCT m.article_id, m.sent_idx FROM mentions m JOIN articles a
                                       USING (article_id) WHERE a.duplicate_of IS NULL AND m.canonical = 'Wang Yi'""").fetchall())
        assert _found(con, 'person:"Wang Yi"') == mentioned | spoken
        tagged = set(con.execute("""SELECT DISTINCT h.article_id, h.sent_idx FROM issue_hits h JOIN articles a
                                    USING (article_id) WHERE a.duplicate_of IS NULL AND h.issue = 'fentanyl'""").fetchall())
        assert _found(con, "issue:fentanyl") == tagged != set()


def test_lines_are_ranked_and_carry_their_article(seed_store):
    with read_connection(seed_store) as con:
        lines, total = search(con, Filters(query="sanctions"), limit=5)
        assert total > 5 and len(lines) == 5
        assert lines["score"].is_monotonic_decreasing
        assert lines["keyword"].str.lower().eq("sanctions").all()
        row = lines.iloc[0]
        stored = con.execute("SELECT text FROM sentences WHERE article_id = ? AND sent_idx = ?",
                             [row.article_id, int(row.sent_idx)]).fetchone()[0]
        assert f"{row.left.lstrip('… ')}" in stored and row.keyword in stored
        outlet = con.execute("SELECT outlet FROM articles WHERE article_id = ?", [row.article_id]).fetchone()[0]
        assert row.outlet == outlet


def test_a_search_narrows_every_chart_with_the_other_filters(seed_store):
    with read_connection(seed_store) as con:
        visit = con.execute("SELECT visit FROM articles WHERE visit <> 'other' GROUP BY visit "
                            "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        f = Filters(query="taiwan", visits=(visit,))
        with query_scope(con, f):
            summary = Q.corpus_summary(con, f)
            issues = Q.issue_frequency(con, f).set_index("issue")["sentences"]
        matched = _found(con, "taiwan", visits=(visit,))
        in_visit = {k for k in _found(con, "taiwan")
                    if con.execute("SELECT visit FROM articles WHERE article_id = ?", [k[0]]).fetchone()[0] == visit}
        assert matched == in_visit != set()
        assert int(summary["sentences"].iloc[0]) == len(matched)
        assert int(summary["articles"].iloc[0]) == len({a for a, _ in matched})
        tagged = con.execute("""SELECT issue, count(*) FROM issue_hits
                                WHERE article_id || ':' || sent_idx IN (SELECT unnest($k::VARCHAR[])) GROUP BY issue""",
                             {"k": [f"{a}:{s}" for a, s in matched]}).fetchall()
        assert dict(tagged) == issues.to_dict()


def test_index_is_rebuilt_when_missing_stale_or_foreign(seed_store, tmp_path):
    store = tmp_path / "copy.duckdb"
    shutil.copy(seed_store, store)
    with read_connection(store) as con:  # no index beside the copy: built on first search
        n = len(_found(con, "taiwan"))
    assert n and (index_dir(store) / "stamp.json").exists()
    with Store.open(store) as s:  # an article removed behind the index's back
        victim = s.con.execute("""SELECT s.article_id FROM sentences s JOIN articles a USING (article_id)
                                  WHERE a.duplicate_of IS NULL AND regexp_matches(lower(s.text), 'taiwan')
                                  GROUP BY ALL ORDER BY count(*) DESC LIMIT 1""").fetchone()[0]
        s.delete([victim])
    with read_connection(store) as con:
        after = _found(con, "taiwan")
        assert after == _truth(con, r"(^|[^a-z0-9])taiwan([^a-z0-9]|$)") and len(after) < n
    stamp = index_dir(store) / "stamp.json"
    stamp.write_text(json.dumps({**json.loads(stamp.read_text()), "store_schema": 1}))
    report = sync(store)
    assert report.rebuilt and report.indexed > 0


def test_saved_queries_live_in_the_store(isolated_store, seed_store):
    shutil.copy(seed_store, isolated_store)
    with Store.open(isolated_store) as s:
        save_query(s.con, "Chips", 'chip* OR "export controls"')
        save_query(s.con, "chips", "semiconductor*")  # another name (names are case-sensitive)
        with pytest.raises(QueryError):
            save_query(s.con, "Bad", '"open')
        with pytest.raises(Exception, match="name of 1 to 80"):
            save_query(s.con, "  ", "x")
    with read_connection(isolated_store) as con:
        assert saved_queries(con)[["name", "query"]].values.tolist() == [
            ["Chips", 'chip* OR "export controls"'], ["chips", "semiconductor*"]]
    with Store.open(isolated_store) as s:
        assert delete_query(s.con, "chips") and not delete_query(s.con, "nope")
        assert saved_queries(s.con)["name"].tolist() == ["Chips"]


def test_the_search_lives_in_the_url():
    f = Filters(query=' person:"Wang Yi" taiwan ')
    assert to_query_params(f) == {"q": ['person:"Wang Yi" taiwan']}
    assert from_query_params({"q": 'person:"Wang Yi" taiwan'}) == (f, [])
    bad, notices = from_query_params({"q": '"open', "issue": "taiwan"})
    assert bad == Filters(issues=("taiwan",)) and "phrase is not closed" in notices[0]


def test_cli_search_formats(seed_store):
    runner = CliRunner()
    out = runner.invoke(main, ["--store", str(seed_store), "search", "sanctions", "--limit", "3", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["total"] > 3 and len(data["lines"]) == 3
    assert {"left", "keyword", "right", "pub_date", "outlet", "speaker", "tone"} <= set(data["lines"][0])
    csv = runner.invoke(main, ["--store", str(seed_store), "search", "sanctions", "--format", "csv", "--over-time", "month"])
    assert csv.output.splitlines()[0] == "period,sentences,articles"
    total = sum(int(line.split(",")[1]) for line in csv.output.splitlines()[1:])
    assert total == data["total"]
    table = runner.invoke(main, ["--store", str(seed_store), "search", "sanctions", "--limit", "2"])
    assert f"{data['total']:,} matching sentences; the best 2:" in table.output and "[sanctions]" in table.output.lower()
    bad = runner.invoke(main, ["--store", str(seed_store), "search", '"open'])
    assert bad.exit_code == 1 and "phrase is not closed" in bad.output
