"""Corrections that persist: an analyst's fixes to the extraction, kept apart from it and re-applied.

The log (table corrections) records each fix: who, when, what, before -> after. Kinds:
- person: rename a person, merge one into another ("Mr. Wang" -> "Wang Yi"), or delete one (after
  NULL: not a person; its mentions go, its quotes lose their speaker), in one article or in every
  article (article_id NULL; it then also applies to articles added later). Mentions, quotes,
  speakers and the per-article people rows follow; a merged person takes the target's side and role;
- profile: change a person's side, role or official/commentator status (after: the fields changed),
  in one article or every article;
- speaker: reassign a quote's speaker, or remove it (after = NULL);
- tone: set a sentence's tone (-1 hostile .. +1 cooperative);
- issue: tag a sentence with an issue (subject) or remove the tag (after true / false);
- line: mark a raw line as boilerplate (after true) or as body (false). The sentences come from
  the cleaned text, so this one is applied by extracting the article again (core.build.reparse_marked
  after the correction is committed; every build passes marked_lines() to the cleaner).

Applying fixes changes the stored rows, so every chart, CSV, export and table shows them with no
cost at query time. They apply by sets: each run of consecutive fixes of one kind is one pass over
the rows of the articles it touches (the last fix of a target wins), and the derived rows of the
changed articles are recomputed once, so 1,000 fixes cost a few passes, not 1,000. Before an
article's first fix its extraction rows are copied to the base_* tables (core.store.schema.BASE_TABLES),
so undoing one fix restores those copies and replays the remaining fixes in order. A rebuild writes
fresh extraction rows and calls reapply(), so fixes survive every build and catalogue edit. A fix
made on a sentence or quote whose text has since changed (a re-ingested text), or on a person no
longer in its article, no longer fits: it is kept, marked stale and not applied; it applies again
if the text comes back. One whose sentence or quote only moved (a line marked as boilerplate or
body renumbers the article's sentences) follows its text (_fitting). A person fix for every article whose name the extraction no longer finds
(a merge promoted into seeds/actors.csv as an alias, promote()) is marked "not needed".
"""
from __future__ import annotations

import csv
import datetime as dt
import getpass
import io
import itertools
import json
import os
import tempfile
from pathlib import Path

import pandas as pd

from core.errors import DiplotoneError
from core.store.schema import BASE_TABLES
from core.tone.aggregates import STORED_ARTICLE_TONE

KINDS = ("person", "profile", "speaker", "tone", "issue", "line")
PERSON_KINDS = ("person", "profile")  # made on a person (subject), in one article or in every article
ITEM_TABLES = {"speaker": ("quotes", "quote_idx"), "tone": ("sentences", "sent_idx"), "issue": ("sentences", "sent_idx"),
               "line": ("lines", "line_idx")}
PROFILE_FIELDS = ("side", "role", "official")
APPLIED, STALE, UNDONE, NOT_NEEDED = "applied", "stale", "undone", "not needed"
FIELDS = ("id", "created_at", "author", "kind", "article_id", "item", "anchor", "subject", "before", "after",
          "status", "undone_at")
ANALYST_TRIGGER = "✎ analyst"  # issue_hits.trigger of an issue an analyst added
_IN = "article_id IN (SELECT unnest($ids::VARCHAR[]))"


class CorrectionError(DiplotoneError):
    """A correction that cannot be made (unknown person, quote or sentence; a bad value)."""


# --- making and undoing -----------------------------------------------------------------------

def add(con, kind: str, *, after, article_id: str | None = None, item: int | None = None,
        subject: str | None = None, author: str | None = None) -> tuple[int, list[str]]:
    """Record and apply one correction (inside the caller's transaction); returns its id and the
    articles it changed. person: subject -> after (None deletes; article_id None: every article);
    profile: subject's {side, role, official} -> after; speaker: quote `item` of article_id -> after
    (None removes it); tone: sentence `item` -> after; issue: sentence `item` tagged with issue
    `subject` (after True) or not (False)."""
    ids, changed = add_many(con, [{"kind": kind, "after": after, "article_id": article_id, "item": item,
                                   "subject": subject}], author)
    return ids[0], changed


