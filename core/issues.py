"""Sentence-level issue tagging against the editable taxonomy (seeds/issues.yaml).

Each sentence gets one IssueHit per issue that one of its patterns finds in it (pattern syntax:
core/phrases.py), unless an `exclude` phrase of that issue overlaps the match ("Trade
Representative" is a job title, not trade). IssueHit.trigger keeps the matched words, so
every count on a chart can be traced to the words that produced it.

Context patterns: words that name an issue only in some sentences ("communication channels"
is military communication when the militaries talk, plain diplomacy otherwise; "alliances" is
global order when framed as blocs or containment; "technologies" is the technology issue when
access to them is restricted) are an issue's `context_patterns`: they tag a sentence only when
one of the issue's `context` phrases occurs in the same sentence, or when they are an item
of a list of issues ("tensions over trade, technology and human rights": the sentence names
at least two other issues, and one of their triggers is at most MAX_LIST_GAP tokens away with
a list word between).

Passing mentions: a sentence that runs through a list of issues ("tensions over Taiwan, the
South China Sea, technology and trade") is one remark, not several discussions. When a
sentence carries k >= 3 issues and their triggers form a list (consecutive triggers of
different issues are at most MAX_LIST_GAP tokens apart with a comma, semicolon, slash, 'and',
'or' or 'as well as' between them, for all but at most one of the gaps), or whenever k >= 5,
each of its hits gets weight 2/k (0.67 for three, 0.4 for five) instead of 1.

Deliberately no context propagation and no semantic fallback: a sentence that only says "the
issue" or "it" is not tagged even right after a Taiwan sentence, and the small spaCy model
has no word vectors. A tag always has a word in its own sentence that justifies it.
"""
from __future__ import annotations

import re
from collections import defaultdict

from core.catalogs import Issue
from core.model import IssueHit
from core.phrases import PhraseIndex, pipeline_lemmatizer, sentence_index

EXCLUDE = "exclude:"
WEAK = "weak:"
CONTEXT = "context:"
MAX_LIST_GAP = 6
LIST_WORDS = frozenset({",", ";", "/", "&", "and", "or", "as", "plus"})
ALWAYS_PASSING = 5
# A related-link or teaser line names a story, it does not discuss its issue ("MORE: Taiwan …").
TEASER = re.compile(r"^\W*(more|read more|related|see also|also read|read also|watch|listen|recommended)\s*[:|»›>-]",
                    re.IGNORECASE)


