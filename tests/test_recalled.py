"""Recalled statements: an earlier occasion than the article's news, with its month."""
from __future__ import annotations

import datetime as dt

import pytest

from core.catalogs import load_catalogs
from core.model import Sentence
from core.voices.recalled import mark_recalled, occasion

APRIL_2024 = dt.date(2024, 4, 27)


@pytest.mark.parametrize("text, expected", [
    ("In June last year, Wang told Blinken that the relationship was at its lowest point.", (True, "2023-06")),
    ("When I visited Beijing last July, I said that the world is big enough.", (True, "2023-07")),
    ("Li Shangfu said at the Shangri-La Dialogue last week that conflict would be a disaster.", (True, "2024-04")),
    ("Beijing shut down military dialogue last year to protest the August visit of Pelosi.", (True, "2023-08")),
    ("Treasury Secretary Janet Yellen led a delegation to China earlier this month.", (True, "2024-04")),
    ("Blinken met Xi on Friday and both sides agreed to keep talking.", (False, None)),
    ("The next round of talks is expected in June.", (False, None)),                      # ahead, not behind
    ("“We saw what happened with steel a decade ago,” she said.", (False, None)),         # said now
    ("It is the latest sign of stabilizing relations since June.", (False, None)),
    ("China may respond in kind.", (False, None)),                                        # the modal verb
])
def test_occasion_from_the_sentence_words(text, expected):
    assert occasion(text, APRIL_2024) == expected


def test_a_month_just_ahead_is_not_behind():
    assert occasion("Trump takes office in January.", dt.date(2024, 11, 17)) == (False, None)
    assert occasion("Biden and Xi met in Woodside in November.", dt.date(2024, 4, 27)) == (True, "2023-11")


def test_earlier_visit_at_the_time_and_continuation_carry_the_occasion():
    visits = load_catalogs().visits
    texts = ["Blinken’s last trip to China happened shortly after the United States shot down a balloon.",
             "Wang Yi criticized at the time that the relationship was at a low point.",
             "He asked the United States to stop hyping the “China Threat Theory.”",
             "On Friday, Wang said the relationship was stabilising."]
    sentences, pos = [], 0
    for i, t in enumerate(texts):
        sentences.append(Sentence(i, pos, pos + len(t), t, 1 if i < 3 else 2,
                                  speaker="Wang Yi" if i in (1, 2, 3) else None))
        pos += len(t) + 1
    mark_recalled(sentences, APRIL_2024, visits, "blinken-2024-04")
    assert [(s.recalled, s.when) for s in sentences] == [
        (True, "2023-06"), (True, "2023-06"), (True, "2023-06"), (False, None)]