def add_many(con, fixes: list[dict], author: str | None = None) -> tuple[list[int], list[str]]:
    """Record and apply many corrections at once (inside the caller's transaction). Every fix is
    checked first (none is recorded if one is wrong), then they apply by sets. Returns their ids
    and the articles changed."""
    fixes = [_checked(dict(f)) for f in fixes]
    if not fixes:
        return [], []
    targets = _targets(con, fixes)
    first = con.execute("SELECT coalesce(max(id), 0) + 1 FROM corrections").fetchall()[0][0]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    who = author or _user()
    _record(con, [{"id": first + n, "created_at": now, "author": who, "kind": f["kind"], "article_id": f["article_id"],
                   "item": f["item"], "anchor": anchor, "subject": f["subject"], "before": _dump(before),
                   "after": _dump(f["after"]), "status": APPLIED, "undone_at": None}
                  for n, (f, (anchor, before)) in enumerate(zip(fixes, targets))])
    changed, _ = _apply_runs(con, _load(con, f"id >= {int(first)}"), None)
    _refresh(con, changed)
    return list(range(first, first + len(fixes))), sorted(changed)


def undo(con, cid: int) -> list[str]:
    """Undo correction cid (inside the caller's transaction); returns the articles it changed."""
    rows = _load(con, f"id = {int(cid)}")
    if not rows:
        raise CorrectionError(f"No correction #{cid}.")
    if rows[0]["status"] == UNDONE:
        raise CorrectionError(f"Correction #{cid} is already undone.")
    among = [rows[0]["article_id"]] if rows[0]["article_id"] is not None else _person_articles(con, rows[0])
    con.execute("UPDATE corrections SET status = ?, undone_at = ? WHERE id = ?",
                [UNDONE, dt.datetime.now(dt.UTC).replace(tzinfo=None), cid])
    ids = _restore_extraction(con, among)
    reapply(con, ids, refresh=False)  # the remaining fixes, in order
    _refresh(con, ids)
    return ids


def _person_articles(con, c: dict) -> list[str]:
    """The articles a person fix for every article (c, in force) changed: where the extraction
    has its person, or an earlier fix in force brought the name in (a merge or rename into it, in
    every article or one; a quote given to it). An undo restores and replays these alone."""
    earlier = [e for e in _load(con, f"id < {int(c['id'])} AND status <> '{UNDONE}' AND kind IN ('person', 'speaker')")
               if e["after"] is not None]
    names, ids, grown = {c["subject"]}, set(), True
    while grown:  # names merged into the person, into those names, ...
        grown = False
        for e in earlier:
            if e["kind"] == "person" and _load_value(e["after"]) in names and e["subject"] not in names:
                if e["article_id"] is None:
                    names.add(e["subject"])
                    grown = True
                else:
                    ids.add(e["article_id"])
    ids |= {e["article_id"] for e in earlier if e["kind"] == "speaker" and _load_value(e["after"]) in names}
    ids |= {r[0] for r in con.execute("SELECT DISTINCT article_id FROM base_persons WHERE canonical IN "
                                      "(SELECT unnest($n::VARCHAR[]))", {"n": sorted(names)}).fetchall()}
    return sorted(ids)


def _restore_extraction(con, among: list[str] | None = None) -> list[str]:
    """Put back the extraction rows of the corrected articles (from base_*), of every one or of those
    among `among`; returns those articles."""
    ids = [r[0] for r in con.execute("SELECT DISTINCT article_id FROM base_sentences"
                                     + (f" WHERE {_IN}" if among is not None else ""),
                                     {"ids": among} if among is not None else {}).fetchall()]
    for table in BASE_TABLES:
        cols = ", ".join(_columns(con, table))
        con.execute(f"DELETE FROM {table} WHERE {_IN}", {"ids": ids})
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM base_{table} WHERE {_IN}", {"ids": ids})
        con.execute(f"DELETE FROM base_{table} WHERE {_IN}", {"ids": ids})
    return ids


def reapply(con, article_ids, refresh: bool = True) -> list[str]:
    """Apply every correction in force to these articles, whose rows are the extraction's (after a
    write or an undo), in the order they were made, by sets; mark those that no longer fit as stale."""
    ids = list(article_ids)
    wanted = set(ids)
    live = [c for c in _load(con, f"status <> '{UNDONE}'") if c["article_id"] is None or c["article_id"] in wanted]
    items = [c for c in live if c["kind"] in ITEM_TABLES]
    fitting = _fitting(con, items)
    status = {c["id"]: APPLIED if c["id"] in fitting else STALE for c in items}
    changed, found = _apply_runs(con, [c for c in live if c["kind"] in PERSON_KINDS or c["id"] in fitting], ids)
    for c in live:
        if c["kind"] in PERSON_KINDS:
            status[c["id"]] = APPLIED if found[c["id"]] else STALE if c["article_id"] else _needed(con, c["subject"])
    _set_status(con, status)
    if refresh:
        _refresh(con, sorted(changed))
    return sorted(changed)


