"""Corrections that persist: an analyst's fixes to the extraction, kept apart from it and re-applied.

The log (table corrections) records each fix: who, when, what, before -> after. Kinds:
- person: rename a person, or merge one into another ("Mr. Wang" -> "Wang Yi"), in one article or
  in every article (article_id NULL; it then also applies to articles added later). Mentions,
  quotes, speakers and the per-article people rows follow; the merged person takes the side and
  role the target is known by;
- speaker: reassign a quote's speaker, or remove it (after = NULL);
- tone: set a sentence's tone (-1 hostile .. +1 cooperative).

Applying a fix changes the stored rows, so every chart, CSV, export and table shows it with no cost
at query time; the derived rows are recomputed. Before an article's first fix its extraction rows
are copied to the base_* tables (core.store.schema.BASE_TABLES), so undoing one fix restores those
copies and replays the remaining fixes in order. A rebuild writes fresh extraction rows and calls
reapply(), so fixes survive every build and catalogue edit. A fix made on a sentence or quote whose
text has since changed (a re-ingested text) no longer fits: it is kept, marked stale and not
applied; it applies again if the text comes back.
"""
from __future__ import annotations

import datetime as dt
import getpass
import json

import pandas as pd

from core.errors import DiplotoneError
from core.tone.aggregates import STORED_ARTICLE_TONE
from core.store.schema import BASE_TABLES

KINDS = ("person", "speaker", "tone")
APPLIED, STALE, UNDONE = "applied", "stale", "undone"
FIELDS = ("id", "created_at", "author", "kind", "article_id", "item", "anchor", "subject", "before", "after",
          "status", "undone_at")
_IN = "article_id IN (SELECT unnest($ids::VARCHAR[]))"


class CorrectionError(DiplotoneError):
    """A correction that cannot be made (unknown person, quote or sentence; a bad value)."""


# --- making and undoing -----------------------------------------------------------------------

def add(con, kind: str, *, after, article_id: str | None = None, item: int | None = None,
        subject: str | None = None, author: str | None = None) -> tuple[int, list[str]]:
    """Record and apply one correction (inside the caller's transaction); returns its id and the
    articles it changed. person: subject -> after (article_id None: every article); speaker:
    quote `item` of article_id -> after (None removes it); tone: sentence `item` -> after."""
    if kind not in KINDS:
        raise CorrectionError(f"Unknown correction {kind!r}; use one of {', '.join(KINDS)}.")
    row = _target(con, kind, article_id, item, subject, after)
    cid = con.execute("SELECT coalesce(max(id), 0) + 1 FROM corrections").fetchall()[0][0]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute("INSERT INTO corrections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                [cid, now, author or _user(), kind, article_id, item, row["anchor"], subject,
                 _dump(row["before"]), _dump(after), APPLIED])
    changed = _apply(con, _load(con, f"id = {int(cid)}")[0], None)
    _refresh(con, changed)
    return cid, changed


def undo(con, cid: int) -> list[str]:
    """Undo correction cid (inside the caller's transaction); returns the articles it changed."""
    status = con.execute("SELECT status FROM corrections WHERE id = ?", [cid]).fetchall()
    if not status:
        raise CorrectionError(f"No correction #{cid}.")
    if status[0][0] == UNDONE:
        raise CorrectionError(f"Correction #{cid} is already undone.")
    con.execute("UPDATE corrections SET status = ?, undone_at = ? WHERE id = ?",
                [UNDONE, dt.datetime.now(dt.UTC).replace(tzinfo=None), cid])
    ids = _restore_extraction(con)
    reapply(con, ids, refresh=False)  # the remaining fixes, in order
    _refresh(con, ids)
    return ids


def _restore_extraction(con) -> list[str]:
    """Put back the extraction rows of every corrected article (from base_*); returns those articles."""
    ids = [r[0] for r in con.execute("SELECT DISTINCT article_id FROM base_sentences").fetchall()]
    for table in BASE_TABLES:
        cols = ", ".join(_columns(con, table))
        con.execute(f"DELETE FROM {table} WHERE {_IN}", {"ids": ids})
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM base_{table} WHERE {_IN}", {"ids": ids})
        con.execute(f"DELETE FROM base_{table} WHERE {_IN}", {"ids": ids})
    return ids


