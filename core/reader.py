"""One article as safe HTML: entities, issues and tone highlighted, removed boilerplate greyed.

Article text is untrusted web text, so every piece of it is passed through html.escape before
it is wrapped in the reader's own markup: an article can never inject HTML or script into the
dashboard. Offsets are those of core.store.schema (characters into the cleaned text).
"""
from __future__ import annotations

import html
import re

import pandas as pd

SIDE_CLASS = {"US": "us", "China": "cn", "Other": "ot"}

STYLE = """<style>
.dt-reader{font-size:1.02rem;line-height:1.75;max-width:60rem}
.dt-reader p{margin:0 0 .8rem 0}
.dt-s{border-radius:3px;padding:1px 0}
.dt-ent{border-bottom:2px solid;font-weight:600}
.dt-ent.us{border-color:#2b6cb0}.dt-ent.cn{border-color:#c53030}.dt-ent.ot{border-color:#718096}
.dt-ent.org{border-bottom-style:dotted;border-color:#4a5568;font-weight:500}
.dt-iss{font-size:.72rem;background:#e2e8f0;color:#1f2933;border-radius:8px;padding:0 6px;margin-left:3px;
 white-space:nowrap}
.dt-spk{font-size:.72rem;color:#4a5568;font-style:italic;margin-left:4px;padding-right:3px}
.dt-end{white-space:nowrap}
.dt-reader mark{background:#fbd38d;color:inherit;padding:0 1px;border-radius:2px}
.dt-hit{outline:2px solid #dd6b20;outline-offset:2px}
.dt-fix{font-size:.72rem;color:#6b46c1;margin-left:3px;white-space:nowrap}
.dt-raw{font-size:.95rem;line-height:1.6;max-width:60rem}
.dt-raw .kept{margin:0 0 .3rem 0}
.dt-raw .removed{margin:0 0 .3rem 0;color:#a0aec0;text-decoration:line-through}
.dt-raw .why{font-size:.72rem;color:#718096;text-decoration:none;margin-left:6px;font-style:italic}
</style>"""


def tone_background(tone: float | None) -> str:
    """Sentence background: red for hostile, green for cooperative, stronger when more marked."""
    if tone is None or pd.isna(tone) or abs(tone) < 0.05:
        return "transparent"
    alpha = min(0.45, 0.08 + abs(float(tone)) * 0.4)
    return f"rgba(197,48,48,{alpha:.2f})" if tone < 0 else f"rgba(47,133,90,{alpha:.2f})"


def _sentence_html(row, ments: pd.DataFrame, issue_names: dict) -> str:
    text, start = str(row.text), int(row.start_char)
    parts, pos = [], 0
    for m in ments.itertuples():
        a, b = int(m.start_char) - start, int(m.end_char) - start
        if a < pos or b > len(text) or a >= b:
            continue  # overlapping or out-of-sentence mention: leave the text plain
        parts.append(html.escape(text[pos:a]))
        cls = SIDE_CLASS.get(m.side, "ot") if m.label == "PERSON" else "org"
        tip = f"{m.canonical} · {m.label}" + (f" · {m.side}" if isinstance(m.side, str) else "") + (
            f" · {m.role}" if isinstance(m.role, str) else "")
        parts.append(f'<span class="dt-ent {cls}" title="{html.escape(tip)}">{html.escape(text[a:b])}</span>')
        pos = b
    parts.append(html.escape(text[pos:]))
    tone = None if pd.isna(row.tone) else float(row.tone)
    tip = f"tone {tone:+.2f}" if tone is not None else "tone n/a"
    badges = ""
    if isinstance(row.issues, str) and row.issues:
        badges = "".join(f'<span class="dt-iss">{html.escape(issue_names.get(i, i))}</span>'
                         for i in row.issues.split(", "))
    if isinstance(row.speaker, str) and row.speaker:
        # inside the sentence's shading and glued to its last word (no line break between them): at the
        # start of a line it read as the next sentence's speaker
        head, _, last = parts[-1].rstrip().rpartition(" ")
        parts[-1] = (f"{head} " if head else "") + (f'<span class="dt-end">{last}<span class="dt-spk">— '
                                                     f'{html.escape(row.speaker)}</span></span>')
        tip += f" · speaker {row.speaker}"
    return (f'<span class="dt-s" style="background:{tone_background(tone)}" title="{html.escape(tip)}">'
            f"{''.join(parts)}</span>{badges}")


def _marked_html(row, spans: list[tuple[int, int]], focused: bool) -> str:
    """A sentence with search matches: its text with each match in <mark>, the sentence outlined."""
    text, parts, pos = str(row.text), [], 0
    for a, b in sorted(spans):
        if a < pos:
            continue
        parts += [html.escape(text[pos:a]), f"<mark>{html.escape(text[a:b])}</mark>"]
        pos = b
    parts.append(html.escape(text[pos:]))
    tone = None if pd.isna(row.tone) else float(row.tone)
    anchor = ' id="dt-focus"' if focused else ""
    return (f'<span class="dt-s dt-hit"{anchor} style="background:{tone_background(tone)}" '
            f'title="search match">{"".join(parts)}</span>')


def article_html(sentences: pd.DataFrame, mentions: pd.DataFrame, issue_names: dict | None = None,
                 marks: dict | None = None, focus: int | None = None, corrected: set | None = None) -> str:
    """The analysed text, paragraph by paragraph, with entities, issue badges and tone shading.

    sentences: core.store.queries.article_sentences; mentions: core.store.queries.article_mentions;
    marks: sent_idx -> (start, end) spans of search matches in that sentence (shown marked, the
    sentence outlined; focus: the sentence a search result pointed at, given an anchor);
    corrected: sentence numbers an analyst's correction changed (marked "✎ corrected")."""
    names = issue_names or {}
    by_sent = {k: g for k, g in mentions.sort_values("start_char").groupby("sent_idx")} if not mentions.empty else {}
    paras: dict[int, list[str]] = {}
    for row in sentences.itertuples():
        ments = by_sent.get(row.sent_idx, mentions.iloc[0:0])
        if marks and row.sent_idx in marks:
            html_s = _marked_html(row, marks[row.sent_idx], row.sent_idx == focus)
        else:
            html_s = _sentence_html(row, ments, names)
        if corrected and row.sent_idx in corrected:
            html_s += '<span class="dt-fix" title="changed by a correction">✎ corrected</span>'
        if row.is_heading:
            html_s = f"<strong>{html_s}</strong>"
        paras.setdefault(int(row.paragraph), []).append(html_s)
    body = "".join(f"<p>{' '.join(p)}</p>" for _, p in sorted(paras.items()))
    return f'{STYLE}<div class="dt-reader">{body}</div>'


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$&:])")


def plain_markdown(text) -> str:
    """Untrusted text for a Streamlit markdown element (titles, evidence): every markdown and HTML
    character backslash-escaped, so a title can be neither a link (javascript:...) nor markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def raw_lines_html(lines: pd.DataFrame) -> str:
    """Every raw line in order; lines removed as boilerplate are greyed out with the rule's reason."""
    out = []
    for row in lines.itertuples():
        text = html.escape(str(row.text)) if str(row.text).strip() else "&nbsp;"
        if row.removed:
            why = html.escape(str(row.reason)) if isinstance(row.reason, str) else "removed"
            out.append(f'<p class="removed" title="removed: {why}">{text}<span class="why">({why})</span></p>')
        else:
            out.append(f'<p class="kept">{text}</p>')
    return f'{STYLE}<div class="dt-raw">{"".join(out)}</div>'