def listing(con, article_id: str | None = None) -> pd.DataFrame:
    """The corrections log (newest first), or the corrections that concern one article."""
    where = "WHERE article_id = $a OR (article_id IS NULL AND subject IN (SELECT canonical FROM base_persons " \
            "WHERE article_id = $a UNION SELECT canonical FROM persons WHERE article_id = $a))" if article_id else ""
    return con.execute(f"SELECT * FROM corrections {where} ORDER BY id DESC",
                       {"a": article_id} if article_id else {}).df()


def corrected_rows_sql(among: str) -> str:
    """SQL of the rows a correction in force changed, as (article_id, sent_idx, person), in the
    articles of the subquery `among`: the rows of sentences, quotes, mentions, issue tags and
    people that differ from the extraction's copy (base_*), either way. The one definition of
    "✎ corrected": a sentence is corrected when it has such a row (its tone, speaker or side, a
    quote in it, a person named in it, an issue tag), a person when one of its rows is (a merge,
    rename, profile change, a quote given or taken away, a quote's tone)."""
    ids = f"article_id IN (SELECT article_id FROM base_sentences WHERE article_id IN ({among}))"

    def diff(table: str, cols: str, idx: str, person: str) -> str:
        side = lambda a, b: f"(SELECT {cols} FROM {a} WHERE {ids} EXCEPT SELECT {cols} FROM {b} WHERE {ids})"  # noqa: E731
        return (f"SELECT article_id, {idx} AS sent_idx, {person} AS person FROM "
                f"({side(table, f'base_{table}')} UNION ALL {side(f'base_{table}', table)})")

    return " UNION ALL ".join([
        diff("sentences", "article_id, sent_idx, tone, speaker, side, official", "sent_idx", "speaker"),
        diff("quotes", "article_id, sent_idx, speaker, side, official, tone", "sent_idx", "speaker"),
        diff("mentions", "article_id, sent_idx, canonical, side, role", "sent_idx", "canonical"),
        diff("issue_hits", "article_id, sent_idx, issue", "sent_idx", "NULL::VARCHAR"),
        diff("persons", "article_id, canonical, side, role, official, mentions, quotes", "NULL::INTEGER", "canonical")])


def corrected_sentences(con, article_id: str) -> set[int]:
    """Sentences of an article whose rows a correction in force changed (corrected_rows_sql)."""
    rows = con.execute(f"SELECT DISTINCT sent_idx FROM ({corrected_rows_sql('SELECT $a')}) WHERE sent_idx IS NOT NULL",
                       {"a": article_id}).fetchall()
    return {int(r[0]) for r in rows}


def with_corrected(con, rows: pd.DataFrame) -> pd.DataFrame:
    """Rows of sentences (article_id, sent_idx: evidence, quotes, search lines) with a `corrected`
    column: True where a correction in force changed the sentence (corrected_rows_sql)."""
    if rows.empty or not {"article_id", "sent_idx"} <= set(rows.columns):
        return rows.assign(corrected=pd.Series(False, index=rows.index, dtype=bool))
    fixed = con.execute(f"SELECT DISTINCT article_id, sent_idx FROM ({corrected_rows_sql('SELECT unnest($ids::VARCHAR[])')}) "
                        "WHERE sent_idx IS NOT NULL", {"ids": sorted(set(rows["article_id"].dropna()))}).fetchall()
    return rows.assign(corrected=pd.MultiIndex.from_frame(rows[["article_id", "sent_idx"]]).isin(fixed))


def marked_lines(con) -> dict[str, dict[int, bool]]:
    """article -> {line number: removed} of the line corrections in force (the last of a line wins)."""
    out: dict[str, dict[int, bool]] = {}
    for aid, line, after in con.execute(f"""SELECT article_id, item, after FROM corrections WHERE kind = 'line'
                                            AND status <> '{UNDONE}' ORDER BY id""").fetchall():
        out.setdefault(aid, {})[int(line)] = bool(json.loads(after))
    return out


