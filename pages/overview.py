"""Overview: the corpus at a glance, issue frequency, the tone trend with visits, biggest changes."""
import streamlit as st

from core import figures as F
from core.store import queries as Q
from core.store.queries import TREND_ARTICLES
from pages import common

f = common.page_filters()
# The first chart's queries first: the trend and change queries run after it is on its way to the browser.
summary, freq = common.fetch(f, ("corpus_summary",), ("issue_frequency",))
ctx = common.context(f, summary)
s = summary.iloc[0]

st.title("Overview")
c = st.columns([1, 1, 1, 2])
c[0].metric("Articles", int(s["articles"]))
c[1].metric("Outlets", int(s["outlets"]))
c[2].metric("Visits", int(s["visits"]))
span = (f"{s['first_date']:%b %Y} – {s['last_date']:%b %Y}" if s["first_date"] is not None
        and str(s["first_date"]) != "NaT" else "—")
c[3].metric("Date span", span)
if int(s["articles"]) == 0:
    st.warning("No article matches the current filters: widen them in the sidebar.")

measure = st.segmented_control("Count issues as", ["sentences", "per_1k_words"], default="sentences",
                               key="count_as", bind="query-params", format_func={"sentences": "Sentences",
                                                               "per_1k_words": "Per 1,000 words"}.get)
common.show_chart("issue_frequency", F.issue_frequency(freq, ctx, measure or "sentences"), freq,
                  click=("issue", 0))
common.evidence_panel(f, "ov_issue", "issue_sentences", [(i,) for i in freq["issue"]], common.issue_name, "issue bar")

unit = Q.trend_unit(summary)
trend, change = common.fetch(f, ("tone_trend", unit), ("visit_change",))
if unit == "day":
    common.show_chart("tone_trend", F.tone_trend(trend, ctx), trend, click=("visit", 3),
                      caption=f"Dots: days, the mean tone of their articles (size = articles): more than "
                              f"{TREND_ARTICLES:,} articles are selected. Line: 30-day rolling mean. Bands: visits.")
    common.evidence_panel(f, "ov_day", "day_tone", [(d,) for d in trend["pub_date"]],
                          lambda d: f"{d:%d %b %Y}", "day dot")
else:
    common.show_chart("tone_trend", F.tone_trend(trend, ctx), trend, click=("visit", 3),
                      caption="Dots: articles (size = sentences read). Line: 30-day rolling mean. Bands: visits.")
    titles = {r.article_id: f"{r.title} ({r.pub_date:%d %b %Y})" for r in trend.itertuples()}
    common.evidence_panel(f, "ov_article", "article_tone", [(a,) for a in trend["article_id"]], titles.get,
                          "article dot")

common.show_chart("visit_change", F.visit_change(change, ctx), change, click=("issue", 4))
common.evidence_panel(f, "ov_change", "visit_change", list(change[["issue", "first_visit", "last_visit"]].itertuples(
    index=False, name=None)), lambda i, a, b: common.issue_name(i), "issue bar")
