"""People, organisations and places named in one article, resolved to canonical names.

Resolution is per article, because a bare surname only means something next to the full
names around it:
1. Every spaCy entity is trimmed to the name it carries: leading titles ("US Secretary of
   State", "Mr.", "Foreign Minister"), possessives ("Sullivan's", "Sullivan’s", "USIP’s
   Rosie Levine") and junk that is not a name (lowercase words, line breaks) are cut off.
2. Full names (two tokens or more) define the article's people: catalogue names and aliases
   map to the catalogue canonical, other full names are their own canonical (two forms with
   the same first and last token merge into the longest).
3. Single names resolve through the first and last token of those full names, so "Blinken"
   finds "Antony Blinken" and "Xi" or "Wang" find "Xi Jinping" or "Wang Yi" (Chinese names
   put the surname first). A single name shared by two people ("Wang" with "Wang Yi" and
   "Wang Wenbin") resolves only when the title before it fits one of their roles ("Premier
   Li"); otherwise it is dropped rather than guessed. With no full name in the article, a
   surname unique in the catalogue resolves to it; else the single name is its own person.
4. Model errors are repaired by those same keys: an ORG/GPE entity whose trimmed text is a
   known person name ("Scobell" as ORG, "Chong" as GPE) becomes a person mention, and
   known names the model missed (often in headlines) are swept up token by token.
Side and role come from the catalogue, else from the words around a mention: a pre-modifier
("China's Foreign Ministry spokesperson Wang Wenbin") or an apposition ("Allen Carlson, a
professor at Cornell University"). Scholars, analysts and former officials are 'Other';
a current government title takes the side of the first country word next to it.

Organisations and places keep their own mentions. Country names are canonicalised ("U.S.",
"US", "the United States", "America" -> "United States"), but capital-city metonyms
("Washington", "Beijing") stay distinct: they usually mean the government, not the country,
and an analyst may want to see that. Both carry the country's side.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from core.catalogs import NOT_IN_OFFICE, Actor, Catalogs
from core.model import Mention, Person, Sentence

PLACE_LABELS = ("ORG", "GPE", "LOC", "NORP", "FAC")
POSSESSIVE = {"'s", "’s", "'", "’", "'S", "’S"}
# Words that may precede a name in a title chain; stripped from a name span's start.
TITLE_WORDS = {
    "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "dr", "dr.", "prof", "prof.", "sir", "dame",
    "madam", "madame", "lord", "comrade", "president", "vice", "premier", "prime", "minister",
    "secretary", "foreign", "defense", "defence", "state", "treasury", "commerce", "trade",
    "spokesperson", "spokesman", "spokeswoman", "ambassador", "envoy", "special", "senior",
    "top", "chief", "leader", "director", "general", "gen", "gen.", "admiral", "adm", "adm.",
    "senator", "sen", "sen.", "rep", "rep.", "representative", "congressman", "congresswoman",
    "speaker", "house", "chairman", "chairwoman", "chair", "governor", "gov.", "mayor", "deputy",
    "assistant", "under", "national", "security", "adviser", "advisor", "counselor", "councilor",
    "state-councilor", "professor", "diplomat", "former", "then", "then-", "acting", "us", "u.s.",
    "chinese", "china", "american", "executive", "the", "a", "an", "of", "for", "lt.", "col.",
    "colonel", "captain", "commander", "justice", "judge", "king", "queen", "prince", "pope",
    "ministry", "department", "public", "affairs", "climate", "party", "general-secretary",
    "politburo", "standing", "committee", "member", "officer", "official", "analyst", "expert",
    "economist", "scholar", "researcher", "fellow", "lawmaker", "counterpart", "head", "host",
}
NAME_TOKEN = re.compile(r"^(?:[A-Z][\w'’\-.]*|[A-Z]\.?)$")
NAME_SUFFIXES = {"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"}
NAME_PARTICLES = {"von", "van", "der", "de", "da", "di", "bin", "al", "al-", "la", "le", "du"}
# A last word that makes a "name" a place: "Second Thomas Shoal", "Sabina Shoal", "Huangyan Dao",
# "Ren'ai Jiao" (pinyin: island, reef), "Chaoyangmen Nandajie" (avenue).
PLACE_ENDINGS = {"shoal", "reef", "reefs", "island", "islands", "atoll", "strait", "bay", "sea", "dao", "jiao",
                 "yu", "dajie", "nandajie", "beidajie", "lu", "street", "avenue", "road"}
COUNTRY_CANON = {
    "us": "United States", "u.s.": "United States", "u.s": "United States", "usa": "United States",
    "u.s.a.": "United States", "united states": "United States", "america": "United States",
    "united states of america": "United States", "china": "China", "prc": "China",
    "people's republic of china": "China", "mainland china": "China", "uk": "United Kingdom",
    "u.k.": "United Kingdom", "britain": "United Kingdom", "great britain": "United Kingdom",
    "united kingdom": "United Kingdom", "russia": "Russia", "russian federation": "Russia",
    "americans": "American", "chinese": "Chinese", "american": "American",
}
PLACE_SIDES = {"United States": "US", "Washington": "US", "American": "US",
               "China": "China", "Beijing": "China", "Chinese": "China"}
COUNTRY_FORM = r"(?:U\.?S\.?A?|America|China|Sino|Chinese|American)"
COMPOUND_JUNK = re.compile(rf"^{COUNTRY_FORM}\s*[-–]\s*{COUNTRY_FORM}$")

# Side and role from the words next to a mention.
ROLE_NOUNS = {
    "secretary", "minister", "ministry", "director", "chief", "spokesperson", "spokesman",
    "spokeswoman", "ambassador", "envoy", "adviser", "advisor", "president", "premier", "leader",
    "chairman", "chairwoman", "chair", "head", "professor", "fellow", "analyst", "expert",
    "scholar", "researcher", "academic", "specialist", "commander", "general", "admiral",
    "officer", "official", "diplomat", "counselor", "councilor", "deputy", "speaker", "senator",
    "representative", "congressman", "congresswoman", "lawmaker", "governor", "mayor", "member",
    "counterpart", "economist", "journalist", "reporter", "editor", "correspondent", "negotiator",
    "spokesperson", "lecturer", "executive", "ceo", "founder", "strategist", "consultant",
    "attorney", "lawyer", "commentator", "columnist", "observer", "state", "affairs", "defense",
}
SCHOLARLY = re.compile(
    r"\b(professor|scholar|analyst|expert|fellow|researcher|academic|specialist|lecturer|"
    r"think[- ]tank|university|institute|institution|college|school|program|programme|"
    r"center|centre|foundation|economist|journalist|reporter|editor|columnist|commentator|"
    r"observer|consultant|strategist|author|historian)\b")
FORMER = re.compile(r"\b(former|ex-|retired|who served|once served|previously)\b")
GOVERNMENT = re.compile(
    r"\b(minister|ministry|secretary|spokesperson|spokesman|spokeswoman|ambassador|envoy|"
    r"president|premier|leader|official|diplomat|adviser|advisor|general|admiral|senator|"
    r"congressman|congresswoman|lawmaker|representative|speaker|governor|commander|chief|"
    r"counterpart|department|administration|white house|pentagon|cia|fbi|treasury|"
    r"state council|politburo|foreign affairs|military|army|navy|communist party|embassy|"
    r"consul|negotiator|trade representative|director|chairman|vice)\b")
US_WORDS = re.compile(
    r"\b(us|u\.s\.?|united states|american|america|washington|white house|pentagon|"
    r"state department|cia|fbi|congress|senate|senator|congressman|congresswoman|biden|trump|"
    r"secretary of state|secretary of defense|treasury secretary|commerce secretary|"
    r"indo-pacific command|house speaker)(?![\w-])")
CHINA_WORDS = re.compile(
    r"\b(china|chinese|beijing|prc|ccp|cpc|communist party|pla|people's liberation army|"
    r"xinhua|state council|politburo|foreign ministry|ministry of foreign affairs|premier|"
    r"vice premier|state councilor|central military commission)(?![\w-])")
OTHER_WORDS = re.compile(
    r"\b(taiwan|taiwanese|russia|russian|japan|japanese|philippine|philippines|filipino|"
    r"britain|british|uk|european|eu|ukraine|ukrainian|israel|israeli|korea|korean|india|"
    r"indian|australia|australian|france|french|germany|german|singapore|singaporean|canada|"
    r"canadian|nato|united nations|un|iran|iranian|vietnam|vietnamese|indonesia|indonesian|"
    r"malaysia|malaysian|thai|thailand|pakistan|pakistani|kremlin|moscow|tokyo|taipei|"
    r"manila|seoul|london|paris|berlin|brussels|canberra|delhi|kyiv|kiev)\b")
# The side a person acts for, said outright ("who leads the Chinese side", "his US counterpart").
SIDE_PHRASE = re.compile(
    r"\b(?:(?:leads?|led|heads?|headed|of|on|for) the (chinese|u\.?s\.?|american|united states) "
    r"(?:side|delegation|team)|(chinese|u\.?s\.?|american) (?:counterparts?|delegation|side|team))\b")
# Common short forms of English first names: "Matt" in a transcript is the article's Matthew X.
SHORT_FORMS = {"Matthew": "Matt", "Antony": "Tony", "Anthony": "Tony", "James": "Jim",
               "William": "Bill", "Michael": "Mike", "Daniel": "Dan", "Robert": "Bob",
               "Christopher": "Chris", "Nicholas": "Nick", "Thomas": "Tom", "Joseph": "Joe"}
INITIAL = re.compile(r"^[A-Z]\.?$")
# A transcript turn: a capitalised speaker label opening the line ("MR MILLER:", "MS. MAO:").
LABEL_NAME = re.compile(r"^[ \t]*((?:[A-Z][A-Z.’'\-]*[ \t]+){0,3}[A-Z][A-Z’'\-]+|[A-Z][a-z’'\-]+)[ \t]*:[ \t]",
                        re.MULTILINE)
APPOSITION_START = {"a", "an", "the", "who", "former", "then", "now", "also"}
APPOSITION_STOP = {",", ";", "(", ")", "—", "–", ":", "\"", "“", "”"}
LEFT_STOP_POS = {"VERB", "AUX", "CCONJ", "SCONJ", "PRON", "PUNCT", "SPACE", "NUM", "ADV"}


def norm(text: str) -> str:
    """Compare names ignoring apostrophe style and spacing."""
    return " ".join(text.replace("’", "'").replace("\u00a0", " ").split())


@dataclass
class ActorIndex:
    """Catalogue look-ups: exact forms, and surnames that point to exactly one person."""

    by_form: dict[str, Actor]
    by_canonical: dict[str, Actor]
    by_surname: dict[str, list[Actor]]

    @classmethod
    def build(cls, actors: list[Actor]) -> "ActorIndex":
        by_form, by_surname = {}, defaultdict(list)
        for actor in actors:
            for form in (actor.canonical, *actor.aliases):
                by_form[norm(form)] = actor
            if actor.type == "person":
                parts = norm(actor.canonical).split()
                if len(parts) > 1:
                    surname = parts[0] if actor.side == "China" or _chinese_order(parts) else parts[-1]
                    by_surname[surname].append(actor)
        return cls(by_form, {a.canonical: a for a in actors}, dict(by_surname))

    def misspelt(self, toks: list[str]) -> Actor | None:
        """The catalogue person a full name misspells ("Janet Yellin"): same first name, a
        surname one letter off (5 letters or more); None unless exactly one fits."""
        found = {a.canonical: a for a in self.by_form.values() if a.type == "person"
                 and len(parts := norm(a.canonical).split()) == len(toks) and parts[0] == toks[0]
                 and len(toks[-1]) >= 5 and _one_edit(parts[-1], toks[-1])}
        return next(iter(found.values())) if len(found) == 1 else None

    def unique_surname(self, token: str) -> Actor | None:
        found = self.by_surname.get(token, [])
        return found[0] if len(found) == 1 else None


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one substitution, insertion or deletion (not equal)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


# A line that credits people rather than names them in the story: a byline ("By A, B and C,
# CNN", "From CNN's A", "Analysis by A", "Editor: A"), a photo credit ("Credit...Pool photo by
# A", "© A / POOL/AFP", "(AP Photo/A)"), a contribution line ("A contributed to this report"),
# an author's bio ("A is a former … and a senior adviser at …", at the end).
CREDIT_LINE = re.compile(
    r"^\s*(?:by|analysis by|from \w+['’]s|photo|credit|reporting by|writing by|posted by|edited by|compiled by)\b|"
    r"^\s*(?:editor|author|responsible editor)\s*:|"
    r"credit\.\.\.|©|\bphoto(?:graph)? by\b|\bpool photo\b|/\s*(?:AP|AFP|Reuters|Getty|EPA|POOL|Xinhua)\b|"
    r"\bcontributed to this report\b|\bAP Photo\b", re.I)
BIO_LINE = re.compile(r"^\s*(?:editor['’]s note:\s*)?(?:(?:Mr|Ms|Dr)\.? [A-Z][\w'’-]+|[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3}),? "
                      r"(?:is|was|served)\b")
BYLINE_PLACE = re.compile(r"^\s*[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3} in [A-Z][\w-]+\s*$")


def _credit_lines(text: str) -> list[tuple[int, int]]:
    """Spans of the lines that credit people (CREDIT_LINE; BIO_LINE in the last three lines;
    "Amy Hawkins in Beijing" alone near the top)."""
    out, pos = [], 0
    lines = text.split("\n")
    kept = [i for i, line in enumerate(lines) if line.strip()]
    tail, head = (set(kept[-3:]), set(kept[:6])) if len(kept) >= 8 else (set(), set())
    for i, line in enumerate(lines):
        if CREDIT_LINE.search(line) or i in tail and BIO_LINE.match(line) or i in head and BYLINE_PLACE.match(line):
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


CHINESE_SURNAMES = {
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun",
    "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Zheng", "Liang", "Xie", "Song", "Tang",
    "Han", "Feng", "Deng", "Cao", "Peng", "Zeng", "Xiao", "Tian", "Dong", "Pan", "Yuan", "Cai",
    "Jiang", "Yu", "Du", "Ye", "Cheng", "Wei", "Su", "Lu", "Ding", "Ren", "Shen", "Yao", "Jin",
    "Qin", "Xi", "Fu", "Mao", "Hua", "Yi", "Bai", "Kong", "Cui", "Shi", "Qian", "Fan", "Fang",
    "Tsai", "Lai", "Hsiao", "Ko", "Hou", "Chong", "Lee", "Wong", "Chan", "Ng", "Kim", "Yoon",
}


def _chinese_order(parts: list[str]) -> bool:
    """Surname first: a Chinese surname followed by one or two pinyin-like given-name parts."""
    return parts[0] in CHINESE_SURNAMES and len(parts) <= 3 and all(
        "-" in p or p[:1].isupper() and p[1:].islower() for p in parts[1:])


@dataclass
class NameSpan:
    """A trimmed name inside the doc: tokens [start, end), and what it was found as."""

    start: int
    end: int
    label: str
    ent_id: str = ""
    canonical: str | None = None

    def tokens(self, doc: Doc) -> list[str]:
        return [norm(t.text) for t in doc[self.start:self.end]]


@dataclass
class PersonInfo:
    canonical: str
    actor: Actor | None
    forms: set[str] = field(default_factory=set)
    descriptors: list[str] = field(default_factory=list)


def trim_name(span: Span) -> tuple[int, int] | None:
    """The token range of the name inside an entity span, or None if no name is left."""
    doc = span.doc
    start, end = span.start, span.end
    if end - start > 1 and doc[start].text in {"Q.", "A."} and (start == 0 or _line_break_after(doc[start - 1])):
        start += 1  # "Q. Wang said …": an interview's question label, not an initial
    inner = [t.i for t in doc[start:end - 1] if t.text in POSSESSIVE]
    if inner:  # "USIP’s Rosie Levine", "Cornell University’s Carlson"
        start = inner[-1] + 1
    while start < end and (doc[start].lower_ in TITLE_WORDS or doc[start].is_punct
                           or doc[start].is_space or doc[start].text in POSSESSIVE):
        start += 1
    while end > start and (doc[end - 1].text in POSSESSIVE or doc[end - 1].is_punct
                           and doc[end - 1].text != "." or doc[end - 1].is_space):
        end -= 1
    if end <= start:
        return None
    words = doc[start:end]
    if any("\n" in t.text or "\n" in t.whitespace_ for t in words[:-1]) or "\n" in words[-1].text:
        return None
    for i, t in enumerate(words):
        if not (NAME_TOKEN.match(t.text) or (0 < i < len(words) - 1 and t.lower_ in NAME_PARTICLES)):
            return None
        if t.is_upper and len(t.text) > 2 or COMPOUND_JUNK.match(t.text) or t.lower_ in COUNTRY_CANON:
            return None  # acronyms, "U.S.-China", country names
    if not span.ent_id_ and _whole_line(doc, start, end):
        return None  # a line that is only a "name" is a heading ("Key Concepts"), not a person
    if not any(t.pos_ == "PROPN" or t.ent_type_ == "PERSON" for t in words):
        return None
    if words[-1].lower_ in PLACE_ENDINGS and not span.ent_id_:
        return None
    return start, end


def _line_break_after(token) -> bool:
    return "\n" in token.text or "\n" in token.whitespace_


def _whole_line(doc: Doc, start: int, end: int) -> bool:
    """Tokens [start, end) are a line of their own (token checks: doc.text costs a full join)."""
    return (start == 0 or _line_break_after(doc[start - 1])) and (
        end == len(doc) or _line_break_after(doc[end - 1]) or doc[end].is_space and "\n" in doc[end].text)


class SentenceLocator:
    """Sentence index of a character offset (sentences are sorted and contiguous)."""

    def __init__(self, sentences: list[Sentence]):
        self.starts = [s.start for s in sentences]

    def __call__(self, char: int) -> int:
        return max(0, bisect.bisect_right(self.starts, char) - 1)


def extract_people(doc: Doc, sentences: list[Sentence], catalogs: Catalogs, date: dt.date | None = None):
    """(mentions, persons) for one article: every named reference, resolved to a canonical.

    doc: the parsed cleaned text; sentences[i] is list(doc.sents)[i]; catalogs: for the actor
    list; date: the article's date, for the role a catalogue person held then (office terms). Mentions cover PERSON, ORG, GPE, LOC, NORP and FAC; persons are PERSON only, with
    side, role, in_catalog and the number of name references (headline and headings included).
    """
    index = ActorIndex.build(catalogs.actors)
    locate = SentenceLocator(sentences)
    people: dict[str, PersonInfo] = {}
    person_spans: list[NameSpan] = []
    singles: list[NameSpan] = []
    others: list[Span] = []

    for ent in doc.ents:
        actor = index.by_canonical.get(ent.ent_id_) if ent.ent_id_ else None
        if ent.label_ == "PERSON" or (actor and actor.type == "person"):
            trimmed = trim_name(ent) if not actor else (ent.start, ent.end)
            if trimmed:
                name = NameSpan(*trimmed, "PERSON", ent.ent_id_)
                _register(doc, name, index, people, person_spans, singles)
            continue
        if ent.label_ in PLACE_LABELS:
            initials = _initials_name(doc, ent)
            if initials:  # "the George W Bush administration" tagged FAC
                _register(doc, initials, index, people, person_spans, singles)
            else:
                others.append(ent)

    person_spans += _label_names(doc, person_spans, people, _single_keys(people), index)
    keys = _single_keys(people)  # again: a label may have added a catalogue person
    for name in singles:
        name.canonical = _resolve_single(doc, name, keys, people, index, from_ner=True)
        if name.canonical:
            person_spans.append(name)
    place_mentions = []
    for ent in others:
        name = _person_inside(doc, ent, keys, people)
        if name is False:  # a person name we cannot resolve: neither person nor place
            continue
        if name:
            person_spans.append(name)
        else:
            place_mentions.append(ent)
    person_spans += _sweep(doc, person_spans, others, people, keys)

    person_spans.sort(key=lambda n: n.start)
    person_spans = _without_credits(doc, person_spans, people)
    lead = None
    for k, name in enumerate(person_spans):
        prev = person_spans[k - 1] if k else None
        in_list = prev is not None and doc[name.start].sent == doc[prev.start].sent and all(
            t.text == "," or t.lower_ == "and" for t in doc[prev.end:name.start]) and name.start > prev.end
        lead = (lead or prev) if in_list else None
        people[name.canonical].descriptors += _descriptors(doc, name, lead)
    persons = {c: _person(info, sum(n.canonical == c for n in person_spans), date) for c, info in people.items()}
    persons = {c: p for c, p in persons.items() if p.mentions}
    mentions = [_mention(doc, n.start, n.end, "PERSON", n.canonical, persons[n.canonical].side,
                         persons[n.canonical].role, locate) for n in person_spans]
    mentions += filter(None, (_place_mention(ent, index, locate) for ent in place_mentions))
    mentions.sort(key=lambda m: m.start)
    return mentions, sorted(persons.values(), key=lambda p: (-p.mentions, p.canonical))


def _without_credits(doc, spans: list[NameSpan], people) -> list[NameSpan]:
    """Name spans less those in credit lines, and every mention of a person first named in
    one (the author of a byline stays out of the story's people)."""
    credits = _credit_lines(doc.text)
    if not credits:
        return spans
    starts = [s for s, _ in credits]

    def credited(name: NameSpan) -> bool:
        char = doc[name.start].idx
        k = bisect.bisect_right(starts, char) - 1
        return k >= 0 and char < credits[k][1]

    first: dict[str, bool] = {}
    for n in spans:
        first.setdefault(n.canonical, credited(n) and not (people.get(n.canonical) and people[n.canonical].actor))
    return [n for n in spans if not first[n.canonical] and not credited(n)]


def _register(doc, name: NameSpan, index: ActorIndex, people, person_spans, singles):
    """Full names and catalogue forms define people now; single names wait for resolution."""
    toks = name.tokens(doc)
    text = " ".join(toks)
    actor = index.by_canonical.get(name.ent_id) or index.by_form.get(text) or (
        index.misspelt(toks) if len(toks) > 1 else None)
    if actor and actor.type == "person":
        name.canonical = actor.canonical
    elif len(toks) > 1:
        name.canonical = _merge_full_name(toks, people, person_spans)
    else:
        singles.append(name)
        return
    info = people.setdefault(name.canonical, PersonInfo(name.canonical, actor))
    info.forms.add(text)
    person_spans.append(name)


def _merge_full_name(toks: list[str], people: dict[str, PersonInfo], spans: list[NameSpan]) -> str:
    """A full name not in the catalogue: same first and last token as a known one = same person.

    When the new form is longer it becomes the canonical, and the spans already registered
    under the shorter one are renamed with it (else they would name a person that is gone)."""
    for canonical, info in list(people.items()):
        if info.actor:
            continue
        parts = canonical.split()
        if parts[0] == toks[0] and parts[-1] == toks[-1]:
            if len(toks) > len(parts):  # keep the longest full form as the canonical
                longer = " ".join(toks)
                people[longer] = people.pop(canonical)
                people[longer].canonical = longer
                for span in spans:
                    if span.canonical == canonical:
                        span.canonical = longer
                return longer
            return canonical
    return " ".join(toks)


def _single_keys(people: dict[str, PersonInfo]) -> dict[str, set[str]]:
    """First and last token of every full name -> the people they may refer to."""
    keys: dict[str, set[str]] = defaultdict(set)
    for canonical, info in people.items():
        for form in info.forms | {canonical}:
            parts = form.split()
            parts = [p for p in parts if p not in NAME_SUFFIXES]
            if len(parts) > 1:
                keys[parts[0]].add(canonical)
                keys[parts[-1]].add(canonical)
                if parts[0] in SHORT_FORMS:
                    keys[SHORT_FORMS[parts[0]]].add(canonical)
        if info.actor:
            for alias in info.actor.aliases:
                if len(alias.split()) == 1:
                    keys[norm(alias)].add(canonical)
    return keys


def _resolve_single(doc, name: NameSpan, keys, people, index: ActorIndex, from_ner: bool) -> str | None:
    """Canonical for a one-token name, or None when it is ambiguous or not a name."""
    token = name.tokens(doc)[0]
    found = keys.get(token, set())
    if len(found) > 1:
        found = _fit_title(doc, name, found, people)
    if found or not from_ner:
        return next(iter(found)) if len(found) == 1 else None
    actor = index.unique_surname(token)
    if actor:
        people.setdefault(actor.canonical, PersonInfo(actor.canonical, actor))
        return actor.canonical
    return None  # a lone capitalised word ("Progress", "Cautiously", "Gaza") is no person by itself


TITLE_HINTS = ROLE_NOUNS - {"state", "affairs", "member", "chief"} | {
    "premier", "foreign", "defense", "defence", "commerce", "public", "security", "climate",
    "trade", "treasury", "vice"}


def _fit_title(doc, name: NameSpan, candidates: set[str], people) -> set[str]:
    """The candidate whose role shares the most title words before the name (ties: all)."""
    title = {t.lower_ for t in doc[max(0, name.start - 4):name.start]} & TITLE_HINTS
    if not title:
        return candidates
    scores = {}
    for c in candidates:
        info = people[c]
        role = " ".join([info.actor.role or "" if info.actor else ""] + info.descriptors).lower()
        scores[c] = len(title & set(re.findall(r"[\w-]+", role)))
    best = max(scores.values())
    return {c for c, v in scores.items() if v == best} if best else candidates


def _person_inside(doc, ent: Span, keys, people) -> NameSpan | None | bool:
    """A person name hidden in an ORG/GPE/... entity; False when it is an unresolvable one."""
    trimmed = trim_name(ent)
    if not trimmed:
        return None
    name = NameSpan(*trimmed, "PERSON")
    text = " ".join(name.tokens(doc))
    for canonical, info in people.items():
        if text in info.forms or text == canonical:
            name.canonical = canonical
            return name
    if name.end - name.start == 1 and text in keys:
        found = keys[text]
        if len(found) > 1:
            found = _fit_title(doc, name, found, people)
        if len(found) == 1:
            name.canonical = next(iter(found))
            return name
        return False
    return None


def _initials_name(doc, ent: Span) -> NameSpan | None:
    """'George W Bush' inside an ORG/FAC/... entity: Name, an initial, Name (the small model
    often tags such names, and the descriptor around them, as a facility or organisation)."""
    for i in range(ent.start + 1, ent.end - 1):
        before, after = doc[i - 1], doc[i + 1]
        if INITIAL.match(doc[i].text) and all(
                t.is_title and t.is_alpha and t.lower_ not in TITLE_WORDS for t in (before, after)):
            return NameSpan(before.i, after.i + 1, "PERSON")
    return None


def _label_names(doc, spans: list[NameSpan], people, keys, index: ActorIndex) -> list[NameSpan]:
    """Transcript speaker labels ("MR MILLER:", "SECRETARY BLINKEN:") as mentions of the
    person they name: the article's own people first, else a catalogue name or unique surname.
    Labels that are no name ("QUESTION:", "MODERATOR:") resolve to nobody."""
    taken = {i for n in spans for i in range(n.start, n.end)}
    found = []
    for match in LABEL_NAME.finditer(doc.text):
        span = doc.char_span(match.start(1), match.end(1), alignment_mode="expand")
        if span is None or any(t.i in taken for t in span):
            continue
        words = [t for t in span if t.lower_ not in TITLE_WORDS and t.is_alpha or "-" in t.text]
        while words and words[0].lower_.rstrip(".") in TITLE_WORDS:
            words = words[1:]
        if not words:
            continue
        form = " ".join(t.text.title() for t in words)
        canonical = next((c for c, info in people.items() if form == c or form in info.forms), None)
        if canonical is None and len(words) == 1 and len(keys.get(form, ())) == 1:
            canonical = next(iter(keys[form]))
        actor = index.by_form.get(form) or (index.unique_surname(form) if len(words) == 1 else None)
        if canonical is None and actor and actor.type == "person":
            canonical = actor.canonical
            people.setdefault(canonical, PersonInfo(canonical, actor))
        if canonical is None and len(words) == 1:
            canonical = _full_name_for(doc.text, form)
            if canonical:
                people.setdefault(canonical, PersonInfo(canonical, None)).forms.add(canonical)
        if canonical:
            found.append(NameSpan(words[0].i, words[-1].i + 1, "PERSON", canonical=canonical))
    return found


def _full_name_for(text: str, surname: str) -> str | None:
    """'Marcus Ellery' for the label 'Ellery:' when the text names him in full somewhere (the
    model missed him in "Rebecca Tan and Marcus Ellery discuss …"); None when it never does."""
    found = {m[1] for m in re.finditer(rf"\b([A-Z][a-z]+) {re.escape(surname)}\b", text)
             if m[1].lower() not in TITLE_WORDS and m[1].lower() not in APPOSITION_START}
    return f"{found.pop()} {surname}" if len(found) == 1 else None


def _sweep(doc, spans: list[NameSpan], others: list[Span], people, keys) -> list[NameSpan]:
    """Known names the model did not tag (often in headlines): full forms, then unique keys."""
    taken = {i for n in spans for i in range(n.start, n.end)}
    taken |= {i for e in others for i in range(e.start, e.end)}
    forms = {tuple(f.split()): c for c, info in people.items() for f in info.forms | {c}}
    forms.update({(k,): next(iter(v)) for k, v in keys.items() if len(v) == 1})
    longest = max((len(f) for f in forms), default=0)
    found, i = [], 0
    while i < len(doc):
        match = None
        if i not in taken and doc[i].text[:1].isupper():
            for size in range(min(longest, len(doc) - i), 0, -1):
                key = tuple(norm(t.text) for t in doc[i:i + size])
                if key in forms and not any(j in taken for j in range(i, i + size)):
                    nxt = doc[i + size] if i + size < len(doc) else None
                    if nxt is None or not (nxt.is_title and nxt.pos_ == "PROPN" and nxt.i not in taken):
                        match = NameSpan(i, i + size, "PERSON", canonical=forms[key])
                    break
        if match:
            found.append(match)
            i = match.end
        else:
            i += 1
    return found


def _descriptors(doc, name: NameSpan, lead: NameSpan | None = None) -> list[str]:
    """Title words before the name and an apposition after it, as written.

    lead: the first name of a list this name closes or continues ("USIP’s Rosie Levine,
    Carla Freeman and Andrew Scobell"): a title before the list belongs to every name in it.
    A role noun and a comma before the name also count ("his Chinese counterpart, Zhang Wei").
    """
    out = []
    sent = doc[name.start].sent
    first = lead.start if lead else name.start
    if first - 2 >= sent.start and doc[first - 1].text == "," and doc[first - 2].lower_ in ROLE_NOUNS:
        first -= 1
    left = first
    while left > sent.start and left - first > -10:
        t = doc[left - 1]
        if t.text in POSSESSIVE or t.lower_ in {"of", "for", "-"} or (t.pos_ not in LEFT_STOP_POS and t.pos_ != "ADP" and t.pos_ != "DET"):
            left -= 1
        else:
            break
    chain = list(doc[left:first])
    for k in range(len(chain) - 1, 0, -1):  # "the visit of US Secretary" -> "US Secretary"
        if chain[k].lower_ == "of" and chain[k - 1].lower_ not in ROLE_NOUNS:
            chain = chain[k + 1:]
            break
    while chain and (chain[0].lower_ in {"of", "for"} or chain[0].text in POSSESSIVE):
        chain = chain[1:]
    if chain and (any(t.lower_ in ROLE_NOUNS for t in chain) or chain[-1].text in POSSESSIVE):
        out.append(doc[chain[0].i:chain[-1].i + 1].text)
    after = name.end
    while after < sent.end and doc[after].text in POSSESSIVE:
        after += 1
    if after < sent.end - 1 and doc[after].text == ",":
        words = []
        for t in doc[after + 1:min(sent.end, after + 22)]:
            if t.text in APPOSITION_STOP or t.is_space or (t.text == "." and t.i == sent.end - 1):
                break
            words.append(t)
        if words and (words[0].lower_ in APPOSITION_START or words[0].lower_ in ROLE_NOUNS
                      or words[0].pos_ in {"ADJ", "NOUN", "PROPN"} and any(w.lower_ in ROLE_NOUNS for w in words[:4])):
            former = ""
            if words[0].lower_ == "who" and SIDE_PHRASE.search(norm(doc[words[0].i:words[-1].i + 1].text).lower()):
                out.append(doc[words[0].i:words[-1].i + 1].text)
                words = []
            elif words[0].lower_ == "who":
                verbs = [w for w in words if w.lower_ in {"as", "is", "was"}]
                clause = " ".join(w.lower_ for w in words[:words.index(verbs[0]) + 1]) if verbs else ""
                former = "former " if FORMER.search(clause) else ""
                words = words[words.index(verbs[0]) + 1:] if verbs else []
            if words and any(w.lower_ in ROLE_NOUNS for w in words):
                out.append(former + doc[words[0].i:words[-1].i + 1].text)
    return out


def classify_side(descriptor: str) -> str | None:
    """US / China / Other from a title or apposition; None when it says nothing about it."""
    text = norm(descriptor).lower()
    said = SIDE_PHRASE.search(text)
    if said:
        return "China" if "chinese" in said.group(0) else "US"
    if SCHOLARLY.search(text) or FORMER.search(text) or text.startswith("who "):
        return "Other"
    if not GOVERNMENT.search(text):
        return None
    first = [(m.start(), side) for side, rx in (("US", US_WORDS), ("China", CHINA_WORDS), ("Other", OTHER_WORDS))
             for m in [rx.search(text)] if m]
    return min(first)[1] if first else None


def _clean_role(descriptor: str) -> str:
    """'a professor at Cornell University.' -> 'professor at Cornell University'; 'USIP’s' -> 'USIP'."""
    words = norm(descriptor).split()
    while words and words[0].lower() in {"a", "an", "the", "who", "is", "was"}:
        words = words[1:]
    return re.sub(r"(\s*'s?|[.,;:])$", "", " ".join(words[:14]))


def is_official(descriptor: str) -> bool:
    """A title or apposition that names a current office ("Foreign Ministry spokesperson"), not
    a commentator's ("professor", "analyst") or a past one ("former deputy national security adviser")."""
    text = norm(descriptor).lower()
    return bool(GOVERNMENT.search(text)) and not (SCHOLARLY.search(text) or FORMER.search(text)
                                                  or NOT_IN_OFFICE.search(text))


def _person(info: PersonInfo, count: int, date: dt.date | None = None) -> Person:
    roles = [d for d in info.descriptors if any(w.lower() in ROLE_NOUNS for w in re.findall(r"[\w-]+", d))]
    text_role = _clean_role(max(roles or info.descriptors, key=len)) if info.descriptors else None
    if info.actor:
        role, official = info.actor.role_on(date)
        return Person(info.canonical, info.actor.side, role or text_role, count, True, official)
    side = next((s for s in map(classify_side, info.descriptors) if s), "Other")
    official = any(map(is_official, info.descriptors)) and not any(
        classify_side(d) == "Other" and not is_official(d) for d in info.descriptors)
    return Person(info.canonical, side, text_role or None, count, False, official)


def _mention(doc, start, end, label, canonical, side, role, locate) -> Mention:
    span = doc[start:end]
    return Mention(locate(span.start_char), span.start_char, span.end_char, span.text, label,
                   canonical, side, role)


def _place_mention(ent: Span, index: ActorIndex, locate) -> Mention | None:
    """An organisation or place, trimmed of 'the' and possessives, with a canonical form."""
    doc = ent.doc
    start, end = ent.start, ent.end
    while start < end and (doc[start].lower_ in {"the", "a", "an"} or doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].text in POSSESSIVE or doc[end - 1].is_space
                           or doc[end - 1].is_punct and doc[end - 1].text != "."):
        end -= 1
    span = doc[start:end]
    text = norm(span.text)
    if not text or not text[0].isupper() or "\n" in span.text or COMPOUND_JUNK.match(text):
        return None
    before_of = start > 0 and doc[start - 1].lower_ == "of"
    before_name = end < len(doc) and (doc[end].pos_ == "PROPN" or doc[end].lower_ in TITLE_WORDS)
    if all(t.lower_ in TITLE_WORDS for t in span) and (before_of or before_name):
        return None  # "State" in "Secretary of State", "Treasury" in "Treasury Secretary Yellen"
    actor = index.by_canonical.get(ent.ent_id_) or index.by_form.get(text)
    if actor:
        canonical, side = actor.canonical, actor.side
    else:
        canonical = COUNTRY_CANON.get(text.lower(), text)
        side = PLACE_SIDES.get(canonical)
    return Mention(locate(span.start_char), span.start_char, span.end_char, span.text, ent.label_,
                   canonical, side, actor.role if actor else None)
