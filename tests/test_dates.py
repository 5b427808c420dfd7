"""Publication date, visit, title and outlet inference (core.ingest.dates)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from core.catalogs import load_article_meta, load_visits
from core.ingest.clean import clean_text
from core.ingest.dates import assign_visit, infer_pub_date, infer_title
from core.ingest.outlets import infer_outlet, read_outlet

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
VISITS = load_visits(SEEDS / "visits.yaml")
D = dt.date


def guess(text: str):
    return infer_pub_date(text, visits=VISITS)


@pytest.mark.parametrize("text, expected", [
    ("WASHINGTON, June 19 (Reuters) - Secretary of State Antony Blinken met Xi Jinping in Beijing in 2023.",
     D(2023, 6, 19)),
    ("BEIJING, April 26, 2024 — China and the United States agreed to hold AI talks.", D(2024, 4, 26)),
    ("BEIJING, April 26 (Xinhua) -- Chinese President Xi Jinping met Antony Blinken. The visit of 2024 ...",
     D(2024, 4, 26)),
    ("Published: 2023-07-08\nYellen wraps up Beijing visit\nTreasury Secretary Janet Yellen said...",
     D(2023, 7, 8)),
    ("Updated 3:04 AM EDT, Sat July 22, 2023\nKerry ends climate talks", D(2023, 7, 22)),
    ("Posted on 19 June 2023\nBlinken and Xi meet", D(2023, 6, 19)),
    ("Published June 19th, 2023\nBlinken and Xi meet", D(2023, 6, 19)),
    ("Source: Xinhua | 2024-04-26 10:32:05\nXi meets Blinken", D(2024, 4, 26)),
    ("2024年4月26日 10:32\nXi meets Blinken", D(2024, 4, 26)),
])
def test_stamps_and_datelines(text, expected):
    g = guess(text)
    assert g.date == expected
    assert g.confidence >= 0.75
    assert g.evidence


def test_weekday_picks_the_year_of_a_month_day_date():
    # April 26 was a Friday in 2024 (a Wednesday in 2023); the Blinken visit that fits is 2024's.
    g = guess("Secretary of State Antony Blinken ended his three-day visit to China on Friday (April 26). "
              "He met Wang Yi in Beijing.")
    assert g.date == D(2024, 4, 26)  # a report of the day it names by weekday, no 'this week': that day
    assert "April 26" in g.evidence or "Apr 2024" in g.evidence


def test_weekdays_tell_apart_two_visits_by_the_same_lead():
    text = ("Secretary of State Antony Blinken held talks in Beijing this week. "
            "Xi Jinping told Mr. Blinken on Monday that the world is big enough for both.")
    g = guess(text)
    assert g.date == D(2023, 6, 21)  # the June 2023 visit ended on a Monday; April 2024's did not
    assert "second day" in g.evidence  # 'this week' after Monday: window 20-25 Jun, its second day
    assert assign_visit(g.date, text, VISITS).visit == "blinken-2023-06"


def test_capture_date_does_not_win_over_content():
    raw = ("Sunday, December 22, 2024\n\nBlinken's China trip ends\n\n"
           "Antony Blinken's talks in Shanghai and Beijing last week covered Russia and fentanyl.")
    cleaned = clean_text(raw)
    g = infer_pub_date(cleaned.text, infer_title(cleaned), visits=VISITS, page_dates=cleaned.page_dates)
    assert cleaned.page_dates == ["Sunday, December 22, 2024"]
    assert g.date == D(2024, 4, 30)  # 'last week' of the 24-26 Apr visit: 29 Apr-5 May, its second day
    assert "rejected as a capture or print date" in g.evidence and "days after the latest event" in g.evidence


def test_relative_words_anchor_on_events():
    assert guess("Treasury Secretary Janet Yellen wrapped up her visit to Beijing yesterday, "
                 "after meeting Li Qiang.").date == D(2023, 7, 10)
    g = guess("Commerce Secretary Gina Raimondo visited Shanghai last week to discuss export controls.")
    assert g.date == D(2023, 9, 5)  # 'last week' of 27-30 Aug: the week of 4 Sep, its second day
    assert g.confidence >= 0.7


def test_upcoming_visit_is_an_upper_bound():
    g = guess("Antony Blinken is expected to visit Beijing, officials said after talks on June 2.")
    assert D(2023, 6, 2) < g.date < D(2023, 6, 18)


def test_explicit_date_only():
    g = guess("The ministers met on March 3, 2021, in Anchorage.")
    assert g.date == D(2021, 3, 4) and 0.3 <= g.confidence < 0.6


@pytest.mark.parametrize("text", ["", "Tensions remain high between the two powers.",
                                  "Officials met on Monday to talk about trade."])
def test_no_date_at_all(text):
    g = guess(text)
    assert g.date is None and g.confidence == 0.0 and g.evidence


def test_month_only_is_weak():
    g = guess("Relations have been tense since August 2022.")
    assert g.date == D(2022, 8, 1) and g.confidence < 0.3


def test_assign_visit_during_after_before_and_other():
    text = "Antony Blinken arrived in Beijing for talks with Wang Yi."
    assert assign_visit(D(2024, 4, 25), text, VISITS).visit == "blinken-2024-04"
    assert assign_visit(D(2023, 6, 25), text, VISITS).visit == "blinken-2023-06"
    assert assign_visit(D(2023, 6, 5), text, VISITS).visit == "blinken-2023-06"  # previews it
    far = assign_visit(D(2023, 9, 1), text, VISITS)
    assert far.visit == "other" and "days from it" in far.evidence
    assert assign_visit(D(2023, 6, 20), "Tariffs on steel rose again.", VISITS).visit == "other"


def test_assign_visit_window_boundary():
    text = "Climate envoy John Kerry ended his visit to Beijing."
    assert assign_visit(D(2023, 7, 29), text, VISITS).visit == "kerry-2023-07"  # end + 10 days
    assert assign_visit(D(2023, 7, 30), text, VISITS).visit == "other"  # end + 11 days
    assert assign_visit(D(2023, 7, 2), text, VISITS).visit == "kerry-2023-07"  # start - 14 days
    assert assign_visit(D(2023, 7, 1), text, VISITS).visit == "other"  # start - 15 days


def test_name_only_mention_is_not_a_visit():
    # Wang Yi is named in most articles; without a trip, place or keyword it is not his Oct 2023 visit
    text = "Chinese Foreign Minister Wang Yi said the relationship had stabilized."
    assert assign_visit(D(2023, 10, 27), text, VISITS).visit == "other"


@pytest.mark.parametrize("raw, outlet", [
    ("WASHINGTON, June 19 (Reuters) - Blinken met Xi.", "Reuters"),
    ("hong kong\n\nCNN\n\n—\n\nThe three senior US officials...", "CNN"),
    ("BEIJING, April 26 (Xinhua) -- Xi met Blinken.", "Xinhua"),
    ("Some story text.\nDiscover more from Meritnews24\nSubscribe to get the latest posts.", "Meritnews24"),
    ("Text.\nThe views expressed do not necessarily reflect the official policy of China Factor.", "China Factor"),
    ("Title\nWhy We Wrote This\nA story focused on trust.", "The Christian Science Monitor"),
    ("Title\nUSIP’s Carla Freeman discusses the visit.", "USIP"),
    ("Headline\nSupported by\nSend any friend a story\nText.", "The New York Times"),  # the site's own furniture
    ("This article is more than 1 year old\nHeadline\nText.\nReuse this content", "The Guardian"),
    ("Text.\nAppeared in the July 12, 2023, print edition as 'Yellen Bowed'.", "The Wall Street Journal"),
    ("Blinken met Xi. Later he told CNN that talks were useful.", None),  # a mention is not a credit
    ("", None),
])
def test_infer_outlet(raw, outlet):
    assert infer_outlet(raw) == outlet


@pytest.mark.parametrize("raw, site, url, publisher, credit", [
    ("Valley Courier-Times | NATION & WORLD\nHeadline\nBy FATIMA HUSSEIN and DIDI TANG Associated Press\n"
     "BEIJING (AP) — Yellen said.", None, None, "Valley Courier-Times", "Associated Press"),
    ("Headline\nBy Jiang Lihua | China Daily | Updated: 2023-11-20 07:28\nText.", None, None, "China Daily", None),
    ("Headline\nBy Kevin Liptak and Nectar Gan, CNN\nText.", None, None, "CNN", None),
    ("2023-07-09 18:22:07 Source: Xinhua\nText.", None, None, "Xinhua", None),
    ("Headline\nBEIJING, Aug 29 (Reuters) - Xi met Sullivan.", "Deccan Ledger", None, "Deccan Ledger", "Reuters"),
    ("Headline\nText.\nThis article first appeared in The Diplomat.", None, "https://www.asiatimes.com/2023/x",
     "asiatimes.com", "The Diplomat"),
    ("Headline\nText.\nOriginally published by East Asia Forum.", None, None, "East Asia Forum", None),
    ("Headline\nText.\nvia Nikkei Asia", None, "https://www.nytimes.com/a", "The New York Times", "Nikkei Asia"),
    ("Forum Daily › Analysis › Q&A\nHeadline\nText.", None, None, "Forum Daily", None),
    ("The Northern Courier | World | Asia-Pacific\nHeadline\nText.", None, None, "The Northern Courier", None),
    ("Headline\nText.\nYou are receiving this because you subscribed to China Desk Weekly. Unsubscribe",
     None, None, "China Desk Weekly", None),
    ("2023年6月19日 22:41  来源：新华网\nXi Jinping met Blinken.", None, None, "Xinhua", None),
    ("OPINION | COMMENTARY\nHeadline\nText.", None, None, None, None),  # a section label is not an outlet
])
def test_read_outlet_from_the_page(raw, site, url, publisher, credit):
    """The page's own outlet is the publisher; a wire or origin it credits is kept as the credit."""
    assert read_outlet(raw, site, url) == (publisher, credit)


