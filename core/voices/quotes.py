"""Direct and reported speech, each attributed to a canonical speaker where the text says who.

Direct quotes are found by scanning quotation marks ("…", “…”, ‘…’, «…»), paragraph by
paragraph: a quote still open at a paragraph's end closes there, and when the next paragraph
opens with a quotation mark it continues the same quote (journalistic convention), so it
inherits the speaker. A paragraph introduced by a cue and a colon ("…, adding:") is the
speaker's words too, marked or not, and so is a transcript turn ("Levine: …").

Attribution, in order: a speech verb outside the quote in the same sentence(s) and its
subject ("…,” Mr. Xi said", "says Michael Swaine", "X, who …, said", "saying:" -> the subject
of the verb it hangs on); "according to X"; else the speaker of the previous quote in the
same paragraph. Reported speech is a speech verb with a person (or pronoun) subject and a
clause or object ("X said that …", "…, said X", "X warned of …", "according to X, …").
Pronoun subjects ("he said") resolve to the nearest preceding speaker or person subject in
the same or previous paragraph, skipping people whose honorific (Mr./Ms.) contradicts it.

Organisations and governments ("the Chinese Foreign Ministry said", "Beijing said") are not
speakers (the contract's speakers are people), but their side is kept on the quote, so
tone by side still hears official positions.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from core.model import Mention, Person, Quote, Sentence

SPEECH_VERBS = {
    "say", "tell", "add", "stress", "warn", "note", "insist", "argue", "claim", "state", "explain",
    "emphasize", "emphasise", "underscore", "urge", "acknowledge", "announce", "reiterate",
    "assert", "declare", "suggest", "caution", "maintain", "write", "reply", "respond", "comment",
    "indicate", "predict", "contend", "deny", "affirm", "criticize", "criticise", "demand", "vow",
    "pledge", "promise", "accuse", "complain", "describe", "admit", "propose", "ask", "wonder",
    "question", "express", "remark", "observe", "highlight", "recall", "report", "confirm",
    "point", "call", "tweet", "post", "concede", "counter", "lament", "convey",
    "raise", "reaffirm", "reject", "mention", "repeat", "welcome", "defend", "outline", "praise",
    "condemn", "hail", "voice", "make", "put", "hope",
}
# Speech verbs whose noun object is the message when a person says it as the sentence's main
# verb ("Blinken raised concerns about …", "Biden reaffirmed the one-China policy"), which
# makes the sentence theirs; a plan or a promise of action ("announced plans") is not speech.
NOUN_OBJECT_CUES = {
    "note", "raise", "reaffirm", "reiterate", "reject", "describe", "mention", "repeat", "stress",
    "emphasize", "emphasise", "underscore", "highlight", "welcome", "express", "acknowledge",
    "criticize", "criticise", "warn", "urge", "point", "propose", "demand", "accuse", "deny", "ask",
    "defend", "outline", "convey", "praise", "condemn", "hail", "voice", "make", "put",
}
# Verbs whose infinitive complement is itself the message ("urged Washington to lift
# sanctions", "vowed to respond"). A plain noun object is not reported speech ("announced
# plans", "promised tariffs"): speech needs a clause, an infinitive or a quote.
OBJECT_CUES = {
    "warn", "stress", "note", "urge", "criticize", "criticise", "highlight", "underscore",
    "emphasize", "emphasise", "reiterate", "acknowledge", "propose", "demand", "accuse", "complain",
    "deny", "vow", "pledge", "promise", "express", "announce", "caution", "lament", "affirm", "admit",
}
OBJECT_DEPS = {"xcomp"}
ROLE_HEADS = {
    "spokesperson", "spokesman", "spokeswoman", "minister", "secretary", "official", "diplomat",
    "adviser", "advisor", "envoy", "ambassador", "president", "premier", "leader", "professor",
    "analyst", "expert", "scholar", "director", "chief", "fellow", "academic", "specialist",
    "researcher", "senator", "lawmaker", "general", "admiral", "head", "chairman", "economist",
}
# Cues that carry a message even where the parser found no clause on them ("He said, the US should …").
LOOSE_CUES = {"say", "point", "stress", "note", "express", "hope", "add", "emphasize", "emphasise", "tell"}
ROLE_ALIASES = {"fm": "foreign minister"}
NATIONALITY = {"us", "u.s.", "american", "chinese", "china", "china's", "'s", "’s", "top", "visiting", "new"}
# Verbs whose following person is the one spoken to ("told Blinken", "urged Wang").
ADDRESSEE_CUES = {"tell", "ask", "urge", "warn", "assure", "remind", "inform", "brief", "call"}
ADDRESSEE_DEPS = {"dobj", "obj", "dative", "iobj", "pobj"}
PRONOUNS = {"he": "m", "she": "f", "him": "m", "her": "f"}
HONORIFICS = {"mr": "m", "mr.": "m", "ms": "f", "ms.": "f", "mrs": "f", "mrs.": "f", "miss": "f"}
OPEN_CLOSE = {"“": "”", "«": "»", "‘": "’", '"': '"', "„": "“"}
MIN_DIRECT_WORDS = 3
LABEL_LINE = re.compile(r"^\s*([A-Z][\w.’'\- ]{1,40}?):\s+(?=\S)")


@dataclass
class Segment:
    """Quoted text [start, end) (marks excluded); continues: it carries on an open quote."""

    start: int
    end: int
    continues: bool = False
    speaker: str | None = None
    side: str | None = None
    cue: str | None = None
    attributed: bool = False


def find_direct_quotes(text: str) -> list[Segment]:
    """Quoted spans, paragraph by paragraph; continued quotes are flagged (see module doc).

    A mark left open at a paragraph's end is a quote only when the next non-blank paragraph
    opens with a quotation mark; otherwise it is a stray or unbalanced mark and is ignored,
    so narration never turns into a quote because marks got out of step.
    """
    lines = text.split("\n")
    opens_next = [False] * len(lines)
    following = False
    for k in range(len(lines) - 1, -1, -1):
        opens_next[k] = following
        if lines[k].strip():
            following = lines[k].lstrip()[:1] in OPEN_CLOSE
    segments: list[Segment] = []
    pos, carried = 0, False
    for k, line in enumerate(lines):
        found, still_open = _scan_line(line, opens_next[k])
        for j, (s, e) in enumerate(found):
            continues = carried and j == 0 and line[:s].strip() in "\"“«‘"
            segments.append(Segment(pos + s, pos + e, continues=continues))
        if line.strip():
            carried = still_open
        pos += len(line) + 1
    return segments


def _scan_line(line: str, may_stay_open: bool):
    """(start, end) of each quote in one paragraph; and whether the last one is left open.

    may_stay_open: the next paragraph opens with a quotation mark, so a mark still open at
    the end of this one starts a quote that carries on there; otherwise that mark is skipped.
    """
    out, i, n = [], 0, len(line)
    while i < n:
        ch = line[i]
        if ch in OPEN_CLOSE and _opens(line, i):
            close = OPEN_CLOSE[ch]
            j = i + 1
            while j < n and not (line[j] == close and _closes(line, j)):
                j += 1
            if j >= n and (ch == "‘" or not may_stay_open):  # a stray or unbalanced mark
                i += 1
                continue
            out.append((i + 1, j))
            if j >= n:
                return out, True
            i = j + 1
        else:
            i += 1
    return out, False


def _opens(line: str, i: int) -> bool:
    before = line[i - 1] if i else " "
    after = line[i + 1] if i + 1 < len(line) else " "
    return not after.isspace() and (before.isspace() or before in "([{—–-:,;/") or i == 0


def _closes(line: str, j: int) -> bool:
    after = line[j + 1] if j + 1 < len(line) else " "
    return not (after.isalnum()) and not line[j - 1].isspace()


class SpeakerResolver:
    """Maps tokens to mentions and pronouns to the nearest fitting preceding person."""

    def __init__(self, doc: Doc, sentences: list[Sentence], mentions: list[Mention],
                 persons: list[Person], in_quote: bytearray):
        self.doc, self.sentences, self.in_quote = doc, sentences, in_quote
        self.text = doc.text  # Doc.text joins every token on each access: read it once
        self.side = {p.canonical: p.side for p in persons}
        self.persons = persons
        self.mentions = {p.canonical: p.mentions for p in persons}
        self.by_char = {}
        for m in mentions:
            for c in range(m.start, m.end):
                self.by_char[c] = m
        self.gender = _genders(doc, mentions)
        paragraphs = sorted({s.paragraph for s in sentences})
        self.prev_paragraph = dict(zip(paragraphs[1:], paragraphs[:-1]))
        # (char, canonical, main): speakers and person subjects; main = a speaker or the
        # subject of a sentence's main clause, which a later "he" most likely continues.
        # Both are kept sorted (by char) as they grow: a 999,000-character article has thousands.
        self.events: list[tuple[int, str, bool]] = []
        # paragraph -> [(char, who, side, cue)] of its speakers
        self.speakers: dict[int, list[tuple[int, str | None, str | None, str | None]]] = {}
        for m in mentions:
            role = self._subject_role(m) if m.label == "PERSON" else None
            if role:
                self.events.append((m.start, m.canonical, role == "main"))
        self.events.sort()

    def _subject_role(self, m: Mention) -> str | None:
        """'main' for the subject of a main-clause verb, 'sub' for any other subject, else None."""
        span = self.doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None or span.root.dep_ not in {"nsubj", "nsubjpass"}:
            return None
        verb = span.root.head
        while verb.dep_ == "conj":
            verb = verb.head
        return "main" if verb.dep_ == "ROOT" else "sub"

    def mention(self, token: Token) -> Mention | None:
        return self.by_char.get(token.idx)

    def subject(self, verb: Token) -> tuple[str | None, str | None, bool]:
        """(speaker, side, found): the speech verb's subject as a person, pronoun or org.

        Walks up from a subjectless verb ("…, saying:", "adding that") to the clause that
        has one; "quoted X as saying" gives X.
        """
        v = verb
        for _ in range(4):
            if v.lemma_ == "quote":
                obj = [c for c in v.children if c.dep_ in {"dobj", "obj"}]
                if obj:
                    who = self._who(obj[0])
                    if who[2]:
                        return who
            subj = [c for c in v.children if c.dep_ in {"nsubj", "nsubjpass"} and not self.in_quote[c.idx]]
            if subj:  # a dateline parsed as a second subject ("LIMA, Peru — Xi told …"): the person
                whos = [self._who(c) for c in subj]
                return next((w for w in whos if w[0]), whos[0])
            if v.head is v:
                break
            v = v.head
        return self._adjacent(verb)

    def _who(self, head: Token):
        """A person, pronoun, anaphoric role ("the spokesperson") or organisation at the head."""
        m = self.mention(head)
        if m is None:
            named = [c for c in head.children if c.dep_ in {"appos", "compound", "flat"} and self.mention(c)]
            m = self.mention(named[0]) if named and head.lower_ in ROLE_HEADS else None
        if (m.label if m else head.ent_type_) in {"GPE", "LOC"}:  # a dateline parsed as the subject: "LIMA, Peru — President Xi told …"
            named = [self.mention(c) for c in head.children if c.dep_ == "appos" and self.mention(c)]
            m = next((n for n in named if n.label == "PERSON"), m)
        if m and m.label == "PERSON":
            return m.canonical, self.side.get(m.canonical), True
        if m and m.side:  # an organisation or government: its side, no person
            return None, m.side, True
        role = self.role_anaphor(head)
        if role:
            return role, self.side.get(role), True
        if head.lower_ in PRONOUNS or (head.lower_ in ROLE_HEADS and any(
                c.lower_ == "the" for c in head.children)):
            who = self.pronoun(head)
            return who, self.side.get(who) if who else None, who is not None or head.lower_ in PRONOUNS
        return None, None, False

    def role_anaphor(self, head: Token) -> str | None:
        """The article's person a bare title stands for ("The Secretary emphasized …", "Chinese
        FM says …", "the commerce secretary"): the most-mentioned person whose role has the
        title's words; None when no one or several fit equally."""
        words = {ROLE_ALIASES.get(head.lower_, head.lower_)} | {
            ROLE_ALIASES.get(c.lower_, c.lower_) for c in head.children
            if c.dep_ in {"compound", "amod"} and c.i < head.i and c.lower_ not in NATIONALITY}
        if not (set(" ".join(words).split()) & ROLE_HEADS) or not (
                any(c.lower_ == "the" for c in head.children) or len(words) > 1 or head.lower_ in ROLE_ALIASES):
            return None
        found = [(self.mentions.get(p.canonical, 0), p.canonical) for p in self.persons
                 if p.role and all(w in p.role.lower() for w in words) and not p.role.lower().startswith("former")
                 and _role_head(p.role) in words | {w.split()[-1] for w in words}]
        found.sort(reverse=True)
        if not found or len(found) > 1 and found[0][0] == found[1][0]:
            return None
        return found[0][1]

    def _adjacent(self, verb: Token):
        """Parser fallback for inversions: a person named right after the verb ("said Chong"),
        never the verb's object or addressee ("told Blinken")."""
        for t in self.doc[verb.i + 1:verb.i + 3]:
            if t.pos_ == "ADP" or verb.lemma_ in ADDRESSEE_CUES:
                break
            m = self.mention(t)
            span = self.doc.char_span(m.start, m.end, alignment_mode="expand") if m else None
            if span is not None and span.root.dep_ in ADDRESSEE_DEPS:
                break
            if m and m.label == "PERSON":
                return m.canonical, self.side.get(m.canonical), True
        return None, None, False

    def pronoun(self, token: Token) -> str | None:
        """The person a pronoun or "the spokesperson" continues, in this or the previous
        paragraph: in the nearest sentence naming a fitting person subject or speaker, its
        main-clause subject or speaker before a subordinate one ("Blinken said that after
        Wang arrived, …. He added" is Blinken); people whose honorific (Mr./Ms.) contradicts
        the pronoun are skipped."""
        sent = self.sentences[self.sent_index(token.idx)]
        allowed = {sent.paragraph, self.prev_paragraph.get(sent.paragraph)}
        gender = PRONOUNS.get(token.lower_)
        same, nearest = [], None  # the fitting events of the nearest sentence, latest first
        for k in range(bisect.bisect_left(self.events, (token.idx,)) - 1, -1, -1):
            char, who, main = self.events[k]
            at = self.sent_index(char)
            if self.sentences[at].paragraph not in allowed or (nearest is not None and at != nearest):
                break
            if gender is None or self.gender.get(who, gender) == gender:
                same.append((who, main))
                nearest = at
        if not same:
            return None
        return next((who for who, main in same if main), same[0][0])

    def add_speaker(self, char: int, who: str | None, side: str | None, cue: str | None):
        if who:
            bisect.insort(self.events, (char, who, True))
        if who or side:
            paragraph = self.sentences[self.sent_index(char)].paragraph
            bisect.insort(self.speakers.setdefault(paragraph, []), (char, who, side, cue), key=lambda sp: sp[0])

    def last_speaker(self, char: int):
        """(who, side, cue) of the latest speaker before char in the same paragraph."""
        spoken = self.speakers.get(self.sentences[self.sent_index(char)].paragraph, [])
        end = bisect.bisect_left(spoken, char, key=lambda sp: sp[0])
        if not end:
            return None
        latest = spoken[end - 1][0]
        return max(spoken[bisect.bisect_left(spoken, latest, key=lambda sp: sp[0]):end])[1:]

    def sent_index(self, char: int) -> int:
        lo, hi = 0, len(self.sentences) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.sentences[mid].start <= char:
                lo = mid
            else:
                hi = mid - 1
        return lo