class IssueTagger:
    """Tags sentences with issues.

    issues: the taxonomy (core.catalogs.load_issues), in the order hits are reported.
    nlp: the spaCy pipeline that parses the articles (its vocab, tokenizer and lemmatizer
    compile the patterns once, here).
    """

    def __init__(self, issues: list[Issue], nlp):
        self.order = {issue.id: n for n, issue in enumerate(issues)}
        phrases: dict[str, tuple[str, ...]] = {}
        for issue in issues:
            phrases[issue.id] = issue.patterns
            if issue.exclude:
                phrases[EXCLUDE + issue.id] = issue.exclude
            if issue.context_patterns:
                phrases[WEAK + issue.id] = issue.context_patterns
                phrases[CONTEXT + issue.id] = issue.context
        self.index = PhraseIndex(nlp.vocab, phrases, tokenize=lambda text: [t.text for t in nlp.tokenizer(text)],
                                 lemmatize=pipeline_lemmatizer(nlp))

    def match(self, doc) -> dict[int, dict[str, list[tuple[int, int]]]]:
        """sentence index -> issue id -> non-overlapping (start, end) token spans that triggered it."""
        found = self.index.find(doc)
        sent_of = sentence_index(doc)
        excluded: dict[str, list[tuple[int, int]]] = defaultdict(list)
        contexts: set[tuple[int, str]] = set()
        for key, start, end in found:
            if key.startswith(EXCLUDE):
                excluded[key[len(EXCLUDE):]].append((start, end))
            elif key.startswith(CONTEXT):
                contexts.add((sent_of[start], key[len(CONTEXT):]))
        spans: dict[int, dict[str, list[tuple[int, int]]]] = defaultdict(dict)
        weak = []
        for key, start, end in sorted(found, key=lambda m: m[1] - m[2]):  # longest first
            if key.startswith((EXCLUDE, CONTEXT)):
                continue
            if key.startswith(WEAK):
                key = key[len(WEAK):]
                if (sent_of[start], key) not in contexts:
                    weak.append((key, start, end))
                    continue
            _keep(spans[sent_of[start]], key, start, end, excluded)
        for key, start, end in weak:
            by_issue = spans[sent_of[start]]
            others = [span for issue, kept in by_issue.items() if issue != key for span in kept]
            if len(by_issue.keys() - {key}) >= 2 and any(_listed(doc, (start, end), o) for o in others):
                _keep(spans[sent_of[start]], key, start, end, excluded)
        return spans

    def tag(self, doc, sentences) -> list[IssueHit]:
        """IssueHits of every sentence, by sentence then taxonomy order. sentences[i] is list(doc.sents)[i]."""
        hits = []
        for sent_idx, by_issue in sorted(self.match(doc).items()):
            weight = passing_weight(doc, by_issue)
            for issue in sorted(by_issue, key=self.order.__getitem__):
                triggers = dict.fromkeys(doc[s:e].text for s, e in sorted(by_issue[issue]))
                hits.append(IssueHit(sent_idx, issue, "; ".join(triggers), weight))
        return hits


def discussed(hits: list[IssueHit], sentences) -> list[str]:
    """The issues an article discusses (DESIGN.md `issues_discussed`): at least one substantive
    hit (weight 1, i.e. not an item of a list of three or more) in a sentence that is not a
    related-link or teaser line; most-tagged first. sentences[i].text is the sentence of hit.sent_idx."""
    counts: dict[str, int] = defaultdict(int)
    for h in hits:
        if h.weight >= 1.0 and not TEASER.match(sentences[h.sent_idx].text):
            counts[h.issue] += 1
    return sorted(counts, key=lambda issue: (-counts[issue], issue))


def passing_weight(doc, by_issue: dict[str, list[tuple[int, int]]]) -> float:
    """Weight of each issue hit of one sentence: 2/k for a list of k >= 3 issues, else 1."""
    k = len(by_issue)
    if k < 3:
        return 1.0
    if k < ALWAYS_PASSING and not _is_list(doc, by_issue):
        return 1.0
    return round(2.0 / k, 3)


def _is_list(doc, by_issue) -> bool:
    ordered = sorted((s, e, issue) for issue, spans in by_issue.items() for s, e in spans)
    gaps = [(a[1], b[0]) for a, b in zip(ordered, ordered[1:]) if a[2] != b[2]]
    listed = sum(1 for s, e in gaps if e - s <= MAX_LIST_GAP and any(t.lower_ in LIST_WORDS for t in doc[s:e]))
    return listed >= len(gaps) - 1 and listed >= len(by_issue) - 2


def _keep(by_issue, key, start, end, excluded) -> None:
    """Record a match unless an exclude phrase of its issue or a longer match already covers it."""
    if not _overlaps(start, end, excluded.get(key, ())) and not _overlaps(start, end, by_issue.get(key, ())):
        by_issue.setdefault(key, []).append((start, end))


def _listed(doc, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Two triggers are neighbouring items of a list: a short gap holding a list word."""
    s, e = (a[1], b[0]) if a[0] < b[0] else (b[1], a[0])
    return 0 <= e - s <= MAX_LIST_GAP and any(t.lower_ in LIST_WORDS for t in doc[s:e])


def _overlaps(start: int, end: int, spans) -> bool:
    return any(start < e and s < end for s, e in spans)