def test_infer_title_strips_outlet_suffix():
    assert infer_title(clean_text("Blinken meets Xi in Beijing | South China Morning Post\nBody.")) == \
        "Blinken meets Xi in Beijing"
    assert infer_title(clean_text("The three senior US officials who have visited Beijing had a mandate.")) is None


META = load_article_meta(SEEDS / "articles.yaml")


@pytest.mark.parametrize("file", sorted(META))
def test_seed_inference_matches_the_metadata(file):
    """Without the metadata file, the general rules land within two days and on the same visit."""
    raw = (SEEDS / file).read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    g = infer_pub_date(cleaned.text, infer_title(cleaned), visits=VISITS)
    meta = META[file]
    assert g.date is not None and abs((g.date - meta.pub_date).days) <= 2, (g.date, meta.pub_date, g.evidence)
    assert assign_visit(g.date, cleaned.text, VISITS).visit == meta.visit
    assert infer_outlet(raw) == meta.outlet


def test_dateline_year_comes_from_the_event_not_a_since_clause():
    g = guess("WASHINGTON, June 19 (Reuters) - Secretary of State Antony Blinken met Chinese President "
              "Xi Jinping in Beijing on Monday, the first visit since 2018.")
    assert g.date == D(2023, 6, 19) and "year 2023" in g.evidence