def _role_head(role: str) -> str:
    """The title a role is named by: 'US Secretary of State' -> secretary, 'Chinese President and
    CCP General Secretary' -> president, 'US Treasury Secretary' -> secretary."""
    first = re.split(r",| and | of | for | to ", role.lower())[0].split()
    return first[-1] if first else ""


def _genders(doc: Doc, mentions: list[Mention]) -> dict[str, str]:
    """Gender only where the article gives an honorific (Mr. Blinken, Ms. Yellen)."""
    out = {}
    for m in mentions:
        if m.label == "PERSON":
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None and span.start > 0:
                g = HONORIFICS.get(doc[span.start - 1].lower_)
                if g:
                    out.setdefault(m.canonical, g)
    return out


def extract_quotes(doc: Doc, sentences: list[Sentence], mentions: list[Mention],
                   persons: list[Person]) -> list[Quote]:
    """Direct and reported quotes of one article, in text order.

    doc: the parsed cleaned text; sentences[i] is list(doc.sents)[i]; mentions and persons
    from core.voices.people.extract_people (speakers are their canonical names).
    """
    if not sentences:
        return []
    text = doc.text
    quoted = find_direct_quotes(text)
    in_quote = _char_mask(len(text), quoted)
    resolver = SpeakerResolver(doc, sentences, mentions, persons, in_quote)
    reported = _reported(doc, sentences, resolver, in_quote)
    quotes: list[Quote] = []
    for k, seg in enumerate(quoted):
        _attribute(doc, seg, resolver, in_quote)
        if not seg.attributed and seg.continues and k and quoted[k - 1].attributed:
            prev = quoted[k - 1]
            seg.speaker, seg.side, seg.cue, seg.attributed = prev.speaker, prev.side, prev.cue, True
        if not seg.attributed:
            _inherit(doc, seg, quoted[k + 1:], resolver, in_quote)
        if seg.attributed:
            resolver.add_speaker(seg.start, seg.speaker, seg.side, seg.cue)
    blocks = _colon_blocks(doc, sentences, resolver)
    for seg in quoted:
        block = blocks.get(sentences[resolver.sent_index(seg.start)].paragraph)
        if block and (not seg.attributed or seg.continues):
            seg.speaker, seg.side, seg.cue = block
        said = resolver.text[seg.start:seg.end]
        words = re.findall(r"[\w’'-]+", said)
        if not seg.continues and (len(words) < MIN_DIRECT_WORDS or all(w[:1].isupper() for w in words)):
            continue  # a scare-quoted word, a term or a title ("China Threat Theory"), not speech
        quotes.append(Quote(resolver.sent_index(seg.start), seg.start, seg.end, said, seg.speaker,
                            seg.side, seg.cue, "direct", main=seg.cue not in (None, "turn", "according")))
    quotes += _unmarked_blocks(doc, sentences, blocks, in_quote, resolver)
    direct = {q.start: q for q in quotes if q.kind == "direct"}
    reported = [q for q in reported if not _lead_in(resolver.text, in_quote, q, direct)]
    return sorted(quotes + reported, key=lambda q: (q.start, q.kind))


