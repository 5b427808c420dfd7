"""The diplotone command line: help, error reporting, listing and editing, extract's JSON contract."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import synthetic_article
from core.cli import main
from core.paths import PROJECT_ROOT
from core.store.db import Store

SEEDS = sorted((PROJECT_ROOT / "seeds").glob("*.txt"))
CONTRACT_KEYS = {"file", "title", "outlet", "credit", "pub_date", "pub_date_confidence", "event", "persons",
                 "speakers", "issues", "issues_discussed", "tone", "tone_by_side"}


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", ["build", "extract", "articles", "meta", "ingest", "charts", "evaluate", "serve"])
def test_every_command_has_help_with_examples(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output and f"diplotone {command}" in result.output.replace("diplotone --store", "diplotone")


def test_top_level_help_lists_commands_and_global_options():
    result = run("--help")
    assert result.exit_code == 0
    for word in ("--store", "--pipeline", "build", "extract", "articles", "meta", "ingest", "charts", "evaluate", "serve"):
        assert word in result.output


def test_console_script_runs():
    out = subprocess.run([str(Path(sys.executable).with_name("diplotone")), "--version"],
                         capture_output=True, text=True)
    assert out.returncode == 0 and "diplotone" in out.stdout


def test_store_errors_print_one_line_without_traceback(tmp_path):
    bad = tmp_path / "notes.duckdb"
    bad.write_text("not a database")
    result = run("--store", str(bad), "articles")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "left untouched" in result.stderr
    assert "Traceback" not in result.output
    assert bad.read_text() == "not a database"


def test_missing_store_is_explained(tmp_path):
    result = run("--store", str(tmp_path / "none.duckdb"), "articles")
    assert result.exit_code == 1 and "diplotone build" in result.stderr


def test_articles_lists_stored_articles_in_every_format(isolated_store):
    pairs = [synthetic_article("Blinken talks\nTaiwan", "a.txt"),
             synthetic_article("Yellen trip\nTrade", "b.txt", outlet=None, pub_date=None, visit="other")]
    with Store.open(isolated_store) as store:
        store.write([p[0] for p in pairs], [p[1] for p in pairs], "fp")
    table = run("articles")
    assert table.exit_code == 0 and "a.txt" in table.output and "blinken-2023-06" in table.output
    rows = json.loads(run("articles", "--format", "json").output)
    assert {r["file"]: (r["pub_date"], r["visit"], r["outlet"]) for r in rows} == {
        "a.txt": ("2023-06-18", "blinken-2023-06", "Reuters"), "b.txt": (None, "other", None)}
    csv = run("articles", "--format", "csv").output.splitlines()
    assert csv[0] == "id,file,title,outlet,pub_date,visit,words,duplicate_of" and len(csv) == 3


def test_articles_table_marks_a_cut_title_with_an_ellipsis(isolated_store):
    title = "Blinken in Shanghai and Beijing: what the second visit changed and what it did not"
    result, raw = synthetic_article(title + "\nTaiwan", "long.txt")
    with Store.open(isolated_store) as store:
        store.write([result], [raw], "fp")
    table = run("articles").output
    assert "Blinken in Shanghai and Beijing: what the secon…" in table and title not in table
    assert json.loads(run("articles", "--format", "json").output)[0]["title"] == title


def test_charts_rejects_a_bad_date():
    result = run("charts", "--out", "x", "--from", "2024-13-01")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_extract_prints_the_contract_per_file_and_reports_bad_files(isolated_store, tmp_path):
    from core.catalogs import load_catalogs

    bad = tmp_path / "scan.txt"
    bad.write_bytes(b"%PDF-1.7\x00\x01binary")
    files = [str(p) for p in SEEDS[:2]] + [str(bad)] + [str(p) for p in SEEDS[2:]]
    result = run("extract", *files)
    assert result.exit_code == 1
    assert "scan.txt" in result.stderr and result.stderr.startswith("Error: ")
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["file"] for o in objects] == [str(p) for p in SEEDS]
    articles = load_catalogs().articles
    for obj in objects:
        assert set(obj) == CONTRACT_KEYS
        # the publisher, and the outlet it credits where that is another ("republished courtesy of VOA")
        assert (obj["outlet"], obj["credit"]) == {"000": ("China Factor", "Voice of America")}.get(
            Path(obj["file"]).name[:3], (articles[Path(obj["file"]).name].outlet, None))
        assert -1 <= obj["tone"] <= 1 and set(obj["tone_by_side"]) == {"US", "China", "Other"}
        assert all(isinstance(n, int) and n > 0 for n in obj["issues"].values())
        assert obj["issues_discussed"] and set(obj["issues_discussed"]) <= set(obj["issues"])
        given = articles.get(Path(obj["file"]).name)
        if given and given.title:
            assert obj["title"] == given.title
    assert not isolated_store.exists()  # extract never touches the store


def test_meta_names_the_pages_own_metadata_page_and_an_edit_user(tmp_path):
    """An HTML page's markup (title, site name, date) is labelled "(page)", not "(user)"; what the text
    gave is "(inferred)"; an edit makes the field "(user)" and the page's value stays beneath it."""
    from test_ingest import HOSTILE_HTML

    page = tmp_path / "story.html"
    page.write_text(HOSTILE_HTML, encoding="utf-8")
    store = str(tmp_path / "s.duckdb")
    assert run("--store", store, "ingest", str(page)).exit_code == 0
    shown = run("--store", store, "meta", "story.html").stdout
    assert "Blinken, Wang Yi meet in Beijing  (page)" in shown and "Example Times  (page)" in shown
    assert "2023-06-19  (page)" in shown and "(user)" not in shown and "(inferred)" in shown  # the visit
    edited = run("--store", store, "meta", "story.html", "--outlet", "Analyst Desk").stdout
    assert "Analyst Desk  (user)" in edited and "2023-06-19  (page)" in edited
    back = run("--store", store, "meta", "story.html", "--outlet", "").stdout
    assert "Example Times  (page)" in back


