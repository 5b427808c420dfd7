"""The peer of the cold-start benchmark: a bare Streamlit app that draws one Plotly chart.

Same server, same browser, same plotly.js as the dashboard, none of Diplotone: the dashboard's
start over this app's start is what Diplotone adds.
"""
import plotly.graph_objects as go
import streamlit as st

st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[3, 1, 2])))