def _lead_in(text: str, in_quote: bytearray, quote: Quote, direct: dict[int, Quote]) -> bool:
    """A reported clause that runs on into a longer direct quote of the same speaker ("told reporters
    that one of his main goals was “to disabuse …”"): its unquoted start is the lead-in, not words
    of its own; the quote is the words. A quote shorter than the lead-in ("made the US “extremely
    angry”") is a scare quote in a report, and the report stays."""
    nxt = quote.end + len(text[quote.end:]) - len(text[quote.end:].lstrip(" “\"‘'"))
    follow = direct.get(nxt)
    return (follow is not None and follow.speaker == quote.speaker and not in_quote[quote.end - 1]
            and len(follow.text.split()) >= max(MIN_DIRECT_WORDS, len(quote.text.split())))


def _inherit(doc: Doc, seg: Segment, later: list[Segment], resolver: SpeakerResolver, in_quote):
    """An unattributed quote: a continued quote or the paragraph's last speaker; a sentence that
    is only a quote may also take the speaker named in the next sentence ("“…” Xi said …")."""
    prev = resolver.last_speaker(seg.start)
    if prev:
        seg.speaker, seg.side, seg.cue = prev
        seg.attributed = True
        return
    sent = doc.char_span(seg.start, seg.end, alignment_mode="expand")
    if sent is None or resolver.text[sent.sent.start_char:seg.start].strip() not in "\"“«‘":
        return
    nxt = sent[-1].sent.end
    if nxt < len(doc) and later and doc[nxt].sent.start_char <= later[0].start < doc[nxt].sent.end_char:
        probe = Segment(later[0].start, later[0].end)
        _attribute(doc, probe, resolver, in_quote)
        if probe.speaker:
            seg.speaker, seg.side, seg.cue, seg.attributed = probe.speaker, probe.side, probe.cue, True
    elif nxt < len(doc) and _bare_attribution(doc[nxt].sent, in_quote):
        who, side, _ = resolver.subject(doc[nxt].sent.root)
        if who:
            seg.speaker, seg.side, seg.cue, seg.attributed = who, side, doc[nxt].sent.root.lemma_.lower(), True


