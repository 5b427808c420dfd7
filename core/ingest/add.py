"""Adding articles: files, folders, uploads and URLs in; stored articles and a report out.

Reading is strict and explains itself: every file that cannot become an article (missing, too
large, binary, empty, an unsupported type, a page with no article text) is reported with its
name and the reason, and the other files are still added. Nothing is written until the
articles are read, so a bad file never touches the store; the build writes in transactions, so
a crash leaves whole batches or nothing. Duplicates are reported: byte-identical texts share an
article id and are stored once; re-published stories are grouped by core.ingest.dedupe.

HTML pages are reduced to the article body with trafilatura, which also reads the page's own
title, site name, canonical URL and publication date; script and style never become text.
A metadata sidecar (CSV or YAML) gives title/outlet/url/pub_date/visit per file and wins over
anything inferred.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import stat
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path

import trafilatura
import yaml
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import DEFAULT_CONFIG

from core.build import build
from core.catalogs import VISIT_IDS, ArticleMeta, load_article_meta, parse_date
from core.ingest.decode import decode_bytes, require_text
from core.errors import CatalogError, DiplotoneError, InputError
from core.store.keys import content_hash
from core.model import RawArticle
from core.store.db import Store

FORMATS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
SUPPORTED = ".txt, .md, .html or .htm"
# Refused before reading: a news article is at most a few hundred KB, even as a saved web page.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILE_LABEL = "5 MB"
# spaCy's default nlp.max_length; about fifty times the longest news article.
MAX_TEXT_CHARS = 1_000_000
FETCH_TIMEOUT_S = 10
SIDECAR_COLUMNS = ("file", "title", "outlet", "url", "pub_date", "visit")

# -- reading one article ----------------------------------------------------------------------


def read_article(source: str | os.PathLike | bytes, name: str | None = None) -> RawArticle:
    """One file (a path, or its bytes with its file name) as a RawArticle; InputError if it cannot be.

    name: the display name; required with bytes (an upload), defaults to the path otherwise.
    """
    if isinstance(source, (bytes, bytearray)):
        if not name:
            raise ValueError("read_article needs the file name with bytes")
        fmt = _format(name)
        _check_size(len(source), name)
        data = bytes(source)
    else:
        path = Path(source)
        name = name or str(path)
        if not path.exists():
            raise InputError(name, "no such file or folder")
        if path.is_dir():
            raise InputError(name, "is a folder, not a file (`diplotone ingest FOLDER` adds the articles in it)")
        fmt = _format(name)
        data = _read_bounded(path, name)
    text = decode_bytes(data, name, _declared_charset(data) if fmt == "html" else None)
    return article_from_text(text, name, fmt)


def article_from_text(text: str, name: str, fmt: str, url: str | None = None) -> RawArticle:
    """A RawArticle from decoded text in format fmt ('txt', 'md' or 'html'); the page's own metadata
    (HTML markup, Markdown front matter) goes in meta["page"], beneath what a user gives."""
    meta: dict = {}
    if fmt == "html":
        text, meta = html_article(text, name, url)
    elif fmt == "md":
        text, meta = markdown_article(text, name)
    text = require_text(text.strip(), name)
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(name, f"the article text is {len(text):,} characters, over the limit of "
                               f"{MAX_TEXT_CHARS:,} for one article: split it into articles")
    return RawArticle(name, text, {"page": meta} if meta else {}, fmt)


def _format(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        kind = f"'{suffix}'" if suffix else "without an extension"
        raise InputError(name, f"unsupported file type {kind}: use {SUPPORTED}")
    return FORMATS[suffix]


_SPECIAL = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a disk device"),
            (stat.S_ISSOCK, "a socket"))


def _read_bounded(path: Path, name: str) -> bytes:
    """A regular file's bytes, never more than the size limit: a pipe, a device (/dev/zero, or a
    link to one) or a socket is refused before a byte is read, and the size is checked on what
    is read, not on st_size alone (which special and virtual files report as 0)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO opens without a writer
    except OSError as exc:
        raise InputError(name, f"cannot be read ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as fh:
        mode = os.fstat(fd)
        kind = next((what for test, what in _SPECIAL if test(mode.st_mode)), None)
        if kind or not stat.S_ISREG(mode.st_mode):
            raise InputError(name, f"is {kind or 'not a regular file'}, not a file: save the article as "
                                   f"a .txt, .md or .html file first")
        _check_size(mode.st_size, name)
        try:
            data = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise InputError(name, f"cannot be read ({exc.strerror or exc})") from None
    _check_size(len(data), name)
    return data


def _check_size(size: int, name: str) -> None:
    if size > MAX_FILE_BYTES:
        raise InputError(name, f"the file is {size / 1024 / 1024:.1f} MB, over the {MAX_FILE_LABEL} limit "
                               "for one article: save only the article's text or page")


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its head, if any."""
    match = _CHARSET.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None


# -- HTML and Markdown --------------------------------------------------------------------------

_UNSAFE_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
                "head", "form", "button", "select", "textarea")
_BLOCK_TAGS = ("p", "div", "section", "article", "header", "footer", "li", "tr", "br", "h1", "h2", "h3",
               "h4", "h5", "h6", "blockquote", "pre", "figcaption", "td", "th", "dd", "dt")


def html_article(html: str, name: str, url: str | None = None) -> tuple[str, dict]:
    """Article body text and page metadata (title, outlet, pub_date, url) of an HTML page.

    trafilatura picks the main text and reads the page's metadata; when it finds no body
    (a bare fragment, a page without paragraphs) every visible text block is kept instead.
    Only markup dates are used (no guessing from the text), so a date printed in the article
    is left to core.ingest.dates, which weighs it against the content.
    """
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True,
            include_images=False, date_extraction_params={
                "extensive_search": False, "original_date": True,
                "max_date": dt.date.today().isoformat()})
    except Exception:  # noqa: BLE001 - a malformed page falls back to the plain reader below
        doc = None
    text = (doc.text or "") if doc is not None else ""
    if not text.strip():
        text = _visible_text(html)
    if not text.strip():
        raise InputError(name, "no article text found in this HTML page")
    meta = {}
    if doc is not None:
        candidates = {"title": doc.title, "outlet": doc.sitename, "url": doc.url or url}
        meta = {k: v.strip() for k, v in candidates.items() if isinstance(v, str) and v.strip()}
        if meta.get("url") and not meta["url"].startswith(("http://", "https://")):
            del meta["url"]
        if doc.date:
            try:
                meta["pub_date"] = dt.date.fromisoformat(doc.date[:10])
                meta["date_evidence"] = "the page's publication-date markup"
            except ValueError:
                pass
    elif url:
        meta["url"] = url
    return text, meta


def _visible_text(html: str) -> str:
    """Every visible text block of a page, one per line; script/style and similar are dropped."""
    try:
        root = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError):
        return ""
    for el in root.xpath("|".join(f"//{t}" for t in _UNSAFE_TAGS)):
        el.drop_tree()
    for el in root.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
    lines = (re.sub(r"[ \t\xa0]+", " ", line).strip() for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n(?:---|\.\.\.)\n", re.S)
# Line rules use [ \t], not \s, so they never swallow the blank line between paragraphs. Every span
# (emphasis, link text, code) is bounded: an unbounded lazy match rescans the rest of the line from
# each opening mark, quadratic in the line's length ('*a ' * 50000 took two minutes).
_MD_RULES = (
    (re.compile(r"^(```|~~~).*$", re.M), ""),                               # code fences
    (re.compile(r"^[ \t]{0,3}\[[^\]\[\n]{1,300}\]:[ \t]+\S+.*$", re.M), ""),     # link reference definitions
    (re.compile(r"!\[[^\]\[\n]{0,300}\]\([^()\n]{0,2000}\)"), ""),             # images
    (re.compile(r"\[([^\]\[\n]{1,300})\]\([^()\n]{0,2000}\)"), r"\1"),          # [text](url)
    (re.compile(r"\[([^\]\[\n]{1,300})\]\[[^\]\n]{0,300}\]"), r"\1"),          # [text][ref]
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.M), r"\1"),   # # headings
    (re.compile(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$", re.M), ""),               # horizontal rules
    (re.compile(r"^[ \t]{0,3}=+[ \t]*$", re.M), ""),                          # setext underlines
    (re.compile(r"^[ \t]{0,3}>[ \t]?", re.M), ""),                            # block quotes
    (re.compile(r"^([ \t]*)[-*+][ \t]+", re.M), r"\1"),                       # bullets
    (re.compile(r"(?<![\w*])(\*{1,3})(?=[^\s*])([^*\n]{1,300}?)(?<=\S)\1(?![\w*])"), r"\2"),  # *emphasis*
    (re.compile(r"(?<![\w*])(_{1,3})(?=[^\s_])([^_\n]{1,300}?)(?<=\S)\1(?![\w*])"), r"\2"),  # _emphasis_
    # unpaired marks on a word's edge (an emphasis left open, "*a *a", a footnote star) are markup, not
    # words: kept, each would be a token of its own for the parser; "2 * 3" and snake_case stay
    (re.compile(r"(?<![\w*])\*{1,3}(?=[^\s*])|(?<=[^\s*])\*{1,3}(?![\w*])"), ""),
    (re.compile(r"(?<!\w)_{1,3}(?=[^\s_])|(?<=[^\s_])_{1,3}(?!\w)"), ""),
    (re.compile(r"`([^`\n]{1,300})`"), r"\1"),                               # inline code
)
_FRONT_KEYS = {"title": "title", "outlet": "outlet", "source": "outlet", "publisher": "outlet",
               "url": "url", "link": "url", "date": "pub_date", "pub_date": "pub_date"}


def markdown_article(text: str, name: str) -> tuple[str, dict]:
    """Markdown reduced to plain text, and title/outlet/url/date from a YAML front matter block."""
    meta: dict = {}
    front = _FRONT_MATTER.match(text)
    if front:
        text = text[front.end():]
        try:
            data = yaml.load(front.group(1), Loader=yaml.BaseLoader)  # every value as text
        except yaml.YAMLError:
            data = None
        for key, value in (data.items() if isinstance(data, dict) else ()):
            target = _FRONT_KEYS.get(str(key).lower())
            if target == "pub_date":
                try:
                    meta[target] = parse_date(name, 1, value, str(key))
                except CatalogError as exc:
                    raise InputError(name, f"front matter: {exc.problem}") from None
            elif target and isinstance(value, (str, int, float)) and str(value).strip():
                meta[target] = str(value).strip()
    if meta.get("url") and not meta["url"].lower().startswith(("http://", "https://")):
        del meta["url"]  # as for a page's own link: a javascript: or data: URL is never kept
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    return text, {k: v for k, v in meta.items() if v is not None}


# -- URLs ------------------------------------------------------------------------------------

_URL = re.compile(r"^https?://\S+$", re.I)


def is_url(arg: str) -> bool:
    return bool(_URL.match(str(arg)))


def fetch_article(url: str) -> RawArticle:
    """Download a page and read it as an HTML article; InputError when offline or not a page."""
    config = deepcopy(DEFAULT_CONFIG)
    config["DEFAULT"]["DOWNLOAD_TIMEOUT"] = str(FETCH_TIMEOUT_S)
    config["DEFAULT"]["MAX_FILE_SIZE"] = str(MAX_FILE_BYTES)
    try:
        html = trafilatura.fetch_url(url, config=config)
    except Exception:  # noqa: BLE001 - any network failure is the same message to the user
        html = None
    if not html:
        raise InputError(url, "could not fetch URL (is the machine online? does the address open in a browser?)")
    _check_size(len(html.encode("utf-8", "replace")), url)
    return article_from_text(html, url, "html", url=url)


# -- folders and batches -------------------------------------------------------------------------


def collect(paths) -> tuple[list[RawArticle], list[DiplotoneError]]:
    """Read every article named by paths (files, folders walked recursively, URLs).

    Returns the articles read and one error per file that could not be read; hidden files and
    folders are skipped silently, other unsupported files are reported.
    """
    raws, errors = [], []

    def read(fn, *args):
        try:
            raws.append(fn(*args))
        except InputError as exc:
            errors.append(exc)
        except Exception as exc:  # noqa: BLE001 - one file's surprise must not cost the files beside it
            errors.append(InputError(args[0], f"could not be read ({type(exc).__name__}: {exc})"))

    for arg in paths:
        arg = str(arg)
        if is_url(arg):
            read(fetch_article, arg)
            continue
        path = Path(arg)
        if not path.is_dir():
            read(read_article, path)
            continue
        found = 0
        for child in sorted(path.rglob("*")):
            rel = child.relative_to(path)
            if any(part.startswith(".") for part in rel.parts) or child.is_dir():
                continue  # a pipe, device or socket is read (and refused with its reason) below
            if child.suffix.lower() not in FORMATS:
                errors.append(InputError(child, f"skipped: unsupported file type '{child.suffix or '(none)'}' "
                                                f"(use {SUPPORTED})"))
                continue
            found += 1
            read(read_article, child)
        if not found:
            errors.append(InputError(path, f"no articles in this folder (looked for {SUPPORTED} files)"))
    return raws, errors


# -- metadata sidecar ------------------------------------------------------------------------------


def load_sidecar(path) -> dict[str, ArticleMeta]:
    """file -> metadata from a sidecar: CSV (columns file,title,outlet,url,pub_date,visit), YAML or JSON.

    The YAML form is seeds/articles.yaml's: `articles:` then one mapping per file (JSON, being
    YAML, takes the same shape). Every problem is a CatalogError naming the sidecar and line.
    """
    path = Path(path)
    if not path.is_file():
        raise CatalogError(path, None, "sidecar file not found")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise CatalogError(path, None, f"the sidecar is over {MAX_FILE_LABEL}: metadata for a corpus is far smaller")
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        metas = load_article_meta(path)
    elif suffix == ".csv":
        metas = _load_csv_sidecar(path)
    else:
        raise CatalogError(path, None, "a metadata sidecar must be a .csv, .yaml or .json file")
    for meta in metas.values():
        if meta.url and not meta.url.startswith(("http://", "https://")):
            raise CatalogError(path, meta.line, f"'url' must start with http:// or https://, got {meta.url!r}")
    return metas


def _load_csv_sidecar(path: Path) -> dict[str, ArticleMeta]:
    try:
        text = decode_bytes(path.read_bytes(), str(path))
    except InputError as exc:
        raise CatalogError(path, None, exc.problem) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    allowed = ", ".join(SIDECAR_COLUMNS)
    if "file" not in header:
        raise CatalogError(path, 1, f"the header must have a 'file' column (columns: {allowed}); "
                                    f"found: {', '.join(header) or 'nothing'}")
    unknown = [h for h in header if h not in SIDECAR_COLUMNS]
    if unknown:
        raise CatalogError(path, 1, f"unknown column {', '.join(map(repr, unknown))} (columns: {allowed})")
    metas: dict[str, ArticleMeta] = {}
    for row in reader:
        line = reader.line_num
        if None in row:
            raise CatalogError(path, line, "more fields than the header has (a comma inside a value? quote it)")
        values = {k: (v or "").strip() or None for k, v in row.items()}
        if not any(values.values()):
            continue
        if not values.get("file"):
            raise CatalogError(path, line, "'file' is empty")
        if values.get("visit") and values["visit"] not in VISIT_IDS:
            raise CatalogError(path, line, f"unknown visit {values['visit']!r}; use one of {', '.join(VISIT_IDS)}")
        meta = ArticleMeta(file=values["file"], title=values.get("title"), outlet=values.get("outlet"),
                           url=values.get("url"), visit=values.get("visit"), line=line,
                           pub_date=parse_date(path, line, values.get("pub_date"), "pub_date"))
        if meta.file in metas:
            raise CatalogError(path, line, f"file {meta.file!r} listed twice (first on line {metas[meta.file].line})")
        metas[meta.file] = meta
    return metas


def apply_sidecar(raws: list[RawArticle], metas: dict[str, ArticleMeta], sidecar) -> list[str]:
    """Give each article its sidecar metadata (matched by path, then file name); return notes
    for sidecar lines that matched no article."""
    by_name = {Path(k).name: m for k, m in metas.items()}
    used = set()
    for raw in raws:
        meta = metas.get(raw.file) or by_name.get(Path(raw.file).name)
        if meta is not None:
            raw.meta = {**raw.meta, **meta.given()}
            if "pub_date" in meta.given():
                raw.meta["date_evidence"] = meta.date_evidence or "given in the metadata sidecar"
            used.add(meta.file)
    return [f"{sidecar}, line {m.line}: no ingested file matches {m.file!r} (metadata not used)"
            for m in metas.values() if m.file not in used]


# -- ingesting -------------------------------------------------------------------------------------


@dataclass
class Duplicate:
    file: str
    of: str  # the file kept
    kind: str  # 'in store', 'in batch' or 'same story'

    def message(self) -> str:
        return {
            "in store": f"{self.file}: already in the store as {self.of} (not added again)",
            "in batch": f"{self.file}: same text as {self.of} in this batch (added once)",
            "same story": f"{self.file}: the same story as {self.of} (re-published; counted once, outlets merged)",
        }[self.kind]


@dataclass
class IngestReport:
    """What an ingest did: files added, duplicates recognised, files refused (with the reason)."""

    added: list[str] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    errors: list[DiplotoneError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    build: object | None = None  # the core.build.BuildReport of the write

    def lines(self) -> list[str]:
        """The report as sentences for the user, errors last."""
        out = [f"Added {len(self.added)} article{'s' * (len(self.added) != 1)}."]
        out += [d.message() for d in self.duplicates] + self.notes
        out += [f"Not added: {e}" for e in self.errors]
        return out


def ingest_paths(paths, store_path, sidecar=None, pipeline=None, progress=True,
                 lock_timeout: float = 30.0, guard=None, jobs: int | None = None) -> IngestReport:
    """Read files/folders/URLs, apply the sidecar's metadata, extract and store what is new.

    A broken sidecar stops everything before any file is read (CatalogError); a bad article
    file is reported and skipped. A locked or unreadable store raises StoreError before
    anything is extracted; lock_timeout: seconds to wait for another process's lock; guard:
    held around each short opening of the store, never around reading or extraction (Store.open);
    jobs: extraction processes (core.build.build; None = every core).
    """
    metas = load_sidecar(sidecar) if sidecar else {}
    raws, errors = collect(paths)
    notes = apply_sidecar(raws, metas, sidecar) if metas else []
    return _ingest(raws, errors, notes, store_path, pipeline, progress, lock_timeout, guard, jobs)


def ingest_uploads(files: list[tuple[str, bytes]], store_path, pipeline=None, progress=False,
                   lock_timeout: float = 30.0, guard=None) -> IngestReport:
    """The dashboard's upload box: (file name, bytes) pairs, read and stored like files.

    guard: the dashboard's core.store.attached.writing, held only while the store is open, so the
    other tabs keep reading while the upload is read and extracted."""
    raws, errors = [], []
    for name, data in files:
        try:
            raws.append(read_article(data, name))
        except InputError as exc:
            errors.append(exc)
        except Exception as exc:  # noqa: BLE001 - as in collect(): the other uploads are still added
            errors.append(InputError(name, f"could not be read ({type(exc).__name__}: {exc})"))
    return _ingest(raws, errors, [], store_path, pipeline, progress, lock_timeout, guard)


def _ingest(raws, errors, notes, store_path, pipeline, progress, lock_timeout, guard, jobs=None) -> IngestReport:
    report = IngestReport(errors=list(errors), notes=list(notes))
    fresh: dict[str, RawArticle] = {}
    for raw in raws:
        aid = content_hash(raw.text)
        if aid in fresh:
            report.duplicates.append(Duplicate(raw.file, fresh[aid].file, "in batch"))
        else:
            fresh[aid] = raw
    if not fresh:
        return report  # nothing readable: the store is not even opened
    with Store.open(store_path, lock_timeout=lock_timeout, guard=guard) as store:
        stored = _files_of(store, list(fresh))
        given = {aid: m["given"] for aid, m in store.user_meta().items() if aid in stored}
    todo = []
    for aid, raw in fresh.items():
        if aid in stored:
            report.duplicates.append(Duplicate(raw.file, stored[aid], "in store"))
            if not raw.meta:
                continue  # nothing new to say about it; keep the metadata given before
            raw = RawArticle(raw.file, raw.text, {**given[aid], **raw.meta}, raw.source_format)
        todo.append(raw)
    if todo:
        report.build = build(todo, store_path, pipeline=pipeline, progress=progress,
                             lock_timeout=lock_timeout, guard=guard, jobs=jobs)
        report.errors += report.build.errors
        report.notes += [f"{file}: metadata of the stored copy updated" for file in report.build.metadata_updated]
        new = [aid for aid in fresh if aid not in stored]
        with Store.open(store_path, read_only=True, lock_timeout=lock_timeout, guard=guard) as store:
            present = _files_of(store, new)
            rows = store.con.execute("""
                SELECT a.article_id, r.file FROM articles a JOIN articles r ON r.article_id = a.duplicate_of
                WHERE a.article_id IN (SELECT unnest($ids::VARCHAR[]))""", {"ids": list(present)}).fetchall()
        report.duplicates += [Duplicate(fresh[aid].file, of, "same story") for aid, of in rows]
        report.added = [fresh[aid].file for aid in new if aid in present]
    return report


def _files_of(store: Store, ids: list[str]) -> dict[str, str]:
    """article_id -> stored file name, for those of ids that are in the store."""
    return dict(store.con.execute(
        "SELECT article_id, file FROM articles WHERE article_id IN (SELECT unnest($ids::VARCHAR[]))",
        {"ids": ids}).fetchall())
