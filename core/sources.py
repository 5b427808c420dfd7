"""Outlet types: which kind of source carried each article (wire, US media, Chinese state media,
official readout, think tank, opinion, other), from the editable catalogue seeds/outlet_types.yaml.

An article is classified by its outlet name(s) first, then by the catalogue's page patterns (its
URL and the start and end of its text: a "(Reuters)" dateline, a "Xinhua" credit, a state.gov
address), else it is UNCLASSIFIED. The result is the derived table article_sources (type and the
evidence for it), written with every article (core.store.db.refresh_derived) and re-computed for all
articles by `diplotone build` when the catalogue changed (its fingerprint is kept in meta).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from core.catalogs import LINE, _fingerprint, _str, _str_list, _unique, read_yaml
from core.errors import CatalogError
from core.paths import seeds_dir

FILE = "outlet_types.yaml"
TYPE_IDS = ("wire", "us_media", "chinese_state_media", "official", "think_tank", "opinion", "other")
UNCLASSIFIED = "unclassified"
HEAD, TAIL = 1500, 600  # characters of the text searched for page patterns (datelines, credits, footers)
META_KEY = "outlet_types_fingerprint"


@dataclass(frozen=True)
class OutletType:
    id: str
    name: str
    outlets: tuple[str, ...]
    page: tuple[re.Pattern, ...]
    line: int = 0


def load_outlet_types(folder: Path | None = None) -> list[OutletType]:
    """The validated catalogue: fixed ids, each once; an outlet under one type only; patterns that compile."""
    path = Path(folder or seeds_dir()) / FILE
    items = read_yaml(path, "outlet_types")
    types, owner = [], {}
    for item in items:
        tid = _str(path, item, "id")
        if tid not in TYPE_IDS:
            raise CatalogError(path, item[LINE], f"unknown outlet type id {tid!r}; ids are fixed: {', '.join(TYPE_IDS)}")
        outlets = _str_list(path, item, "outlets")
        for outlet in outlets:
            if outlet.lower() in owner and owner[outlet.lower()] != tid:
                raise CatalogError(path, item[LINE], f"outlet {outlet!r} is listed under both "
                                                     f"{owner[outlet.lower()]!r} and {tid!r}")
            owner[outlet.lower()] = tid
        patterns = []
        for text in _str_list(path, item, "page"):
            try:
                patterns.append(re.compile(text, re.IGNORECASE | re.MULTILINE))
            except re.error as exc:
                raise CatalogError(path, item[LINE], f"page pattern {text!r} is not a regular expression ({exc})") from None
        types.append(OutletType(tid, _str(path, item, "name"), outlets, tuple(patterns), item[LINE]))
    _unique(path, types, "id")
    return types


def fingerprint(folder: Path | None = None) -> str:
    return _fingerprint(Path(folder or seeds_dir()) / FILE)


def classify(outlets: list[str], url: str | None, text: str, types: list[OutletType]) -> tuple[str, str]:
    """(type id, evidence) of one article: outlet names, then page patterns, else unclassified."""
    by_name = {o.lower(): t for t in types for o in t.outlets}
    for outlet in outlets:
        if outlet and outlet.strip().lower() in by_name:
            t = by_name[outlet.strip().lower()]
            return t.id, f"outlet {outlet.strip()!r} is listed under {t.name!r}"
    page = f"{url or ''}\n{text[:HEAD]}\n{text[-TAIL:]}"
    for t in types:
        for pattern in t.page:
            m = pattern.search(page)
            if m:
                return t.id, f"the page says {m.group(0).strip()!r} ({t.name})"
    return UNCLASSIFIED, "no outlet name or page pattern of seeds/outlet_types.yaml matches"


def refresh(con, article_ids=None, folder: Path | None = None) -> int:
    """Re-classify these articles (None: all, and record the catalogue's fingerprint); returns how many."""
    types = load_outlet_types(folder)
    where = "WHERE article_id IN (SELECT unnest($ids::VARCHAR[]))" if article_ids is not None else ""
    params = {"ids": list(article_ids)} if article_ids is not None else {}
    rows = con.execute(f"""SELECT article_id, list_append(coalesce(outlets, []), outlet), url,
                                  left(raw_text, {HEAD}) || chr(10) || right(raw_text, {TAIL})
                           FROM articles {where}""", params).fetchall()
    frame = pd.DataFrame([(aid, *classify([o for o in outlets if o], url, text or "", types))
                          for aid, outlets, url, text in rows], columns=["article_id", "outlet_type", "evidence"])
    con.execute(f"DELETE FROM article_sources {where}", params)
    if len(frame):
        con.register("_sources", frame)
        con.execute("INSERT INTO article_sources SELECT article_id, outlet_type, evidence FROM _sources")
        con.unregister("_sources")
    if article_ids is None:
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [META_KEY, fingerprint(folder)])
    return len(frame)


def stale(con, folder: Path | None = None) -> bool:
    """Whether the store's classification was made with another version of the catalogue."""
    row = con.execute("SELECT value FROM meta WHERE key = ?", [META_KEY]).fetchall()
    return not row or row[0][0] != fingerprint(folder)


def type_names(types: list[OutletType]) -> dict[str, str]:
    """type id -> readable name, UNCLASSIFIED included (for charts and widgets), in TYPE_IDS order."""
    names = {t.id: t.name for t in types}
    return {**{t: names.get(t, t.replace("_", " ").capitalize()) for t in TYPE_IDS}, UNCLASSIFIED: "Unclassified"}