def unreflected(con) -> list[str]:
    """Articles whose stored lines do not show the line corrections in force (made or undone since
    the article was last extracted): core.build.reparse_marked extracts them again."""
    from core.ingest.clean import MARKED_BODY, MARKED_BOILERPLATE

    have: dict[str, dict[int, bool]] = {}
    for aid, line, removed in con.execute("SELECT article_id, line_idx, removed FROM lines WHERE reason IN (?, ?)",
                                          [MARKED_BOILERPLATE, MARKED_BODY]).fetchall():
        have.setdefault(aid, {})[int(line)] = bool(removed)
    wanted = marked_lines(con)
    stored = {r[0] for r in con.execute("SELECT article_id FROM articles").fetchall()}
    return sorted(a for a in (set(wanted) | set(have)) & stored if wanted.get(a, {}) != have.get(a, {}))


def promote(con, cid: int, folder: Path | None = None) -> str:
    """Write person merge cid into seeds/actors.csv as an alias of its target (a new catalogue row
    when the target is not in it yet), checked and written atomically; the next build finds the
    alias, and the merge is then reported as not needed. Returns what was written."""
    from core.catalogs import CATALOG_FILES, load_actors
    from core.paths import seeds_dir

    rows = _load(con, f"id = {int(cid)}")
    c = rows[0] if rows else None
    if not c or c["kind"] != "person" or c["article_id"] is not None or c["after"] is None or c["status"] == UNDONE:
        raise CorrectionError(f"Correction #{cid} is not a merge in every article in force; only those can be promoted.")
    alias, target = c["subject"], _load_value(c["after"])
    path = Path(folder or seeds_dir()) / CATALOG_FILES["actors"]
    actors = load_actors(path)
    for a in actors:
        if alias == a.canonical or alias in a.aliases:
            raise CorrectionError(f"{alias!r} is already in {path.name}, under {a.canonical!r} (line {a.line}).")
    table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    head = table[0]
    known = [r for r in table[1:] if r and r[head.index("canonical")].strip() == target]
    if known:
        row = known[0]
        names = [x.strip() for x in row[head.index("aliases")].split(";") if x.strip()]
        row[head.index("aliases")] = ";".join([*names, alias])
        message = f"{alias!r} added to {path.name} as an alias of {target!r}."
    else:
        side, role, _ = _known(con, [target]).get(target, (None, None, None))
        if side is None:
            raise CorrectionError(f"{target!r} is not in {path.name} and its side is unknown: add it there first.")
        table.append([{"canonical": target, "aliases": alias, "side": side, "type": "person",
                       "role": role or ""}.get(col, "") for col in head])
        message = f"{target!r} added to {path.name} (side {side}) with the alias {alias!r}."
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".actors-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(out.getvalue())
        load_actors(Path(tmp))  # a file the next build would refuse is never put in place
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return message + f" Written to {path}; the next `diplotone build` uses it."


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
    for n, r in enumerate(rows, 1):  # a hand-edited or hostile file is refused before anything is added
        _check_shared(n, r)
    have = {_same(r) for r in _load(con, "TRUE")}
    first = con.execute("SELECT coalesce(max(id), 0) + 1 FROM corrections").fetchall()[0][0]
    new = []
    for r in rows:
        if _same(r) not in have:
            have.add(_same(r))
            new.append({**{k: r.get(k) for k in FIELDS}, "id": first + len(new),
                        "status": UNDONE if r.get("status") == UNDONE else APPLIED})
    _record(con, new)
    added = len(new)
    if not added:
        return 0, []
    restored = _restore_extraction(con)  # then every fix in force, in order, on every article
    ids = [x[0] for x in con.execute("SELECT article_id FROM articles").fetchall()]
    changed = sorted(set(reapply(con, ids, refresh=False)) | set(restored))
    _refresh(con, changed)
    return added, changed


def _check_shared(n: int, r: dict) -> None:
    """Correction n of a shared file: text fields, a JSON value of the right kind (as add() checks)."""
    try:
        texts = all(r.get(k) is None or isinstance(r[k], str) for k in ("article_id", "subject", "anchor", "before", "after",
                                                                         "author", "created_at", "undone_at"))
        if not texts or not (r.get("item") is None or (isinstance(r["item"], int) and not isinstance(r["item"], bool))):
            raise CorrectionError("a field has the wrong type")
        _checked({**r, "after": _load_value(r.get("after"))})
        dt.datetime.fromisoformat(str(r.get("created_at")))
    except (CorrectionError, ValueError, TypeError) as exc:
        raise CorrectionError(f"Correction {n} of the file cannot be imported ({exc}); nothing was added.") from None