def test_place_next_to_the_lead_tells_apart_two_visits():
    text = ("Chinese Premier Li Qiang met U.S. Treasury Secretary Janet Yellen in Beijing on Sunday, as she "
            "pressed concerns about overcapacity during her visit that began in Guangzhou.")
    g = guess(text)
    assert g.date == D(2024, 4, 7)  # the Sunday it names: a same-day report
    assert assign_visit(g.date, text, VISITS).visit == "yellen-2024-04"


# --- dates printed alone at the top, and dates in the headline --------------------------------


def from_page(raw: str):
    cleaned = clean_text(raw)
    return infer_pub_date(cleaned.text, infer_title(cleaned), visits=VISITS, page_dates=cleaned.page_dates)


def test_top_line_date_consistent_with_the_content_is_the_publication_date():
    g = from_page("July 12, 2023\n\nYellen's Beijing trip leaves questions\n\n"
                  "Treasury Secretary Janet Yellen ended her visit to Beijing on Sunday after meeting Li Qiang.")
    assert g.date == D(2023, 7, 12)  # 3 days after the Sunday (9 Jul) the visit ended
    assert g.confidence >= 0.8 and "taken as the publication date" in g.evidence and "3 day(s) after" in g.evidence


def test_top_line_date_alone_with_an_undated_content_is_taken_moderately():
    g = from_page("May 15, 2024\n\nTariff row deepens\n\nOfficials in both capitals traded accusations over tariffs.")
    assert g.date == D(2024, 5, 15)
    assert 0.5 <= g.confidence < 0.8 and "no dated event" in g.evidence


