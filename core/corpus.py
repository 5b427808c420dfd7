"""The seed corpus: the article files shipped in seeds/ with the metadata seeds/articles.yaml gives them."""
from __future__ import annotations

from pathlib import Path

from core.catalogs import Catalogs, load_catalogs
from core.errors import InputError
from core.model import RawArticle
from core.paths import seeds_dir


def seed_articles(folder=None, catalogs: Catalogs | None = None) -> list[RawArticle]:
    """Every seeds/*.txt file, sorted by name; metadata from articles.yaml wins over inference.

    folder: the seeds folder (default core.paths.seeds_dir()); catalogs: already loaded ones.
    """
    folder = Path(folder or seeds_dir())
    catalogs = catalogs or load_catalogs(folder)
    raws = []
    for path in sorted(folder.glob("*.txt")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        meta = catalogs.articles[path.name].given() if path.name in catalogs.articles else {}
        raws.append(RawArticle(path.name, text, meta, "txt"))
    return raws