def reapply(con, article_ids, refresh: bool = True) -> list[str]:
    """Apply every correction in force to these articles, whose rows are the extraction's (after a
    write or an undo), in the order they were made; mark those that no longer fit as stale."""
    ids = list(article_ids)
    changed: set[str] = set()
    for c in _load(con, f"status <> '{UNDONE}'"):
        if c["article_id"] is not None and c["article_id"] not in ids:
            continue
        fits = c["article_id"] is None or _fits(con, c)
        if c["article_id"] is not None:
            con.execute("UPDATE corrections SET status = ? WHERE id = ?", [APPLIED if fits else STALE, c["id"]])
        if fits:
            changed |= set(_apply(con, c, ids))
    if refresh:
        _refresh(con, sorted(changed))
    return sorted(changed)


def listing(con, article_id: str | None = None) -> pd.DataFrame:
    """The corrections log (newest first), or the corrections that concern one article."""
    where = "WHERE article_id = $a OR (article_id IS NULL AND kind = 'person' AND (subject IN " \
            "(SELECT canonical FROM base_persons WHERE article_id = $a)))" if article_id else ""
    return con.execute(f"SELECT * FROM corrections {where} ORDER BY id DESC",
                       {"a": article_id} if article_id else {}).df()


def corrected_sentences(con, article_id: str) -> set[int]:
    """Sentences of an article that a correction in force changed (tone, or a quote's speaker)."""
    rows = con.execute(f"""
        SELECT item FROM corrections WHERE article_id = $a AND kind = 'tone' AND status = '{APPLIED}'
        UNION SELECT q.sent_idx FROM corrections c JOIN quotes q ON q.article_id = c.article_id AND q.quote_idx = c.item
        WHERE c.article_id = $a AND c.kind = 'speaker' AND c.status = '{APPLIED}'""", {"a": article_id}).fetchall()
    return {int(r[0]) for r in rows}


# --- sharing ----------------------------------------------------------------------------------

def export_json(con) -> str:
    """Every correction (undone ones too, for the record) as a JSON document a team can share."""
    df = con.execute("SELECT * FROM corrections ORDER BY id").df()
    rows = [{k: (None if pd.isna(v) else str(v) if isinstance(v, pd.Timestamp) else v) for k, v in r.items()}
            for r in df.astype(object).to_dict("records")]
    return json.dumps({"diplotone_corrections": 1, "corrections": rows}, ensure_ascii=False, indent=2, default=int)


def import_json(con, text: str) -> tuple[int, list[str]]:
    """Add the corrections of an exported file that this store lacks (same kind, target, change and
    time), apply those in force; returns how many were added and the articles changed."""
    try:
        data = json.loads(text)
        rows = data["corrections"] if isinstance(data, dict) and data.get("diplotone_corrections") == 1 else None
    except (ValueError, TypeError):
        rows = None
    if not isinstance(rows, list) or not all(isinstance(r, dict) and r.get("kind") in KINDS for r in rows):
        raise CorrectionError("Not a Diplotone corrections file (expected the JSON written by `diplotone fix export`).")
    have = {_same(r) for r in _load(con, "TRUE")}
    added = 0
    for r in rows:
        if _same(r) in have:
            continue
        cid = con.execute("SELECT coalesce(max(id), 0) + 1 FROM corrections").fetchall()[0][0]
        con.execute("INSERT INTO corrections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [cid, r.get("created_at"), r.get("author"), r["kind"], r.get("article_id"), r.get("item"),
                     r.get("anchor"), r.get("subject"), r.get("before"), r.get("after"),
                     UNDONE if r.get("status") == UNDONE else APPLIED, r.get("undone_at")])
        have.add(_same(r))
        added += 1
    if not added:
        return 0, []
    restored = _restore_extraction(con)  # then every fix in force, in order, on every article
    ids = [x[0] for x in con.execute("SELECT article_id FROM articles").fetchall()]
    changed = sorted(set(reapply(con, ids, refresh=False)) | set(restored))
    _refresh(con, changed)
    return added, changed


def _same(r: dict) -> tuple:
    return (r.get("kind"), r.get("article_id"), r.get("item"), r.get("subject"), r.get("after"), str(r.get("created_at")))


# --- the kinds --------------------------------------------------------------------------------