def _bare_attribution(sent, in_quote: bytearray) -> bool:
    """A short sentence that only says who spoke ("Wang asked.", "he added."), which the
    splitter cut from the question or exclamation it attributes ('"… a downward spiral?" Wang asked.')."""
    return (len(sent) <= 6 and sent.root.lemma_.lower() in SPEECH_VERBS and sent.root.pos_ == "VERB"
            and not any(in_quote[sent.start_char:sent.end_char])
            and not any(c.dep_ in {"ccomp", "xcomp"} for c in sent.root.children))


def _char_mask(n: int, segments: list[Segment]) -> bytearray:
    mask = bytearray(n + 1)
    for s in segments:
        mask[max(0, s.start - 1):min(n, s.end + 1)] = b"\x01" * (min(n, s.end + 1) - max(0, s.start - 1))
    return mask


def _cue_tokens(doc: Doc, start: int, end: int, in_quote: bytearray) -> list[Token]:
    span = doc.char_span(start, end, alignment_mode="expand")
    return [t for t in span if t.lemma_.lower() in SPEECH_VERBS and t.pos_ in {"VERB", "AUX", "NOUN"}
            and not in_quote[t.idx] and _speech_use(t)] if span is not None else []


FUTURE_AUX = {"will", "shall", "'ll", "’ll"}


