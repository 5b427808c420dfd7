"""Boilerplate cleaning: what is removed from the seeds and from made-up messy inputs."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.ingest.clean import DECK_REASON, SUMMARY_REASON, clean_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed(name: str):
    path = next(SEEDS.glob(f"{name}_*.txt"))
    return clean_text(path.read_text(encoding="utf-8"))


def removed(cleaned) -> dict[str, str]:
    """Removed lines (whitespace-normalised, as a reader would quote them) -> the rule's reason."""
    return {" ".join(ln.text.split()): ln.reason for ln in cleaned.lines if ln.removed and ln.reason != "blank"}


def test_lines_keep_the_raw_text_and_analysis_reads_the_normalised_text():
    c = clean_text("Talks resume in Beijing\nA sign read <script>alert(1)</script>  in   red letters.\n")
    assert c.lines[1].text == "A sign read <script>alert(1)</script>  in   red letters."
    assert "<script>" not in c.text and "A sign read" in c.text


def test_every_raw_line_is_accounted_for():
    raw = "Title here for a story\r\n\r\nLoading...\r\nA real paragraph about talks in Beijing.\r\n"
    c = clean_text(raw)
    assert [ln.idx for ln in c.lines] == list(range(len(raw.replace("\r\n", "\n").split("\n"))))
    assert all(ln.reason for ln in c.lines if ln.removed)
    assert all(ln.reason is None for ln in c.lines if not ln.removed)
    assert c.text == "Title here for a story\nA real paragraph about talks in Beijing."


def test_seed_000_captions_and_republication_note():
    c = seed("000")
    gone = removed(c)
    assert gone == {
        "China’s military drills have ramped up the pressure on Taiwan. Photo: PLA": "caption",
        "China has become authoritarian under Xi Jinping. Photo: Wikimedia Commons": "caption",
        "This is an edited version of an article, republished courtesy of Voice of America. "
        "Read the original article here.": "disclaimer or republication note",
        "The views and opinions expressed in this article are those of the author and do not "
        "necessarily reflect the official policy of China Factor.": "disclaimer or republication note",
        "Secretary of State Antony Blinken plans to visit Beijing in a move to ease tension between the two powers":
            DECK_REASON,
    }
    assert c.title == "US-China relations end in stalemate despite talks"
    for heading in ("Strategic competition", "Renewed discussions", "Ideological gap"):
        assert heading in c.text.split("\n")  # section headings in the body are content


def test_seed_001_why_we_wrote_this_and_repeats():
    c = seed("001")
    reasons = [ln.reason for ln in c.lines if ln.removed]
    assert reasons.count("'Why We Wrote This' block") == 4
    assert "loading" in reasons and "byline" in reasons
    repeated = [ln for ln in c.lines if ln.reason == "repeated paragraph"]
    assert len(repeated) == 1 and repeated[0].idx == 44  # the near-repeat at the end; the first copy stays
    assert c.text.count("you’re not going to be able to have a situation") == 1
    # the rewritten lede is a paraphrase, not a repeat: both stay
    assert "Pulling the two superpowers’ relationship out of a nosedive" in c.text
    assert "A long-overdue, top-level dialogue eased U.S.-China tensions this week" in c.text


def test_seed_002_summary_block_restating_the_body_is_removed_with_its_reason():
    """The 'Key Concepts' bullets restate the body: counted once (the body's), shown as removed."""
    c = seed("002")
    gone = removed(c)
    assert set(gone.values()) == {"subscribe or cookie prompt", SUMMARY_REASON, DECK_REASON}
    assert gone["Key Concepts"] == SUMMARY_REASON
    assert gone["- Tensions remain over Taiwan, the South China Sea, technology controls, and trade disputes."] == SUMMARY_REASON
    assert "Key Concepts" not in c.text and "underlying tensions persist" not in c.text
    assert "From tensions over Taiwan and the South China Sea to U.S. technology controls" in c.text  # the body stays


def test_summary_block_keeps_a_line_that_adds_to_the_body_and_a_block_that_restates_nothing():
    body = ("Treasury Secretary Janet Yellen held talks with Vice Premier He Lifeng in Guangzhou on Saturday.\n"
            "Washington says Chinese subsidies create overcapacity in electric vehicles and solar panels.")
    c = clean_text("Yellen in China\nKey points\n- Yellen held talks with He Lifeng in Guangzhou.\n"
                   "- A new working group on anti-money-laundering cooperation meets next month.\n" + body)
    gone = removed(c)
    assert gone["- Yellen held talks with He Lifeng in Guangzhou."] == SUMMARY_REASON
    assert "anti-money-laundering cooperation" in c.text and "Key points" not in c.text
    fresh = clean_text("Yellen in China\nSome intro line here.\nOther words.\nMore words here.\nSummary\n"
                       "Negotiators drafted joint language on methane reduction targets today.\n" + body)
    assert "Summary" in fresh.text and "methane reduction targets" in fresh.text


