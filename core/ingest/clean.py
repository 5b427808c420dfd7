"""Boilerplate removal: web furniture out of the analysed text, every raw line kept with its fate.

Each raw line becomes a Line; a line is removed when one general rule names it (the rule is
its `reason`), so the dashboard can show what was dropped and why. Rules look at the shape
of a line (a caption ends in a photo credit, a prompt asks to subscribe, a heading is
"Why We Wrote This"), never at a known article's wording. They are conservative: a real
paragraph wrongly dropped costs more than a stray menu item kept, so bullet lists and section
headings stay.

Summary blocks: a page's "Key concepts" / "Key points" / "What we know" / "Summary" block restates
the body, so its lines would count twice in every chart (issues, people, tone). A line of such a
block is removed ("summary block (restates the body)") when most of its content words recur in
the rest of the page; a line that adds something stays, and so does the block when nothing of it
is restated. One pass over the lines plus one set of word stems: linear.

Decks: the standfirst under the headline ("Blinken plans to visit Beijing in a move to ease
tension") restates the story in other words, so it is removed as "deck (restates the body)" by
the same test. Only the line right under the headline is a deck, and only when it reads as one:
longer than the headline, at most DECK_MAX_WORDS, no dateline, turn label or "Section |" label (that
is the headline under a slogan), and either without a
closing full stop or followed by page furniture (a byline, a stamp) before the body. A one-line
lede that runs straight into the body is the story, not a deck, and stays. Above the headline, a
breadcrumb ("Home / World News") and a browser's print or capture line ("Printed from the web on
...", "Updated 4 minutes ago") are furniture, so neither is taken for the headline.

Dates: a date alone on one of the first lines ("Sunday, December 22, 2024", " date 2023-07-24 ")
is removed as "page date": a page prints the day it was captured or printed there as often as
the day it was published, so it must not be read as the article's own stamp. The removed line
stays visible here and is handed to core.ingest.dates (CleanedText.page_dates), which accepts it only
when the content agrees. A line that labels itself
("Published: ...", "Updated ...") or carries a time of day ("2024-04-26 10:32") is the
article's own stamp and is kept for core.ingest.dates.
"""
from __future__ import annotations

import html
import re
import unicodedata
import zlib
from difflib import SequenceMatcher

import numpy as np

from core.ingest.dates import CAPTURE_LINE, DATE_RE, PAGE_DATE_RE, STAMP_LABEL_RE, TIME_RE
from core.ingest.outlets import infer_outlet
from core.model import CleanedText, Line

HEAD_LINES = 4  # page furniture above the story: the first non-blank lines
PAGE_DATE_REASON = "page date (capture or print date, or the publication date: checked against the content)"
MAX_FURNITURE_WORDS = 25  # a prompt or caption is short; a paragraph that says "subscribe" is not
REPEAT_MIN_WORDS = 4  # an exact repeat this long is a repeated block, not a refrain like "He said."
NEAR_REPEAT_MIN_WORDS = 12
NEAR_REPEAT_RATIO = 0.85
NEAR_REPEAT_MAX_CHARS = 2000  # about 330 words; longer paragraphs are checked for exact repeats only
NEAR_REPEAT_CANDIDATES = 8
_MH_BANDS, _MH_ROWS = 8, 2  # a pair sharing 70 % of its words becomes a candidate with p = 0.995
_MH_A, _MH_B = np.random.default_rng(14).integers(1, 2**63, size=(2, _MH_BANDS * _MH_ROWS), dtype=np.uint64) | np.uint64(1)

_TAG = re.compile(r"<[^>]{1,200}>")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_WORDS = re.compile(r"[^\W_]+")

