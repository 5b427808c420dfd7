"""Recalled statements: sentences that report an earlier occasion than the article's news.

"In June last year, Wang told Blinken …" in an April 2024 article is June 2023's words, and a
chart by visit or over time must place it there (or leave it out), never at the article's date.
A sentence is recalled when it dates its event before the news: a past month ("in June",
"last July", "in August last year", "July 2023"), "last week/month/year", "earlier this
month/year", "N years ago", an earlier year, "at the time", "then-", "shortly thereafter", or an
earlier visit ("Blinken's last trip", "her first visit", resolved through the visit catalogue).
`when` is the occasion's "YYYY-MM" where the words fix it. A sentence that goes on with the same
speaker in the same paragraph, with no time of its own, goes on with the same occasion
("He proposed “seeking common ground.”" after "Li Shangfu said at Shangri-La last week …").
"""
from __future__ import annotations

import datetime as dt
import re

from core.catalogs import Visit
from core.model import Sentence

MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MONTH = r"(January|February|March|April|May|June|July|August|September|Sept?\.?|October|November|December|" \
         r"Jan\.|Feb\.|Mar\.|Apr\.|Aug\.|Oct\.|Nov\.|Dec\.)"
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "several": None}
MONTH_PHRASE = re.compile(rf"\b(?:(in|last|since|by|early|late|mid-?) )?{_MONTH}(?: (\d{{1,2}}))?(?:,? (20\d\d|19\d\d))?"
                          rf"(?: (last year|this year))?\b(?!['’]s)")
RELATIVE = re.compile(r"(?<!since )(?<!than )\b(last|earlier this|earlier in the) (week|month|year|spring|summer|autumn|fall|"
                      r"winter)\b|(?<!than )\b(a|an|one|two|three|four|five|six|several|\d+) (years?|months?|decades?) ago\b|"
                      r"\bmore than (?:\w+ )?(?:decades?|years?) ago\b", re.I)
YEAR = re.compile(r"\b(?:in|by) (19\d\d|20\d\d)\b")
MARKERS = re.compile(r"\b(at the time|shortly thereafter|in another meeting|previously)\b", re.I)
QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")
PAST_VISIT = re.compile(r"\b(last|previous|first|earlier) (trip|visit|meeting)\b", re.I)
PAST = re.compile(r"\b(\w+ed|was|were|had|met|said|told|came|went|made|took|held|led|saw|began|spent|shut|gave)\b")
FUTURE = re.compile(r"\b(will|next|upcoming|expected|ahead of|later|coming|planned|scheduled)\b", re.I)
NEWS_TIME = re.compile(r"\b(today|yesterday|tonight|this (?:week|morning|afternoon|evening)|on (?:Monday|Tuesday|"
                       r"Wednesday|Thursday|Friday|Saturday|Sunday))\b", re.I)


def _ym(d: dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _shift(d: dt.date, months: int) -> dt.date:
    total = d.year * 12 + d.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


def _month_occasion(m: re.Match, pub: dt.date) -> tuple[bool, str | None] | None:
    """(recalled, when) for a month phrase; None when it is the news month or later."""
    lead, name, day, year, rel = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)
    if lead == "since":
        return None  # "since June": a span up to the news, not an occasion
    if name == "May" and not (lead or day or year):
        return None  # the modal verb
    month = MONTHS[name[:3].lower()]
    this = pub.replace(day=1)
    if year:
        when = dt.date(int(year), month, 1)
    elif rel == "last year" or re.search(r"\blast year\b", m.string):
        when = dt.date(pub.year - 1, month, 1)
    elif lead == "last":
        when = dt.date(pub.year - 1 if month >= pub.month else pub.year, month, 1)
    else:
        ahead = (month - pub.month) % 12
        if FUTURE.search(m.string) or 0 < ahead <= 3 and not PAST.search(m.string):
            return None  # "Trump takes office in January", in November: ahead, not behind
        when = dt.date(pub.year if month <= pub.month else pub.year - 1, month, 1)
    if when >= this and not (when == this and day and int(day) < pub.day - 7):
        return None
    return True, _ym(when)