def test_seed_002_deck_restating_the_body_counts_once():
    """The deck under the headline says in other words what the first paragraphs say."""
    c = seed("002")
    deck = ("Blinken’s visit to China failed to achieve any breakthrough, and US-China relations went from a "
            "sharp decline to a steady deterioration")
    assert removed(c)[deck] == DECK_REASON
    assert deck not in c.text and c.title == "US-China Relations Deterioration"
    assert c.text.split("\n")[1].startswith("Washington — The recent visit of US Secretary of State Antony Blinken")


_BODY = ("US Treasury Secretary Janet Yellen met Chinese Premier Li Qiang in Beijing on Sunday after two days of "
         "talks in Guangzhou, on her second visit to China in nine months.\n"
         "The talks were dominated by US complaints about Chinese industrial overcapacity in electric vehicles "
         "and solar panels, which Beijing calls protectionism.\n"
         "Yellen said the relationship was on a more stable footing than a year earlier.")


def test_deck_under_the_headline_is_removed_only_when_it_restates_the_body():
    deck = "Treasury secretary presses Beijing over overcapacity in electric vehicles on second visit to China"
    c = clean_text(f"Yellen presses Li on overcapacity\n{deck}\nBy Jane Doe\n{_BODY}")
    assert removed(c)[deck] == DECK_REASON and c.title == "Yellen presses Li on overcapacity"
    assert c.text.split("\n")[1].startswith("US Treasury Secretary Janet Yellen met")
    # a standfirst that says what the body does not is content
    news = "Negotiators also drafted a memorandum on methane and coal phase-down targets for the coming decade"
    assert news in clean_text(f"Yellen presses Li on overcapacity\n{news}\nBy Jane Doe\n{_BODY}").text
    # a one-sentence lede that runs straight into the body is the story, not a deck
    lede = "Treasury Secretary Janet Yellen pressed Beijing on overcapacity in electric vehicles on Sunday."
    assert lede in clean_text(f"Yellen presses Li on overcapacity\n{lede}\n{_BODY}").text


def test_breadcrumb_and_print_line_above_the_headline_are_furniture_not_the_headline():
    raw = (f"Printed from the web on Friday, February 7, 2025\nHome / World News\n"
           f"Yellen presses Li on overcapacity\n{_BODY}")
    c = clean_text(raw)
    gone = removed(c)
    assert gone["Printed from the web on Friday, February 7, 2025"] == "print or capture line"
    assert gone["Home / World News"] == "navigation"
    assert "18 November 2024 · 9 min read" in clean_text(f"Home / World News\n18 November 2024 · 9 min read\n{_BODY}").text
    assert c.title == "Yellen presses Li on overcapacity"
    assert "US Treasury Secretary Janet Yellen met" in c.text  # the first paragraph is no deck of a breadcrumb


def test_seed_003_capture_date_is_furniture():
    c = seed("003")
    gone = removed(c)
    assert gone["Sunday, December 22, 2024"].startswith("page date")
    assert gone["Must read"] == "site furniture" and gone["Latest article"] == "site furniture"
    assert any(r == "caption" for r in gone.values())
    assert "2024" not in c.text.split("\n")[0]
    assert c.title == "Blinken’s China Trip Shows Both Sides Want to Stabilize Ties"


def test_seed_004_dateline_pieces_and_no_headline():
    c = seed("004")
    gone = removed(c)
    assert gone["date 2023-07-24"].startswith("page date")
    assert set(gone) >= {"hong kong", "CNN", "—"}
    assert c.title is None  # the text opens with the story, not a headline
    assert c.text.startswith("The three senior US officials")


@pytest.mark.parametrize("name", ["000", "001", "002", "003", "004"])
def test_no_real_paragraph_lost(name):
    """Every removed line of 15+ words is a repeat, a block note, a caption or a disclaimer."""
    c = seed(name)
    allowed = {"repeated paragraph", "'Why We Wrote This' block", "caption", "disclaimer or republication note",
               DECK_REASON}
    for ln in c.lines:
        if ln.removed and len(ln.text.split()) >= 15:
            assert ln.reason in allowed, (ln.idx, ln.reason, ln.text)
    kept_words = sum(len(ln.text.split()) for ln in c.lines if not ln.removed)
    all_words = sum(len(ln.text.split()) for ln in c.lines)
    assert kept_words / all_words > 0.85


