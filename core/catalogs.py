"""The editable catalogues in seeds/: actors, issue taxonomy, visits, seed article metadata.

Users edit these files by hand, so every loader validates and reports a problem as
"<file>, line <n>: <what is wrong>" (a CatalogError), never a traceback. Each catalogue also
has a fingerprint (hash of its file) so the store can tell which articles an edit affects.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from core.errors import CatalogError, shown
from core.model import SIDES
from core.paths import seeds_dir

ISSUE_IDS = (
    "taiwan", "south_china_sea", "trade", "technology", "sanctions", "military_communication",
    "russia_ukraine", "fentanyl", "human_rights", "climate", "ai_governance", "people_to_people",
    "spy_balloon", "middle_east", "global_order",
)
VISIT_IDS = (
    "blinken-2023-06", "yellen-2023-07", "kerry-2023-07", "raimondo-2023-08", "wangyi-2023-10",
    "woodside-2023-11", "yellen-2024-04", "blinken-2024-04", "sullivan-2024-08", "lima-2024-11",
    "other",
)
ACTOR_TYPES = ("person", "org")
ACTOR_COLUMNS = ("canonical", "aliases", "side", "type", "role")
# Optional actors.csv column: office terms "ROLE FROM..TO" (YYYY-MM; TO empty = still in office),
# ';'-separated, so a person's role is the one they held on the article's date.
TERM = re.compile(r"^(?P<role>.+?)\s+(?P<start>\d{4}-\d{2})\s*\.\.\s*(?P<end>\d{4}-\d{2})?$")
# A role that is no office: "Former …", "… -elect", "nominee", "designate".
NOT_IN_OFFICE = re.compile(r"\b(former|retired|ex-|[\w-]+-elect|elect|nominee|designate)\b", re.IGNORECASE)
LINE = "__line__"


@dataclass(frozen=True)
class Term:
    """An office held from `start` to `end` (first days of those months; end None: still held)."""

    role: str
    start: dt.date
    end: dt.date | None


@dataclass(frozen=True)
class Actor:
    canonical: str
    aliases: tuple[str, ...]
    side: str
    type: str
    role: str | None
    line: int = 0
    terms: tuple[Term, ...] = ()

    def role_on(self, date: dt.date | None) -> tuple[str | None, bool]:
        """(role, in office) on `date`: the first term that covers it; else, after a term,
        "Former" + the latest one ended; with no date or no terms, the catalogue role.
        Organisations speak in office unless their role says otherwise (think tanks, media)."""
        if self.type == "org":
            return self.role, not _NOT_OFFICIAL_ORG.search(self.role or "")
        if date is not None and self.terms:
            month = date.replace(day=1)
            held = [t for t in self.terms if t.start <= month and (t.end is None or month < t.end)]
            if held:
                return held[0].role, True
            ended = [t for t in self.terms if t.end is not None and t.end <= month]
            if ended:
                return "Former " + max(ended, key=lambda t: t.end).role, False
            return None, False  # before the first office the catalogue knows: the text says the role
        role = self.role
        return role, bool(role) and not NOT_IN_OFFICE.search(role)


_NOT_OFFICIAL_ORG = re.compile(r"think tank|university|consultancy|forum|news|newspaper|tabloid|broadcaster|"
                               r"opposition", re.IGNORECASE)


@dataclass(frozen=True)
class Issue:
    id: str
    name: str
    description: str
    patterns: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    line: int = 0
    context_patterns: tuple[str, ...] = ()  # count only when a `context` phrase is in the same sentence
    context: tuple[str, ...] = ()


@dataclass(frozen=True)
class Visit:
    id: str
    name: str
    start: dt.date | None
    end: dt.date | None
    places: tuple[str, ...]
    leads: tuple[str, ...]
    keywords: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True)
class ArticleMeta:
    """Metadata a user gives for one file; None fields are inferred from the text."""

    file: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    pub_date: dt.date | None = None
    date_evidence: str | None = None
    visit: str | None = None
    line: int = 0

    def given(self) -> dict:
        """The fields the user actually set, as RawArticle.meta expects them."""
        keys = ("title", "outlet", "url", "pub_date", "date_evidence", "visit")
        return {k: getattr(self, k) for k in keys if getattr(self, k) is not None}


@dataclass
class Catalogs:
    actors: list[Actor]
    issues: list[Issue]
    visits: list[Visit]
    articles: dict[str, ArticleMeta]
    fingerprints: dict[str, str] = field(default_factory=dict)

    def visit(self, visit_id: str) -> Visit:
        return next(v for v in self.visits if v.id == visit_id)


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe loader that records each mapping's 1-based line under the key '__line__'. libyaml's
    C parser when PyYAML has it (the dashboard loads catalogues on its first run), else Python's."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping

    def construct_yaml_timestamp(self, node):
        """An impossible date (2023-02-30) stays text, so parse_date reports it with its line."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_yaml_timestamp)