def occasion(text: str, pub: dt.date | None, news: tuple[dt.date, dt.date] | None = None) -> tuple[bool, str | None]:
    """(recalled, when) read from one sentence's own words, given the article's date; words in
    quotation marks are what the speaker says now, not the occasion. news: the article's visit
    window, which "last week" or "earlier this month" may name (then it is the news itself)."""
    text = QUOTED.sub(" ", text)
    if pub is None:
        return bool(MARKERS.search(text)), None
    for m in MONTH_PHRASE.finditer(text):
        found = _month_occasion(m, pub)
        if found:
            return found
    for m in RELATIVE.finditer(text):
        if m.group(1):
            which, unit = m.group(1).lower(), m.group(2).lower()
            if unit == "week":
                day = pub - dt.timedelta(days=5)
                if which != "last" or news and news[0] - dt.timedelta(days=3) <= day <= news[1] + dt.timedelta(days=3):
                    continue  # "earlier this week", or last week's visit: the news
                return True, _ym(day)
            if unit == "month":
                return True, _ym(_shift(pub, -1) if which == "last" else pub)
            return True, None
        n = NUMBERS.get((m.group(3) or "").lower(), int(m.group(3)) if (m.group(3) or "").isdigit() else None)
        unit = (m.group(4) or "").lower()
        if n and unit.startswith("year"):
            return True, _ym(_shift(pub, -12 * n))
        if n and unit.startswith("month"):
            return True, _ym(_shift(pub, -n))
        return True, None
    year = YEAR.search(text)
    if year and int(year.group(1)) < pub.year:
        return True, None
    if MARKERS.search(text):
        return True, None
    return False, None


def _past_visit(text: str, pub: dt.date | None, visits: list[Visit], names: list[str]) -> str | None:
    """'Blinken's last trip' -> the month of that lead's latest visit before the article."""
    m = PAST_VISIT.search(text)
    if not m or pub is None:
        return None
    lower = text.lower()
    leads = [v for v in visits if v.start and v.start < pub - dt.timedelta(days=3) and any(
        lead.split()[-1].lower() in lower or lead in names for lead in v.leads)]
    if not leads:
        return None
    chosen = min(leads, key=lambda v: v.start) if m.group(1).lower() == "first" else max(leads, key=lambda v: v.start)
    return _ym(chosen.start)


def _goes_on(s: Sentence) -> bool:
    """The sentence carries on a report ("He proposed …", "“…”"), rather than a new point."""
    first = s.text.lstrip()[:1]
    word = (s.text.split() or [""])[0].strip(",")
    return first in "\"“" or word in {"He", "She", "They"} or bool(s.speaker and word in s.speaker.split())


def mark_recalled(sentences: list[Sentence], pub: dt.date | None, visits: list[Visit], visit: str | None = None) -> None:
    """Set recalled and when on each sentence (module doc); headings are never recalled.
    visit: the article's visit id, whose dates are the news."""
    news = next(((v.start, v.end) for v in visits if v.id == visit and v.start), None)
    prev: Sentence | None = None
    for s in sentences:
        if s.is_heading:
            prev = None
            continue
        recalled, when = occasion(s.text, pub, news)
        visit_when = _past_visit(s.text, pub, visits, [s.speaker] if s.speaker else [])
        if visit_when:
            recalled, when = True, when or visit_when
        if recalled and when is None and prev is not None and prev.recalled and re.search(
                r"\bat the time\b|\bthen\b", s.text, re.I):
            when = prev.when
        if not recalled and prev is not None and prev.recalled and prev.paragraph == s.paragraph and (
                s.speaker and s.speaker == prev.speaker) and not NEWS_TIME.search(s.text) and _goes_on(s):
            recalled, when = True, prev.when
        s.recalled, s.when = recalled, when
        prev = s
