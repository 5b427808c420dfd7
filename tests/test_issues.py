"""Issue tagging on made-up sentences: ambiguity, excludes, passing-mention weights, catalogue errors."""
from __future__ import annotations

import pytest

from core.catalogs import load_issues
from core.errors import CatalogError
from core.issues import IssueTagger
from core.nlp import load_nlp
from core.paths import seeds_dir


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


@pytest.fixture(scope="module")
def tagger(nlp):
    return IssueTagger(load_issues(seeds_dir() / "issues.yaml"), nlp)


def tags(nlp, tagger, text):
    """{sentence index: {issue: (trigger, weight)}}."""
    doc = nlp(text)
    out: dict[int, dict[str, tuple[str, float]]] = {}
    for hit in tagger.tag(doc, list(doc.sents)):
        out.setdefault(hit.sent_idx, {})[hit.issue] = (hit.trigger, hit.weight)
    return out


def test_south_china_sea_is_not_taiwan(nlp, tagger):
    got = tags(nlp, tagger, "Chinese coast guard ships fired water cannon near a reef in the South China Sea.")
    assert set(got[0]) == {"south_china_sea"}


def test_taiwan_inflections_and_strait(nlp, tagger):
    got = tags(nlp, tagger, "Washington approved new arms sales to Taipei as warships crossed the Strait.")
    assert "taiwan" in got[0]
    assert "Strait" in got[0]["taiwan"][0] or "Taipei" in got[0]["taiwan"][0]


def test_strait_of_hormuz_is_not_taiwan(nlp, tagger):
    got = tags(nlp, tagger, "Tankers slowed in the Strait of Hormuz after the drone strike.")
    assert "taiwan" not in got.get(0, {})
    assert "middle_east" in got[0]


def test_trade_representative_title_alone_is_not_trade(nlp, tagger):
    got = tags(nlp, tagger, "U.S. Trade Representative Katherine Tai arrived in Geneva on Monday.")
    assert "trade" not in got.get(0, {})


def test_trade_representative_with_tariffs_is_trade(nlp, tagger):
    got = tags(nlp, tagger, "Trade Representative Katherine Tai defended the tariffs on steel.")
    assert got[0]["trade"][0] == "tariffs"


def test_trade_offs_and_traded_barbs_are_not_trade(nlp, tagger):
    got = tags(nlp, tagger, "The ministers traded barbs over the trade-offs of the new policy.")
    assert "trade" not in got.get(0, {})


def test_chips_export_controls_are_technology_not_trade(nlp, tagger):
    got = tags(nlp, tagger, "Washington tightened chips export controls last week.")
    assert "technology" in got[0]
    assert "trade" not in got[0]


def test_balloon_is_spy_balloon(nlp, tagger):
    got = tags(nlp, tagger, "The balloon drifted over Montana before fighter jets shot it down.")
    assert "spy_balloon" in got[0]


def test_state_media_wording(nlp, tagger):
    text = ("The Taiwan question bears on peaceful reunification.\n"
            "Beijing denounced hegemonism and the Cold War mentality of small circles.\n"
            "The small yard, high fence approach targets chips.\n"
            "They agreed to resume mil-to-mil talks and counternarcotics cooperation.\n"
            "More direct flights will help people-to-people exchanges and students.")
    got = tags(nlp, tagger, text)
    assert set(got[0]) == {"taiwan"}
    assert set(got[1]) == {"global_order"}
    assert set(got[2]) == {"technology"}
    assert {"military_communication", "fentanyl"} <= set(got[3])
    assert set(got[4]) == {"people_to_people"}


def test_political_climate_is_not_climate(nlp, tagger):
    got = tags(nlp, tagger, "The political climate in Washington makes any deal hard.")
    assert "climate" not in got.get(0, {})


def test_listing_sentence_gets_lower_weights(nlp, tagger):
    got = tags(nlp, tagger, "Tensions persist over Taiwan, the South China Sea, fentanyl, "
                            "human rights and export controls.")
    assert len(got[0]) == 5
    assert {w for _, w in got[0].values()} == {0.4}


def test_two_issue_sentence_keeps_full_weight(nlp, tagger):
    got = tags(nlp, tagger, "Blinken raised fentanyl and the war in Ukraine with Wang Yi.")
    assert {w for _, w in got[0].values()} == {1.0}
    assert set(got[0]) == {"fentanyl", "russia_ukraine"}


def test_no_propagation_to_following_sentence(nlp, tagger):
    got = tags(nlp, tagger, "Taiwan dominated the talks.\nThe issue remains unresolved.")
    assert 1 not in got


def test_bad_issue_id_names_file_and_line(tmp_path):
    bad = tmp_path / "issues.yaml"
    bad.write_text("issues:\n  - id: taiwan\n    name: T\n    description: d\n    patterns: [taiwan]\n"
                   "  - id: tiawan\n    name: T\n    description: d\n    patterns: [x]\n", encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_issues(bad)
    assert str(err.value).startswith(f"{bad}, line 6: unknown issue id 'tiawan'")
