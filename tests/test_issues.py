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


def test_plain_diplomatic_communication_is_no_issue(nlp, tagger):
    text = ("The ministers agreed to keep lines of communication open to avoid miscalculation.\n"
            "Both sides want communication channels that stop ties from veering into conflict.")
    got = tags(nlp, tagger, text)
    assert all("military_communication" not in got.get(i, {}) for i in (0, 1))


def test_communication_with_military_context_is_military_communication(nlp, tagger):
    text = ("The Pentagon wants to restore communication channels with the PLA.\n"
            "Defense chiefs discussed ways to reduce the risk of miscalculation at sea.")
    got = tags(nlp, tagger, text)
    assert "military_communication" in got[0] and "military_communication" in got[1]


def test_job_titles_are_not_issues(nlp, tagger):
    got = tags(nlp, tagger, "The climate envoy met the Trade Representative and the trade minister in Paris.")
    assert not {"climate", "trade"} & set(got.get(0, {}))
    got = tags(nlp, tagger, "The climate envoy said methane cuts would be discussed.")
    assert "climate" in got[0]


def test_bare_technology_needs_restriction_context(nlp, tagger):
    got = tags(nlp, tagger, "Both sides praised green technologies and emerging technology at the expo.")
    assert "technology" not in got.get(0, {})
    got = tags(nlp, tagger, "Washington keeps curbing Beijing's access to advanced technologies.")
    assert set(got[0]) == {"technology"}


def test_technology_named_in_a_list_of_issues(nlp, tagger):
    got = tags(nlp, tagger, "Relations soured over trade, technology and human rights.")
    assert {"trade", "technology", "human_rights"} == set(got[0])


def test_export_restrictions_on_technology_are_not_trade(nlp, tagger):
    got = tags(nlp, tagger, "Officials widened restrictions on exports of critical technologies.")
    assert set(got[0]) == {"technology"}


def test_trade_with_a_third_country_and_trade_blacklist_are_not_trade(nlp, tagger):
    got = tags(nlp, tagger, "Beijing defended its normal trade with Russia as lawful.")
    assert set(got[0]) == {"russia_ukraine"}
    got = tags(nlp, tagger, "Commerce added six firms to its trade blacklist.")
    assert "trade" not in got[0] and "sanctions" in got[0]


def test_alliances_are_global_order_only_with_bloc_framing(nlp, tagger):
    got = tags(nlp, tagger, "NATO allies and G7 partners criticised Beijing's support for Moscow.")
    assert "global_order" not in got[0]
    got = tags(nlp, tagger, "Beijing says Washington builds alliances to contain it in a new bloc.")
    assert "global_order" in got[0]


def test_global_order_wording_without_the_keyword(nlp, tagger):
    for text in ("Beijing accuses Washington of containing China.",
                 "They said the US seeks to curb China's rise.",
                 "The US fears China wants to unseat the United States.",
                 "Are the two countries partners or rivals?",
                 "China defended the development rights of poorer nations.",
                 "Beijing says the world is big enough to accommodate both countries."):
        assert "global_order" in tags(nlp, tagger, text).get(0, {}), text
    got = tags(nlp, tagger, "Decoupling or economic containment is not the goal.")
    assert set(got[0]) == {"trade"}


def test_human_control_of_nuclear_weapons_is_ai_governance(nlp, tagger):
    got = tags(nlp, tagger, "The leaders affirmed the need to maintain human control over the decision to use nuclear weapons.")
    assert "ai_governance" in got[0]


def test_exit_bans_are_people_to_people(nlp, tagger):
    got = tags(nlp, tagger, "Several Americans remain under exit bans in China.")
    assert set(got[0]) == {"people_to_people"}


def test_context_patterns_need_a_context_list(tmp_path):
    bad = tmp_path / "issues.yaml"
    bad.write_text("issues:\n  - id: taiwan\n    name: T\n    description: d\n    patterns: [taiwan]\n"
                   "    context_patterns: [strait]\n", encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_issues(bad)
    assert str(err.value).startswith(f"{bad}, line 2: issue 'taiwan' has 'context_patterns' but no 'context'")


def test_issues_discussed_leave_out_list_items_and_teaser_lines(nlp, tagger):
    """DESIGN.md: an issue named only as an item of a 3+-item list, or only in a related-link
    line, is counted in `issues` but is not discussed."""
    from core.issues import discussed

    text = ("Washington approved new arms sales to Taiwan on Friday.\n"
            "The two sides also clashed over trade, the South China Sea and human rights.\n"
            "MORE: Fentanyl talks resume in Beijing.")
    doc = nlp(text)
    sentences = list(doc.sents)
    hits = tagger.tag(doc, sentences)
    counted = {h.issue for h in hits}
    assert {"taiwan", "trade", "south_china_sea", "human_rights", "fentanyl"} <= counted
    assert discussed(hits, sentences) == ["taiwan"]


def test_crossheads_are_headings_not_issue_sentences():
    """A one-to-three-word crosshead ("Strategic competition", "Taiwan") labels a section: no issue
    hit on it; the sentence under it and a headline keep theirs."""
    from core.extract import ExtractionContext, extract
    from core.model import RawArticle

    text = ("Taiwan tensions rise after Blinken visit\n"
            "Blinken met Wang Yi in Beijing on Monday for talks that both sides called candid.\n"
            "The meeting ran for more than five hours at the Diaoyutai guesthouse.\n"
            "The two delegations then held a working dinner.\n"
            "Taiwan\n"
            "Wang warned that Taiwan is the first red line that must not be crossed.\n"
            "Strategic competition\n"
            "Blinken said the strategic competition between the two powers must not veer into conflict.\n")
    result = extract(RawArticle("a.txt", text), ExtractionContext())
    tagged = {result.sentences[h.sent_idx].text.strip() for h in result.issue_hits}
    assert "Taiwan" not in tagged and "Strategic competition" not in tagged
    assert "Taiwan tensions rise after Blinken visit" in tagged
    assert any(t.startswith("Wang warned that Taiwan") for t in tagged)
    assert sum(s.crosshead for s in result.sentences) == 2