def test_made_up_messy_page():
    raw = "\n".join([
        "<div class='nav'>Home | World | Asia</div>",
        "Beijing and Washington agree to resume talks",
        "Advertisement",
        "By Jane Doe and John Roe | Beijing",
        "Officials from both countries met in Beijing on Tuesday to discuss fentanyl controls.",
        "Wang Yi greets Antony Blinken in Beijing, June 19, 2023. REUTERS/Leah Millis",
        "Sign up for our China newsletter to get the news in your inbox.",
        "We use cookies to improve your experience. Accept all",
        "The talks &amp; the dinner lasted&nbsp;five hours, a diplomat said.",
        "Officials from both countries met in Beijing on Tuesday to discuss fentanyl controls.",
        "Share this article",
        "Related: Blinken heads to China",
        "| | |",
        "The views expressed here are the author's own.",
    ])
    c = clean_text(raw)
    gone = {ln.idx: ln.reason for ln in c.lines if ln.removed}
    assert gone[0] == "navigation"
    assert gone[2] == "advertisement"
    assert gone[3] == "byline"
    assert gone[5] == "caption"
    assert gone[6] == gone[7] == "subscribe or cookie prompt"
    assert gone[9] == "repeated paragraph"
    assert gone[10] == gone[11] == "site furniture"
    assert gone[12] == "punctuation only"
    assert gone[13] == "disclaimer or republication note"
    assert c.title == "Beijing and Washington agree to resume talks"
    assert "The talks & the dinner lasted five hours, a diplomat said." in c.text.split("\n")


def test_long_paragraph_mentioning_subscribers_is_kept():
    text = ("Chinese state media said the platform's subscribers in the United States grew sharply last year, "
            "a sign of how export controls and the TikTok dispute have pushed technology to the centre of "
            "relations between the two governments, according to analysts in Beijing.")
    assert clean_text(text).text == text


@pytest.mark.parametrize("raw", ["", "   ", "\n\n\t\n", "\u00a0\u2003\n"])
def test_empty_and_whitespace_only(raw):
    c = clean_text(raw)
    assert c.text == "" and c.title is None
    assert all(ln.removed for ln in c.lines)


def test_one_line_text():
    c = clean_text("Blinken meets Xi in Beijing")
    assert c.text == "Blinken meets Xi in Beijing" and c.title == "Blinken meets Xi in Beijing"
    assert len(c.lines) == 1


def test_crlf_nbsp_and_zero_width_are_normalised():
    c = clean_text("Headline about trade\r\nTariffs\u00a0rose  sharply\u200b in\tApril, officials said.\rSecond line here.")
    assert c.text.split("\n") == ["Headline about trade", "Tariffs rose sharply in April, officials said.",
                                  "Second line here."]


def test_very_long_lines_are_kept_and_fast():
    para = " ".join(f"word{i}" for i in range(20000)) + "."
    other = " ".join(f"term{i}" for i in range(20000)) + "."
    c = clean_text(f"{para}\n{other}\n{para}")
    assert [ln.removed for ln in c.lines] == [False, False, True]


def test_labelled_stamp_is_kept_but_bare_header_date_is_not():
    c = clean_text("Published: 2023-07-08 10:00\nYellen ends Beijing visit\nBody text of the article here.")
    assert "Published: 2023-07-08 10:00" in c.text and c.title == "Yellen ends Beijing visit"
    c = clean_text("June 19, 2023\nBlinken meets Xi\nBody text of the article here.")
    assert c.lines[0].removed and c.lines[0].reason.startswith("page date")
    assert c.page_dates == ["June 19, 2023"]  # kept for core.ingest.dates to check against the content
    c = clean_text("Blinken meets Xi\nBody text.\nIt happened on a day.\nMore text.\nJune 19, 2023")
    assert not c.lines[4].removed  # a date line deep in the body is not header furniture
    assert c.page_dates == []


