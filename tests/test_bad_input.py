"""Bad input gets the exact message a user sees, and nothing already stored is lost."""
from __future__ import annotations

import codecs
import datetime as dt
import os
import subprocess
import sys
import textwrap
import time
import tracemalloc

import pytest

from core.catalogs import VISIT_IDS
from core.errors import CatalogError, InputError, StoreError
from core.ingest.add import MAX_FILE_BYTES, collect, ingest_paths, ingest_uploads, load_sidecar, read_article
from core.store.db import Store
from conftest import synthetic_article

ARTICLE = "Blinken met Wang Yi in Beijing.\nThe talks were candid and constructive.\n"
CONVERT = "convert it to .txt or .html first"


def message(exc_info) -> str:
    return str(exc_info.value)


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name, data, expected", [
    ("empty.txt", b"", "the file is empty (0 bytes): nothing to ingest"),
    ("blank.txt", b"  \n\t\r\n   \n", "the file contains only whitespace: nothing to ingest"),
    ("bom-only.txt", codecs.BOM_UTF8 + b"\n\n", "the file contains only whitespace: nothing to ingest"),
    ("dots.md", b"... --- !!!\n", "the file has no letters or digits (only punctuation or symbols): nothing to ingest"),
    ("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>",
     f"looks like a PDF document, not text: {CONVERT}"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", f"looks like a PNG image, not text: {CONVERT}"),
    ("photo2.txt", b"\xff\xd8\xff\xe0\x00\x10JFIF", f"looks like a JPEG image, not text: {CONVERT}"),
    ("memo.txt", b"PK\x03\x04\x14\x00\x06\x00word/document.xml",
     f"looks like a ZIP archive or Office document (.docx, .xlsx, .epub), not text: {CONVERT}"),
    ("blob.txt", bytes(range(256)) * 8, f"looks like a binary file (it contains NUL bytes), not text: {CONVERT}"),
    ("noise.txt", bytes(range(1, 32)) * 20 + b"abc",
     f"looks like a binary file (it is mostly control characters), not text: {CONVERT}"),
    ("page.html", b"<html><head><script>var a = 1;</script><style>p {}</style></head><body></body></html>",
     "no article text found in this HTML page"),
    ("notes.docx", b"whatever", "unsupported file type '.docx': use .txt, .md, .html or .htm"),
    ("README", b"text", "unsupported file type without an extension: use .txt, .md, .html or .htm"),
])
def test_unreadable_file_message(tmp_path, name, data, expected):
    path = write(tmp_path, name, data)
    with pytest.raises(InputError) as exc:
        read_article(path)
    assert message(exc) == f"{path}: {expected}"
    # The same message for an upload of the same bytes.
    with pytest.raises(InputError) as exc:
        read_article(data, name)
    assert message(exc) == f"{name}: {expected}"


def test_missing_path(tmp_path):
    path = tmp_path / "nope.txt"
    with pytest.raises(InputError) as exc:
        read_article(path)
    assert message(exc) == f"{path}: no such file or folder"
    raws, errors = collect([path])
    assert raws == [] and [str(e) for e in errors] == [f"{path}: no such file or folder"]


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:  # a sparse 50 MB file: cheap to make, expensive to load
        fh.truncate(50 * 1024 * 1024)
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(InputError) as exc:
        read_article(path)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert message(exc) == (f"{path}: the file is 50.0 MB, over the 5 MB limit for one article: "
                            "save only the article's text or page")
    assert elapsed < 0.5 and peak < 1024 * 1024
    with pytest.raises(InputError):
        read_article(b"a" * (MAX_FILE_BYTES + 1), "upload.txt")


def test_text_longer_than_the_pipeline_accepts(tmp_path):
    path = write(tmp_path, "long.txt", b"word " * 210_000)
    with pytest.raises(InputError) as exc:
        read_article(path)
    assert message(exc) == (f"{path}: the article text is 1,049,999 characters, over the limit of "
                            "1,000,000 for one article: split it into articles")


