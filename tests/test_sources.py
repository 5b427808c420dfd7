"""Outlet types: the catalogue, its classification rules, re-classification after an edit, the charts' numbers."""
from __future__ import annotations

import shutil

import pytest

from core.store import queries as Q
from core.build import build
from core.errors import CatalogError
from core.filters import Filters, from_query_params
from core.paths import seeds_dir
from core.sources import UNCLASSIFIED, classify, load_outlet_types
from core.store.db import read_connection


@pytest.fixture(scope="module")
def types():
    return load_outlet_types()


@pytest.mark.parametrize("outlets, url, text, expected", [
    (["Reuters"], None, "x", "wire"),
    (["reuters "], None, "x", "wire"),                               # case and spaces do not matter
    (["My Blog", "Global Times"], None, "x", "chinese_state_media"),  # any outlet that carried it
    (["Daily Post"], None, "BEIJING, June 19 (Reuters) - Blinken said", "wire"),
    (["Daily Post"], None, "Source: Xinhua | Editor: Li", "chinese_state_media"),
    ([], "https://www.state.gov/secretary-blinkens-meeting", "Readout", "official"),
    ([], None, "Opinion | Why the talks failed", "opinion"),
    (["Daily Post"], None, "Nothing that says where it is from.", UNCLASSIFIED),
])
def test_rules_classify_an_unknown_outlet_from_its_page(types, outlets, url, text, expected):
    kind, evidence = classify(outlets, url, text, types)
    assert kind == expected
    assert evidence  # every type says why


def _catalogue(tmp_path, text: str):
    folder = tmp_path / "seeds"
    folder.mkdir(exist_ok=True)
    (folder / "outlet_types.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("text, message", [
    ("outlet_types:\n  - id: tabloid\n    name: T\n", "unknown outlet type id 'tabloid'"),
    ("outlet_types:\n  - id: wire\n    name: W\n    page: ['(unclosed']\n", "line 2: page pattern '(unclosed'"),
    ("outlet_types:\n  - id: wire\n    name: W\n    outlets: [Reuters]\n  - id: other\n    name: O\n"
     "    outlets: [reuters]\n", "'reuters' is listed under both 'wire' and 'other'"),
    ("outlet_types:\n  - id: wire\n    name: W\n  - id: wire\n    name: X\n", "duplicate id 'wire'"),
    ("outlet_types: {}\n", "expected a top-level 'outlet_types:' list"),
])
def test_a_bad_catalogue_edit_is_reported_with_its_line(tmp_path, text, message):
    with pytest.raises(CatalogError, match=message.replace("(", r"\(").replace("[", r"\[")):
        load_outlet_types(_catalogue(tmp_path, text))


def test_build_reclassifies_after_a_catalogue_edit(seed_store, tmp_path):
    store = tmp_path / "s.duckdb"
    shutil.copy(seed_store, store)
    with read_connection(store) as con:
        before = dict(con.execute("SELECT a.outlet, s.outlet_type FROM articles a JOIN article_sources s USING (article_id)").fetchall())
    assert before["CNN"] == "us_media" and UNCLASSIFIED not in before.values()
    folder = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), folder)
    path = folder / "outlet_types.yaml"
    path.write_text(path.read_text().replace("outlets: [CNN, ", "outlets: ["), encoding="utf-8")  # CNN no longer listed
    report = build(None, store, seeds=folder, progress=False)
    assert report.reclassified == len(before) and not report.extracted
    with read_connection(store) as con:
        after = dict(con.execute("SELECT a.outlet, s.outlet_type FROM articles a JOIN article_sources s USING (article_id)").fetchall())
        evidence = con.execute("SELECT s.evidence FROM articles a JOIN article_sources s USING (article_id) "
                               "WHERE a.outlet = 'CNN'").fetchone()[0]
    assert after["CNN"] != "us_media" and after["USIP"] == before["USIP"]
    assert "CNN" not in evidence or "page says" in evidence
    assert build(None, store, seeds=folder, progress=False).reclassified == 0  # in step: nothing to redo


def test_volume_and_share_of_voice_add_up(seed_store):
    with read_connection(seed_store) as con:
        types = dict(con.execute("SELECT outlet_type, count(*) FROM article_sources GROUP BY ALL").fetchall())
        vol = Q.volume(con, Filters(), "month", "outlet_type")
        assert vol.groupby("outlet_type")["articles"].sum().to_dict() == types
        sentences = con.execute("SELECT count(*) FROM sentences WHERE article_id IN "
                                "(SELECT article_id FROM articles WHERE duplicate_of IS NULL)").fetchone()[0]
        assert vol["sentences"].sum() == sentences
        one = next(iter(types))
        narrowed = Q.corpus_summary(con, Filters(outlet_types=(one,)))
        assert int(narrowed["articles"].iloc[0]) == types[one]
        share = Q.share_of_voice(con, Filters(), "issue")
        assert share.groupby("outlet_type")["share"].sum().round(2).eq(1.0).all()
        hits = con.execute("SELECT count(*) FROM issue_hits WHERE article_id IN "
                           "(SELECT article_id FROM articles WHERE duplicate_of IS NULL)").fetchone()[0]
        assert share["n"].sum() == hits
        speakers = Q.share_of_voice(con, Filters(), "speaker")
        assert speakers["label"].nunique() <= 15 and speakers.groupby("outlet_type")["share"].sum().round(2).eq(1.0).all()


def test_outlet_type_in_the_url():
    f, notices = from_query_params({"otype": ["wire", "tabloid"]})
    assert f.outlet_types == ("wire",) and "tabloid" in notices[0]
