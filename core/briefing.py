"""A briefing pack: the current view as a PowerPoint file (python-pptx), for a memo or a meeting.

`diplotone report` and the dashboard's "Download briefing" button write the same deck: a title
slide (the filters in words, articles, outlets, date span), one slide per chart (the image the
dashboard draws, its title, a one-line reading computed from the chart's own table, n and its
source), the strongest quotes of each side with speaker and date, and a methods slide.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re
from pathlib import Path

import pandas as pd

from core import figures as F
from core.evaluate import load_headline
from core.export import _ensure_browser, all_charts, make_context, PNG_SCALE
from core.filters import Filters, describe
from core.store.queries import _scope, _Sql
from core.store.db import read_connection

TITLE_CHARS = 62  # characters of a 24 pt bold title line across the slide
METHODS = [
    "Articles: the selected, non-duplicate articles (a re-published story counts once).",
    "Issue counts: sentences tagged with an issue by the issue lexicon (one per sentence and issue); "
    "per 1,000 words normalises by the words of the selected articles.",
    "Tone: each sentence read on −1 (hostile) … +1 (cooperative) by the diplomatic lexicon and rules; "
    "an article's or a group's tone is the mean of its selected sentences (weighted by issue-hit weight "
    "under an issue filter).",
    "People: mentions are names resolved to one person; quotes are direct and reported speech "
    "attributed to a speaker. A side filter keeps the words of that side's speakers.",
    "Every number in the dashboard lists its sentences in the chart's evidence panel.",
]


def accuracy_rows(saved: dict | None) -> tuple[str, list[list[str]]]:
    """The measured accuracy the methods slide prints: a heading with the measurement's date, and one
    row per figure (measure, labelled set, Diplotone, baseline), from what `diplotone evaluate --save`
    stored (eval/accuracy.json)."""
    if not saved or not saved["figures"]:
        return ("Measured accuracy: not stored yet (run `diplotone evaluate --save`).", [])
    when = dt.date.fromisoformat(saved["measured"])
    head = f"Measured accuracy against hand labels (diplotone evaluate, {when:%d %b %Y}); held-out and blind: never tuned on"
    rows = [[f["measure"], f["set"], f"{f['system']:.2f}",
             f"{f['baseline']:.2f} ({f['baseline_name']})" if f.get("baseline") is not None else "—"]
            for f in saved["figures"]]
    return head, rows


def _plain(text: str) -> str:
    """Plotly title markup (<b>, <br>, escaped entities) as plain slide text."""
    import html

    return html.unescape(re.sub(r"<br>", " ", re.sub(r"</?b>", "", str(text))))


def reading(stem: str, table: pd.DataFrame, ctx: F.ChartContext) -> str:
    """One line saying what a chart shows, from the table it is drawn from (a plain count where a
    chart's table has changed shape and no reading is written for it)."""
    try:
        return _reading(stem, table, ctx)
    except (KeyError, AttributeError, IndexError, TypeError, ValueError):
        return f"{len(table)} rows; the chart's CSV lists them."


def _reading(stem: str, table: pd.DataFrame, ctx: F.ChartContext) -> str:
    if table.empty:
        return "No data for these filters."
    t = table
    if stem == "issue_frequency":
        top = t.head(3)
        return "Most discussed: " + ", ".join(f"{ctx.issue(r.issue)} ({r.sentences} sentences)" for r in top.itertuples()) + "."
    if stem == "tone_trend" and "articles" in t:  # one row per day (core.store.queries.trend_unit)
        low, high = t.loc[t["tone"].idxmin()], t.loc[t["tone"].idxmax()]
        return (f"Daily mean tone runs from {low['tone']:+.2f} ({low['pub_date']:%d %b %Y}) to {high['tone']:+.2f} "
                f"({high['pub_date']:%d %b %Y}) over {int(t['articles'].sum()):,} dated articles on {len(t):,} days.")
    if stem == "tone_trend":
        low, high = t.loc[t["tone"].idxmin()], t.loc[t["tone"].idxmax()]
        return (f"Article tone runs from {low['tone']:+.2f} (“{low['title']}”) to {high['tone']:+.2f} "
                f"(“{high['title']}”) over {len(t)} dated articles.")
    if stem == "visit_change":
        r = t.iloc[0]
        return (f"Biggest change from {ctx.visit(r['first_visit'])} to {ctx.visit(r['last_visit'])}: "
                f"{ctx.issue(r['issue'])}, {r['change_per_1k']:+.2f} sentences per 1,000 words.")
    if stem in ("issues_by_visit", "issues_by_article"):
        r = t.loc[t["per_1k_words"].idxmax()]
        where = ctx.visit(r["visit"]) if stem == "issues_by_visit" else f"“{r['title']}”"
        return f"Densest cell: {ctx.issue(r['issue'])} in {where}, {r['per_1k_words']:.1f} sentences per 1,000 words."
    if stem == "issue_cooccurrence":
        r = t.iloc[0]
        return f"Most often discussed together: {ctx.issue(r['issue_a'])} and {ctx.issue(r['issue_b'])} ({r['paragraphs']} paragraphs)."
    if stem == "people":
        m, q = t.loc[t["mentions"].idxmax()], t.loc[t["quotes"].idxmax()]
        return f"Most mentioned: {m['person']} ({m['mentions']} mentions); most quoted: {q['person']} ({q['quotes']} quotes)."
    if stem == "person_cooccurrence":
        r = t.iloc[0]
        return f"Most often named together: {r['person_a']} and {r['person_b']} ({r['articles']} articles)."
    if stem == "visit_tone":
        rated = t.dropna(subset=["tone"])
        high, low = rated.loc[rated["tone"].idxmax()], rated.loc[rated["tone"].idxmin()]
        n = lambda r: f"n = {int(r['articles'])} article{'s' if int(r['articles']) != 1 else ''}"  # noqa: E731
        if len(rated) == 1:
            return f"Only {ctx.visit(high['visit'])} has a tone reading: {high['tone']:+.2f} ({n(high)})."
        weak = ("; each rests on too few articles for confidence" if rated["low_confidence"].astype(bool).all()
                else "")
        return (f"Highest mean tone: {ctx.visit(high['visit'])}, {high['tone']:+.2f} ({n(high)}); lowest: "
                f"{ctx.visit(low['visit'])}, {low['tone']:+.2f} ({n(low)}){weak}.")
    if stem.startswith("tone_shift_by_") and "change" in t:
        r = t.dropna(subset=["change"]).iloc[0] if t["change"].notna().any() else None
        if r is not None:
            label = ctx.issue(r["label"]) if stem.startswith("tone_shift_by_issue") else f"{r['label']} side"
            return f"Largest shift: {label}, {r['tone_a']:+.2f} → {r['tone_b']:+.2f} ({r['change']:+.2f})."
    if stem.startswith("tone_drivers"):
        r = t.iloc[0]
        return (f"The word that moved tone most: “{r['word']}”, {r['per_sentence_a']:+.3f} → "
                f"{r['per_sentence_b']:+.3f} per sentence.")
    if stem == "side_language_by_year" and "tone" in t:
        return "; ".join(f"{r.side} {r.year}: {r.tone:+.2f}" for r in t.itertuples() if pd.notna(r.tone)) + "."
    if stem == "side_words_by_year":
        top = t.loc[t["contribution"].abs().sort_values(ascending=False).index].drop_duplicates("side")
        return "Strongest words: " + "; ".join(f"{r.side} “{r.word}” ({r.contribution:+.2f}, {r.year})" for r in top.itertuples()) + "."
    if stem.startswith("person_quotes") and "tone" in t:
        return f"{len(t)} quotes, mean tone {t['tone'].mean():+.2f}."
    return f"{len(t)} rows; the chart's CSV lists them."


def top_quotes(con, f: Filters, side: str, n: int = 4) -> pd.DataFrame:
    """The side's strongest quotes in the selection (largest |tone| first), with speaker and date."""
    q = _Sql()
    scope = _scope(f, q)
    return con.execute(f"""WITH {scope}
        SELECT qu.text, qu.speaker, a.pub_date, a.outlet, qu.tone FROM quotes qu JOIN arts a USING (article_id)
        WHERE qu.side = {q.bind('qside', side)} AND qu.speaker IS NOT NULL AND qu.tone IS NOT NULL AND length(qu.text) BETWEEN 30 AND 400
        ORDER BY abs(qu.tone) DESC, a.pub_date, qu.article_id LIMIT {q.bind('n', int(n))}""", q.params).df()


def untitled(fig):
    """The chart as a slide shows it: the slide carries its title, so the image keeps only the subtitle
    (filters and n articles), moved up into the title's place, with the plot area the same size."""
    import plotly.graph_objects as go

    spec = fig.to_dict()
    layout = spec["layout"]
    title = layout.get("title", {})
    subtitle = title.get("subtitle", {})
    top = 50 + 17 * subtitle.get("text", "").count("<br>")  # a long filters line takes more than one
    drop = layout["margin"]["t"] - top
    layout["title"] = {**{k: v for k, v in title.items() if k not in ("text", "subtitle", "font")},
                       "text": subtitle.get("text", ""), "font": subtitle.get("font", {}), "y": 1, "yanchor": "top",
                       "yref": "container", "pad": {"t": 18}}
    layout["margin"] = {**layout["margin"], "t": top}
    layout["height"] = layout["height"] - drop
    return go.Figure(spec, _validate=False)


def _images(figs) -> list[bytes]:
    """PNGs of the figures, rendered in one kaleido batch (one browser start, not one per chart)."""
    import tempfile

    import plotly.io as pio

    _ensure_browser()
    with tempfile.TemporaryDirectory() as tmp:
        files = [Path(tmp) / f"{i}.png" for i in range(len(figs))]
        pio.write_images(figs, files, format="png", scale=PNG_SCALE, width=[f.layout.width for f in figs],
                         height=[f.layout.height for f in figs])
        return [f.read_bytes() for f in files]


def briefing(store_path, filters: Filters | None = None) -> bytes:
    """The briefing deck (.pptx bytes) for a filter set."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    filters = filters or Filters()
    with read_connection(store_path) as con:
        ctx = make_context(con, filters)
        charts = list(all_charts(con, filters, ctx))
        quotes = {side: top_quotes(con, filters, side) for side in ("US", "China")}
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    blank = deck.slide_layouts[6]

    def text(slide, body: str, left, top, width, height, size=14, bold=False, color=None):
        box = slide.shapes.add_textbox(left, top, width, height).text_frame
        box.word_wrap = True
        for i, line in enumerate(body.split("\n")):
            p = box.paragraphs[0] if i == 0 else box.add_paragraph()
            p.text, p.font.size, p.font.bold = line, Pt(size), bold
            if color:
                from pptx.dml.color import RGBColor

                p.font.color.rgb = RGBColor.from_string(color)
        return box

    span = (f"{pd.Timestamp(ctx.first_date):%d %b %Y} – {pd.Timestamp(ctx.last_date):%d %b %Y}"
            if ctx.first_date is not None and pd.notna(ctx.first_date) else "no dated articles")
    slide = deck.slides.add_slide(blank)
    text(slide, "US–China diplomacy in the news: briefing", Inches(0.8), Inches(2.0), Inches(11.5), Inches(1.2), 36, True)
    text(slide, f"{describe(filters, ctx.issue, ctx.visit)}\n{ctx.articles} articles from {ctx.outlets} outlets, {span}\n"
                f"Prepared with Diplotone on {dt.date.today():%d %B %Y}",
         Inches(0.8), Inches(3.4), Inches(11.5), Inches(2.0), 20, color="4A5568")
    images = [untitled(c[2]) for c in charts]
    for (stem, table, fig), image, png in zip(charts, images, _images(images)):
        slide = deck.slides.add_slide(blank)
        # A long title (two visits' names) gets a smaller type and two lines; the reading line and
        # the image start below whatever the title takes, never under it.
        title = _plain(fig.layout.title.text)
        size = 24 if len(title) <= TITLE_CHARS else 20
        lines = max(1, math.ceil(len(title) / (TITLE_CHARS if size == 24 else TITLE_CHARS * 6 // 5)))
        top = Inches(0.25) + Pt(size * 1.25 * lines) + Inches(0.2)
        text(slide, title, Inches(0.5), Inches(0.25), Inches(12.3), top - Inches(0.25), size, True)
        said = reading(stem, table, ctx)
        said_lines = max(1, math.ceil(len(said) / 105))
        text(slide, said, Inches(0.5), top, Inches(12.3), Pt(16 * 1.3 * said_lines) + Inches(0.1), 16, color="2B6CB0")
        pic_top = top + Pt(16 * 1.3 * said_lines) + Inches(0.25)
        ratio = image.layout.width / image.layout.height
        height = min(Inches(7.0) - pic_top, int(Inches(12.3) / ratio))
        slide.shapes.add_picture(io.BytesIO(png), int((deck.slide_width - height * ratio) / 2), pic_top,
                                 height=height)
        text(slide, f"n = {ctx.articles} articles · {_plain(fig.layout.annotations[-1].text)}",
             Inches(0.5), Inches(7.05), Inches(12.3), Inches(0.4), 10, color="6B7785")
    for side, rows in quotes.items():
        slide = deck.slides.add_slide(blank)
        text(slide, f"Strongest {side}-side quotes in the selection", Inches(0.5), Inches(0.3), Inches(12.3),
             Inches(0.8), 24, True)
        body = "\n".join(f"“{r.text}” — {r.speaker}, "
                         f"{pd.Timestamp(r.pub_date):%d %b %Y}" if pd.notna(r.pub_date) else f"“{r.text}” — {r.speaker}"
                         for r in rows.itertuples()) or f"No {side}-side quote with a tone reading in the selection."
        box = text(slide, body, Inches(0.6), Inches(1.2), Inches(12.1), Inches(5.8), 16)
        for p in box.paragraphs:
            p.space_after = Pt(12)
    slide = deck.slides.add_slide(blank)
    text(slide, "Methods: what each measure counts", Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.8), 24, True)
    box = text(slide, "\n".join(f"• {m}" for m in METHODS), Inches(0.6), Inches(1.0), Inches(12.1), Inches(2.9), 13)
    for p in box.paragraphs:
        p.space_after = Pt(6)
    head, rows = accuracy_rows(load_headline())
    text(slide, head, Inches(0.6), Inches(3.75), Inches(12.1), Inches(0.4), 13, True)
    if rows:
        table = slide.shapes.add_table(len(rows) + 1, 4, Inches(0.6), Inches(4.25), Inches(12.1),
                                       Inches(0.27) * (len(rows) + 1)).table
        for j, width in enumerate((3.6, 3.4, 1.3, 3.8)):
            table.columns[j].width = Inches(width)
        for i, row in enumerate([["Measure", "Labelled set", "Diplotone", "Plain baseline"], *rows]):
            for j, value in enumerate(row):
                cell = table.cell(i, j)
                cell.text = value
                cell.text_frame.paragraphs[0].font.size = Pt(11)
                cell.margin_top = cell.margin_bottom = Pt(2)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def write_briefing(store_path, out: Path, filters: Filters | None = None) -> Path:
    out = Path(out)
    out.write_bytes(briefing(store_path, filters))
    return out