@pytest.mark.parametrize("top, why", [
    ("Sunday, December 22, 2024", "days after the latest event"),  # far after every event: a capture date
    ("July 1, 2023", "before Yellen in Beijing"),  # before an event the content reports as past
])
def test_top_line_date_inconsistent_with_the_content_is_rejected(top, why):
    g = from_page(f"{top}\n\nYellen's Beijing trip leaves questions\n\n"
                  "Treasury Secretary Janet Yellen ended her visit to Beijing on Sunday after meeting Li Qiang.")
    assert g.date == D(2023, 7, 9)
    assert "rejected as a capture or print date" in g.evidence and why in g.evidence


def test_top_line_date_after_an_upcoming_visit_is_rejected():
    g = from_page("2023-06-25\n\nWashington and Beijing prepare for talks\n\n"
                  "Antony Blinken is expected to visit Beijing, officials said after talks on June 2.")
    assert D(2023, 6, 2) < g.date < D(2023, 6, 18) and "still ahead" in g.evidence


def test_labelled_stamp_wins_over_a_top_line_date():
    g = infer_pub_date("Published: 2023-07-08\nYellen wraps up visit", visits=VISITS, page_dates=["July 30, 2023"])
    assert g.date == D(2023, 7, 8)


def test_date_in_the_headline():
    g = infer_pub_date("MR MILLER: Good afternoon. Foreign Minister Wang Yi is in Washington this week "
                       "for talks with Secretary Blinken.", "Department Press Briefing – October 26, 2023",
                       visits=VISITS)
    assert g.date == D(2023, 10, 26) and g.confidence >= 0.85 and "headline" in g.evidence


@pytest.mark.parametrize("title", ["Blinken will visit Beijing on June 18, 2023",  # upcoming, not the date
                                   "What the March 3, 2021 talks taught us"])  # older than what is reported
def test_headline_date_that_is_not_the_documents(title):
    g = infer_pub_date("Antony Blinken is expected to visit Beijing, officials said after talks on June 2, 2023.",
                       title, visits=VISITS)
    assert D(2023, 6, 2) < g.date < D(2023, 6, 18)


def test_same_day_report_and_today():
    g = guess("Joe Biden and Xi Jinping met in Lima on Saturday, on the sidelines of the APEC summit in Peru.")
    assert g.date == D(2024, 11, 16) and "report of the day" in g.evidence
    g = guess("Joe Biden met Xi Jinping in Lima today at the APEC summit.")
    assert g.date == D(2024, 11, 16)
    # the same event placed 'this week' is written up later
    g = guess("Joe Biden and Xi Jinping met in Lima on Saturday, on the sidelines of the APEC summit in Peru, "
              "and Biden flew to Brazil this week.")
    assert g.date == D(2024, 11, 17)