def test_folder_with_no_articles(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4")
    (folder / ".DS_Store").write_bytes(b"\x00\x00")
    raws, errors = collect([folder])
    assert raws == []
    assert [str(e) for e in errors] == [
        f"{folder / 'scan.pdf'}: skipped: unsupported file type '.pdf' (use .txt, .md, .html or .htm)",
        f"{folder}: no articles in this folder (looked for .txt, .md, .html or .htm files)",
    ]


def test_a_bad_file_in_a_folder_does_not_stop_the_others(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    for i in range(9):
        (folder / f"{i:02d}.txt").write_text(f"Article {i}.\n{ARTICLE}", encoding="utf-8")
    (folder / "09.txt").write_bytes(b"%PDF-1.4 binary")
    raws, errors = collect([folder])
    assert [r.file for r in raws] == [str(folder / f"{i:02d}.txt") for i in range(9)]
    assert [str(e) for e in errors] == [f"{folder / '09.txt'}: looks like a PDF document, not text: {CONVERT}"]


# -- sidecars ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, content, expected", [
    ("meta.csv", "name,date\na.txt,2023-06-18\n",
     "line 1: the header must have a 'file' column (columns: file, title, outlet, url, pub_date, visit); "
     "found: name, date"),
    ("meta.csv", "file,headline\na.txt,Hello\n",
     "line 1: unknown column 'headline' (columns: file, title, outlet, url, pub_date, visit)"),
    ("meta.csv", "file,visit\na.txt,other\nb.txt,blinken-2025-01\n",
     f"line 3: unknown visit 'blinken-2025-01'; use one of {', '.join(VISIT_IDS)}"),
    ("meta.csv", "file,pub_date\na.txt,2023-02-30\n",
     "line 2: 'pub_date' must be a real date as YYYY-MM-DD, got '2023-02-30'"),
    ("meta.csv", "file,pub_date\na.txt,18/06/2023\n",
     "line 2: 'pub_date' must be a real date as YYYY-MM-DD, got '18/06/2023'"),
    ("meta.csv", "file,title\na.txt,One, Two\n",
     "line 2: more fields than the header has (a comma inside a value? quote it)"),
    ("meta.csv", "file,url\na.txt,www.example.com/a\n",
     "line 2: 'url' must start with http:// or https://, got 'www.example.com/a'"),
    ("meta.csv", "file,title\na.txt,One\na.txt,Two\n", "line 3: file 'a.txt' listed twice (first on line 2)"),
    ("meta.csv", "file,title\n,Orphan title\n", "line 2: 'file' is empty"),
    ("meta.yaml", "articles:\n  - file: a.txt\n    pub_date: 2023-13-01\n",
     "line 2: 'pub_date' must be a real date as YYYY-MM-DD, got '2023-13-01'"),
    ("meta.yaml", "articles:\n  - file: a.txt\n    visit: mars-2030\n",
     f"line 2: unknown visit 'mars-2030'; use one of {', '.join(VISIT_IDS)}"),
    ("meta.yaml", "articles:\n  - title: no file\n", "line 2: 'file' is missing or empty"),
    ("meta.yaml", "files: []\n", "line 1: expected a top-level 'articles:' list"),
    ("meta.json", '{"articles": [{"file": "a.txt", "pub_date": "2024-02-30"}]}',
     "line 1: 'pub_date' must be a real date as YYYY-MM-DD, got '2024-02-30'"),
])
def test_bad_sidecar_message(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogError) as exc:
        load_sidecar(path)
    assert message(exc) == f"{path}, {expected}"


def test_sidecar_that_is_not_there_or_of_another_type(tmp_path):
    with pytest.raises(CatalogError) as exc:
        load_sidecar(tmp_path / "meta.csv")
    assert message(exc) == f"{tmp_path / 'meta.csv'}: sidecar file not found"
    other = write(tmp_path, "meta.xlsx", b"PK\x03\x04")
    with pytest.raises(CatalogError) as exc:
        load_sidecar(other)
    assert message(exc) == f"{other}: a metadata sidecar must be a .csv, .yaml or .json file"


def test_a_bad_sidecar_stops_the_ingest_before_the_store_is_touched(tmp_path):
    article = write(tmp_path, "a.txt", ARTICLE.encode())
    sidecar = write(tmp_path, "meta.csv", b"file,visit\na.txt,nowhere\n")
    store = tmp_path / "store.duckdb"
    with pytest.raises(CatalogError):
        ingest_paths([article], store, sidecar=sidecar, progress=False)
    assert not store.exists()