def _speech_use(t: Token) -> bool:
    """Whether a speech verb reports speech here. A verb in the future ("The Secretary will raise
    …", "he will urge …") announces a plan, in the words of whoever says so: not a report."""
    verb = t.head if t.dep_ == "conj" else t
    if any(c.dep_ == "aux" and c.lower_ in FUTURE_AUX for c in (*t.children, *verb.children)):
        return False
    lemma = t.lemma_.lower()
    if lemma == "point":
        return any(c.dep_ == "prt" and c.lower_ == "out" for c in t.children) or any(
            c.dep_ == "prep" and c.lower_ == "to" for c in t.children)
    if lemma == "make":  # "made clear", "made it clear that"
        return any(c.lower_ == "clear" for c in t.children)
    if lemma == "put":   # "put forward"
        return any(c.lower_ == "forward" for c in t.children)
    if lemma in {"call", "report", "post", "agree", "express", "describe", "question", "observe", "state"}:
        return t.pos_ == "VERB" and t.dep_ not in {"amod", "compound"}
    return t.pos_ in {"VERB", "AUX"}


def _attribute(doc: Doc, seg: Segment, resolver: SpeakerResolver, in_quote: bytearray):
    """Speaker of a direct quote from a speech verb or 'according to' in its sentence(s)."""
    first = doc.char_span(seg.start, seg.end, alignment_mode="expand")
    if first is None:
        return
    sents = {t.sent for t in (first[0], first[-1])}
    start = min(s.start_char for s in sents)
    end = max(s.end_char for s in sents)
    cues = _cue_tokens(doc, start, end, in_quote)
    cues.sort(key=lambda t: min(abs(t.idx - seg.end), abs(t.idx - seg.start)))
    for cue in cues:
        who, side, found = resolver.subject(cue)
        if found:
            seg.speaker, seg.side, seg.cue, seg.attributed = who, side, cue.lemma_.lower(), True
            return
    according = _according(doc, start, end, resolver)
    if according:
        seg.speaker, seg.side = according
        seg.cue, seg.attributed = "according", True