def _same(r: dict) -> tuple:
    return (r.get("kind"), r.get("article_id"), r.get("item"), r.get("subject"), r.get("after"), str(r.get("created_at")))


# --- the kinds --------------------------------------------------------------------------------

def _checked(f: dict) -> dict:
    """The fix with its fields filled, or CorrectionError saying what is wrong with its values."""
    f = {k: f.get(k) for k in ("kind", "after", "article_id", "item", "subject")}
    kind, after = f["kind"], f["after"]
    if kind not in KINDS:
        raise CorrectionError(f"Unknown correction {kind!r}; use one of {', '.join(KINDS)}.")
    if kind in PERSON_KINDS:
        if not isinstance(f["subject"], str) or not f["subject"].strip():
            raise CorrectionError(f"A {kind} correction needs the person's name.")
        if kind == "person" and after is not None and (not isinstance(after, str) or not after.strip()
                                                       or after.strip() == f["subject"]):
            raise CorrectionError("A person correction needs the current name and a different new name "
                                  "(or none, to delete the person).")
        if kind == "person" and after is not None:
            f["after"] = after.strip()
        if kind == "profile":
            _check_profile(after)
        return f
    if f["article_id"] is None or f["item"] is None:
        raise CorrectionError(f"A {kind} correction needs an article and a {_ITEM_NAMES[kind]} number.")
    f["item"] = int(f["item"])
    if kind == "speaker" and after is not None and (not isinstance(after, str) or not after.strip()):
        raise CorrectionError("Give the new speaker's name, or none to remove the speaker.")
    if kind == "tone" and (isinstance(after, bool) or not isinstance(after, (int, float)) or not -1.0 <= float(after) <= 1.0):
        raise CorrectionError(f"A tone is a number from -1 (hostile) to +1 (cooperative), got {after!r}.")
    if kind == "line" and not isinstance(after, bool):
        raise CorrectionError("A line correction marks the line as boilerplate (true) or as body (false).")
    if kind == "issue":
        issues = _issue_ids()
        if f["subject"] not in issues:
            raise CorrectionError(f"Unknown issue {f['subject']!r}; the issues are {', '.join(sorted(issues))}.")
        if not isinstance(after, bool):
            raise CorrectionError("An issue correction adds the issue (true) or removes it (false).")
    return f


def _check_profile(after) -> None:
    from core.model import SIDES

    if not isinstance(after, dict) or not after or set(after) - set(PROFILE_FIELDS):
        raise CorrectionError(f"A profile correction changes some of {', '.join(PROFILE_FIELDS)}, got {after!r}.")
    if "side" in after and after["side"] not in SIDES:
        raise CorrectionError(f"A side is one of {', '.join(SIDES)}, got {after['side']!r}.")
    if "official" in after and not isinstance(after["official"], bool):
        raise CorrectionError("official is true (speaks in office) or false (a commentator).")
    if "role" in after and after["role"] is not None and not isinstance(after["role"], str):
        raise CorrectionError(f"A role is a text, got {after['role']!r}.")


def _issue_ids() -> set[str]:
    from core.catalogs import CATALOG_FILES, load_issues
    from core.paths import seeds_dir

    return {i.id for i in load_issues(seeds_dir() / CATALOG_FILES["issues"])}