# -- the store -------------------------------------------------------------------------------------


@pytest.fixture()
def filled_store(tmp_path):
    """A store holding one (hand-made) article, and its file bytes before the test."""
    path = tmp_path / "store.duckdb"
    result, raw = synthetic_article("Blinken held talks in Beijing.\nTaiwan came up.", "kept.txt")
    with Store.open(path) as store:
        store.write([result], [raw], "fp")
    return path


def _articles(path):
    with Store.open(path, read_only=True) as store:
        return store.con.execute("SELECT article_id, file, raw_text FROM articles ORDER BY 1").fetchall()


def test_only_bad_files_leave_the_store_as_it_was(tmp_path, filled_store):
    before_rows, before_bytes = _articles(filled_store), filled_store.read_bytes()
    bad = [write(tmp_path, "empty.txt", b""), write(tmp_path, "scan.txt", b"%PDF-1.5 ...")]
    report = ingest_paths(bad + [tmp_path / "missing.txt"], filled_store, progress=False)
    assert report.added == [] and len(report.errors) == 3
    assert report.lines() == [
        "Added 0 articles.",
        f"Not added: {bad[0]}: the file is empty (0 bytes): nothing to ingest",
        f"Not added: {bad[1]}: looks like a PDF document, not text: {CONVERT}",
        f"Not added: {tmp_path / 'missing.txt'}: no such file or folder",
    ]
    assert filled_store.read_bytes() == before_bytes and _articles(filled_store) == before_rows
    uploads = ingest_uploads([("x.txt", b"   "), ("y.pdf", b"%PDF")], filled_store)
    assert [str(e) for e in uploads.errors] == [
        "x.txt: the file contains only whitespace: nothing to ingest",
        "y.pdf: unsupported file type '.pdf': use .txt, .md, .html or .htm"]
    assert filled_store.read_bytes() == before_bytes


def test_corrupted_store_is_refused_and_left_untouched(tmp_path):
    store = write(tmp_path, "store.duckdb", b"this is not a database\x00" * 500)
    before = store.read_bytes()
    article = write(tmp_path, "a.txt", ARTICLE.encode())
    with pytest.raises(StoreError) as exc:
        ingest_paths([article], store, progress=False)
    text = message(exc)
    assert text.startswith(f"{store} cannot be opened as a Diplotone store (")
    assert text.endswith("). The file was left untouched: move it away, or pick another store with "
                         "--store or DIPLOTONE_STORE.")
    assert store.read_bytes() == before


def test_locked_store_is_reported_and_left_untouched(tmp_path, filled_store):
    before_rows = _articles(filled_store)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(filled_store)!r})
        print("locked", flush=True)
        sys.stdin.readline()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        article = write(tmp_path, "a.txt", ARTICLE.encode())
        with pytest.raises(StoreError) as exc:
            ingest_paths([article], filled_store, progress=False, lock_timeout=0.3)
        assert message(exc) == (f"{filled_store}: the store is locked by another Diplotone process "
                                "(a running build or dashboard?). Waited 0.3 s; try again when it has finished.")
    finally:
        holder.communicate("\n", timeout=10)
    assert _articles(filled_store) == before_rows


# -- issue 14: hostile input that froze, crashed or misled -------------------------------------------


@pytest.mark.parametrize("text", [
    "# T\n\n" + "*a " * 50000,  # 150 KB: two minutes with an unbounded emphasis pattern
    "# T\n\n" + "_a " * 50000,
    "x " + "[" * 150000, "x " + "![" * 75000, "x " + "[\n" * 75000, "x " + "[a](" * 40000, "`a" * 75000,
])
def test_markdown_that_defeated_the_patterns_is_read_in_linear_time(text):
    started = time.perf_counter()
    raw = read_article(text.encode(), "emphasis.md")
    assert time.perf_counter() - started < 2.0
    assert raw.text.strip()
    if text.startswith("# T"):  # the open marks are markup: 50,000 words for the parser, not 100,000 tokens
        assert raw.text.split() == ["T"] + ["a"] * 50000