def _according(doc: Doc, start: int, end: int, resolver: SpeakerResolver):
    """(speaker, side) of 'according to X' where X itself is a person or an organisation."""
    span = doc.char_span(start, end, alignment_mode="expand")
    for t in span if span is not None else []:
        if t.lower_ == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to":
            objs = [c for c in doc[t.i + 1].children if c.dep_ == "pobj"]
            if objs:
                who, side, found = resolver._who(objs[0])
                if who or side:
                    return who, side
    return None


def _colon_blocks(doc: Doc, sentences: list[Sentence], resolver: SpeakerResolver) -> dict:
    """Paragraph -> (speaker, side, cue) for paragraphs introduced by 'X said, adding:' or
    spoken in a transcript turn ('Levine: ...', continued until the next heading or turn)."""
    paragraphs: dict[int, list[Sentence]] = {}
    for s in sentences:
        paragraphs.setdefault(s.paragraph, []).append(s)
    order = sorted(paragraphs)
    blocks, turn = {}, None
    for k, p in enumerate(order):
        first, last = paragraphs[p][0], paragraphs[p][-1]
        label = LABEL_LINE.match(resolver.text[first.start:last.end])  # the parser may split "MR | MILLER:"
        if label:
            who = _label_speaker(doc, first.start, first.start + label.end(1), resolver)
            turn = (who, resolver.side.get(who), "turn") if who else None
            if turn:
                blocks[p] = turn
                continue
        if any(s.is_heading for s in paragraphs[p]) or resolver.text[first.start:last.end].rstrip().endswith("?"):
            turn = None
        elif turn:
            blocks[p] = turn
        if resolver.text[last.start:last.end].rstrip().endswith(":") and k + 1 < len(order):
            cues = _cue_tokens(doc, last.start, last.end, bytearray(len(resolver.text) + 1))
            for cue in cues[::-1]:
                who, side, _ = resolver.subject(cue)
                if not (who or side):
                    who, side, _ = resolver.last_speaker(cue.idx) or (None, None, None)
                if who or side:
                    blocks[order[k + 1]] = (who, side, cue.lemma_.lower())
                    break
    return blocks


def _label_speaker(doc: Doc, start: int, end: int, resolver: SpeakerResolver) -> str | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    for t in span if span is not None else []:
        m = resolver.mention(t)
        if m and m.label == "PERSON":
            return m.canonical
    return None


def _unmarked_blocks(doc, sentences, blocks, in_quote, resolver) -> list[Quote]:
    """Whole paragraphs spoken by a block's speaker where no quotation marks say so."""
    out = []
    for s in sentences:
        block = blocks.get(s.paragraph)
        if not block or s.is_heading or in_quote[s.start] or not block[0] and not block[1]:
            continue
        start = s.start
        label = LABEL_LINE.match(s.text)
        if label and _label_speaker(doc, s.start, s.start + label.end(1), resolver):
            start += label.end()
        text = resolver.text[start:s.end].rstrip()
        if len(text.split()) >= MIN_DIRECT_WORDS and not any(in_quote[start:start + len(text)]):
            out.append(Quote(s.idx, start, start + len(text), text, block[0], block[1], block[2], "direct"))
    return out