# (reason, pattern on the whole stripped line, case-insensitive)
_LINE_RULES = [
    ("loading", r"(?:loading|please wait|page loading)\W*"),
    ("advertisement", r"(?:advertisement|advertising|sponsored(?: content)?|ad|scroll to continue"
                      r"|story continues below(?: advertisement)?|continue reading(?: below)?)\W*"),
    ("site furniture", r"(?:must read|latest(?: articles?| news| stories)?|read more|read next|see also|related"
                       r"(?: articles?| stories| content| coverage)?|recommended(?: for you)?|trending(?: now)?"
                       r"|most (?:read|popular|viewed)|top stories|more from \S.*|share(?: this)?(?: article| story)?"
                       r"|share on \w+|print|email|comments?|\d+ comments?|back to top|skip to (?:main )?content"
                       r"|listen to (?:this )?(?:article|story)|\d+ min(?:ute)? read|advertisement\b.*"
                       r"|follow us(?: on \w+)?|tags?:.*|topics?:.*|filed under:?.*"
                       r"|(?:related|read more|see also|read next|also read|recommended)(?: \w+)?\s*:.*"
                       r"|this (?:article|story|page) is (?:more than|over) (?:a|an|\d+) \w+ old"
                       r"|view (?:this email |it )?in (?:your )?browser|pinned(?: post)?|link copied)[\s:.!|>»-]*"),
    ("live-page timestamp", r"\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{1,4}T?)?"),
    ("navigation", r"(?:home|news|world|politics|opinion|business|asia|china|us|u\.s\.)(?:\s*[|>»/]\s*\w+){1,6}"
                   r"|(?:nation|world|national|international|local)\s*(?:&|and)\s*(?:world|nation|national|international)"),
    ("punctuation only", r"[\W_]+"),
    ("caption", r"(?:photo|file photo|image|picture|caption|video)\s*[:|].*"),
]
_LINE_RULES = [(reason, re.compile(rf"^{rx}$", re.IGNORECASE)) for reason, rx in _LINE_RULES]

# Short lines that end in a photo credit: "... Photo: PLA", "... (Doug Mills/The New York Times)".
_CREDIT_END = re.compile(
    r"(?:\bPhotos?\s*(?:by|:)\s*[^.]{2,60}|\bImage\s*(?:by|:)\s*[^.]{2,60}|\bCredit\s*:\s*[^.]{2,60}"
    r"|\bGetty Images|\b(?:REUTERS|AFP|AP|EPA|Xinhua|Bloomberg|Getty)\s*/\s*[^.()]{2,60}"
    r"|\((?:[^()]{2,60}/[^()]{2,60}|Reuters|AP Photo[^()]*|AFP[^()]*|Xinhua[^()]*|Getty[^()]*)\))\s*\.?$")
_PROMPT = re.compile(
    r"\b(?:subscribe|subscription|newsletter|sign[ -]?up|log ?in to|register (?:now|to|for)|cookies?"
    r"|privacy policy|terms of (?:use|service)|accept all|discover more from|get the latest \w+ (?:sent|delivered)"
    r"|download (?:our|the) app|follow us on|support (?:our|independent) journalism|donate)\b", re.IGNORECASE)
_DISCLAIMER = re.compile(
    r"^(?:the )?(?:views?|opinions?)(?: and (?:views?|opinions?))? expressed (?:in|here|by)\b"
    r"|do(?:es)? not necessarily (?:reflect|represent)\b|^(?:this|the) (?:article|story|piece) "
    r"(?:is an edited version|was (?:originally|first) published|first appeared|is republished)"
    r"|^(?:originally|first) published (?:by|in|on)\b"
    r"|^this is an edited version of\b|\brepublished (?:courtesy|with permission) of\b|^copyright\b|^©",
    re.IGNORECASE)
_WHY_WE_WROTE = re.compile(r"^why we wrote this\W*$", re.IGNORECASE)
_BYLINE = re.compile(r"^(?i:by|written by|reporting by|editing by)\s+[A-Z][\w.'’-]+(?:[\s,]+(?:and\s+)?[A-Z][\w.'’-]+){0,7}"
                     r"(?:\s*[|,]\s*[\w .'’-]{1,40})?$|^\|\s*[\w .'’-]{1,40}$")