def test_a_named_pipe_is_refused_without_blocking_and_the_others_in_its_folder_are_read(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")  # reading it would wait forever for a writer
    os.symlink("/dev/zero", folder / "zero.txt")  # reading it would never end
    os.symlink("/dev/urandom", folder / "random.txt")
    started = time.perf_counter()
    raws, errors = collect([folder])
    assert time.perf_counter() - started < 5
    assert [r.file for r in raws] == [str(folder / "good.txt")]
    assert sorted(map(str, errors)) == sorted([
        f"{folder / 'pipe.txt'}: is a named pipe, not a file: save the article as a .txt, .md or .html file first",
        f"{folder / 'random.txt'}: is a device, not a file: save the article as a .txt, .md or .html file first",
        f"{folder / 'zero.txt'}: is a device, not a file: save the article as a .txt, .md or .html file first"])


def test_a_page_declaring_an_undefined_charset_is_read_and_its_neighbours_added(tmp_path, filled_store):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "odd.html").write_bytes(b'<html><head><meta charset="undefined"></head><body><p>Blinken said '
                                      b'\x93candid\x94 talks with Wang Yi in Beijing went well.</p></body></html>')
    raws, errors = collect([folder])
    assert errors == [] and raws[0].text == "Blinken said \u201ccandid\u201d talks with Wang Yi in Beijing went well."


def _alias_bomb(last_line: str) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]  # 9**9 items
    return "\n".join(lines) + "\n" + last_line


@pytest.mark.parametrize("tail, expected", [
    ("articles:\n  - file: a.txt\n    title: *a8\n", "line 11: 'title' must be text, got [[[...], [...], [...], [...], ...], "),
    ("articles:\n  - file: a.txt\n    pub_date: *a8\n",
     "line 11: 'pub_date' must be a real date as YYYY-MM-DD, got [[[...], [...], [...], [...], ...], "),
    ("articles: *a8\n", "every entry of 'articles' must be a mapping, got [[[...], [...], [...], [...], ...], "),
])
def test_a_yaml_alias_bomb_in_a_sidecar_is_refused_at_once(tmp_path, tail, expected):
    path = tmp_path / "meta.yaml"
    path.write_text(_alias_bomb(tail), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(CatalogError) as exc:
        load_sidecar(path)
    assert time.perf_counter() - started < 1
    assert message(exc).startswith(f"{path}{', ' if 'line' in expected else ': '}{expected}")
    assert len(message(exc)) < 300


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "1899-12-31"])
def test_a_sidecar_date_out_of_range_is_refused(tmp_path, date):
    path = write(tmp_path, "meta.csv", f"file,pub_date\na.txt,{date}\n".encode())
    with pytest.raises(CatalogError) as exc:
        load_sidecar(path)
    today = dt.date.today().isoformat()
    assert message(exc) == f"{path}, line 2: 'pub_date' must be between 1900-01-01 and today ({today}), got {date}"


@pytest.mark.parametrize("fields, expected", [
    ({"pub_date": "0001-01-01"}, "the date must be between 1900-01-01 and today ({today}), got 0001-01-01"),
    ({"pub_date": dt.date(9999, 12, 31)}, "the date must be between 1900-01-01 and today ({today}), got 9999-12-31"),
    ({"url": "javascript:alert(document.cookie)"},
     "the URL must start with http:// or https://, got 'javascript:alert(document.cookie)'"),
    ({"url": "data:text/html,<script>x</script>"},
     "the URL must start with http:// or https://, got 'data:text/html,<script>x</script>'"),
])
def test_a_metadata_edit_out_of_range_or_with_a_script_url_is_refused(filled_store, fields, expected):
    before = filled_store.read_bytes(), _articles(filled_store)
    with Store.open(filled_store) as store:
        aid = store.find_article("kept.txt")
        with pytest.raises(InputError) as exc:
            store.set_user_meta(aid, fields)
    assert message(exc) == f"{aid}: " + expected.format(today=dt.date.today().isoformat())
    assert _articles(filled_store) == before[1]


