"""The editable catalogues in seeds/: the shipped ones load, and a user's typo is reported as
'<file>, line N: <problem>' (by the loaders and by the CLI, without a traceback)."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from click.testing import CliRunner

from core.catalogs import ISSUE_IDS, VISIT_IDS, load_catalogs
from core.cli import main
from core.errors import CatalogError
from core.paths import seeds_dir


@pytest.fixture
def seeds(tmp_path):
    """An editable copy of the shipped catalogues."""
    folder = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), folder)
    return folder


def test_shipped_catalogues_load_with_every_fixed_id():
    cat = load_catalogs()
    assert {i.id for i in cat.issues} == set(ISSUE_IDS)
    assert {v.id for v in cat.visits} == set(VISIT_IDS)
    assert len(cat.articles) == 5 and all(m.pub_date and m.visit for m in cat.articles.values())
    blinken = next(a for a in cat.actors if a.canonical == "Antony Blinken")
    assert blinken.side == "US" and "Blinken" in blinken.aliases
    assert len({a.canonical for a in cat.actors if a.canonical.startswith("Wang ")}) >= 4


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path, needle) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def _problem(folder) -> CatalogError:
    with pytest.raises(CatalogError) as err:
        load_catalogs(folder)
    return err.value


def test_actor_with_a_misspelt_side(seeds):
    _edit(seeds / "actors.csv", "Antony Blinken,Blinken;Tony Blinken;Antony J. Blinken;Anthony Blinken,US,",
          "Antony Blinken,Blinken;Tony Blinken;Antony J. Blinken;Anthony Blinken,USA,")
    err = _problem(seeds)
    assert str(err) == (f"{seeds / 'actors.csv'}, line {_line_of(seeds / 'actors.csv', 'Antony Blinken,')}: "
                        "side must be one of US, China, Other, got 'USA'")


def test_actor_row_with_an_unquoted_comma(seeds):
    with open(seeds / "actors.csv", "a", encoding="utf-8") as f:
        f.write("Jane Doe,Doe,Other,person,professor, Example University\n")
    err = _problem(seeds)
    assert err.line == _line_of(seeds / "actors.csv", "Jane Doe")
    assert "more fields than the header has" in err.problem


def test_actors_header_missing_a_column(seeds):
    _edit(seeds / "actors.csv", "canonical,aliases,side,type,role", "canonical,aliases,side,role")
    err = _problem(seeds)
    assert err.line == 1 and "missing type" in err.problem


def test_actor_listed_twice(seeds):
    with open(seeds / "actors.csv", "a", encoding="utf-8") as f:
        f.write("Antony Blinken,,US,person,\n")
    assert "duplicate canonical 'Antony Blinken'" in _problem(seeds).problem


def test_visit_that_ends_before_it_starts(seeds):
    _edit(seeds / "visits.yaml", "    start: 2023-07-16\n    end: 2023-07-19", "    start: 2023-07-16\n    end: 2023-07-06")
    err = _problem(seeds)
    assert err.line == _line_of(seeds / "visits.yaml", "id: kerry-2023-07")
    assert err.problem == "visit 'kerry-2023-07' ends (2023-07-06) before it starts (2023-07-16)"


def test_visit_with_an_impossible_date(seeds):
    _edit(seeds / "visits.yaml", "    end: 2023-06-19", "    end: 2023-06-31")
    err = _problem(seeds)
    assert err.line == _line_of(seeds / "visits.yaml", "id: blinken-2023-06")
    assert "'end' must be a real date as YYYY-MM-DD, got '2023-06-31'" in err.problem


def test_visit_with_an_unknown_id(seeds):
    _edit(seeds / "visits.yaml", "id: lima-2024-11", "id: lima-2024")
    err = _problem(seeds)
    assert err.line == _line_of(seeds / "visits.yaml", "id: lima-2024")
    assert err.problem.startswith("unknown visit id 'lima-2024'; ids are fixed:")


def test_yaml_syntax_error_names_the_line(seeds):
    _edit(seeds / "visits.yaml", "    places: [Lima]", "    places: [Lima")
    err = _problem(seeds)
    assert err.line is not None and "not valid YAML" in err.problem


def test_article_metadata_with_an_unknown_visit_and_a_missing_issue(seeds):
    _edit(seeds / "articles.yaml", "visit: kerry-2023-07", "visit: kerry-2023")
    err = _problem(seeds)
    assert err.path.endswith("articles.yaml") and err.problem.startswith("unknown visit 'kerry-2023'")


def test_issue_taxonomy_missing_an_issue(seeds):
    text = (seeds / "issues.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: spy_balloon")
    end = text.index("  - id: ", start + 1)
    (seeds / "issues.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    assert _problem(seeds).problem == "issue ids missing: spy_balloon"


def test_cli_reports_a_bad_edit_in_one_line_without_traceback(seeds, tmp_path):
    _edit(seeds / "visits.yaml", "    end: 2023-06-19", "    end: 2023-06-31")
    result = CliRunner().invoke(main, ["--store", str(tmp_path / "s.duckdb"), "build", "--seeds", str(seeds)])
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"Error: {seeds / 'visits.yaml'}, line ")
    assert "Traceback" not in result.output and not (tmp_path / "s.duckdb").exists()


def test_actor_office_terms_give_the_role_held_on_the_article_date(seeds):
    actors = {a.canonical: a for a in load_catalogs(seeds).actors}
    assert actors["Qin Gang"].role_on(dt.date(2023, 6, 18)) == ("Chinese Foreign Minister", True)
    assert actors["Qin Gang"].role_on(dt.date(2024, 4, 26)) == ("Former Chinese Foreign Minister", False)
    assert actors["Wang Yi"].role_on(dt.date(2024, 4, 26)) == ("Chinese Foreign Minister", True)
    assert actors["Li Shangfu"].role_on(dt.date(2023, 6, 10)) == ("Chinese Defense Minister", True)
    assert actors["Donald Trump"].role_on(dt.date(2023, 6, 18)) == ("Former US President", False)
    assert actors["Xinhua"].role_on(dt.date(2023, 6, 18))[1] is False  # state media is no office
    assert actors["Chinese Foreign Ministry"].role_on(None)[1] is True


@pytest.mark.parametrize("term, problem", [
    ("Foreign Minister 2023", "must read 'ROLE YYYY-MM..YYYY-MM'"),
    ("Foreign Minister 2023-13..", "a month that does not exist"),
    ("Foreign Minister 2023-07..2022-12", "ends before it starts"),
])
def test_actor_bad_office_term_is_reported_with_its_line(seeds, term, problem):
    with open(seeds / "actors.csv", "a", encoding="utf-8") as f:
        f.write(f"Jane Doe,Doe,China,person,Foreign Minister,{term}\n")
    err = _problem(seeds)
    assert err.line == _line_of(seeds / "actors.csv", "Jane Doe")
    assert problem in err.problem
