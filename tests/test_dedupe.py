"""Near-duplicate detection on an in-memory store holding real seed articles and rewritten copies."""
from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import duckdb
import pytest

from core.ingest.dedupe import find_duplicate_of, mark_duplicates
from core.store.schema import TABLES

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("0*.txt"))
_clock = itertools.count()


def seed_text(i: int) -> str:
    return SEEDS[i].read_text(encoding="utf-8")


def paragraphs(text: str) -> list[str]:
    return [p for p in text.splitlines() if p.strip()]


@pytest.fixture()
def con():
    c = duckdb.connect()
    for ddl in TABLES.values():
        c.execute(ddl)
    yield c
    c.close()


def add(con, article_id, text, outlet=None, furniture=(), fingerprint="fp1", credit=None):
    """Store an article as the build would: its kept lines, and boilerplate lines marked removed."""
    ts = dt.datetime(2024, 1, 1) + dt.timedelta(seconds=next(_clock))
    con.execute("""INSERT INTO articles (article_id, file, outlet, credit, visit, raw_text, pipeline_version,
                   fingerprint, ingested_at) VALUES (?, ?, ?, ?, 'other', ?, '1', ?, ?)""",
                [article_id, f"{article_id}.txt", outlet, credit, text, fingerprint, ts])
    lines = [(t, False) for t in paragraphs(text)] + [(t, True) for t in furniture]
    con.executemany("INSERT INTO lines VALUES (?, ?, ?, ?, NULL)",
                    [[article_id, i, t, removed] for i, (t, removed) in enumerate(lines)])


def groups(con) -> dict[str, str | None]:
    return dict(con.execute("SELECT article_id, duplicate_of FROM articles ORDER BY 1").fetchall())


def outlets(con, article_id):
    return con.execute("SELECT outlets FROM articles WHERE article_id = ?", [article_id]).fetchone()[0]


def test_distinct_articles_on_the_same_topic_are_not_duplicates(con):
    for i in range(len(SEEDS)):
        add(con, f"seed{i}", seed_text(i), outlet=f"Outlet {i}")
    assert mark_duplicates(con) == 0
    assert all(v is None for v in groups(con).values())
    assert outlets(con, "seed0") == ["Outlet 0"]


def test_republished_with_new_headline_and_furniture_is_a_duplicate(con):
    original = seed_text(0)
    body = paragraphs(original)[1:]
    reprint = "\n".join(["Blinken to head to Beijing as US and China look to reset"] + body
                        + ["Read more: our China coverage", "Share this article"])
    add(con, "orig", original, outlet="Al Jazeera")
    add(con, "copy", reprint, outlet="Yahoo News", furniture=["Subscribe now", "Loading..."])
    assert mark_duplicates(con) == 1
    assert groups(con) == {"copy": "orig", "orig": None}
    assert outlets(con, "orig") == ["Al Jazeera", "Yahoo News"]
    assert outlets(con, "copy") == ["Yahoo News"]


def test_trimmed_wire_reprint_is_contained_in_the_full_story(con):
    body = paragraphs(seed_text(1))
    add(con, "full", "\n".join(body), outlet="Reuters")
    add(con, "trim", "\n".join(body[: int(len(body) * 0.7)]), outlet="Straits Times")
    mark_duplicates(con)
    assert groups(con)["trim"] == "full"
    assert outlets(con, "full") == ["Reuters", "Straits Times"]


def test_wire_story_reprinted_by_two_papers_lists_both_papers_and_the_wire_once(con):
    text = seed_text(1)
    add(con, "paper1", text, outlet="Valley Courier-Times", credit="Associated Press")
    add(con, "paper2", "New headline\n" + text, outlet="Deccan Ledger", credit="Associated Press")
    add(con, "single", seed_text(2), outlet="Deccan Ledger", credit="Reuters")
    assert mark_duplicates(con) == 1
    assert groups(con)["paper2"] == "paper1"
    assert outlets(con, "paper1") == ["Valley Courier-Times", "Associated Press", "Deccan Ledger"]
    assert outlets(con, "paper2") == ["Deccan Ledger", "Associated Press"]
    assert outlets(con, "single") == ["Deccan Ledger", "Reuters"]


def test_article_quoting_a_few_paragraphs_of_another_is_not_a_duplicate(con):
    a, b = paragraphs(seed_text(2)), paragraphs(seed_text(3))
    add(con, "a", "\n".join(a))
    add(con, "mix", "\n".join(b + a[:3]))
    assert mark_duplicates(con) == 0


def test_incremental_runs_only_sign_new_articles_and_keep_the_earliest(con):
    text = seed_text(4)
    add(con, "first", text, outlet="AP")
    mark_duplicates(con)
    assert con.execute("SELECT count(*) FROM dedupe_signatures").fetchone()[0] == 1
    add(con, "second", "Updated headline\n" + text, outlet="ABC")
    add(con, "third", text + "\nAdditional reporting by a correspondent in Beijing.", outlet="NPR")
    assert mark_duplicates(con) == 2
    assert groups(con) == {"first": None, "second": "first", "third": "first"}
    assert outlets(con, "first") == ["AP", "ABC", "NPR"]
    # Nothing new: a second run changes nothing.
    assert mark_duplicates(con) == 2
    assert con.execute("SELECT count(*) FROM dedupe_signatures").fetchone()[0] == 3