def test_charts_of_a_store_with_dates_out_of_range_draw(tmp_path):
    """Dates stored before the check (year 1, year 9999) padded the time axis out of the calendar."""
    from core.export import all_charts, make_context
    from core.filters import Filters
    from core.store.db import read_connection

    path = tmp_path / "old.duckdb"
    pairs = [synthetic_article("Blinken held talks in Beijing.\nTaiwan came up.", "a.txt", pub_date=dt.date(9999, 12, 31)),
             synthetic_article("Blinken met Wang.\nQ: The talks on Taiwan.", "b.txt", pub_date=dt.date(1, 1, 1),
                               visit="blinken-2024-04")]
    with Store.open(path) as store:
        store.write([p[0] for p in pairs], [p[1] for p in pairs], "fp")
    with read_connection(path) as con:
        ctx = make_context(con, Filters())
        charts = {stem: fig for stem, _, fig in all_charts(con, Filters(), ctx)}
    assert charts["tone_trend"].layout.xaxis.range == ("0001-01-01", "9999-12-31")
    assert charts["person_quotes_Antony-Blinken"].layout.xaxis.range[0] == "0001-01-01"  # named by the person


# -- issue 14: damaged stores, full disks, no downloads ------------------------------------------------


def _store_of(path, n=30):
    pairs = [synthetic_article(f"Blinken held talks in Beijing {i}.\nTaiwan came up {i} times.\n" * 40, f"n{i}.txt")
             for i in range(n)]
    with Store.open(path) as store:
        store.write([p[0] for p in pairs], [p[1] for p in pairs], "fp")
    return path


def _cli(*args):
    from click.testing import CliRunner

    from core.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


DAMAGED_END = ("Nothing was written to it. Keep it aside (move or rename it) and run `diplotone build` to start a "
               "new store, or pick another store with --store or DIPLOTONE_STORE.")


def test_a_truncated_store_is_reported_as_damaged_everywhere_and_left_untouched(tmp_path):
    path = _store_of(tmp_path / "store.duckdb")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    before = path.read_bytes()
    for args in (["articles"], ["meta", "n1.txt"], ["meta", "n1.txt", "--title", "New"]):
        result = _cli("--store", str(path), *args)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert result.output.startswith(f"Error: The store {path} is damaged (IO Error: Could not read enough bytes")
        assert result.output.strip().endswith(DAMAGED_END)
    article = write(tmp_path, "a.txt", ARTICLE.encode())
    with pytest.raises(StoreError, match="is damaged"):
        ingest_paths([article], path, progress=False)
    assert path.read_bytes() == before


def test_a_flipped_block_is_found_before_meta_writes_into_the_store(tmp_path):
    from core.store.attached import attached_connection

    path = _store_of(tmp_path / "store.duckdb")
    good, block = path.read_bytes(), 262144
    for start in range(3 * 4096, len(good) - block, block):  # the first block a table reads
        damaged = bytearray(good)
        damaged[start + 64:start + block - 64] = bytes(b ^ 0x55 for b in damaged[start + 64:start + block - 64])
        path.write_bytes(bytes(damaged))
        result = _cli("--store", str(path), "meta", "n1.txt", "--title", "New")
        if result.exit_code:
            break
        path.write_bytes(good)
    assert result.output.startswith(f"Error: The store {path} is damaged (")
    assert "checksum" in result.output and result.output.strip().endswith(DAMAGED_END)
    assert path.read_bytes() == bytes(damaged)  # not written into
    with pytest.raises(StoreError, match="is damaged"), attached_connection(path) as con:  # the dashboard
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
                                    ).fetchall():  # its pages read every table, one of them meets the block
            con.execute(f'SELECT * FROM "{table}"').fetchall()
    assert _cli("--store", str(path), "articles").output.startswith(f"Error: The store {path} is damaged (")