def test_build_meta_and_articles_on_a_built_store(seed_store, tmp_path):
    import shutil

    path = tmp_path / "copy.duckdb"
    shutil.copy(seed_store, path)
    built = run("--store", str(path), "build", "--quiet")
    assert built.exit_code == 0 and "0 extracted" in built.stdout and "5 unchanged" in built.stdout
    name = SEEDS[0].name
    edited = run("--store", str(path), "meta", name, "--outlet", "Analyst Desk")
    assert edited.exit_code == 0 and "Analyst Desk  (user)" in edited.stdout
    rows = json.loads(run("--store", str(path), "articles", "--format", "json").stdout)
    assert {r["file"]: r["outlet"] for r in rows}[name] == "Analyst Desk"
    bad = run("--store", str(path), "meta", name, "--date", "2023-02-30")
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.stderr
    unknown = run("--store", str(path), "meta", name, "--visit", "moon-2030")
    assert unknown.exit_code == 1 and "unknown visit" in unknown.stderr


def test_charts_take_the_page_choices_and_name_files_by_them(tmp_path):
    from handmade_store import build_handmade_store

    store = build_handmade_store(tmp_path / "hm.duckdb")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["--store", str(store), "charts", "--out", str(out), "--format", "svg",
                                       "--from-visit", "blinken-2023-06", "--to-visit", "yellen-2024-04",
                                       "--quotes-of", "Wang Yi"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert "tone_shift_by_issue_blinken-2023-06_to_yellen-2024-04.svg" in names
    assert "person_quotes_Wang-Yi.svg" in names and not any("Antony" in n for n in names)
    assert "Yellen in" in (out / "tone_drivers_blinken-2023-06_to_yellen-2024-04.svg").read_text()
    bad = CliRunner().invoke(main, ["--store", str(store), "charts", "--out", str(out), "--from-visit", "nope",
                                    "--to-visit", "yellen-2024-04"])
    assert bad.exit_code != 0 and "not a visit id" in bad.output
