"""Search results: the matching sentences as a filter, keyword-in-context lines, saved queries.

A query is a filter like any other (core.filters.Filters.query): every chart's statement joins
the `query_matches` relation (art, sent, score: one row per matching sentence, from the index)
that query_scope() registers on the connection for the duration of a request; core.store.queries
turns it into the article ids and sentence numbers of the store. So a search narrows issue,
tone and people charts exactly as an issue filter does, and the KWIC list honours every other
filter (visit, outlet, dates, side...).
"""
from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager

import pandas as pd
import pyarrow as pa

from core.corrections import with_corrected
from core.errors import DiplotoneError
from core.filters import Filters
from core.search.index import fresh_index, store_file
from core.search.syntax import And, Not, Or, Term, highlighter, parse

import tantivy

WIDTH = 60  # characters of context either side of a keyword
SAVED_NAME = re.compile(r"^[^\x00-\x1f]{1,80}$")


def to_tantivy(node, index: tantivy.Index) -> tantivy.Query:
    """The tantivy query of a parsed tree (core.search.syntax)."""
    schema = index.schema
    if isinstance(node, Term):
        if node.prefix:
            return tantivy.Query.regex_query(schema, node.field, re.escape(node.words[0]) + ".*")
        if len(node.words) == 1:
            return tantivy.Query.term_query(schema, node.field, node.words[0])
        return tantivy.Query.phrase_query(schema, node.field, list(node.words))
    if isinstance(node, Not):
        return _bool([(tantivy.Occur.Must, tantivy.Query.all_query()),
                      (tantivy.Occur.MustNot, to_tantivy(node.node, index))])
    if isinstance(node, And):
        parts = []
        for child in node.nodes:
            if isinstance(child, Not):
                parts.append((tantivy.Occur.MustNot, to_tantivy(child.node, index)))
            else:
                parts.append((tantivy.Occur.Must, to_tantivy(child, index)))
        if all(occur == tantivy.Occur.MustNot for occur, _ in parts):
            parts.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return _bool(parts)
    if isinstance(node, Or):
        return _bool([(tantivy.Occur.Should, to_tantivy(child, index)) for child in node.nodes])
    raise TypeError(f"not a query node: {node!r}")


def _bool(parts) -> tantivy.Query:
    return tantivy.Query.boolean_query(parts)


def _searcher(con, query: str):
    index = fresh_index(store_file(con), con)
    return index.searcher(), to_tantivy(parse(query), index)


def _table(searcher, hits) -> pa.Table:
    scores, addresses = zip(*hits) if hits else ((), ())
    return pa.table({"art": pa.array(searcher.fast_field_values("art", list(addresses)), pa.uint64()),
                     "sent": pa.array(searcher.fast_field_values("sent", list(addresses)), pa.int32()),
                     "score": pa.array(scores, pa.float64())})


def _run(searcher, tq, query: str, limit: int, count: bool):
    try:
        return searcher.search(tq, limit=max(limit, 1), count=count)
    except ValueError as exc:
        raise DiplotoneError(f"The search {query!r} cannot run: {exc}") from None


def matches(con, query: str) -> pa.Table:
    """Every sentence of the store (at con) that matches query: art, sent, score (BM25)."""
    searcher, tq = _searcher(con, query)
    return _table(searcher, _run(searcher, tq, query, searcher.num_docs, count=False).hits)


@contextmanager
def query_scope(con, filters: Filters, matched: pa.Table | None = None):
    """Around the core.store.queries calls of one request: registers the matches of filters.query
    (or `matched`, a part of them)."""
    if not filters.query:
        yield con
        return
    con.register("query_matches", matches(con, filters.query) if matched is None else matched)
    try:
        yield con
    finally:
        con.unregister("query_matches")


def kwic(text: str, pattern: re.Pattern | None, width: int = WIDTH) -> tuple[str, str, str]:
    """(left, keyword, right) of a sentence, centred on its first match (whole words at the edges)."""
    text = " ".join(text.split())
    m = pattern.search(text) if pattern else None
    if not m:
        return "", "", _clip(text, width, right=True)
    return (_clip(text[:m.start()].rstrip(), width, right=False), m.group(0),
            _clip(text[m.end():].lstrip(), width, right=True))


def _clip(text: str, width: int, right: bool) -> str:
    if len(text) <= width:
        return text
    if right:
        cut = text[:width].rsplit(" ", 1)[0]
        return cut + " …"
    cut = text[-width:].split(" ", 1)[-1]
    return "… " + cut


def search(con, filters: Filters, limit: int = 200, width: int = WIDTH) -> tuple[pd.DataFrame, int]:
    """KWIC lines of the best `limit` matches of filters.query under the other filters, and the
    number of matching sentences. Columns: left, keyword, right, pub_date, title, outlet, speaker,
    side, tone, score, text, article_id, sent_idx, corrected (an analyst's correction changed the
    sentence: core.corrections.with_corrected).

    With no other filter, the index alone ranks and counts (the store is read for the shown lines
    only); otherwise every match is joined with the filtered sentences."""
    from core.store import queries as Q

    pattern = highlighter(parse(filters.query))
    if filters.replace(query="").is_empty():
        searcher, tq = _searcher(con, filters.query)
        found = _run(searcher, tq, filters.query, limit, count=True)
        with query_scope(con, filters, _table(searcher, found.hits)):
            lines, _ = Q.search_lines(con, filters, limit)
        total = found.count
    else:
        with query_scope(con, filters):
            lines, total = Q.search_lines(con, filters, limit)
    lines["pub_date"] = pd.to_datetime(lines["pub_date"]).dt.date
    parts = [kwic(t, pattern, width) for t in lines["text"]]
    for i, name in enumerate(("left", "keyword", "right")):
        lines.insert(i, name, [p[i] for p in parts])
    return with_corrected(con, lines), total


def over_time(con, filters: Filters, unit: str = "week") -> pd.DataFrame:
    """Matching sentences and articles per period (core.store.queries.search_over_time)."""
    from core.store import queries as Q

    with query_scope(con, filters):
        return Q.search_over_time(con, filters, unit)


def highlight_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Character spans of the query's words in text (for marking a match in the article reader)."""
    pattern = highlighter(parse(query))
    return [(m.start(), m.end()) for m in pattern.finditer(text)] if pattern else []


# --- saved queries (in the store) ------------------------------------------------------------

def saved_queries(con) -> pd.DataFrame:
    """name, query, saved_at of every saved query, by name."""
    return con.execute("SELECT name, query, saved_at FROM saved_queries ORDER BY lower(name)").df()


def save_query(con, name: str, query: str) -> None:
    """Save (or replace) query under name, on a read-write store connection; the query is checked first."""
    name = (name or "").strip()
    if not SAVED_NAME.match(name):
        raise DiplotoneError("Give the saved search a name of 1 to 80 characters (no control characters).")
    parse(query)
    con.execute("INSERT OR REPLACE INTO saved_queries VALUES (?, ?, ?)",
                [name, query.strip(), dt.datetime.now(dt.UTC).replace(tzinfo=None)])


def delete_query(con, name: str) -> bool:
    return bool(con.execute("DELETE FROM saved_queries WHERE name = ? RETURNING name", [name]).fetchall())
