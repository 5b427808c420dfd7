"""The search language: parse what an analyst types into a tree, and that tree into tantivy terms.

    sanctions chips              both words (adjacent terms are ANDed, as in web search)
    "export controls"            the exact phrase
    taiwan OR "south china sea"  either; NOT or a leading - excludes: tariffs NOT steel, tariffs -steel
    sanction*                    any word starting with sanction
    person:"Wang Yi"             sentences mentioning or spoken by Wang Yi (person:wang: any Wang)
    speaker:Blinken  issue:trade the sentence's speaker; sentences tagged with an issue (id or name)
    (a OR b) AND c               parentheses group; AND binds tighter than OR

Words are matched case-insensitively, split as tantivy's default tokenizer splits them (on every
character that is not a letter or digit), so "U.S." is the phrase "u s". A malformed query raises
QueryError with a message saying what is wrong; nothing is guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import DiplotoneError

FIELDS = {"person": "person", "speaker": "speaker", "issue": "issue", "text": "text"}
MAX_LENGTH = 1_000  # characters: a query is typed by a person


class QueryError(DiplotoneError):
    """A search query that cannot be understood; the message says where."""


@dataclass(frozen=True)
class Term:
    """A word, a phrase (several words) or a prefix (word*) in one field."""

    field: str
    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Not:
    node: object


@dataclass(frozen=True)
class And:
    nodes: tuple


@dataclass(frozen=True)
class Or:
    nodes: tuple


_TOKEN = re.compile(r'\s*(?:(?P<open>\()|(?P<close>\))|(?P<minus>-)(?=\S)|'
                    r'(?:(?P<field>[A-Za-z]+):)?(?:"(?P<phrase>[^"]*)"|(?P<word>[^\s()"]+))|(?P<quote>"))')
_WORD = re.compile(r"[^\W_]+")  # letters and digits, as tantivy's simple tokenizer keeps them


def words_of(text: str) -> tuple[str, ...]:
    """The lowercased words of text, as the index stores them."""
    return tuple(w.lower() for w in _WORD.findall(text) if len(w) < 40)


def parse(query: str):
    """The tree of a query string (Term, Not, And, Or); QueryError if it is malformed or empty."""
    if len(query) > MAX_LENGTH:
        raise QueryError(f"The search is {len(query):,} characters long; keep it under {MAX_LENGTH:,}.")
    tokens = _tokens(query)
    if not tokens:
        raise QueryError("The search is empty: type a word, a \"phrase\", or person:NAME.")
    node, rest = _or(tokens)
    if rest:
        raise QueryError(f"Unexpected {rest[0][1]!r} in the search: close each '(' with ')'.")
    return node


def _tokens(query: str) -> list[tuple[str, object]]:
    out, pos = [], 0
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        if not m or m.end() == pos:
            if query[pos:].strip():
                raise QueryError(f"Cannot read the search from {query[pos:pos + 20]!r}.")
            break
        pos = m.end()
        if m["quote"]:
            raise QueryError('A phrase is not closed: put a second " at its end.')
        if m["open"] or m["close"]:
            out.append(("(" if m["open"] else ")", m[0].strip()))
        elif m["minus"]:
            out.append(("NOT", "-"))
        elif m["word"] in ("AND", "OR", "NOT") and not m["field"]:
            out.append((m["word"], m["word"]))
        else:
            out.append(("TERM", _term(m["field"], m["phrase"], m["word"])))
    return out


def _term(field: str | None, phrase: str | None, word: str | None) -> Term:
    name = (field or "text").lower()
    if name not in FIELDS:
        raise QueryError(f"Unknown search field {field!r}: use person:, speaker: or issue: (or none).")
    raw = phrase if phrase is not None else word
    prefix = phrase is None and raw.endswith("*")
    words = words_of(raw)
    if not words:
        raise QueryError(f"{raw!r} has no letters or digits to search for.")
    if prefix and len(words) > 1:
        raise QueryError(f"A wildcard ends one word, as in sanction*: {raw!r} is several.")
    return Term(FIELDS[name], words, prefix)


def _or(tokens):
    node, tokens = _and(tokens)
    nodes = [node]
    while tokens and tokens[0][0] == "OR":
        node, tokens = _and(tokens[1:])
        nodes.append(node)
    return (nodes[0] if len(nodes) == 1 else Or(tuple(nodes))), tokens


def _and(tokens):
    node, tokens = _unary(tokens)
    nodes = [node]
    while tokens and tokens[0][0] not in ("OR", ")"):
        if tokens[0][0] == "AND":
            tokens = tokens[1:]
        node, tokens = _unary(tokens)
        nodes.append(node)
    return (nodes[0] if len(nodes) == 1 else And(tuple(nodes))), tokens


def _unary(tokens):
    if not tokens:
        raise QueryError("The search ends with an operator: add a word after AND / OR / NOT.")
    kind, value = tokens[0]
    if kind == "NOT":
        node, rest = _unary(tokens[1:])
        return Not(node), rest
    if kind == "(":
        node, rest = _or(tokens[1:])
        if not rest or rest[0][0] != ")":
            raise QueryError("A '(' is not closed: add a ')'.")
        return node, rest[1:]
    if kind == "TERM":
        return value, tokens[1:]
    raise QueryError(f"Unexpected {value!r} in the search: put a word before it.")


def positive_terms(node, negated: bool = False) -> list[Term]:
    """The terms a matching sentence contains (not those under NOT): what KWIC lines highlight."""
    if isinstance(node, Term):
        return [] if negated else [node]
    if isinstance(node, Not):
        return positive_terms(node.node, not negated)
    return [t for n in node.nodes for t in positive_terms(n, negated)]


def highlighter(node) -> re.Pattern | None:
    """A regex finding the text words, phrases and prefixes of the query in a sentence."""
    parts = []
    for t in positive_terms(node):
        if t.field != "text":
            continue
        body = r"[\W_]+".join(re.escape(w) for w in t.words)
        parts.append(rf"(?<![^\W_]){body}" + (r"[^\W_]*" if t.prefix else r"(?![^\W_])"))
    return re.compile("|".join(sorted(parts, key=len, reverse=True)), re.IGNORECASE) if parts else None
