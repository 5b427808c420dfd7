"""The article reader's HTML: each sentence's speaker badge sits with that sentence."""
from __future__ import annotations

import re

import pandas as pd

from core.reader import article_html


def test_the_speaker_badge_is_inside_its_sentence_before_the_next_one():
    """"— Rosie Levine" sat between sentences, so a reader took it for the next, unattributed
    sentence's speaker: it is now inside the quoted sentence's own (shaded) span, unbreakable."""
    sents = pd.DataFrame({"sent_idx": [0, 1], "start_char": [0, 30], "end_char": [29, 60],
                          "text": ["The visit is the latest one.", "This is his second visit."],
                          "paragraph": [1, 1], "is_heading": [False, False], "tone": [0.4, 0.0], "coop": [0, 0],
                          "speaker": ["Rosie Levine", None], "side": ["Other", None], "issues": ["taiwan", None]})
    mentions = pd.DataFrame(columns=["sent_idx", "start_char", "end_char", "label", "canonical", "side", "role"])
    html = article_html(sents, mentions, {"taiwan": "Taiwan"})
    assert re.search(r'<span class="dt-s"[^>]*>The visit is the latest <span class="dt-end">one\.<span class="dt-spk">'
                     r'— Rosie Levine</span></span></span><span class="dt-iss">Taiwan</span>', html)
    assert html.index("Rosie Levine") < html.index(">Taiwan<") < html.index("This is his second visit.")
    assert re.search(r"\.dt-end\{[^}]*white-space:nowrap", html)  # the last word and the badge never part