def test_wire_credits_are_furniture_but_a_sentence_about_reporting_is_not():
    raw = ("Biden and Xi met in Lima on Saturday to discuss trade and Taiwan at length.\n"
           "Reporting by Jane Roe and John Doe; Writing by Ann Smith; Editing by Bob Jones\n"
           "(Additional reporting by Lee Wei in Beijing)\n"
           "Reporting by journalists has been restricted in Xinjiang since 2017, the group said.")
    fates = {ln.text: ln.reason for ln in clean_text(raw).lines}
    assert fates["Reporting by Jane Roe and John Doe; Writing by Ann Smith; Editing by Bob Jones"] == "wire credit"
    assert fates["(Additional reporting by Lee Wei in Beijing)"] == "wire credit"
    assert fates["Reporting by journalists has been restricted in Xinjiang since 2017, the group said."] is None


def test_many_similar_paragraphs_are_checked_in_bounded_time():
    """Issue 14: every paragraph was compared with every earlier one (56 KB took 24 s, 225 KB 7 min).
    60 KB of seed paragraphs with their words reshuffled, plus one true near repeat at the end."""
    import glob
    import random
    import time

    paras = [ln.strip() for f in sorted(glob.glob("seeds/*.txt")) for ln in open(f, encoding="utf-8")
             if len(ln.split()) >= 12]
    rng = random.Random(14)
    out, size = [], 0
    while size < 60_000:
        words = rng.choice(paras).split()
        rng.shuffle(words)
        out.append(" ".join(words))
        size += len(out[-1]) + 2
    near = paras[3].split()
    near[len(near) // 2] = "altered"
    text = "\n\n".join([paras[3], *out, " ".join(near)])
    started = time.perf_counter()
    cleaned = clean_text(text)
    assert time.perf_counter() - started < 3
    repeated = [ln.idx for ln in cleaned.lines if ln.reason == "repeated paragraph"]
    assert repeated[-1] == len(cleaned.lines) - 1  # the real near repeat is still found


def test_unbulleted_key_points_end_where_the_story_begins_and_restating_lines_go():
    raw = ("Yellen presses Li on overcapacity\nKey points\n"
           "Yellen met Premier Li Qiang in Beijing on her second visit to China.\n"
           "US complaints about overcapacity in electric vehicles and solar panels dominated.\n"
           f"BEIJING — {_BODY}")
    c = clean_text(raw)
    gone = removed(c)
    assert "Key points" in gone  # (a label at the top of the page: removed as such)
    assert gone["US complaints about overcapacity in electric vehicles and solar panels dominated."] == SUMMARY_REASON
    # the story's first paragraph (a dateline) is not part of the block, however much it says
    assert c.text.split("\n")[1].startswith("BEIJING — US Treasury Secretary Janet Yellen met")


def test_live_page_stamps_and_site_stamps_anywhere_are_furniture():
    raw = ("Live updates: Biden and Xi meet in Woodside\nPinned\n8:41 p.m. ET\n"
           "Biden and Xi agreed to restore military talks.\nLink copied!\n11:20 a.m. ET\n"
           "Xi arrived at the estate under heavy security.\nOriginally published by Harbor Street Journal\n"
           "Page generated 2025-01-14 09:12 UTC\nLast modified 2025-03-04")
    gone = removed(clean_text(raw))
    assert gone["8:41 p.m. ET"] == gone["11:20 a.m. ET"] == "live-page timestamp"
    assert gone["Pinned"] == gone["Link copied!"] == "site furniture"
    assert gone["Page generated 2025-01-14 09:12 UTC"] == gone["Last modified 2025-03-04"] == "print or capture line"
    assert gone["Originally published by Harbor Street Journal"] == "disclaimer or republication note"
    assert "Xi arrived at the estate under heavy security." in clean_text(raw).text


def test_the_outlets_own_name_on_top_is_the_masthead_not_the_headline():
    story = "\n".join(_BODY.split("\n")[:2])
    c = clean_text(f"The Valley Sentinel\nNation & World\nYellen presses Li on overcapacity\n{story}\n"
                   "© 2023 The Valley Sentinel | Subscribe")
    gone = removed(c)
    assert gone["The Valley Sentinel"] == "masthead (the outlet's name)" and gone["Nation & World"] == "navigation"
    assert c.title == "Yellen presses Li on overcapacity"
    reposted = clean_text(f"GEOPOLITICS DIGEST — curated world news\nReposted on Geopolitics Digest · March 3, 2025\n"
                          f"Yellen presses Li on overcapacity\n{story}")
    assert reposted.title == "Yellen presses Li on overcapacity"
    # a headline that starts with the outlet's name is still the headline
    assert clean_text(f"China Desk Weekly: Yellen presses Li\n{story}\nYou are receiving this because you "
                      "subscribed to China Desk Weekly.").title == "China Desk Weekly: Yellen presses Li"