def _reported(doc: Doc, sentences: list[Sentence], resolver: SpeakerResolver, in_quote) -> list[Quote]:
    """'X said (that) …', '…, said X', 'X warned of …', 'according to X, …' outside quotes.

    A cue inside another reported clause ("Sun said the Chinese will demand …") is part of
    that speaker's words, not a second quote.
    """
    out = []
    for s in sentences:
        if s.is_heading and not s.is_title:  # the headline may carry words ("Raimondo says …"), crossheads not
            continue
        found = []
        for cue in _cue_tokens(doc, s.start, s.end, in_quote):
            main = cue
            while main.dep_ == "conj":
                main = main.head
            who, side, _ = resolver.subject(cue)
            content = _content(doc, cue, in_quote)
            if not (who or side):
                continue
            if not content and who and main.dep_ == "ROOT" and cue.lemma_.lower() in NOUN_OBJECT_CUES:
                content = _object_content(doc, cue, in_quote)
            if (not content and who and main.dep_ == "ROOT" and cue.lemma_.lower() in LOOSE_CUES
                    and not any(in_quote[s.start:cue.idx])):  # after a quote ("…,” he told reporters) the cue attributes it
                content = _rest_of_sentence(doc, cue, in_quote)  # "Li Qiang said, expanding …" (translation)
            if not content or _mostly_quoted(in_quote, content):
                resolver.add_speaker(cue.idx, who, side, cue.lemma_.lower())  # "X criticized: “…”"
                continue
            found.append((cue, content, who, side, main.dep_ == "ROOT"))
        for cue, content, who, side, main in found:
            if any(c[0] <= cue.idx < c[1] for _, c, _, _, _ in found):
                continue
            resolver.add_speaker(cue.idx, who, side, cue.lemma_.lower())
            out.append(Quote(s.idx, content[0], content[1], resolver.text[content[0]:content[1]], who, side,
                             cue.lemma_.lower(), "reported", main=main))
        according = _according(doc, s.start, s.end, resolver)
        if according and not found and not any(in_quote[s.start:s.end]):
            text = resolver.text[s.start:s.end].rstrip()
            resolver.add_speaker(s.start, according[0], according[1], "according")
            out.append(Quote(s.idx, s.start, s.start + len(text), text, according[0], according[1],
                             "according", "reported"))
    return out


def _after_that(doc: Doc, tokens: list[int]) -> list[int]:
    """"criticized at the time that …": the message starts at the clause's "that"."""
    lead = next((k for k, i in enumerate(tokens[:6]) if doc[i].lower_ == "that" and doc[i].head.i > i
                 and doc[i].head.pos_ in {"VERB", "AUX"}), None)
    return tokens[lead:] if lead else tokens


def _object_content(doc: Doc, cue: Token, in_quote: bytearray) -> tuple[int, int] | None:
    """What a noun-object cue carries: the cue's subtree after it ("raised concerns about …")."""
    tokens = _after_that(doc, sorted(t.i for c in cue.children if c.i > cue.i and c.dep_ not in {"punct", "cc", "conj"}
                                     for t in c.subtree))
    if tokens and doc[tokens[0]].lower_ == "that":
        tokens = tokens[1:]
    while tokens and (doc[tokens[-1]].is_punct or doc[tokens[-1]].is_space):
        tokens.pop()
    if len(tokens) < MIN_DIRECT_WORDS:
        return None
    return _whole(doc, min(tokens), max(tokens), in_quote)


def _rest_of_sentence(doc: Doc, cue: Token, in_quote: bytearray) -> tuple[int, int] | None:
    """The words after a main-verb cue to the sentence's end, when the parser hung no clause on it."""
    tokens = [t.i for t in doc[cue.i + 1:cue.sent.end] if not t.is_space]
    while tokens and (doc[tokens[0]].is_punct or doc[tokens[0]].lower_ == "that"):
        tokens.pop(0)
    while tokens and doc[tokens[-1]].is_punct:
        tokens.pop()
    if len(tokens) < MIN_DIRECT_WORDS or _mostly_quoted(in_quote, (doc[tokens[0]].idx, doc[tokens[-1]].idx + 1)):
        return None
    return _whole(doc, tokens[0], tokens[-1], in_quote)


def _mostly_quoted(in_quote: bytearray, span: tuple[int, int]) -> bool:
    """The clause is a direct quote after at most a lead-in ("X criticized: “…”", "one of his
    main goals was “…”"): it ends in one quotation that covers most of it. A clause with quoted
    words inside ("said the US should not “arbitrarily” interfere") or that goes on after its
    quotation ("“decoupling …” was not a U.S. goal") is a report, whole."""
    start, end = span
    run = end
    while run > start and in_quote[run - 1]:
        run -= 1
    return (end - run) * 2 > end - start