# Wire credits: "Reporting by A; Writing by B; Editing by C", "(Additional reporting by D)".
_WIRE_CREDIT = re.compile(
    r"^\(?\s*(?:(?:additional\s+)?(?:reporting|writing|editing|compiled|research|translation|"
    r"graphics|production)(?:\s+and\s+\w+)?\s+by\s+(?:the\s+)?(?-i:[A-Z])[^;()]{1,120}?\s*(?:;\s*|(?=\)|$)))+\)?\.?$",
    re.IGNORECASE)
# A breadcrumb or masthead at the top: short segments joined by › / > | · ("Home / World News",
# "Asia Policy Forum › Analysis › Expert Q&A", "Valley Courier-Times | NATION & WORLD").
_SEGMENT = r"[\w&'’.-]+(?: [\w&'’.-]+){0,3}"
_BREADCRUMB = re.compile(rf"^{_SEGMENT}(?:\s+[›>/|·»]\s+{_SEGMENT}){{1,5}}\s*[›>/|·»]?$")
_SENTENCE_END = re.compile(r"[.!?:;…\"”’)]$")
_SUMMARY_HEADING = re.compile(r"^(?:key (?:concepts|points|takeaways|facts)|takeaways|what we know(?: so far)?|summary"
                              r"|in (?:brief|short)|at a glance|highlights|the big picture|tl;?dr)\W*$", re.IGNORECASE)
_BULLET = re.compile(r"^[-•*–·▪]\s+")
SUMMARY_REASON = "summary block (restates the body)"
SUMMARY_MAX_LINES = 12
SUMMARY_MAX_WORDS = 80      # a block line is a bullet or a short paragraph
SUMMARY_LINE_WORDS = 35     # ... and the lines of an unbulleted block are short
RESTATED_SHARE = 0.6        # of a line's content words found elsewhere on the page
DECK_REASON = "deck (restates the body)"
DECK_MAX_WORDS = 45
DECK_RESTATED_SHARE = 0.5   # a deck restates the story in other words: fewer of its words recur
# The reasons of lines removed because the page says the same thing elsewhere: a labelled set that
# keeps such a line as a sentence counts it twice where Diplotone counts it once (core.evaluate).
COUNTED_ONCE = ("repeated paragraph", SUMMARY_REASON, DECK_REASON)
_LEDE_START = re.compile(r"^[A-Z][\w.,'’ ]{1,60}?(?:\([^)]{2,30}\)\s*)?(?:--|[-–—])\s|^\S+(?: \S+)?\s*:\s")
_STOP = frozenset("that this with from have has been were will would their there they them than then what when "
                  "which while about after before into over also both said says more most other some such".split())


def normalise_line(line: str) -> str:
    """One raw line as analysed text: markup and entities gone, every space one plain space."""
    line = html.unescape(_TAG.sub(" ", line))
    line = unicodedata.normalize("NFC", _INVISIBLE.sub("", line))
    return _SPACES.sub(" ", line).strip()