def _targets(con, fixes: list[dict]) -> list[tuple]:
    """(anchor, before) of each fix: the text it is made on and the value before; raises for the first
    fix whose person, quote or sentence does not exist. Items are looked up in one join per table."""
    out: list[tuple | None] = [None] * len(fixes)
    for n, f in enumerate(fixes):
        if f["kind"] in PERSON_KINDS:
            where = "canonical = $s" + (" AND article_id = $a" if f["article_id"] else "")
            params = {"s": f["subject"], **({"a": f["article_id"]} if f["article_id"] else {})}
            row = con.execute(f"SELECT any_value(side), any_value(role), any_value(official), count(*) FROM persons "
                              f"WHERE {where}", params).fetchall()[0]
            if not row[3]:
                raise CorrectionError(f"No person {f['subject']!r}" + (" in this article." if f["article_id"] else " in the store."))
            before = f["subject"] if f["kind"] == "person" else {k: v for k, v in zip(PROFILE_FIELDS, row) if k in f["after"]}
            out[n] = (f["subject"], before)
    for kind, (table, key) in ITEM_TABLES.items():
        wanted = [(n, f["article_id"], f["item"], f["subject"]) for n, f in enumerate(fixes) if f["kind"] == kind]
        if not wanted:
            continue
        value = {"speaker": "t.speaker", "tone": "t.tone", "line": "t.removed",
                 "issue": "EXISTS (SELECT 1 FROM issue_hits h WHERE h.article_id = f.article_id AND h.sent_idx = f.item "
                          "AND h.issue = f.subject)"}[kind]
        con.register("_want", pd.DataFrame(wanted, columns=["n", "article_id", "item", "subject"]).astype(object))
        found = {r[0]: r[1:] for r in con.execute(
            f"SELECT f.n, t.text, {value} FROM _want f JOIN {table} t ON t.article_id = f.article_id "
            f"AND t.{key} = f.item" + (" AND trim(t.text) <> ''" if kind == "line" else "")).fetchall()}
        con.unregister("_want")
        for n, aid, item, _ in wanted:
            if n not in found:
                raise CorrectionError(f"No {_ITEM_NAMES[kind]} #{item} in article {aid[:12]}"
                                      + (" (or it is blank)." if kind == "line" else "."))
            out[n] = found[n]
    return out


def _fitting(con, cs: list[dict]) -> set[int]:
    """The ids of these item corrections whose quote or sentence still has the text they were made
    on. One whose number moved (a line marked as boilerplate or body before it renumbers the
    article's sentences and quotes) follows its text to the nearest item that has it: its number
    is updated here and in the log, so later fixes and the panel see the same one."""
    fit: set[int] = set()
    moved: dict[int, int] = {}
    for table, key in set(ITEM_TABLES.values()):
        rows = [(c["id"], c["article_id"], c["item"], c["anchor"]) for c in cs if ITEM_TABLES[c["kind"]] == (table, key)]
        if rows:
            con.register("_cs", pd.DataFrame(rows, columns=["id", "article_id", "item", "anchor"]).astype(object))
            found = con.execute(f"""SELECT c.id, c.item, t.{key} FROM _cs c JOIN {table} t ON t.article_id = c.article_id
                AND t.text = c.anchor QUALIFY row_number() OVER (PARTITION BY c.id ORDER BY abs(t.{key} - c.item::INTEGER),
                t.{key}) = 1""").fetchall()
            con.unregister("_cs")
            fit |= {r[0] for r in found}
            moved |= {r[0]: int(r[2]) for r in found if int(r[1]) != int(r[2])}
    if moved:
        for c in cs:
            c["item"] = moved.get(c["id"], c["item"])
        con.register("_mv", pd.DataFrame(list(moved.items()), columns=["id", "item"]))
        con.execute("UPDATE corrections c SET item = m.item FROM _mv m WHERE c.id = m.id")
        con.unregister("_mv")
    return fit


def _apply_runs(con, cs: list[dict], ids: list[str] | None) -> tuple[set[str], dict[int, bool]]:
    """Apply these corrections in order (within ids, when given): a run of consecutive item fixes
    of one kind is one set-wise pass, a person fix one pass over its articles. Returns the articles
    changed and, per person fix, whether it found its person."""
    changed: set[str] = set()
    found: dict[int, bool] = {}
    wanted = None if ids is None else set(ids)
    for kind, run in itertools.groupby(cs, key=lambda c: c["kind"]):
        run = list(run)
        if kind in PERSON_KINDS:
            for c in run:
                targets = _apply_person(con, c, ids)
                found[c["id"]] = bool(targets)
                changed |= set(targets)
            continue
        run = [c for c in run if wanted is None or c["article_id"] in wanted]
        if kind == "line":  # applied by extracting the article again (core.build.reparse_marked)
            changed |= {c["article_id"] for c in run}
            continue
        if not run:
            continue
        keys = ["article_id", "item", "subject"] if kind == "issue" else ["article_id", "item"]
        frame = pd.DataFrame([{"article_id": c["article_id"], "item": int(c["item"]), "subject": c["subject"],
                               "value": _load_value(c["after"])} for c in run])
        frame = frame.drop_duplicates(keys, keep="last").astype(object)  # the last fix of a target wins
        frame = frame.where(frame.notna(), None)
        touched = sorted(frame["article_id"].unique())
        _snapshot(con, touched)
        _ITEM_APPLY[kind](con, frame, touched)
        changed |= set(touched)
    return changed, found


