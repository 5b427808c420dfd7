"""Whose words each sentence carries: one speaker per sentence, from the article's quotes.

core.quotes finds every quoted or reported passage with its speaker; a sentence can hold several
(a quote and the narration that attributes it, two people's words in one sentence, a transcript
turn that reports someone else). The sentence goes to one of them, in this order:
1. a passage with an explicit cue (quotation marks, a speech verb, "according to") over the
   turn or "…, adding:" block it sits in, since within a turn a sentence that reports someone
   else's words is theirs ("Blinken met Wang Xiaohong and noted …" in Levine's answer);
2. the passage whose cue is the sentence's main verb ("While Kerry stressed …, Wang insisted …"
   is Wang's), then the one covering most of the sentence.
An institution heard without a person ("the Foreign Ministry said") leaves the speaker empty but
sets the side, so side tone still hears it.

`official` marks words spoken in office on the article's date: a person's flag comes from
core.people (catalogue office terms, else the title or apposition in the text); an institution
is official unless the catalogue says it is a think tank, university or news outlet.
"""
from __future__ import annotations

from core.catalogs import Catalogs
from core.model import Mention, Person, Quote, Sentence

TURN_CUES = {"turn", "block"}


def _priority(quote: Quote, sentence: Sentence) -> tuple:
    heard = quote.speaker is not None or quote.side is not None
    overlap = min(quote.end, sentence.end) - max(quote.start, sentence.start)
    return heard, quote.cue not in TURN_CUES, quote.main, overlap


def mark_official(quotes: list[Quote], persons: list[Person], mentions: list[Mention],
                  catalogs: Catalogs, date=None) -> None:
    """Set quote.official: the person's flag, or the institution's (see module doc)."""
    official = {p.canonical: p.official for p in persons}
    orgs = {a.canonical: a for a in catalogs.actors if a.type == "org"}
    by_sent: dict[int, list[Mention]] = {}
    for m in mentions:
        if m.label != "PERSON":
            by_sent.setdefault(m.sent_idx, []).append(m)
    for q in quotes:
        if q.speaker:
            q.official = official.get(q.speaker, False)
        elif q.side:
            named = [orgs[m.canonical] for m in by_sent.get(q.sent_idx, []) if m.canonical in orgs
                     and m.side == q.side]
            q.official = named[0].role_on(date)[1] if named else True
        else:
            q.official = None


def assign_speakers(sentences: list[Sentence], quotes: list[Quote]) -> None:
    """Set speaker, side and official on each sentence from the quotes overlapping it."""
    k = 0
    ordered = sorted(quotes, key=lambda q: q.start)
    for s in sentences:
        if s.is_heading and s.paragraph:
            continue  # a crosshead carries nobody's words
        while k < len(ordered) and ordered[k].end <= s.start:
            k += 1
        found = []
        for q in ordered[k:]:
            if q.start >= s.end:
                break
            if s.start < q.end:
                found.append(q)
        if not found:
            continue
        best = max(found, key=lambda q: _priority(q, s))
        if best.speaker is None and best.side is None:
            continue
        s.speaker, s.side, s.official = best.speaker, best.side, best.official