def test_a_build_with_nothing_to_do_reports_a_damaged_store(tmp_path, seed_store):
    """A no-op build reads only the articles' fingerprints: a flipped block in another table was
    reported as "0 extracted, 5 unchanged"."""
    import shutil

    import duckdb

    from core.store.db import DUCKDB_CONFIG, verify

    path = tmp_path / "seeds.duckdb"
    shutil.copy(seed_store, path)
    shutil.copytree(f"{seed_store}.search", f"{path}.search")  # the search index is in step: no reason to read more
    assert _cli("--store", str(path), "build", "--quiet").exit_code == 0
    good, block = path.read_bytes(), 262144

    def damaged_elsewhere(data: bytes) -> bool:  # what the build reads holds, another table does not
        path.write_bytes(data)
        try:
            with duckdb.connect(str(path), read_only=True, config=DUCKDB_CONFIG) as con:
                con.execute("SELECT * FROM articles").fetchall()
                con.execute("SELECT * FROM meta").fetchall()
                verify(con, path)
            return False
        except duckdb.Error:
            return False
        except StoreError:
            return True

    for start in range(3 * 4096, len(good) - block, block):
        damaged = bytearray(good)
        damaged[start + 64:start + block - 64] = bytes(b ^ 0x55 for b in damaged[start + 64:start + block - 64])
        if damaged_elsewhere(bytes(damaged)):
            break
    else:
        pytest.fail("no block outside the articles table to damage")
    path.write_bytes(bytes(damaged))
    result = _cli("--store", str(path), "build", "--quiet")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith(f"Error: The store {path} is damaged (") and "checksum" in result.output
    assert result.output.strip().endswith(DAMAGED_END)
    assert path.read_bytes() == bytes(damaged)


def test_a_full_disk_is_reported_as_such_and_the_store_keeps_what_it_had(tmp_path, filled_store):
    """Writes past the size limit (RLIMIT_FSIZE, as a full disk would) fail; the message is the OS
    reason, not 'cannot rollback - no transaction is active', and the article stored before is kept."""
    script = textwrap.dedent(f"""
        import resource, signal, sys
        sys.path.insert(0, {str(tmp_path.parent)!r})
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        from conftest import synthetic_article
        from core.errors import StoreError
        from core.store.db import Store
        pairs = [synthetic_article(f"Talks {{i}} in Beijing.\\nTaiwan came up {{i}} times." * 300, f"n{{i}}.txt")
                 for i in range(60)]
        resource.setrlimit(resource.RLIMIT_FSIZE, ({filled_store.stat().st_size} + 300_000,) * 2)
        try:
            with Store.open({str(filled_store)!r}) as store:
                store.write([p[0] for p in pairs], [p[1] for p in pairs], "fp")
        except StoreError as exc:
            print(exc)
    """)
    import pathlib
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(pathlib.Path(__file__).parent.parent),
                                                        str(pathlib.Path(__file__).parent)])}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.startswith(f"Could not write to the store {filled_store} ("), out.stdout + out.stderr
    assert "File too large" in out.stdout and "rollback" not in out.stdout
    assert out.stdout.strip().endswith("What was stored before is kept.")
    assert [r[1] for r in _articles(filled_store)] == ["kept.txt"]


def test_no_connection_may_download_or_load_a_duckdb_extension(tmp_path, filled_store):
    from core.store.attached import attached_connection

    setting = ("SELECT current_setting('autoinstall_known_extensions'), "
               "current_setting('autoload_known_extensions')")
    with Store.open(filled_store) as store:
        assert store.con.execute(setting).fetchone() == (False, False)
    with attached_connection(filled_store) as con:
        assert con.execute(setting).fetchone() == (False, False)
    # A SQLite file given as the store: DuckDB would fetch its sqlite reader; it is refused instead.
    import sqlite3
    other = tmp_path / "other.duckdb"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    before = other.read_bytes()
    started = time.perf_counter()
    with pytest.raises(StoreError) as exc:
        Store.open(other)
    assert time.perf_counter() - started < 5
    assert message(exc).startswith(f"{other} cannot be opened as a Diplotone store (")
    assert other.read_bytes() == before


# -- issue 14: what the CLI prints and writes --------------------------------------------------------


@pytest.fixture()
def hostile_store(tmp_path):
    path = tmp_path / "store.duckdb"
    result, raw = synthetic_article("\x1b[2J\x1b[HAdded 999 articles.\nBlinken held talks in Beijing.", "odd\nname.txt",
                                    outlet="=HYPERLINK(\"https://evil.example\",\"Reuters\")")
    with Store.open(path) as store:
        store.write([result], [raw], "fp")
    return path


