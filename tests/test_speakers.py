"""Whose words each sentence carries (`diplotone extract --sentences`): speakers, officials,
transcript turns, bad input."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from core.cli import main

ARTICLE = """Blinken and Wang meet in Beijing

BEIJING, April 26, 2024 — U.S. Secretary of State Antony Blinken met Chinese Foreign Minister Wang Yi on Friday.

"We have made progress on fentanyl," Blinken told reporters. "But much work remains."

Wang said the United States should stop interfering in China's internal affairs.

Bonnie Glaser, an analyst at the German Marshall Fund, said the talks were useful but limited.

MILLER: We will keep channels open. The Secretary was clear about Russia.

QUESTION: Did China agree to anything on Russia?

MILLER: I will not get ahead of the talks.
"""


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    def _extract(text: str, name: str = "a.txt") -> dict:
        path = tmp_path_factory.mktemp("articles") / name
        path.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(main, ["extract", "--sentences", str(path)])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)
    return _extract


def sentence(out: dict, fragment: str) -> dict:
    found = [s for s in out["sentences"] if fragment in s["text"]]
    assert found, f"no sentence with {fragment!r}"
    return found[0]


def test_sentence_records_carry_the_contract_fields(extracted):
    out = extracted(ARTICLE)
    fields = {"text", "start", "end", "tone", "issues", "speaker", "side", "official", "recalled", "when"}
    assert out["sentences"] and all(set(s) == fields for s in out["sentences"])
    for s in out["sentences"]:
        assert -1.0 <= s["tone"] <= 1.0 and s["start"] < s["end"]


def test_speakers_officials_and_commentators(extracted):
    out = extracted(ARTICLE)
    said = sentence(out, "progress on fentanyl")
    assert (said["speaker"], said["side"], said["official"]) == ("Antony Blinken", "US", True)
    assert sentence(out, "much work remains")["speaker"] == "Antony Blinken"   # the quote goes on
    wang = sentence(out, "stop interfering")
    assert (wang["speaker"], wang["official"]) == ("Wang Yi", True)
    glaser = sentence(out, "useful but limited")
    assert (glaser["speaker"], glaser["official"]) == ("Bonnie Glaser", False)
    assert sentence(out, "met Chinese Foreign Minister")["speaker"] is None     # narration
    people = {p["name"]: p["official"] for p in out["persons"]}
    assert people["Bonnie Glaser"] is False and people["Wang Yi"] is True


def test_transcript_answers_belong_to_the_answerer_and_questions_to_nobody(extracted):
    out = extracted(ARTICLE)
    assert sentence(out, "keep channels open")["speaker"] == "Matthew Miller"
    assert sentence(out, "clear about Russia")["speaker"] == "Matthew Miller"
    assert sentence(out, "Did China agree")["speaker"] is None
    assert sentence(out, "get ahead of the talks")["speaker"] == "Matthew Miller"


def test_people_are_never_credits_bylines_or_lone_words(extracted):
    out = extracted("Yellen in Beijing\n"
                    "By Jennifer Hansler and Kevin Liptak, CNN\n"
                    "Treasury Secretary Janet Yellin met Vice Premier He Lifeng on Saturday in Beijing.\n"
                    "Yellen said the talks were direct and productive.\n"
                    "Progress was slow, the official said.\n"
                    "(AP Photo/Mark Schiefelbein, Pool)\n"
                    "Cautiously, both sides agreed to meet again.\n"
                    "Ken Moritsugu contributed to this report.\n")
    names = {p["name"] for p in out["persons"]}
    assert names == {"Janet Yellen", "He Lifeng"}                      # "Yellin" is the catalogue's Yellen
    assert sentence(out, "direct and productive")["speaker"] == "Janet Yellen"


def test_recalled_words_are_placed_at_their_occasion(extracted):
    out = extracted("Blinken and Wang meet again\n\n"
                    "BEIJING, April 26, 2024 — Antony Blinken met Foreign Minister Wang Yi on Friday.\n\n"
                    "In June last year, Wang told Blinken that the relationship was at its lowest point.\n\n"
                    "On Friday, Wang said the relationship was stabilising.\n")
    then = sentence(out, "lowest point")
    assert (then["speaker"], then["recalled"], then["when"]) == ("Wang Yi", True, "2023-06")
    now = sentence(out, "stabilising")
    assert (now["speaker"], now["recalled"], now["when"]) == ("Wang Yi", False, None)


@pytest.mark.parametrize("text", [
    'Wang said "the United States must stop interfering.\nBlinken said “talks were candid.\n“And they went on.',
    "“" * 50 + "never closes " * 40,
    "\n".join(f"Photo: Ann Smith/Reuters {i}" for i in range(30)),
    "\n".join(("MR MILLER: We will keep channels open." if i % 2 else "QUESTION: What about Russia?")
              for i in range(2000)),
])
def test_bad_input_gives_a_result(extracted, text):
    out = extracted(text, "bad.txt")
    assert isinstance(out["sentences"], list)
    for s in out["sentences"]:
        assert s["speaker"] is None or isinstance(s["speaker"], str)


def _speakers(obj: dict) -> dict[str, str | None]:
    return {s["text"].strip(): s["speaker"] for s in obj["sentences"]}


def test_captured_page_voices_headline_under_a_stamp_dateline_subject_and_plans(extracted):
    page = ("Published: Saturday, November 16, 2024\n"
            "Xi tells Biden China is ready for the Trump transition\n"
            "LIMA, Peru — Chinese President Xi Jinping told President Biden on Saturday that China was ready "
            "to work with the incoming administration.\n"
            "MR MILLER: Good afternoon. The Secretary will raise our concerns about Russia with the foreign "
            "minister. He will also urge China to use its influence with Iran.\n")
    said = _speakers(extracted(page, "lima.txt"))
    # the headline under the page's own stamp line still carries the words it reports
    assert said["Xi tells Biden China is ready for the Trump transition"] == "Xi Jinping"
    # a dateline the parser reads as a second subject does not hide the speaker
    assert said[next(t for t in said if t.startswith("LIMA, Peru"))] == "Xi Jinping"
    # what the Secretary will do is the spokesperson's announcement, not the Secretary's words
    assert said["The Secretary will raise our concerns about Russia with the foreign minister."] == "Matthew Miller"
    assert said["He will also urge China to use its influence with Iran."] == "Matthew Miller"


def test_a_full_stop_before_a_lowercase_word_does_not_split_a_machine_translation(extracted):
    obj = extracted("Xi meets Blinken\nXi Jinping pointed out that the world needs a stable China-US relations. "
                    "whether the two countries can get along is related to the future of mankind.\n", "mt.txt")
    texts = [s["text"].strip() for s in obj["sentences"]]
    assert any(t.startswith("Xi Jinping pointed out") and t.endswith("future of mankind.") for t in texts), texts
    assert [s["speaker"] for s in obj["sentences"] if s["text"].startswith("Xi Jinping")] == ["Xi Jinping"]


def test_as_the_secretary_said_in_a_spokespersons_answer_is_the_secretarys(extracted):
    """State Department briefing (eval/styles a_07) and an MFA presser (a_04): the clause after "As the
    Secretary said …" carries the Secretary's words; the rest of the answer stays the spokesperson's."""
    out = extracted("Department Press Briefing – October 26, 2023\nMatthew Miller, Department Spokesperson\n"
                    "MR MILLER: Good afternoon. Secretary Blinken will host Foreign Minister Wang Yi this afternoon.\n"
                    "QUESTION: What does the Secretary expect from the talks?\n"
                    "MR MILLER: As the Secretary said when he was in Beijing in June, there's no substitute for "
                    "face-to-face diplomacy. We expect candid conversations on a range of issues.\n")
    assert sentence(out, "no substitute for face-to-face")["speaker"] == "Antony Blinken"
    assert sentence(out, "candid conversations")["speaker"] == "Matthew Miller"
    out = extracted("Foreign Ministry Spokesperson Mao Ning's Regular Press Conference\n"
                    "Q: Will China send giant pandas to the San Diego Zoo?\n"
                    "Mao Ning: President Xi Jinping spoke of the pandas in San Francisco. As President Xi said, China is "
                    "ready to continue cooperating with the U.S. on giant panda conservation.\n"
                    "Q: What about the Philippines?\n"
                    "Mao Ning: I have no information to offer on that.\n")
    assert sentence(out, "giant panda conservation")["speaker"] == "Xi Jinping"
    out = extracted("Blinken in Beijing\nChinese Foreign Minister Wang Yi met Antony Blinken in Beijing.\n"
                    "China is ready to work with the United States as Wang Yi said in Beijing.\n")
    assert sentence(out, "ready to work")["speaker"] == "Wang Yi"   # no comma: the clause before it
