"""Whose words each sentence carries: one speaker per sentence, from the article's quotes.

core.voices.quotes finds every quoted or reported passage with its speaker; a sentence can hold several
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
core.voices.people (catalogue office terms, else the title or apposition in the text); an institution
is official unless the catalogue says it is a think tank, university or news outlet.
"""
from __future__ import annotations

import re
from collections import Counter

from core.catalogs import Catalogs
from core.model import Mention, Person, Quote, Sentence

TURN_CUES = {"turn", "block"}
# A turn label opening a paragraph: "MR MILLER:", "Levine:", "Q:", "A.", "CCTV:", "QUESTION:".
TURN_LABEL = re.compile(r"^\s*(?:(?P<qa>[QA])[.:]|(?P<name>[A-Z][\w.’'\-]*(?:[ \t]+[A-Z][\w.’'\-]*){0,3})[ \t]*:)[ \t]+(?=\S)")
ANSWER_LABELS = {"a", "answer"}
# The person whose words follow a speech's introduction ("delivered the following remarks",
# "His remarks, as delivered, are below").
SPEECH_INTRO = re.compile(r"\b(?:delivered|gave|made) the following (?:remarks|statement|speech)|"
                          r"\bremarks,? as (?:delivered|prepared)\b[^.]*\bbelow\b|\bfull text of (?:the|his|her) ", re.I)


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


def find_turns(text: str, sentences: list[Sentence], mentions: list[Mention], persons: list[Person]
               ) -> dict[int, str | None]:
    """Paragraph -> the person whose turn it is (None: a question, or a section label), for
    transcripts, Q&As and reprinted speeches.

    A turn opens with a label naming a person ("MR MILLER:", "Ellery:"), or "A:"/"A." for the
    page's answerer (the person its header, before the first turn, names most: the spokesperson
    of a press conference, the interviewee), and runs until the next label or crosshead. Any
    other label ("Q:", "QUESTION:", "CCTV:", "Reporter:") opens a question: nobody's words.
    After a speech's introduction ("delivered the following remarks") the paragraphs are the
    speaker's, as if labelled.
    """
    paragraphs: dict[int, list[Sentence]] = {}
    for s in sentences:
        paragraphs.setdefault(s.paragraph, []).append(s)
    people = {p.canonical for p in persons}
    by_start = sorted((m.start, m.end, m.canonical) for m in mentions if m.label == "PERSON" and m.canonical in people)
    labels = {}
    for p, sents in paragraphs.items():
        start = sents[0].start
        m = TURN_LABEL.match(text[start:sents[-1].end])
        if m and not all(x.is_heading for x in sents):  # "Biden: 'He's a dictator'" over a live-blog entry
            qa = (m.group("qa") or "").lower()
            who = None if qa else _person_in(by_start, start + m.start(), start + m.end(), persons, m.group("name") or "")
            labels[p] = "answer" if qa in ANSWER_LABELS else who
    turns: dict[int, str | None] = {}
    if sum(v is not None for v in labels.values()) < 2:
        labels = {}  # "Chinese readout: …", "Updated: …", one "Biden: …": labels, but no exchange of turns
    first_turn = min(labels, default=None)
    answerer = None
    if any(v == "answer" for v in labels.values()):
        header = Counter(c for s, e, c in by_start if first_turn is None or s < paragraphs[first_turn][0].start)
        answerer = header.most_common(1)[0][0] if header else None
    current, speech = None, None
    for p in sorted(paragraphs):
        sents = paragraphs[p]
        if p in labels:
            current = answerer if labels[p] == "answer" else labels[p]
            turns[p] = current
            speech = None
            continue
        if any(s.is_heading for s in sents) and p and labels:
            current = None
            continue
        if labels and (p > first_turn):
            if text[sents[-1].start:sents[-1].end].rstrip().endswith("?"):
                current = None  # an unlabelled question ends the answer before it
            turns[p] = current
            continue
        if speech:
            turns[p] = speech
        intro = next((s for s in sents if SPEECH_INTRO.search(s.text)), None)
        if intro and not labels:
            speech = next((c for st, e, c in by_start if intro.start <= st < intro.end), None)
    return turns


def _person_in(by_start, start: int, end: int, persons: list[Person], label: str) -> str | None:
    """The person a turn label names: a mention inside it, else a person whose name has the
    label's last word ("SUN:" for Sun Wei, "MOSS:" for Hannah Moss)."""
    for s, e, c in by_start:
        if start <= s < end:
            return c
    words = [w for w in re.findall(r"[A-Za-z’'\-]+", label)]
    if not words:
        return None
    last = words[-1].lower()
    found = [p.canonical for p in persons if last in {w.lower() for w in p.canonical.split()}]
    return found[0] if len(found) == 1 else None


def assign_speakers(sentences: list[Sentence], quotes: list[Quote], turns: dict[int, str | None] | None = None,
                    persons: list[Person] | None = None) -> None:
    """Set speaker, side and official on each sentence: from the quotes overlapping it, within
    a turn (find_turns) the turn's speaker unless the sentence reports another person's words;
    in a question turn nobody's."""
    turns = turns or {}
    info = {p.canonical: p for p in persons or []}
    k = 0
    ordered = sorted(quotes, key=lambda q: q.start)
    for s in sentences:
        if s.is_heading and not s.is_title:
            continue  # a crosshead carries nobody's words
        while k < len(ordered) and ordered[k].end <= s.start:
            k += 1
        found = []
        for q in ordered[k:]:
            if q.start >= s.end:
                break
            if s.start < q.end:
                found.append(q)
        if s.paragraph in turns:
            owner = turns[s.paragraph]
            other = [q for q in found if q.speaker and q.speaker != owner and q.cue not in TURN_CUES]
            if owner is None:
                continue  # a question: even the words it quotes are not answered here
            if not other:
                person = info.get(owner)
                s.speaker, s.side, s.official = owner, person.side if person else None, person.official if person else None
                continue
            found = other
        if not found:
            continue
        best = max(found, key=lambda q: _priority(q, s))
        if best.speaker is None and best.side is None:
            continue
        s.speaker, s.side, s.official = best.speaker, best.side, best.official
