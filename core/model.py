"""Plain data records passed between the extraction steps, the store and the CLI.

They are dataclasses (not spaCy objects) so a result can cross a process boundary (Dask),
be written to DuckDB row by row in one batch, and be printed as the `extract` contract.
Offsets are character offsets into `CleanedText.text` (the analysed text).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

SIDES = ("US", "China", "Other")


MARKED_LINES = "marked_lines"  # RawArticle.meta key of the analyst's line corrections


@dataclass
class RawArticle:
    """One input document before any analysis.

    file: display name or path; text: decoded text (HTML already reduced to its body);
    meta: metadata a user gave (title, outlet, url, pub_date, visit): it always wins over inference;
    meta["page"]: the same fields read from the page itself (HTML markup, Markdown front matter),
    used where the user gave none and labelled 'page' (core.extract.resolve_metadata);
    meta[MARKED_LINES]: an analyst's line corrections, line number -> removed (the build adds them
    from core.corrections; core.ingest.clean.clean_text applies them);
    source_format: 'txt', 'md' or 'html'.
    """

    file: str
    text: str
    meta: dict = field(default_factory=dict)
    source_format: str = "txt"


@dataclass
class Line:
    """A physical line of the raw text, kept or removed as boilerplate (with the rule's reason)."""

    idx: int
    text: str
    removed: bool
    reason: str | None = None


@dataclass
class CleanedText:
    """The analysed text (kept lines joined by newlines) and every raw line with its fate.

    page_dates: dates printed alone on a top line and removed as furniture; they may be the
    capture date or the publication date, so core.ingest.dates weighs them against the content.
    """

    text: str
    lines: list[Line]
    title: str | None = None
    page_dates: list[str] = field(default_factory=list)


@dataclass
class DateGuess:
    date: dt.date | None
    confidence: float
    evidence: str


@dataclass
class VisitGuess:
    visit: str
    confidence: float
    evidence: str


@dataclass
class Sentence:
    idx: int
    start: int
    end: int
    text: str
    paragraph: int
    is_heading: bool = False
    is_title: bool = False  # the headline (paragraph 0, or the first line after the page's own stamp lines)
    # Whose words the sentence carries (core.voices.speakers): a canonical person, or None with the
    # side of an institution heard ("the Foreign Ministry said"); official: an office holder,
    # ministry or spokesperson at the article's date (False: a commentator; None: nobody speaks).
    speaker: str | None = None
    side: str | None = None
    official: bool | None = None
    # recalled: it reports an earlier occasion than the article's news; when: that occasion, "YYYY-MM".
    recalled: bool = False
    when: str | None = None

    @property
    def crosshead(self) -> bool:
        """A heading of one to three words inside the body ("Strategic competition"): a section
        label, not an issue sentence (the headline is one)."""
        return self.is_heading and not self.is_title and len(self.text.split()) <= 3


@dataclass
class Mention:
    """A reference by name to a person, organisation or place, resolved to a canonical name."""

    sent_idx: int
    start: int
    end: int
    text: str
    label: str  # PERSON, ORG, GPE, LOC, NORP, FAC
    canonical: str
    side: str | None = None
    role: str | None = None


@dataclass
class Person:
    canonical: str
    side: str  # one of SIDES
    role: str | None
    mentions: int
    in_catalog: bool
    official: bool = False  # holds office at the article's date (core.voices.people.is_official)


@dataclass
class Quote:
    """Direct or reported speech. speaker is a canonical person name, or None when unresolved."""

    sent_idx: int
    start: int
    end: int
    text: str
    speaker: str | None
    side: str | None
    cue: str | None
    kind: str  # 'direct' or 'reported'
    official: bool | None = None  # the speaker (or institution) speaks in office; None: unknown
    main: bool = False  # its cue is the sentence's main verb (core.voices.speakers prefers it); not stored
    tone: float | None = None  # the tone of the quote's own words (core.tone.model.quote_tone)


@dataclass
class IssueHit:
    """One issue on one sentence. weight < 1 for passing mentions (see core.issues)."""

    sent_idx: int
    issue: str
    trigger: str
    weight: float = 1.0


@dataclass
class ToneDriver:
    """One word, phrase or construction's share of a sentence's tone; start/end: its characters."""

    word: str
    contribution: float
    source: str  # 'diplomatic', 'generic', 'rule'
    start: int = -1
    end: int = -1


@dataclass
class SentenceTone:
    """Tone of one sentence on -1..+1, and its cooperation-conflict reading (PLOVER quad class)."""

    sent_idx: int
    score: float
    coop: float
    quad: str  # verbal_cooperation, material_cooperation, verbal_conflict, material_conflict, neutral
    drivers: list[ToneDriver] = field(default_factory=list)


@dataclass
class ArticleResult:
    """Everything extracted from one article: what the store keeps and `extract` prints."""

    article_id: str
    file: str
    title: str
    outlet: str | None
    url: str | None
    pub_date: dt.date | None
    pub_date_confidence: float
    date_evidence: str
    visit: str
    visit_evidence: str
    words: int
    cleaned: CleanedText
    sentences: list[Sentence]
    mentions: list[Mention]
    persons: list[Person]
    quotes: list[Quote]
    issue_hits: list[IssueHit]
    tones: list[SentenceTone]
    tone: float
    tone_by_side: dict[str, float | None]
    meta_source: dict[str, str] = field(default_factory=dict)  # field -> 'user' | 'page' | 'inferred'
    credit: str | None = None  # the wire/outlet the page credits when it is not the publisher (core.ingest.outlets)