def test_a_dated_past_event_next_to_a_future_clause_stays_past():
    # the comma inside "June 2, 2023" must not hide the date's own clause ("officials said after talks")
    g = guess("Antony Blinken is expected to visit Beijing, officials said after talks on June 2, 2023.")
    assert D(2023, 6, 2) < g.date < D(2023, 6, 18) and "latest past event: 'June 2, 2023'" in g.evidence


def test_top_line_date_during_a_reported_visit_is_accepted():
    g = from_page("October 27, 2023\n\nWang Yi in Washington\n\n"
                  "Foreign Minister Wang Yi held talks in Washington with Antony Blinken.")
    assert g.date == D(2023, 10, 27) and "during Wang Yi in Washington" in g.evidence


def test_print_lines_never_date_a_page_and_us_numeric_bylines_do():
    from core.ingest.dates import infer_pub_date

    text = ("Printed from the web on Friday, February 7, 2025\n"
            "Yellen says ties on surer footing after Beijing talks\n"
            "BEIJING (AP) — Treasury Secretary Janet Yellen said Sunday, July 9, 2023, that talks were direct.")
    assert infer_pub_date(text, "Printed from the web on Friday, February 7, 2025").date == dt.date(2023, 7, 9)
    byline = "Biden’s remark undid a week of diplomacy\nBY JANE ROE, OPINION CONTRIBUTOR - 06/23/23 8:30 AM ET\nText."
    assert infer_pub_date(byline).date == dt.date(2023, 6, 23)


# --- stamps that are not the story's: reprints, later reposts, and what the text calls today ----------

_AP_STORY = ("BEIJING (AP) — U.S. Commerce Secretary Gina Raimondo said Tuesday that American companies had "
             "told her China had become uninvestable, as she visited Beijing and Shanghai.")


def test_a_reprints_own_published_label_gives_way_to_the_story():
    page = f"Published: Saturday, September 2, 2023\nRaimondo says China 'uninvestable'\n{_AP_STORY}"
    g = infer_pub_date(page, visits=VISITS, reprint="Associated Press")
    assert g.date == D(2023, 8, 29) and "reprints Associated Press" in g.evidence
    assert infer_pub_date(page, visits=VISITS).date == D(2023, 9, 2)  # the outlet's own story: its label stands


def test_a_published_label_months_after_a_recent_event_is_a_later_reposts():
    g = guess("Published: March 3, 2025\nJoe Biden met Xi Jinping in Lima on Saturday, on the sidelines of "
              "the APEC summit in Peru.")
    assert g.date == D(2024, 11, 16) and "later repost" in g.evidence
    # a label a few days after the events it reports stands
    assert guess("Published: November 18, 2024\nJoe Biden met Xi Jinping in Lima on Saturday at the APEC "
                 "summit in Peru.").date == D(2024, 11, 18)


def test_repost_and_modified_lines_are_never_the_date():
    raw = ("Reposted on Geopolitics Digest · March 3, 2025\nXi tells Biden China is ready for Trump transition\n"
           "LIMA, Peru — Chinese President Xi Jinping told President Biden on Saturday that China was ready "
           "to work with the incoming administration, in what was their last meeting before Biden leaves "
           "office in January.\nBiden and Xi last met at the Filoli estate in Woodside.\nLast modified 2025-03-04")
    g = from_page(raw)
    assert g.date == D(2024, 11, 16)
    cleaned = clean_text(raw)
    assert assign_visit(g.date, cleaned.text, VISITS).visit == "lima-2024-11"


def test_the_day_a_transcript_calls_today_and_a_newsletter_issue_line():
    g = guess("MR MILLER: Good afternoon. Chinese Foreign Minister Wang Yi arrives in Washington today, Thursday, "
              "for three days of meetings, and Secretary Blinken will host him this week.")
    assert g.date == D(2023, 10, 26) and "today, Thursday" in g.evidence
    g = from_page("China Desk Weekly: Sullivan's Beijing marathon\nIssue #142 · Friday, August 30, 2024\n"
                  "This week Jake Sullivan held talks with Wang Yi in Beijing.")
    assert g.date == D(2024, 8, 30)