def _with_frame(con, frame: pd.DataFrame, statements: list[str], params: dict | None = None) -> None:
    con.register("_fx", frame.astype(object).where(frame.notna(), None))
    try:
        for sql in statements:
            con.execute(sql, params or {})
    finally:
        con.unregister("_fx")


def _apply_tones(con, frame, touched) -> None:
    _with_frame(con, frame, [
        "UPDATE sentences s SET tone = f.value::DOUBLE FROM _fx f WHERE s.article_id = f.article_id AND s.sent_idx = f.item",
        "UPDATE quotes q SET tone = f.value::DOUBLE FROM _fx f WHERE q.article_id = f.article_id AND q.sent_idx = f.item"])


def _apply_speakers(con, frame, touched) -> None:
    known = _known(con, [v for v in frame["value"].unique() if v is not None])
    for n, col in enumerate(("side", "role", "official")):
        frame[col] = [known.get(v, (None, None, None))[n] if v is not None else None for v in frame["value"]]
    frame["in_catalog"] = [bool(_in_catalog(con, v)) if v is not None else False for v in frame["value"]]
    _with_frame(con, frame, [
        """UPDATE quotes q SET speaker = f.value, side = f.side, official = f.official::BOOLEAN FROM _fx f
           WHERE q.article_id = f.article_id AND q.quote_idx = f.item""",
        """UPDATE sentences s SET speaker = f.value, side = f.side, official = f.official::BOOLEAN
           FROM _fx f JOIN quotes q ON q.article_id = f.article_id AND q.quote_idx = f.item
           WHERE s.article_id = f.article_id AND s.sent_idx = q.sent_idx""",
        """INSERT INTO persons (article_id, canonical, side, role, mentions, in_catalog, quotes, official)
           SELECT DISTINCT f.article_id, f.value, f.side, f.role, 0, f.in_catalog::BOOLEAN, 0, f.official::BOOLEAN
           FROM _fx f WHERE f.value IS NOT NULL AND NOT EXISTS
           (SELECT 1 FROM persons p WHERE p.article_id = f.article_id AND p.canonical = f.value)"""])
    con.execute(f"""UPDATE persons p SET quotes = n.quotes FROM (
        SELECT p2.article_id, p2.canonical, count(q.speaker)::INTEGER AS quotes FROM persons p2
        LEFT JOIN quotes q ON q.article_id = p2.article_id AND q.speaker = p2.canonical
        WHERE p2.{_IN} GROUP BY ALL) n WHERE p.article_id = n.article_id AND p.canonical = n.canonical""",
                {"ids": touched})
    con.execute(f"DELETE FROM persons WHERE {_IN} AND mentions = 0 AND quotes = 0", {"ids": touched})


def _apply_issues(con, frame, touched) -> None:
    _with_frame(con, frame, [
        """DELETE FROM issue_hits h USING _fx f
           WHERE h.article_id = f.article_id AND h.sent_idx = f.item AND h.issue = f.subject""",
        f"""INSERT INTO issue_hits (article_id, sent_idx, issue, trigger, weight)
            SELECT article_id, item, subject, '{ANALYST_TRIGGER}', 1.0 FROM _fx WHERE value::BOOLEAN"""])


_ITEM_NAMES = {"speaker": "quote", "tone": "sentence", "issue": "sentence", "line": "line"}
_ITEM_APPLY = {"tone": _apply_tones, "speaker": _apply_speakers, "issue": _apply_issues}


def _apply_person(con, c: dict, ids: list[str] | None) -> list[str]:
    """Apply one person or profile fix to the articles it concerns (within ids, when given); returns them."""
    where = ["(canonical = $s)"] + (["article_id = $a"] if c["article_id"] else [])
    params = {"s": c["subject"], **({"a": c["article_id"]} if c["article_id"] else {})}
    if ids is not None:
        where.append(_IN)
        params["ids"] = ids
    targets = [r[0] for r in con.execute(f"SELECT DISTINCT article_id FROM persons WHERE {' AND '.join(where)}",
                                         params).fetchall()]
    if targets:
        _snapshot(con, targets)
        after = _load_value(c["after"])
        if c["kind"] == "profile":
            _set_profile(con, c["subject"], after, targets)
        elif after is None:
            _delete_person(con, c["subject"], targets)
        else:
            _merge_person(con, c["subject"], after, targets)
    return targets


