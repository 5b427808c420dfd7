"""People: who is mentioned and who speaks by side, each person's quotes and tone, who appears with whom."""
import streamlit as st

from core import figures as F
from views import common

f = st.session_state["filters"]
summary, ppl, co = common.fetch(f, ("corpus_summary",), ("people",), ("person_cooccurrence",))
ctx = common.context(f, summary)

st.title("People")
common.show_chart("people", F.people(ppl, ctx), ppl, click=("person", None))
common.evidence_panel(f, "pp_person", "person", [(p,) for p in ppl["person"]], str, "person")

speakers = ppl[ppl["quotes"] > 0]["person"].tolist()
st.subheader("Quotes of one person")
if speakers:
    person = st.selectbox("Person", speakers, key="pp_quotes_person")
    (quotes,) = common.fetch(f, ("person_quotes", person))
    common.show_chart("person_quotes", F.person_quotes(quotes, ctx, person), quotes)
    st.caption(f"The chart's evidence: its {len(quotes)} quote{'s' if len(quotes) != 1 else ''}, one dot each"
               + (f", mean tone {quotes['tone'].mean():+.2f}." if quotes["tone"].notna().any() else "."))
    st.dataframe(quotes[["text", "title", "pub_date", "outlet", "kind", "cue", "tone"]], hide_index=True,
                 width="stretch", column_config=common.TABLE_COLUMNS)
else:
    st.info("No quoted speaker in the current selection: widen the filters in the sidebar.")

common.show_chart("person_cooccurrence", F.person_cooccurrence(co, ctx), co)
common.evidence_panel(f, "pp_pair", "person_pair", list(co[["person_a", "person_b"]].itertuples(index=False, name=None)),
                      lambda a, b: f"{a} + {b}", "cell")