def test_deleting_the_representative_promotes_the_next_copy(con):
    text = seed_text(2)
    add(con, "r1", text, outlet="AP")
    add(con, "r2", "Another headline\n" + text, outlet="CNN")
    mark_duplicates(con)
    assert groups(con)["r2"] == "r1"
    con.execute("DELETE FROM articles WHERE article_id = 'r1'")
    mark_duplicates(con)
    assert groups(con) == {"r2": None}
    assert outlets(con, "r2") == ["CNN"]
    assert con.execute("SELECT count(*) FROM dedupe_minhash WHERE article_id = 'r1'").fetchone()[0] == 0


def test_rebuilt_article_is_compared_again(con):
    add(con, "x", seed_text(0))
    add(con, "y", seed_text(1))
    mark_duplicates(con)
    # y is rebuilt (new fingerprint) and its cleaned lines now equal x's.
    con.execute("DELETE FROM lines WHERE article_id = 'y'")
    con.executemany("INSERT INTO lines VALUES ('y', ?, ?, false, NULL)",
                    [[i, t] for i, t in enumerate(paragraphs(seed_text(0)))])
    con.execute("UPDATE articles SET fingerprint = 'fp2' WHERE article_id = 'y'")
    assert mark_duplicates(con) == 1
    assert groups(con)["y"] == "x"


def test_short_texts_are_never_called_duplicates(con):
    add(con, "s1", "Blinken meets Wang Yi")
    add(con, "s2", "Blinken meets Wang Yi")  # same words, different ids: too short to judge
    assert mark_duplicates(con) == 0


def test_find_duplicate_of_returns_the_representative(con):
    text = seed_text(3)
    add(con, "rep", text)
    add(con, "dup", "New title\n" + text)
    mark_duplicates(con)
    reprint = "\n".join(paragraphs(text)[2:])  # headline and dateline dropped
    assert find_duplicate_of(reprint, con) == "rep"
    assert find_duplicate_of(seed_text(0), con) is None
    assert find_duplicate_of("", con) is None


def test_an_excerpt_under_half_the_length_is_a_different_article(con):
    body = paragraphs(seed_text(1))
    add(con, "full", "\n".join(body))
    add(con, "brief", "\n".join(body[: len(body) // 4]))
    assert mark_duplicates(con) == 0


def test_a_near_limit_article_is_signed_in_linear_time_and_memory(con):
    """Issue 14: slicing the word list per position made shingling quadratic (a 999,000-character
    article ran out of memory). 60,000 words as one line, then the same article again."""
    import random
    import time

    words = seed_text(0).split()
    rng = random.Random(14)
    big = " ".join(rng.choice(words) for _ in range(60_000))
    started = time.perf_counter()
    add(con, "big", big)
    add(con, "big2", big + " one more closing line of text here")
    assert mark_duplicates(con) == 1
    assert time.perf_counter() - started < 15
    assert groups(con)["big2"] == "big"


def test_shingles_are_the_five_word_windows_of_the_text(con):
    """The linear shingling yields exactly the 5-word windows (so signatures stored before stay valid)."""
    import pandas as pd

    from core.ingest.dedupe import _SHINGLES_SQL

    con.register("_dd_texts", pd.DataFrame({"article_id": ["a", "b"], "text": ["One two, three FOUR five six!", "a b c d"]}))
    got = sorted(h for (_, h) in con.execute(_SHINGLES_SQL).fetchall())
    want = sorted(con.execute("SELECT hash(s) FROM (VALUES ('one two three four five'), ('two three four five six')) t(s)")
                  .fetchall()[i][0] for i in range(2))
    assert got == want


def test_an_unsigned_store_is_signed_and_grouped_in_batches_with_the_same_groups(con, monkeypatch):
    """Issue 14: a store whose articles were never signed (upgraded, or filled by the benchmark)
    signs and compares them a batch at a time (one pass over 100,000 took 17.7 GB); the groups
    and outlets are those of one pass."""
    import core.ingest.dedupe as dedupe

    for i in range(len(SEEDS)):
        add(con, f"seed{i}", seed_text(i), outlet=f"Outlet {i}")
        add(con, f"copy{i}", "Another headline\n" + seed_text(i), outlet=f"Reprint {i}")
    add(con, "trim0", "\n".join(paragraphs(seed_text(0))[:-2]), outlet="Trimmed")
    one_pass = duckdb.connect()
    for ddl in TABLES.values():
        one_pass.execute(ddl)
    for table in ("articles", "lines"):
        one_pass.register("_rows", con.execute(f"SELECT * FROM {table}").df())
        one_pass.execute(f"INSERT INTO {table} SELECT * FROM _rows")
        one_pass.unregister("_rows")
    expected = mark_duplicates(one_pass)

    batches = []
    real_sign, real_pairs = dedupe._sign, dedupe._matching_pairs
    monkeypatch.setattr(dedupe, "BATCH", 3)
    monkeypatch.setattr(dedupe, "_sign", lambda c, ids: (batches.append(("sign", len(ids))), real_sign(c, ids))[1])
    monkeypatch.setattr(dedupe, "_matching_pairs",
                        lambda c, ids: (batches.append(("compare", len(ids))), real_pairs(c, ids))[1])
    assert mark_duplicates(con) == expected == len(SEEDS) + 1
    assert groups(con) == groups(one_pass)
    assert groups(con)["trim0"] == "seed0" and groups(con)["copy3"] == "seed3"
    assert dict(con.execute("SELECT article_id, outlets FROM articles").fetchall()) == dict(
        one_pass.execute("SELECT article_id, outlets FROM articles").fetchall())
    n = 2 * len(SEEDS) + 1
    assert [k for k, size in batches if k == "sign"] == ["sign"] * -(-n // 3)
    assert max(size for _, size in batches) == 3
    one_pass.close()
