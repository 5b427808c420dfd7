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