def _key(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


class _Repeats:
    """Paragraphs seen so far, to find exact and near-exact repeats (the first one is kept).

    Exact repeats are a set lookup. A near repeat is only looked for among a few earlier
    paragraphs that share a MinHash band with it (NEAR_REPEAT_CANDIDATES at most), and only in
    paragraphs up to NEAR_REPEAT_MAX_CHARS long: comparing each paragraph with every earlier one
    was quadratic in their number (a 225 KB file of reshuffled paragraphs took 7 minutes), and
    SequenceMatcher is quadratic in a paragraph's length. A repeated block of web furniture is short.
    """

    def __init__(self):
        self.exact: set[str] = set()
        self.long: list[tuple[str, set[str], set[tuple[str, str]]]] = []
        self.buckets: dict[tuple, list[int]] = {}
        self.word_hash: dict[str, int] = {}

    def _bands(self, bag: set[str]) -> list[tuple]:
        """The MinHash bands of a word set: similar sets share a band with high probability."""
        hashes = np.fromiter((self.word_hash.setdefault(w, zlib.crc32(w.encode())) for w in bag),
                             dtype=np.uint64, count=len(bag))
        with np.errstate(over="ignore"):  # multiply-add modulo 2**64 is the hash family
            sig = (_MH_A[:, None] * hashes[None, :] + _MH_B[:, None]).min(axis=1)
        return [(band, *sig[band * _MH_ROWS:(band + 1) * _MH_ROWS].tolist()) for band in range(_MH_BANDS)]

    def seen(self, text: str) -> bool:
        key = _key(text)
        words = key.split()
        if len(words) < REPEAT_MIN_WORDS:
            return False
        if key in self.exact:
            return True
        self.exact.add(key)
        if len(words) < NEAR_REPEAT_MIN_WORDS or len(key) > NEAR_REPEAT_MAX_CHARS:
            return False
        bag, pairs = set(words), set(zip(words, words[1:]))
        bands = self._bands(bag)
        candidates = dict.fromkeys(i for band in bands for i in self.buckets.get(band, ()))
        for i in list(candidates)[:NEAR_REPEAT_CANDIDATES]:
            other, other_bag, other_pairs = self.long[i]
            if len(bag & other_bag) < 0.7 * max(len(bag), len(other_bag)):
                continue
            # The same words in another order are not a repeat: most word pairs must recur too.
            if len(pairs & other_pairs) < 0.5 * min(len(pairs), len(other_pairs)):
                continue
            matcher = SequenceMatcher(None, key, other, autojunk=False)
            if (matcher.real_quick_ratio() >= NEAR_REPEAT_RATIO and matcher.quick_ratio() >= NEAR_REPEAT_RATIO
                    and matcher.ratio() >= NEAR_REPEAT_RATIO):
                return True
        for band in bands:
            self.buckets.setdefault(band, []).append(len(self.long))
        self.long.append((key, bag, pairs))
        return False


def _rule(text: str, head: bool, top: bool = False) -> str | None:
    """The furniture rule that names a (non-blank) line, or None when it is content. head: among
    the first HEAD_LINES non-blank lines; top: among the first HEAD_LINES lines that are no furniture
    (a date under the headline, deck and byline is still the page's date line)."""
    words = len(text.split())
    for reason, rx in _LINE_RULES:
        if rx.match(text):
            return reason
    if (head or top) and PAGE_DATE_RE.match(text) and not TIME_RE.search(text) and not STAMP_LABEL_RE.match(text):
        return PAGE_DATE_REASON
    if CAPTURE_LINE.search(text) and words <= 15 and (DATE_RE.search(text) or " ago" in text.lower()):
        return "print or capture line"
    if head and _BREADCRUMB.match(text) and not DATE_RE.search(text):  # "18 November 2024 · 9 min read" dates the page
        return "navigation"
    if words <= MAX_FURNITURE_WORDS:
        if _CREDIT_END.search(text):
            return "caption"
        if _PROMPT.search(text):
            return "subscribe or cookie prompt"
        if _WIRE_CREDIT.match(text):
            return "wire credit"
        if _BYLINE.match(text):
            return "byline"
    if words <= 2 * MAX_FURNITURE_WORDS and _DISCLAIMER.search(text):
        return "disclaimer or republication note"
    if head and words <= 2 and not _SENTENCE_END.search(text):
        return "dateline or label fragment"
    return None


def _looks_like_headline(text: str) -> bool:
    words = text.split()
    return (2 <= len(words) <= 25 and sum(ch.isalpha() for ch in text) >= 10
            and not re.search(r"[.;,]$", text) and not STAMP_LABEL_RE.match(text))


MARKED_BOILERPLATE, MARKED_BODY = "marked boilerplate by an analyst", "marked body by an analyst"


def clean_text(raw: str, marked: dict[int, bool] | None = None) -> CleanedText:
    """Normalise, drop furniture, keep paragraph structure (one kept line per paragraph).

    raw: decoded article text (any newline convention). marked: line number -> removed, an
    analyst's corrections (core.corrections), which win over the rules for lines with text.
    Returns the kept lines joined by "\\n", every raw line with its fate, and the headline when
    the text opens with one.
    """
    physical = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n").split("\n")
    lines: list[Line] = []
    normalised: list[str] = []  # what analysis reads; Line.text keeps the raw line for the reader
    repeats = _Repeats()
    non_blank = content = 0  # non-blank lines so far; lines kept so far
    skip_block = False
    for idx, original in enumerate(physical):
        text = normalise_line(original)
        normalised.append(text)
        if not text:
            lines.append(Line(idx, original, True, "blank" if not original.strip() or not _TAG.search(original) else "markup"))
            continue
        non_blank += 1
        if _WHY_WE_WROTE.match(text):
            lines.append(Line(idx, original, True, "'Why We Wrote This' block"))
            skip_block = True
            continue
        if skip_block:  # the one paragraph under that heading is the outlet's note, not the story
            skip_block = False
            lines.append(Line(idx, original, True, "'Why We Wrote This' block"))
            continue
        reason = _rule(text, head=non_blank <= HEAD_LINES, top=content < HEAD_LINES)
        if reason is None and repeats.seen(text):
            reason = "repeated paragraph"
        content += reason is None
        lines.append(Line(idx, original, reason is not None, reason))
    _drop_masthead(lines, normalised, raw)
    _drop_summary_blocks(lines, normalised)
    _drop_deck(lines, normalised)
    for idx, removed in (marked or {}).items():
        if 0 <= idx < len(lines) and normalised[idx]:
            lines[idx] = Line(idx, lines[idx].text, bool(removed), MARKED_BOILERPLATE if removed else MARKED_BODY)
    kept = [text for ln, text in zip(lines, normalised) if not ln.removed]
    page_dates = [text for ln, text in zip(lines, normalised) if ln.reason == PAGE_DATE_REASON]
    return CleanedText("\n".join(kept), lines, _headline(kept), page_dates)


def _stems(text: str) -> set[str]:
    """Content-word stems (a plural's "s" off, then six letters: "stabilized" ~ "stabilizing",
    "talks" ~ "talk") of a line."""
    return {(w[:-1] if w.endswith("s") and not w.endswith("ss") else w)[:6]
            for w in _WORDS.findall(text.lower()) if len(w) >= 4 and w not in _STOP}


def _summary_blocks(lines: list[Line], normalised: list[str]) -> list[tuple[int, list[int]]]:
    """(heading index, line indices) of each summary block: the bullets under the heading, or its
    short unbulleted lines (one paragraph, or lines of up to SUMMARY_LINE_WORDS) up to a heading-like
    line, a removed line (a caption) or the body's first dateline; SUMMARY_MAX_LINES at most."""
    blocks, i, n = [], 0, len(lines)
    while i < n:
        if not _SUMMARY_HEADING.match(normalised[i]):
            i += 1
            continue
        head, body, j = i, [], i + 1
        bullets = None
        while j < n and len(body) < SUMMARY_MAX_LINES:
            text = normalised[j]
            if not text:
                j += 1
                continue
            if bullets is None:
                bullets = bool(_BULLET.match(text))
            words = len(text.split())
            heading_like = words <= 6 and not _SENTENCE_END.search(text)
            if heading_like or words > SUMMARY_MAX_WORDS or (bullets and not _BULLET.match(text)):
                break
            if lines[j].removed or (not bullets and body and (words > SUMMARY_LINE_WORDS or _LEDE_START.match(text))):
                break  # where the story's own paragraphs begin
            body.append(j)
            j += 1
        blocks.append((head, body))
        i = j
    return blocks


def _drop_summary_blocks(lines: list[Line], normalised: list[str]) -> None:
    """Mark the restating lines of summary blocks (and their heading) removed, in place."""
    blocks = _summary_blocks(lines, normalised)
    if not blocks:
        return
    inside = {k for head, body in blocks for k in (head, *body)}
    elsewhere = set().union(*(_stems(t) for k, (ln, t) in enumerate(zip(lines, normalised))
                              if k not in inside and not ln.removed))
    for head, body in blocks:
        dropped = 0
        for k in body:
            if not lines[k].removed and _restated(_stems(normalised[k]), elsewhere):
                lines[k] = Line(lines[k].idx, lines[k].text, True, SUMMARY_REASON)
                dropped += 1
        if dropped and not lines[head].removed:
            lines[head] = Line(lines[head].idx, lines[head].text, True, SUMMARY_REASON)


MASTHEAD_REASON = "masthead (the outlet's name)"


def _drop_masthead(lines: list[Line], normalised: list[str], raw: str) -> None:
    """Mark a top line that is the page's own outlet name ("The Valley Sentinel", "GEOPOLITICS
    DIGEST — curated world news") removed, in place: the masthead is not the headline."""
    publisher = infer_outlet(raw)
    if not publisher:
        return
    name = _key(re.sub(r"^the\s+", "", publisher, flags=re.I))
    top = [k for k, t in enumerate(normalised) if t][:HEAD_LINES]
    for k in top:
        line = _key(re.sub(r"^the\s+", "", normalised[k], flags=re.I))
        if not lines[k].removed and name and (line == name or (
                line.startswith(name + " ") and re.match(r"^[^—–|]*\s[—–|]\s", normalised[k])
                and _key(re.split(r"\s[—–|]\s", normalised[k])[0]).removeprefix("the ").strip() == name)):
            lines[k] = Line(lines[k].idx, lines[k].text, True, MASTHEAD_REASON)


def _restated(stems: set[str], elsewhere: set[str], share: float = RESTATED_SHARE) -> bool:
    """Most of a line's content words (three at least) recur in the rest of the page."""
    return len(stems) >= 3 and len(stems & elsewhere) >= share * len(stems)


def _drop_deck(lines: list[Line], normalised: list[str]) -> None:
    """Mark the deck under the headline removed, in place, when it restates the body (module doc)."""
    text_at = [k for k, t in enumerate(normalised) if t]
    kept = [k for k in text_at if not lines[k].removed and not STAMP_LABEL_RE.match(normalised[k])
            and not TIME_RE.search(normalised[k])]
    if len(kept) < 3 or not _looks_like_headline(normalised[kept[0]]):
        return
    head = kept[0]
    after = text_at[text_at.index(head) + 1:]
    deck, rest = (after[0], after[1:]) if after else (None, [])
    if deck is None or lines[deck].removed or not rest:
        return
    text, words = normalised[deck], len(normalised[deck].split())
    if not len(normalised[head].split()) < words <= DECK_MAX_WORDS or _LEDE_START.match(text) or " | " in text:
        return
    nxt = normalised[rest[0]]
    furniture = lines[rest[0]].removed or STAMP_LABEL_RE.match(nxt) or TIME_RE.search(nxt) or PAGE_DATE_RE.match(nxt)
    if re.search(r"[.!?…]['\"”’)]*$", text) and not furniture:
        return
    elsewhere = set().union(*(_stems(normalised[k]) for k in kept if k not in (head, deck)))
    if _restated(_stems(text), elsewhere, DECK_RESTATED_SHARE):
        lines[deck] = Line(lines[deck].idx, lines[deck].text, True, DECK_REASON)


def _headline(kept: list[str]) -> str | None:
    """The first kept line, past the article's own date stamps, when it reads as a headline."""
    for text in kept[:3]:
        if STAMP_LABEL_RE.match(text) or TIME_RE.search(text):
            continue
        return text if _looks_like_headline(text) else None
    return None
