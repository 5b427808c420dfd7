"""A small hand-made store (schema from core.store.schema) for fast query, figure and page tests.

Six articles over three visits and three outlets, one of them a duplicate that every chart must
exclude. Every number a test expects can be worked out by hand from ARTICLES below.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pandas as pd

from core import PIPELINE_VERSION
from core.store.schema import DERIVED_TABLES, INDEXES, SCHEMA_VERSION, TABLES
from core.store.db import refresh_derived

PEOPLE = {
    "Antony Blinken": ("US", "Secretary of State"),
    "Wang Yi": ("China", "Foreign Minister"),
    "Janet Yellen": ("US", "Treasury Secretary"),
    "Wang Wenbin": ("China", "Foreign Ministry spokesperson"),
    "Evans Revere": ("Other", None),
}
COMMENTATORS = {"Evans Revere"}  # everyone else speaks in office

# (text, speaker or None, tone, coop, {issue: weight}, [persons mentioned], [(driver word, contribution)])
ARTICLES = [
    # Hostile markup in a title and in a sentence: every page must show it as text, never run it.
    dict(id="a1", title="Blinken lands in Beijing <b>for talks</b> <script>alert('title')</script> [go](javascript:alert(3))",
         outlet="SCMP", credit="Reuters", date="2023-06-18",
         visit="blinken-2023-06", sentences=[
             ("Antony Blinken arrived in Beijing for talks on Taiwan.", None, 0.1, 0.2, {"taiwan": 1.0}, ["Antony Blinken"], [("talks", 0.1)]),
             ("Blinken said the talks were candid and constructive.", "Antony Blinken", 0.5, 0.6, {}, ["Antony Blinken"], [("constructive", 0.4), ("candid", 0.1)]),
             ("Wang Yi warned Washington to stop provocative moves in the Taiwan Strait.", "Wang Yi", -0.6, -0.7, {"taiwan": 1.0}, ["Wang Yi"], [("provocative", -0.5), ("warned", -0.1)]),
             ("Trade tensions over tariffs remain <img src=x onerror=alert(1)> <a href=\"javascript:alert(2)\">here</a>.", None, -0.3, -0.2, {"trade": 1.0}, [], [("tensions", -0.3)]),
         ]),
    dict(id="a2", title="Yellen urges fair trade", outlet="Reuters", date="2023-06-19",
         visit="blinken-2023-06", sentences=[
             ("Wang Wenbin said the US must stop its economic containment.", "Wang Wenbin", -0.4, -0.5, {"trade": 1.0, "global_order": 0.5}, ["Wang Wenbin"], [("containment", -0.4)]),
             ("Revere said guardrails could prevent conflict over Taiwan.", "Evans Revere", 0.2, 0.3, {"military_communication": 1.0, "taiwan": 0.5}, ["Evans Revere"], [("guardrails", 0.3), ("conflict", -0.1)]),
         ]),
    dict(id="a3", title="Yellen in Guangzhou: overcapacity", outlet="Reuters", date="2024-04-05",
         visit="yellen-2024-04", sentences=[
             ("Janet Yellen said overcapacity threatens American workers.", "Janet Yellen", -0.2, -0.3, {"trade": 1.0}, ["Janet Yellen"], [("threatens", -0.2)]),
             ("She praised the more stable relationship.", "Janet Yellen", 0.6, 0.5, {}, ["Janet Yellen"], [("stable", 0.4), ("praised", 0.2)]),
         ]),
    dict(id="a4", title="Blinken and Wang Yi meet in Beijing", outlet="Xinhua", date="2024-04-26",
         visit="blinken-2024-04", sentences=[
             ("Wang Yi said relations are stabilising and dialogue is constructive.", "Wang Yi", 0.6, 0.7, {}, ["Wang Yi"], [("constructive", 0.4), ("stabilising", 0.2)]),
             ("Blinken raised concerns about support for Russia.", "Antony Blinken", -0.3, -0.4, {"russia_ukraine": 1.0}, ["Antony Blinken", "Wang Yi"], [("concerns", -0.3)]),
             ("Both sides agreed to resume military talks on Taiwan.", None, 0.4, 0.6, {"military_communication": 1.0, "taiwan": 1.0}, [], [("agreed", 0.4)]),
         ]),
    dict(id="a5", title="Wang Yi: US should not cross red lines", outlet="Xinhua", date="2024-04-27",
         visit="blinken-2024-04", sentences=[
             ("Wang Yi said Taiwan is a red line the US must not cross.", "Wang Yi", -0.5, -0.6, {"taiwan": 1.0}, ["Wang Yi"], [("red line", -0.5)]),
         ]),
    # A reprint of a5 carried by another outlet: excluded from every chart.
    dict(id="a6", title="Wang Yi: US should not cross red lines", outlet="CGTN", date="2024-04-27",
         visit="blinken-2024-04", duplicate_of="a5", sentences=[
             ("Wang Yi said Taiwan is a red line the US must not cross.", "Wang Yi", -0.5, -0.6, {"taiwan": 1.0}, ["Wang Yi"], [("red line", -0.5)]),
         ]),
]

REMOVED_LINE = ("Subscribe to our newsletter <script>alert(1)</script>", "subscribe prompt")


def build_handmade_store(path: Path) -> Path:
    """Write the hand-made corpus to a new DuckDB file at path (schema from core.store.schema)."""
    rows = {name: [] for name in TABLES}
    for art in ARTICLES:
        aid, text_parts, pos = art["id"], [], 0
        quote_idx = 0
        persons: dict[str, list[int]] = {}
        for i, (text, speaker, tone, coop, issues, mentioned, drivers) in enumerate(art["sentences"]):
            side = PEOPLE[speaker][0] if speaker else None
            official = (speaker not in COMMENTATORS) if speaker else None
            rows["sentences"].append(dict(article_id=aid, sent_idx=i, start_char=pos, end_char=pos + len(text),
                                          text=text, paragraph=i, is_heading=False, tone=tone, coop=coop,
                                          quad="verbal_cooperation" if coop > 0 else "verbal_conflict",
                                          speaker=speaker, side=side, official=official, recalled=False))
            for name in mentioned:
                surface = name if name in text else name.split()[-1]
                start = text.find(surface)
                rows["mentions"].append(dict(article_id=aid, sent_idx=i, start_char=pos + start,
                                             end_char=pos + start + len(surface), text=surface,
                                             label="PERSON", canonical=name, side=PEOPLE[name][0], role=PEOPLE[name][1]))
                persons.setdefault(name, [0, 0])[0] += 1
            if speaker:
                rows["quotes"].append(dict(article_id=aid, quote_idx=quote_idx, sent_idx=i, start_char=pos,
                                           end_char=pos + len(text), text=text, speaker=speaker, side=side,
                                           cue="said", kind="reported", tone=tone, official=official))
                quote_idx += 1
                persons.setdefault(speaker, [0, 0])[1] += 1
            for issue, weight in issues.items():
                rows["issue_hits"].append(dict(article_id=aid, sent_idx=i, issue=issue, trigger=issue, weight=weight))
            for word, contribution in drivers:
                rows["tone_drivers"].append(dict(article_id=aid, sent_idx=i, word=word, contribution=contribution,
                                                 source="diplomatic"))
            text_parts.append(text)
            pos += len(text) + 1
        for name, (mentions, quotes) in persons.items():
            rows["persons"].append(dict(article_id=aid, canonical=name, side=PEOPLE[name][0], role=PEOPLE[name][1],
                                        mentions=mentions, quotes=quotes, in_catalog=True,
                                        official=name not in COMMENTATORS))
        raw_lines = [art["title"], *text_parts, REMOVED_LINE[0]]
        for j, line in enumerate(raw_lines):
            removed = line == REMOVED_LINE[0]
            rows["lines"].append(dict(article_id=aid, line_idx=j, text=line, removed=removed,
                                      reason=REMOVED_LINE[1] if removed else None))
        tones = [s[2] for s in art["sentences"]]
        by_side = {side: [s[2] for s in art["sentences"] if s[1] and PEOPLE[s[1]][0] == side] for side in ("US", "China", "Other")}
        mean = lambda xs: sum(xs) / len(xs) if xs else None  # noqa: E731
        rows["articles"].append(dict(
            article_id=aid, file=f"{aid}.txt", title=art["title"], outlet=art["outlet"], outlets=[art["outlet"]],
            credit=art.get("credit"),
            url=None, pub_date=dt.date.fromisoformat(art["date"]), pub_date_confidence=0.9,
            date_evidence=f"dateline '{art['date']}'", visit=art["visit"], visit_evidence="date within the visit",
            words=sum(len(t.split()) for t in text_parts), tone=mean(tones), tone_us=mean(by_side["US"]),
            tone_china=mean(by_side["China"]), tone_other=mean(by_side["Other"]),
            duplicate_of=art.get("duplicate_of"), meta_source=json.dumps({"title": "inferred"}), user_meta=None,
            source_format="txt", raw_text="\n".join(raw_lines), pipeline_version=PIPELINE_VERSION,
            fingerprint="handmade", ingested_at=dt.datetime(2024, 5, 1)))
    con = duckdb.connect(str(path))
    try:
        for name, ddl in TABLES.items():
            con.execute(ddl)
        for ddl in INDEXES:
            con.execute(ddl)
        con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        for name, table_rows in rows.items():
            if table_rows:
                frame = pd.DataFrame(table_rows)  # noqa: F841 (read by DuckDB below)
                con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM frame")
        refresh_derived(con, [art["id"] for art in ARTICLES])
    finally:
        con.close()
    return path


def downgrade_to_schema_3(path) -> None:
    """Make path look like a store written by schema 3 (before official / recalled columns)."""
    con = duckdb.connect(str(path))
    for table, column in (("sentences", "official"), ("sentences", "recalled"), ("sentences", "recalled_when"),
                          ("quotes", "official"), ("persons", "official")):
        con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.close()


def downgrade_to_schema_1(path) -> None:
    """Make path look like a store written by schema 1 (before the derived columns and tables)."""
    downgrade_to_schema_3(path)
    con = duckdb.connect(str(path))
    for column in ("paragraph", "tone", "side", "speaker"):
        con.execute(f"ALTER TABLE issue_hits DROP COLUMN {column}")
    for table in DERIVED_TABLES:
        con.execute(f"DROP TABLE {table}")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()


def downgrade_to_schema_2(path) -> None:
    """Make path look like a store written by schema 2 (before article_issues)."""
    downgrade_to_schema_3(path)
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE article_issues")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.close()