def _stray_that_clause(cue: Token) -> list[Token]:
    """A "that"-clause the parser hung on a word after the cue instead of the cue itself
    ("told visiting U.S. officials in April that …" puts it under "visiting")."""
    return [g for c in cue.children if c.i > cue.i and c.dep_ in {"xcomp", "dobj", "dative", "prep", "npadvmod"}
            for g in c.subtree if g.dep_ == "ccomp" and g.head.i > cue.i
            and any(m.dep_ == "mark" and m.lower_ == "that" for m in g.children)][:1]


def _content(doc: Doc, cue: Token, in_quote: bytearray) -> tuple[int, int] | None:
    """Char span of what was said: the verb's clause (or, for cues like 'urge', its infinitive),
    or the rest of the sentence around a parenthetical or inverted cue ("…, he says, …").
    A direct quote at either edge is left to the direct-quote pass ("“…,” both sides are
    eroding confidence, says X" reports only the unquoted middle)."""
    subj = {t.i for c in cue.children if c.dep_ in {"nsubj", "nsubjpass"} for t in c.subtree}
    if _as_said(cue):
        root = cue.sent.root  # the main clause: not a turn label before it, nor the occasion ("when he was in …,")
        lead = max([cue.right_edge.i] + [c.i for c in cue.sent if c.text == "," and c.i < root.i])
        return (_trimmed(doc, [t.i for t in cue.sent if t.i > lead], in_quote)
                or _trimmed(doc, [t.i for t in cue.sent if t.i < cue.left_edge.i], in_quote))
    parts = [c for c in cue.children if c.dep_ == "ccomp"] or _stray_that_clause(cue)
    if not parts and cue.lemma_.lower() in OBJECT_CUES:
        parts = [c for c in cue.children if c.i > cue.i and c.dep_ in OBJECT_DEPS]
    tokens = sorted({t.i for c in parts for t in c.subtree} - subj)
    sent = cue.sent
    inverted = any(i > cue.i for i in subj) or cue.dep_ == "parataxis"
    if not parts and inverted and any(t.text == "," for t in doc[max(sent.start, cue.i - 3):cue.i]):
        inside = {t.i for t in cue.subtree} if cue.dep_ != "ROOT" else {cue.i} | subj
        tokens = [t.i for t in sent if t.i not in inside and t.i < cue.i or
                  cue.dep_ != "ROOT" and t.i not in inside]
    return _trimmed(doc, tokens, in_quote)


def _as_said(cue: Token) -> bool:
    """"As the Secretary said when he was in Beijing, there's no substitute for …": a cue in an
    "as" clause with nothing said of its own makes the main clause the cue's subject's words (a
    spokesperson citing the minister, the labels' convention)."""
    return cue.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "as" for c in cue.children) and not any(
        c.dep_ in {"ccomp", "dobj", "obj", "xcomp"} or c.dep_ == "punct" and c.text == ":" for c in cue.children)


def _trimmed(doc: Doc, tokens: list[int], in_quote: bytearray) -> tuple[int, int] | None:
    """The clause's char span without its edge punctuation or leading "that"; None when too short."""
    while tokens and (doc[tokens[-1]].is_punct or doc[tokens[-1]].is_space):
        tokens.pop()
    tokens = _after_that(doc, tokens)
    while tokens and (doc[tokens[0]].is_punct or doc[tokens[0]].lower_ == "that"):
        tokens.pop(0)
    if len(tokens) < MIN_DIRECT_WORDS:
        return None
    return _whole(doc, tokens[0], tokens[-1], in_quote)


def _whole(doc: Doc, first: int, last: int, in_quote: bytearray) -> tuple[int, int]:
    """Char span of tokens first..last, widened over a quotation the clause starts or ends
    inside ("it would be “disastrous,”", "“decoupling …” was not a U.S. goal"), marks included,
    within the sentence: a partial quotation is part of the reported clause, not its edge."""
    sent = doc[first].sent
    start, end = doc[first].idx, doc[last].idx + len(doc[last])
    while start > sent.start_char and in_quote[start - 1]:
        start -= 1
    while end < sent.end_char and in_quote[end]:
        end += 1
    return start, end


def quote_in_sentence(sentence: str, quote: str) -> tuple[str, str, str]:
    """(before, quote, after): the sentence(s) around a quote, so a reader sees the quote whole
    and in place ("Mr. Blinken told reporters that [one of his main goals was] “…”"); the
    quote is matched ignoring quotation-mark style and spacing; ("", quote, "") if not found."""
    from core.evaluate import locate

    span = locate(quote, sentence) if sentence else None
    if span is None:
        return "", quote, ""
    return sentence[:span[0]], sentence[span[0]:span[1]], sentence[span[1]:]
