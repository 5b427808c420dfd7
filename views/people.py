"""People: who is mentioned and who speaks by side, each person's quotes and tone, who appears with whom."""
import streamlit as st

from core import figures as F
from views import common

f = st.session_state["filters"]
summary, ppl, co = common.fetch(f, ("corpus_summary",), ("people",), ("person_cooccurrence",))
ctx = common.context(f, summary)

st.title("People")
common.show_chart("people", F.people(ppl, ctx), ppl, click=("person", None))
common.evidence(f, "mentions and quotes", "pp_person", ppl["person"].tolist(), "person")

speakers = ppl[ppl["quotes"] > 0]["person"].tolist()
st.subheader("Quotes of one person")
if speakers:
    person = st.selectbox("Person", speakers, key="pp_quotes_person")
    (quotes,) = common.fetch(f, ("person_quotes", person))
    common.show_chart("person_quotes", F.person_quotes(quotes, ctx, person), quotes)
    st.dataframe(quotes[["pub_date", "title", "kind", "tone", "text"]], hide_index=True, width="stretch",
                 column_config=common.TABLE_COLUMNS)
else:
    st.info("No quoted speaker in the current selection: widen the filters in the sidebar.")

common.show_chart("person_cooccurrence", F.person_cooccurrence(co, ctx), co)
common.evidence(f, "who appears with whom", "pp_pair", co["person_a"].tolist(), "person",
                lambda p: f"{p} (sentences mentioning or quoting them)")