def _target(con, kind, article_id, item, subject, after) -> dict:
    """What the correction is made on (anchor text) and the value before; raises if it does not exist."""
    if kind == "person":
        if not subject or not isinstance(after, str) or not after.strip() or after.strip() == subject:
            raise CorrectionError("A person correction needs the current name and a different new name.")
        where = "canonical = $s" + (" AND article_id = $a" if article_id else "")
        params = {"s": subject, **({"a": article_id} if article_id else {})}
        if not con.execute(f"SELECT count(*) FROM persons WHERE {where}", params).fetchall()[0][0]:
            raise CorrectionError(f"No person {subject!r}" + (" in this article." if article_id else " in the store."))
        return {"anchor": subject, "before": subject}
    if article_id is None or item is None:
        raise CorrectionError(f"A {kind} correction needs an article and a {'quote' if kind == 'speaker' else 'sentence'} number.")
    if kind == "speaker":
        row = con.execute("SELECT text, speaker FROM quotes WHERE article_id = ? AND quote_idx = ?",
                          [article_id, item]).fetchall()
        if not row:
            raise CorrectionError(f"No quote #{item} in article {article_id[:12]}.")
        if after is not None and (not isinstance(after, str) or not after.strip()):
            raise CorrectionError("Give the new speaker's name, or none to remove the speaker.")
        return {"anchor": row[0][0], "before": row[0][1]}
    row = con.execute("SELECT text, tone FROM sentences WHERE article_id = ? AND sent_idx = ?",
                      [article_id, item]).fetchall()
    if not row:
        raise CorrectionError(f"No sentence #{item} in article {article_id[:12]}.")
    if not isinstance(after, (int, float)) or not -1.0 <= float(after) <= 1.0:
        raise CorrectionError(f"A tone is a number from -1 (hostile) to +1 (cooperative), got {after!r}.")
    return {"anchor": row[0][0], "before": row[0][1]}


def _fits(con, c: dict) -> bool:
    table, key = ("quotes", "quote_idx") if c["kind"] == "speaker" else ("sentences", "sent_idx")
    row = con.execute(f"SELECT text FROM {table} WHERE article_id = ? AND {key} = ?", [c["article_id"], c["item"]]).fetchall()
    return bool(row) and row[0][0] == c["anchor"]


def _apply(con, c: dict, ids: list[str] | None) -> list[str]:
    """Apply one correction to the articles it concerns (within ids, when given); returns them."""
    if c["kind"] == "person":
        where = ["(canonical = $s)"] + (["article_id = $a"] if c["article_id"] else [])
        params = {"s": c["subject"], **({"a": c["article_id"]} if c["article_id"] else {})}
        if ids is not None:
            where.append(_IN)
            params["ids"] = ids
        targets = [r[0] for r in con.execute(f"SELECT DISTINCT article_id FROM persons WHERE {' AND '.join(where)}",
                                             params).fetchall()]
        if targets:
            _snapshot(con, targets)
            _merge_person(con, c["subject"], _load_value(c["after"]), targets)
        return targets
    if ids is not None and c["article_id"] not in ids:
        return []
    _snapshot(con, [c["article_id"]])
    key = {"a": c["article_id"], "i": c["item"], "v": _load_value(c["after"])}
    if c["kind"] == "tone":
        con.execute("UPDATE sentences SET tone = $v WHERE article_id = $a AND sent_idx = $i", key)
        con.execute("UPDATE quotes SET tone = $v WHERE article_id = $a AND sent_idx = $i", key)
        con.execute(STORED_ARTICLE_TONE, {"a": key["a"]})  # the article's tone is its sentences' (one definition)
    else:
        side = _known_side(con, key["v"])
        con.execute("UPDATE quotes SET speaker = $v, side = $side WHERE article_id = $a AND quote_idx = $i",
                    {**key, "side": side})
        con.execute("""UPDATE sentences SET speaker = $v, side = $side WHERE article_id = $a AND sent_idx =
                       (SELECT sent_idx FROM quotes WHERE article_id = $a AND quote_idx = $i)""", {**key, "side": side})
        if key["v"] is not None:
            con.execute("""INSERT INTO persons (article_id, canonical, side, mentions, in_catalog, quotes)
                           SELECT $a, $v, $side, 0, FALSE, 0 WHERE NOT EXISTS
                           (SELECT 1 FROM persons WHERE article_id = $a AND canonical = $v)""",
                        {"a": key["a"], "v": key["v"], "side": side})
        con.execute("""UPDATE persons p SET quotes = (SELECT count(*) FROM quotes q WHERE q.article_id = p.article_id
                       AND q.speaker = p.canonical) WHERE p.article_id = $a""", {"a": key["a"]})
    return [c["article_id"]]


