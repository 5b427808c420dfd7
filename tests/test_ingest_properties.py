"""Property tests: no input, however odd, makes reading, cleaning or ingesting raise anything but
InputError, and the store stays consistent."""
from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.ingest.clean import clean_text, normalise_line
from core.errors import InputError
from core.ingest.add import FORMATS, ingest_uploads, read_article
from core.store.db import Store

NAMES = st.sampled_from(sorted(f"doc{ext}" for ext in FORMATS))
# Text a person could type: no control, surrogate or line/paragraph-separator characters.
TYPED = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\ufeff"),
                max_size=300)
FAST = settings(max_examples=150, deadline=None)


@FAST
@given(data=st.binary(max_size=2000), name=NAMES)
def test_random_bytes_are_read_or_refused_with_an_input_error(data, name):
    try:
        raw = read_article(data, name)
    except InputError as exc:
        assert str(exc).startswith(f"{name}: ")
        return
    assert raw.text.strip() and raw.text == raw.text.strip()
    assert "\x00" not in raw.text and "\r" not in raw.text


@FAST
@given(text=TYPED)
def test_typed_utf8_and_utf16_text_is_read_back_exactly(text):
    expected = unicodedata.normalize("NFC", text).strip()
    for data in (text.encode("utf-8"), text.encode("utf-16")):
        try:
            raw = read_article(data, "typed.txt")
        except InputError:
            assert not any(ch.isalnum() for ch in expected)
            continue
        assert raw.text == expected


@FAST
@given(text=st.text(max_size=400))
def test_cleaner_accepts_any_text_and_accounts_for_every_line(text):
    cleaned = clean_text(text)
    assert len(cleaned.lines) == len(re.split(r"\r\n|\r|\n|\u2028|\u2029", text))
    assert [ln.idx for ln in cleaned.lines] == list(range(len(cleaned.lines)))
    assert cleaned.text == "\n".join(normalise_line(ln.text) for ln in cleaned.lines if not ln.removed)
    assert all(ln.reason for ln in cleaned.lines if ln.removed)


WORDS = st.sampled_from(["Blinken", "Wang Yi", "Beijing", "talks", "Taiwan", "tariffs", "said", "the", "candid",
                         "constructive", "tensions", "<b>", "&amp;", "“quoted”", "é", "中国", "\t", "2023-06-19"])
ARTICLES = st.lists(st.lists(WORDS, min_size=0, max_size=25).map(" ".join), min_size=1, max_size=6).map("\n".join)


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(ARTICLES, TYPED), min_size=1, max_size=3))
def test_ingesting_random_articles_keeps_the_store_consistent(tmp_path, texts):
    store_path = tmp_path / "store.duckdb"
    uploads = [(f"u{i}.txt", t.encode("utf-8")) for i, t in enumerate(texts)]
    report = ingest_uploads(uploads, store_path)
    assert all(isinstance(e, InputError) for e in report.errors)
    if not store_path.exists():
        assert not report.added
        return
    with Store.open(store_path, read_only=True) as store:
        con = store.con
        orphans = {t: con.execute(f"SELECT count(*) FROM {t} WHERE article_id NOT IN "
                                  "(SELECT article_id FROM articles)").fetchall()[0][0]
                   for t in ("lines", "sentences", "mentions", "issue_hits", "quotes", "tone_drivers")}
        assert orphans == dict.fromkeys(orphans, 0)
        no_lines = con.execute("SELECT count(*) FROM articles WHERE article_id NOT IN "
                               "(SELECT article_id FROM lines)").fetchall()[0][0]
        assert no_lines == 0
        dangling = con.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL AND duplicate_of "
                               "NOT IN (SELECT article_id FROM articles)").fetchall()[0][0]
        assert dangling == 0
        stored = {r[0] for r in con.execute("SELECT file FROM articles").fetchall()}
    assert set(report.added) <= stored