def test_control_sequences_in_metadata_are_shown_not_obeyed(hostile_store):
    for args in (["articles"], ["articles", "--format", "csv"], ["articles", "--format", "json"],
                 ["meta", "odd\nname.txt"]):
        out = _cli("--store", str(hostile_store), *args).output
        assert "\x1b" not in out and "odd\nname" not in out, args
        assert ("\\x1b[2J" in out or "\\u001b[2J" in out) and ("odd\\nname" in out), (args, out)
    assert "    title: \\x1b[2J\\x1b[HAdded 999 articles." in _cli("--store", str(hostile_store), "meta", "odd\nname.txt").output
    import json
    assert json.loads(_cli("--store", str(hostile_store), "articles", "--format", "json").output)[0]["file"] == "odd\nname.txt"


def test_a_file_name_with_a_newline_cannot_forge_a_report_line(tmp_path, filled_store):
    bad = write(tmp_path, "x\nAdded 999 articles.txt", b"")
    out = _cli("--store", str(filled_store), "ingest", str(bad)).output
    assert out.splitlines() == ["Added 0 articles.",
                                f"Not added: {tmp_path}/x\\nAdded 999 articles.txt: the file is empty (0 bytes): nothing to ingest"]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(hostile_store, tmp_path):
    from core.export import write_charts

    out = _cli("--store", str(hostile_store), "articles", "--format", "csv").output
    assert ',"\'=HYPERLINK(""https://evil.example"",""Reuters"")",' in out
    charts = tmp_path / "charts"
    write_charts(hostile_store, charts, formats=())
    assert "'=HYPERLINK" in (charts / "tone_trend.csv").read_text(encoding="utf-8")


def test_charts_replace_a_symlink_in_the_output_folder_instead_of_writing_through_it(hostile_store, tmp_path):
    from core.export import write_charts

    out, victim = tmp_path / "charts", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_text("precious", encoding="utf-8")
    os.symlink(victim, out / "issue_frequency.csv")
    write_charts(hostile_store, out, formats=())
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not (out / "issue_frequency.csv").is_symlink()
    assert (out / "issue_frequency.csv").read_text(encoding="utf-8").startswith("issue")
    assert not [p for p in out.iterdir() if p.name.startswith(".diplotone-")]  # no staging folder left


def test_charts_into_a_folder_that_cannot_be_written_say_so(hostile_store, tmp_path):
    if os.geteuid() == 0:  # permissions do not stop root: a kernel folder does
        out = "/sys/diplotone-charts"
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        out = str(locked / "charts")
    result = _cli("--store", str(hostile_store), "charts", "--out", out)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith(f"Error: {out}: cannot write the charts here (")
    assert result.output.strip().endswith("): choose a folder you can write to with --out")


def test_an_unexpected_failure_on_one_file_is_reported_and_the_others_are_read(tmp_path, monkeypatch):
    """A charset that crashed the decoder took the whole folder down with it; whatever one file
    raises now, it is reported with its name and the files beside it are still read."""
    import core.ingest.add

    real = core.ingest.add.decode_bytes

    def decode_bytes(data, source, declared=None):
        if source.endswith("odd.txt"):
            raise UnicodeError("undefined encoding")
        return real(data, source, declared)

    monkeypatch.setattr(core.ingest.add, "decode_bytes", decode_bytes)
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("a.txt", "odd.txt", "z.txt"):
        (folder / name).write_text(ARTICLE, encoding="utf-8")
    raws, errors = collect([folder])
    assert [r.file for r in raws] == [str(folder / "a.txt"), str(folder / "z.txt")]
    assert [str(e) for e in errors] == [f"{folder / 'odd.txt'}: could not be read (UnicodeError: undefined encoding)"]


def test_a_script_url_in_markdown_front_matter_is_not_kept(tmp_path):
    raw = read_article(b"---\ntitle: T\nurl: javascript:alert(1)\n---\nBlinken met Wang Yi in Beijing.\n", "a.md")
    assert raw.meta == {"page": {"title": "T"}}