def _known_side(con, name: str | None) -> str | None:
    """The side a person is known by in the store (catalogue entries first)."""
    if name is None:
        return None
    row = con.execute("""SELECT side FROM persons WHERE canonical = ? AND side IS NOT NULL
                         ORDER BY in_catalog DESC, mentions DESC LIMIT 1""", [name]).fetchall()
    return row[0][0] if row else None


def _merge_person(con, old: str, new: str, ids: list[str]) -> None:
    """Rename `old` to `new` in these articles; where both appear, their people rows become one."""
    known = con.execute("""SELECT side, role FROM persons WHERE canonical = ? ORDER BY in_catalog DESC, mentions DESC
                           LIMIT 1""", [new]).fetchall()
    side, role = known[0] if known else (None, None)
    p = {"old": old, "new": new, "side": side, "role": role, "ids": ids}
    con.execute(f"UPDATE mentions SET canonical = $new, side = coalesce($side, side), role = coalesce($role, role) "
                f"WHERE canonical = $old AND {_IN}", p)
    for table in ("quotes", "sentences"):
        con.execute(f"UPDATE {table} SET speaker = $new, side = coalesce($side, side) WHERE speaker = $old AND {_IN}",
                    {k: p[k] for k in ("old", "new", "side", "ids")})
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _merged AS
        SELECT article_id, $new AS canonical,
               coalesce(any_value(side) FILTER (WHERE canonical = $new), $side, any_value(side)) AS side,
               coalesce(any_value(role) FILTER (WHERE canonical = $new), $role, any_value(role)) AS role,
               sum(mentions)::INTEGER AS mentions, bool_or(in_catalog) AS in_catalog, sum(quotes)::INTEGER AS quotes
        FROM persons WHERE canonical IN ($old, $new) AND {_IN} GROUP BY article_id""", p)
    con.execute(f"DELETE FROM persons WHERE canonical IN ($old, $new) AND {_IN}", {k: p[k] for k in ("old", "new", "ids")})
    con.execute("INSERT INTO persons BY NAME SELECT * FROM _merged")
    con.execute("DROP TABLE _merged")


# --- helpers ----------------------------------------------------------------------------------

def _columns(con, table: str) -> list[str]:
    """The columns of table that its base_ copy has too (a later schema may add some)."""
    cols = lambda t: [r[0] for r in con.execute(  # noqa: E731
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND database_name = current_database() "
        "ORDER BY column_index", [t]).fetchall()]
    base = set(cols(f"base_{table}"))
    return [c for c in cols(table) if c in base]


def _snapshot(con, ids: list[str]) -> None:
    """Copy the extraction rows of the articles not copied yet (before their first correction)."""
    fresh = [r[0] for r in con.execute(
        f"SELECT DISTINCT article_id FROM sentences WHERE {_IN} AND article_id NOT IN "
        "(SELECT article_id FROM base_sentences)", {"ids": ids}).fetchall()]
    if not fresh:
        return
    for table in BASE_TABLES:
        cols = ", ".join(_columns(con, table))
        con.execute(f"INSERT INTO base_{table} ({cols}) SELECT {cols} FROM {table} WHERE {_IN}", {"ids": fresh})


def _refresh(con, ids) -> None:
    from core.store.db import refresh_derived

    if ids:
        refresh_derived(con, list(ids))


def _load(con, where: str) -> list[dict]:
    df = con.execute(f"SELECT * FROM corrections WHERE {where} ORDER BY id").df().astype(object)
    return [{k: (None if v is None or (not isinstance(v, str) and pd.isna(v)) else v) for k, v in r.items()}
            for r in df.to_dict("records")]


def _dump(value) -> str | None:
    return None if value is None else json.dumps(value)


def _load_value(text):
    return None if text is None else json.loads(text)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