def read_yaml(path: Path, top_key: str) -> list[dict]:
    """Parse a YAML catalogue whose top level is {top_key: [mapping, ...]}."""
    text = _read_text(path)
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogError(path, line, f"not valid YAML ({problem})") from None
    if not isinstance(data, dict) or not isinstance(data.get(top_key), list):
        raise CatalogError(path, 1, f"expected a top-level '{top_key}:' list")
    for item in data[top_key]:
        if not isinstance(item, dict):
            raise CatalogError(path, None, f"every entry of '{top_key}' must be a mapping, got {shown(item)}")
    return data[top_key]


def _read_text(path: Path) -> str:
    if not path.exists():
        raise CatalogError(path, None, "file not found")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(path, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.exists() else "absent"


def _str(path, item, key, required=True) -> str | None:
    value = item.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise CatalogError(path, item.get(LINE), f"'{key}' is missing or empty")
        return None
    if not isinstance(value, (str, int, float)):
        raise CatalogError(path, item.get(LINE), f"'{key}' must be text, got {shown(value)}")
    return str(value).strip()


def _str_list(path, item, key, required=False) -> tuple[str, ...]:
    value = item.get(key, [])
    if value is None:
        value = []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CatalogError(path, item.get(LINE), f"'{key}' must be a list of non-empty strings")
    if required and not value:
        raise CatalogError(path, item.get(LINE), f"'{key}' must list at least one entry")
    return tuple(v.strip() for v in value)


# Publication dates the product accepts: a year 1 or 9999 typo would otherwise be stored, and
# pandas, plotly and the date widgets cannot show dates outside 1677-2262.
PUB_DATE_MIN = dt.date(1900, 1, 1)


def pub_date_problem(date: dt.date) -> str | None:
    """Why a publication date cannot be right (before 1900, or after today), or None when it can."""
    latest = dt.date.today() + dt.timedelta(days=1)  # a day ahead: the writer's time zone
    if date < PUB_DATE_MIN or date > latest:
        return f"must be between {PUB_DATE_MIN.isoformat()} and today ({dt.date.today().isoformat()})"
    return None


def parse_date(path, line, value, key, publication: bool = True) -> dt.date | None:
    """Accept a YAML date or 'YYYY-MM-DD' text; reject impossible dates with the reason, and
    publication dates out of range (pub_date_problem)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            if not isinstance(value, str):  # a list or mapping: str() of an alias bomb never ends
                raise ValueError
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise CatalogError(path, line, f"'{key}' must be a real date as YYYY-MM-DD, got {shown(value)}") from None
    problem = pub_date_problem(value) if publication else None
    if problem:
        raise CatalogError(path, line, f"'{key}' {problem}, got {value.isoformat()}")
    return value


def _unique(path, items, key):
    seen: dict[str, int] = {}
    for item in items:
        value = getattr(item, key)
        if value in seen:
            raise CatalogError(path, item.line, f"duplicate {key} {value!r} (first on line {seen[value]})")
        seen[value] = item.line


def load_actors(path: Path) -> list[Actor]:
    """actors.csv: canonical, aliases (';'-separated), side (US/China/Other), type (person/org), role."""
    text = _read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ACTOR_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CatalogError(path, 1, f"header must have the columns {', '.join(ACTOR_COLUMNS)}; missing {', '.join(missing)}")
    actors = []
    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        if None in row:
            raise CatalogError(path, line, "more fields than the header has (a comma inside a value? quote it)")
        canonical = (row["canonical"] or "").strip()
        if not canonical:
            raise CatalogError(path, line, "'canonical' is empty")
        side = (row["side"] or "").strip()
        if side not in SIDES:
            raise CatalogError(path, line, f"side must be one of {', '.join(SIDES)}, got {side!r}")
        kind = (row["type"] or "").strip()
        if kind not in ACTOR_TYPES:
            raise CatalogError(path, line, f"type must be one of {', '.join(ACTOR_TYPES)}, got {kind!r}")
        aliases = tuple(a.strip() for a in (row["aliases"] or "").split(";") if a.strip())
        role = (row["role"] or "").strip() or None
        terms = _terms(path, line, row.get("terms") or "")
        actors.append(Actor(canonical, aliases, side, kind, role, line, terms))
    _unique(path, actors, "canonical")
    return actors


def _terms(path: Path, line: int, value: str) -> tuple[Term, ...]:
    """'Chinese Foreign Minister 2022-12..2023-07; …' -> Terms, each checked (dates, order)."""
    out = []
    for part in (p.strip() for p in value.split(";")):
        if not part:
            continue
        m = TERM.match(part)
        if not m:
            raise CatalogError(path, line, f"term {part!r} must read 'ROLE YYYY-MM..YYYY-MM' (end empty while in "
                                           "office); or is it more fields than the header has (a comma inside a value? quote it)")
        try:
            start = dt.date.fromisoformat(m["start"] + "-01")
            end = dt.date.fromisoformat(m["end"] + "-01") if m["end"] else None
        except ValueError:
            raise CatalogError(path, line, f"term {part!r} has a month that does not exist") from None
        if end is not None and end <= start:
            raise CatalogError(path, line, f"term {part!r} ends before it starts")
        out.append(Term(m["role"].strip(), start, end))
    return tuple(out)


def _fixed_id(path, item, allowed: tuple[str, ...], what: str) -> str:
    """The item's id, which must be one of the fixed ids of DESIGN.md."""
    value = _str(path, item, "id")
    if value not in allowed:
        raise CatalogError(path, item[LINE], f"unknown {what} id {value!r}; ids are fixed: {', '.join(allowed)}")
    return value


def _all_present(path, items, allowed: tuple[str, ...], what: str) -> None:
    absent = [i for i in allowed if i not in {x.id for x in items}]
    if absent:
        raise CatalogError(path, None, f"{what} ids missing: {', '.join(absent)}")


def load_issues(path: Path) -> list[Issue]:
    """issues.yaml: the fixed issue ids, each with name, description, patterns and optional exclude,
    context_patterns and context."""
    issues = []
    for item in read_yaml(path, "issues"):
        line = item[LINE]
        issue_id = _fixed_id(path, item, ISSUE_IDS, "issue")
        issues.append(Issue(
            id=issue_id,
            name=_str(path, item, "name"),
            description=_str(path, item, "description"),
            patterns=_str_list(path, item, "patterns", required=True),
            exclude=_str_list(path, item, "exclude"),
            line=line,
            context_patterns=_str_list(path, item, "context_patterns"),
            context=_str_list(path, item, "context"),
        ))
        if issues[-1].context_patterns and not issues[-1].context:
            raise CatalogError(path, line, f"issue {issue_id!r} has 'context_patterns' but no 'context' list")
    _unique(path, issues, "id")
    _all_present(path, issues, ISSUE_IDS, "issue")
    return issues


def load_visits(path: Path) -> list[Visit]:
    """visits.yaml: the fixed visit ids with dates, places, lead people and keywords."""
    visits = []
    for item in read_yaml(path, "visits"):
        line = item[LINE]
        visit_id = _fixed_id(path, item, VISIT_IDS, "visit")
        start = parse_date(path, line, item.get("start"), "start", publication=False)
        end = parse_date(path, line, item.get("end"), "end", publication=False)
        if visit_id != "other" and (start is None or end is None):
            raise CatalogError(path, line, f"visit {visit_id!r} needs both 'start' and 'end' dates")
        if start and end and end < start:
            raise CatalogError(path, line, f"visit {visit_id!r} ends ({end}) before it starts ({start})")
        visits.append(Visit(
            id=visit_id,
            name=_str(path, item, "name"),
            start=start,
            end=end,
            places=_str_list(path, item, "places"),
            leads=_str_list(path, item, "leads"),
            keywords=_str_list(path, item, "keywords"),
            line=line,
        ))
    _unique(path, visits, "id")
    _all_present(path, visits, VISIT_IDS, "visit")
    return visits


def load_article_meta(path: Path, visit_ids=VISIT_IDS) -> dict[str, ArticleMeta]:
    """articles.yaml: per-file metadata (file required; title, outlet, url, pub_date, visit optional)."""
    metas: dict[str, ArticleMeta] = {}
    for item in read_yaml(path, "articles"):
        line = item[LINE]
        meta = ArticleMeta(
            file=_str(path, item, "file"),
            title=_str(path, item, "title", required=False),
            outlet=_str(path, item, "outlet", required=False),
            url=_str(path, item, "url", required=False),
            pub_date=parse_date(path, line, item.get("pub_date"), "pub_date"),
            date_evidence=_str(path, item, "date_evidence", required=False),
            visit=_str(path, item, "visit", required=False),
            line=line,
        )
        if meta.visit is not None and meta.visit not in visit_ids:
            raise CatalogError(path, line, f"unknown visit {meta.visit!r}; use one of {', '.join(visit_ids)}")
        if meta.file in metas:
            raise CatalogError(path, line, f"file {meta.file!r} listed twice (first on line {metas[meta.file].line})")
        metas[meta.file] = meta
    return metas


CATALOG_FILES = {"actors": "actors.csv", "issues": "issues.yaml", "visits": "visits.yaml",
                 "articles": "articles.yaml", "tone": "tone_lexicon.yaml", "tone_weights": "tone_weights.json"}


def load_catalogs(folder: Path | None = None) -> Catalogs:
    """Load and validate every catalogue in the seeds folder (default: core.paths.seeds_dir())."""
    folder = Path(folder or seeds_dir())
    visits = load_visits(folder / CATALOG_FILES["visits"])
    return Catalogs(
        actors=load_actors(folder / CATALOG_FILES["actors"]),
        issues=load_issues(folder / CATALOG_FILES["issues"]),
        visits=visits,
        articles=load_article_meta(folder / CATALOG_FILES["articles"], tuple(v.id for v in visits)),
        fingerprints={k: _fingerprint(folder / f) for k, f in CATALOG_FILES.items()},
    )
