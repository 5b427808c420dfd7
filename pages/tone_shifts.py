"""Tone shifts: tone per issue and per side in one visit against another, the words and sentences
that drove the change, and China-side vs US-side language across the 2023 and 2024 visits."""
import streamlit as st

from core import figures as F
from pages import common

f = common.page_filters()
(summary, order) = common.fetch(f.replace(visits=()), ("corpus_summary",), ("visit_order",))
ctx = common.context(f.replace(visits=()), summary)

st.title("Tone shifts")
visits = order["visit"].tolist()
if len(visits) < 2:
    st.info("Tone shifts compare two visits; the current selection has fewer than two. Widen the filters.")
    a = b = None
else:
    c1, c2 = st.columns(2)
    a = c1.selectbox("From visit", visits, index=0, key="from_visit",
                      format_func=common.visit_name, bind="query-params")
    b = c2.selectbox("To visit", visits, index=len(visits) - 1, key="to_visit",
                      format_func=common.visit_name, bind="query-params")
if a and b:
    st.caption("The visit filter does not apply here: the two visits are chosen above. "
               "Other filters (issue, person, side, outlet, dates) do.")
    (by_visit,) = common.fetch(f.replace(visits=()), ("visit_tone",))
    by_issue, by_side, drivers = common.fetch(f, ("tone_shift", a, b, "issue"), ("tone_shift", a, b, "side"),
                                              ("tone_drivers_shift", a, b))
    tones = by_visit.set_index("visit")
    c = st.columns(2)
    for col, v in zip(c, (a, b)):
        if v in tones.index:
            r = tones.loc[v]
            col.metric(f"Tone of coverage, {common.visit_name(v, short=True)}", f"{r['tone']:+.2f}",
                       help=f"Mean over {r['articles']} articles ({r['sentences']} sentences) of their tone; "
                            f"90 % interval {r['low']:+.2f} to {r['high']:+.2f}"
                            + (" — low confidence" if r["low_confidence"] else ""))
    common.show_chart("visit_tone", F.visit_tone(by_visit, ctx, a, b), by_visit)
    common.show_chart("tone_shift_by_issue", F.tone_shift(by_issue, ctx, a, b, "issue"), by_issue,
                      click=("issue", 5))
    common.evidence_panel(f, "ts_issue_ev", "shift_issue", [(i, a, b) for i in by_issue["label"]],
                          lambda i, *_: common.issue_name(i), "issue")
    common.show_chart("tone_shift_by_side", F.tone_shift(by_side, ctx, a, b, "side"), by_side,
                      click=("side", 5))
    common.evidence_panel(f, "ts_side_ev", "shift_side", [(s, a, b) for s in by_side["label"]],
                          lambda s, *_: f"{s} side", "side")
    common.show_chart("tone_drivers", F.tone_drivers(drivers, ctx, a, b), drivers)
    common.evidence_panel(f, "ts_word", "shift_word", [(w, a, b) for w in drivers["word"]],
                          lambda w, *_: f"“{w}”", "word")
    st.subheader("Sentences that drove the change")
    c1, c2 = st.columns(2)
    issue = c1.selectbox("Issue", [None, *by_issue["label"].tolist()], key="drivers_issue", bind="query-params",
                         format_func=lambda v: "All issues" if v is None else common.issue_name(v))
    side = c2.selectbox("Side", [None, *by_side["label"].tolist()], key="drivers_side", bind="query-params",
                        format_func=lambda v: "All sides" if v is None else v)
    (sents,) = common.fetch(f, ("tone_shift_sentences", a, b, issue, side))
    st.caption("Ranked by each sentence's contribution to the shift of the mean sentence tone "
               "(+tone / sentences of the later visit, −tone / sentences of the earlier one).")
    common.text_table(sents[["text", "title", "pub_date", "visit", "speaker", "side", "tone", "contribution"]],
                      common.TABLE_COLUMNS)

st.subheader("US and China officials' language, 2023 against 2024")
years, words = common.fetch(f, ("side_language_by_year",), ("side_words_by_year",))
ctx_f = common.context(f, common.fetch(f, ("corpus_summary",))[0])
common.show_chart("side_language_by_year", F.side_years(years, ctx_f), years, click=("side", 4))
common.evidence_panel(f, "ts_year", "side_year", list(years[["side", "year"]].itertuples(index=False, name=None)),
                      lambda s, y: f"{s} side, {y}", "point")
common.show_chart("side_words_by_year", F.side_words(words, ctx_f), words, click=("side", 1))
common.evidence_panel(f, "ts_side_word", "side_year_word",
                      list(words[["side", "year", "word"]].itertuples(index=False, name=None)),
                      lambda s, y, w: f"“{w}”, {s} side, {y}", "bar")
