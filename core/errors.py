"""One catalogue of user-facing errors.

Every error a user can cause (a bad catalogue edit, a bad input file, a locked store) is a
DiplotoneError subclass whose message is the sentence shown to the user: the CLI prints it
without a traceback and the dashboard shows it in an error box.
"""
from __future__ import annotations

import reprlib

_SHOWN = reprlib.Repr()
_SHOWN.maxlevel, _SHOWN.maxlist, _SHOWN.maxtuple, _SHOWN.maxdict = 2, 4, 4, 4
_SHOWN.maxstring = _SHOWN.maxother = 80


def shown(value) -> str:
    """A user's value quoted in a message, cut to a few items and characters: a YAML alias bomb
    (< 1 KB of text, billions of items once expanded) must not be expanded by its own error message."""
    return _SHOWN.repr(value)


class DiplotoneError(Exception):
    """Base class: str(error) is the complete message for the user."""


class CatalogError(DiplotoneError):
    """A seeds/ catalogue (actors, issues, visits, tone lexicon, metadata) failed validation."""

    def __init__(self, path, line: int | None, problem: str):
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{self.path}, line {line}" if line else self.path
        super().__init__(f"{where}: {problem}")


class InputError(DiplotoneError):
    """An input article or sidecar cannot be ingested (empty, binary, too large, ...)."""

    def __init__(self, source, problem: str):
        self.source, self.problem = str(source), problem
        super().__init__(f"{self.source}: {problem}")


class StoreError(DiplotoneError):
    """The store cannot be opened or written (locked, corrupted, newer schema)."""


class OlderSchemaError(StoreError):
    """The store was written by an older Diplotone: opening it for writing upgrades it in place."""


class PipelineError(DiplotoneError):
    """The spaCy pipeline cannot be loaded (unknown name, missing package)."""
