"""The dashboard's one filter set, and its URL form.

A Filters value is what every query, figure subtitle and exported chart is computed for, and a
copied link must reopen the same view, so the URL form is defined here as pure functions (no
Streamlit): keys issue, person, side, visit, outlet, otype (repeated for several values), from, to, q.

Semantics (applied by core.store.queries):
- visit, outlet, otype (outlet type, core.sources), from/to select articles;
- issue / person also select articles (those that discuss the issue / mention the person) and
  narrow sentence-level measures (tone) to the sentences tagged with the issue / of the person;
- side narrows sentence-level measures to the words attributed to that side's speakers, and
  people charts to that side's people;
- q, a search (core.search.syntax), selects the articles with a matching sentence and narrows
  sentence-level measures to the matching sentences, as an issue filter does.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from core.catalogs import ISSUE_IDS, VISIT_IDS
from core.model import SIDES
from core.sources import TYPE_IDS, UNCLASSIFIED

# URL key -> Filters attribute, for the list-valued filters.
LIST_KEYS = {"issue": "issues", "person": "persons", "side": "sides", "visit": "visits", "outlet": "outlets",
             "otype": "outlet_types"}
DATE_KEYS = {"from": "date_from", "to": "date_to"}


@dataclass(frozen=True)
class Filters:
    issues: tuple[str, ...] = ()
    persons: tuple[str, ...] = ()
    sides: tuple[str, ...] = ()
    visits: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    query: str = ""
    outlet_types: tuple[str, ...] = ()

    def __post_init__(self):
        # Lists are stored as de-duplicated tuples so a Filters is hashable (a cache key).
        for name in LIST_KEYS.values():
            value = getattr(self, name)
            object.__setattr__(self, name, tuple(dict.fromkeys(value or ())))
        object.__setattr__(self, "query", (self.query or "").strip())

    def is_empty(self) -> bool:
        return self == Filters()

    def replace(self, **changes) -> "Filters":
        return dataclasses.replace(self, **changes)


def to_query_params(filters: Filters) -> dict[str, list[str]]:
    """URL query parameters for a filter set; empty filters are left out."""
    params: dict[str, list[str]] = {}
    for key, attr in LIST_KEYS.items():
        if getattr(filters, attr):
            params[key] = list(getattr(filters, attr))
    for key, attr in DATE_KEYS.items():
        if getattr(filters, attr):
            params[key] = [getattr(filters, attr).isoformat()]
    if filters.query:
        params["q"] = [filters.query]
    return params


def from_query_params(params: Mapping, known: Mapping[str, object] | None = None) -> tuple[Filters, list[str]]:
    """Filters from URL query parameters, and a notice for each value that was ignored.

    params: key -> str or list of str (a repeated key); known: URL key -> the values that exist
    (e.g. {"person": {...}, "outlet": {...}} from the store). Issues, sides and visits are
    always checked against the fixed label sets. Unknown keys and values never raise.
    """
    allowed = {"issue": set(ISSUE_IDS), "side": set(SIDES), "visit": set(VISIT_IDS),
               "otype": {*TYPE_IDS, UNCLASSIFIED}}
    allowed.update({k: set(v) for k, v in (known or {}).items()})
    values: dict[str, object] = {}
    notices: list[str] = []
    for key, raw in params.items():
        items = [raw] if isinstance(raw, str) else list(raw)
        if key in LIST_KEYS:
            ok = [v for v in items if key not in allowed or v in allowed[key]]
            bad = [v for v in items if v not in ok]
            if bad:
                notices.append(f"Ignored unknown {key} in the link: {', '.join(map(repr, bad))}.")
            values[LIST_KEYS[key]] = ok
        elif key in DATE_KEYS:
            try:
                values[DATE_KEYS[key]] = dt.date.fromisoformat(items[-1])
            except (ValueError, IndexError, TypeError):
                notices.append(f"Ignored '{key}' in the link: {items[-1] if items else ''!r} is not a date (YYYY-MM-DD).")
        elif key == "q":
            values["query"], notice = _query(items[-1] if items else "")
            notices += [notice] if notice else []
        else:
            notices.append(f"Ignored unknown link parameter {key!r}.")
    filters = Filters(**values)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        notices.append("Ignored the date range in the link: 'from' is after 'to'.")
        filters = filters.replace(date_from=None, date_to=None)
    return filters, notices


def typed_date(text: str | None, end: bool = False) -> dt.date | None:
    """A date typed in the sidebar: YYYY-MM-DD, or YYYY-MM / YYYY for the first day of that month or
    year (the last day when `end`, for 'To'). Empty -> None; anything else raises ValueError."""
    text = (text or "").strip()
    if not text:
        return None
    parts = text.replace("/", "-").split("-")
    try:
        numbers = [int(p) for p in parts] if len(parts[0]) == 4 else []
        if len(numbers) == 3:
            return dt.date(*numbers)
        if len(numbers) == 2:
            first = dt.date(numbers[0], numbers[1], 1)
            return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1) if end else first
        if len(numbers) == 1:
            return dt.date(numbers[0], 12, 31) if end else dt.date(numbers[0], 1, 1)
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a date: type YYYY-MM-DD (or YYYY-MM, or YYYY).")


def _query(text: str) -> tuple[str, str | None]:
    """A search from a link, or '' and the reason it was ignored."""
    from core.search.syntax import QueryError, parse

    try:
        parse(text)
    except QueryError as exc:
        return "", f"Ignored the search in the link: {exc}"
    return text, None


def describe(filters: Filters, issue=str, visit=str) -> str:
    """One line naming the active filters in words, for chart subtitles ('All articles' when none):
    issue and visit ids are named by `issue` and `visit` (id -> readable name)."""
    parts = []
    labels = {"issues": "Issue", "persons": "Person", "sides": "Side", "visits": "Visit", "outlets": "Outlet",
              "outlet_types": "Outlet type"}
    names = {"issues": issue, "visits": visit}
    for attr, label in labels.items():
        if getattr(filters, attr):
            parts.append(f"{label}: {', '.join(map(names.get(attr, str), getattr(filters, attr)))}")
    if filters.date_from or filters.date_to:
        start = filters.date_from.isoformat() if filters.date_from else "…"
        end = filters.date_to.isoformat() if filters.date_to else "…"
        parts.append(f"Dates: {start} – {end}")
    if filters.query:
        parts.append(f"Search: {filters.query}")
    return " · ".join(parts) if parts else "All articles"