def _known(con, names: list[str]) -> dict[str, tuple]:
    """name -> (side, role, official) a person is known by in the store (catalogue entries first)."""
    if not names:
        return {}
    rows = con.execute(f"""SELECT canonical, side, role, official FROM persons WHERE canonical IN
                           (SELECT unnest($n::VARCHAR[])) QUALIFY row_number() OVER (PARTITION BY canonical
                           ORDER BY in_catalog DESC, side IS NULL, mentions DESC) = 1""", {"n": list(names)}).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def _in_catalog(con, name: str) -> bool:
    return bool(con.execute("SELECT bool_or(in_catalog) FROM persons WHERE canonical = ?", [name]).fetchall()[0][0])


def _merge_person(con, old: str, new: str, ids: list[str]) -> None:
    """Rename `old` to `new` in these articles; where both appear, their people rows become one."""
    side, role, _ = _known(con, [new]).get(new, (None, None, None))
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
               sum(mentions)::INTEGER AS mentions, bool_or(in_catalog) AS in_catalog, sum(quotes)::INTEGER AS quotes,
               coalesce(any_value(official) FILTER (WHERE canonical = $new), any_value(official)) AS official
        FROM persons WHERE canonical IN ($old, $new) AND {_IN} GROUP BY article_id""", p)
    con.execute(f"DELETE FROM persons WHERE canonical IN ($old, $new) AND {_IN}", {k: p[k] for k in ("old", "new", "ids")})
    con.execute("INSERT INTO persons BY NAME SELECT * FROM _merged")
    con.execute("DROP TABLE _merged")


def _delete_person(con, name: str, ids: list[str]) -> None:
    """`name` is not a person in these articles: its mentions and people rows go, its quotes and
    sentences have no speaker."""
    p = {"s": name, "ids": ids}
    con.execute(f"DELETE FROM mentions WHERE canonical = $s AND {_IN}", p)
    con.execute(f"DELETE FROM persons WHERE canonical = $s AND {_IN}", p)
    for table in ("quotes", "sentences"):
        con.execute(f"UPDATE {table} SET speaker = NULL, side = NULL, official = NULL WHERE speaker = $s AND {_IN}", p)


def _set_profile(con, name: str, fields: dict, ids: list[str]) -> None:
    """Give `name` this side / role / official status in these articles, wherever the rows carry it."""
    columns = {"persons": ("canonical", PROFILE_FIELDS), "mentions": ("canonical", ("side", "role")),
               "quotes": ("speaker", ("side", "official")), "sentences": ("speaker", ("side", "official"))}
    for table, (who, cols) in columns.items():
        sets = [c for c in cols if c in fields]
        if sets:
            con.execute(f"UPDATE {table} SET {', '.join(f'{c} = ${c}' for c in sets)} WHERE {who} = $s AND {_IN}",
                        {"s": name, "ids": ids, **{c: fields[c] for c in sets}})


def _needed(con, name: str) -> str:
    """The status of a person fix for every article that found its person nowhere in this pass:
    applied where a corrected article's extraction has the name, else not needed."""
    had = con.execute("SELECT count(*) FROM base_persons WHERE canonical = ?", [name]).fetchall()[0][0]
    return APPLIED if had else NOT_NEEDED


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
    """Recompute what the changed rows feed: the articles' tones and the derived rows."""
    from core.store.db import refresh_derived

    if ids:
        con.execute(STORED_ARTICLE_TONE, {"ids": list(ids)})
        refresh_derived(con, list(ids))


def _record(con, rows: list[dict]) -> None:
    """Insert these rows into the log, in one statement."""
    if not rows:
        return
    con.register("_log", pd.DataFrame(rows, columns=list(FIELDS)).astype(object))
    con.execute("""INSERT INTO corrections SELECT id::INTEGER, created_at::TIMESTAMP, author::VARCHAR, kind::VARCHAR,
                   article_id::VARCHAR, item::INTEGER, anchor::VARCHAR, subject::VARCHAR, before::VARCHAR,
                   after::VARCHAR, status::VARCHAR, undone_at::TIMESTAMP FROM _log""")
    con.unregister("_log")


def _set_status(con, status: dict[int, str]) -> None:
    if status:
        con.register("_st", pd.DataFrame(list(status.items()), columns=["id", "status"]))
        con.execute("UPDATE corrections c SET status = s.status FROM _st s WHERE c.id = s.id AND c.status <> s.status")
        con.unregister("_st")


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
