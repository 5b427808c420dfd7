"""The briefing pack: a real PowerPoint that LibreOffice opens, with a slide per chart and its reading."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from core.filters import Filters
from handmade_store import build_handmade_store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_handmade_store(tmp_path_factory.mktemp("hm") / "hm.duckdb")


@pytest.mark.slow
def test_the_briefing_has_a_title_a_slide_per_chart_quotes_and_methods(store, tmp_path):
    from pptx import Presentation

    from core.briefing import write_briefing
    from core.export import all_charts, make_context
    from core.store.db import read_connection

    f = Filters(issues=("taiwan",))
    path = write_briefing(store, tmp_path / "b.pptx", f)
    slides = Presentation(str(path)).slides
    texts = ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in slides]
    with read_connection(store) as con:
        charts = list(all_charts(con, f, make_context(con, f)))
    assert len(slides) == 1 + len(charts) + 2 + 1
    assert "Issue: Taiwan" in texts[0] and "articles from" in texts[0]
    assert sum(1 for slide in slides for s in slide.shapes if s.shape_type == 13) == len(charts)  # a picture each
    assert "Most discussed: Taiwan (" in texts[1]
    assert all("n = " in t for t in texts[1:1 + len(charts)])
    assert "— Wang Yi" in texts[-2] and texts[-1].startswith("Methods")
    # The visit-tone slide reads its data: the highest and lowest visit, each with its n.
    visit = next(t for t in texts if t.startswith("Tone of coverage by visit"))
    assert re.search(r"Highest mean tone: .+, [+-]\d\.\d\d \(n = \d+ articles?\); lowest: .+ \(n = \d+ articles?\)", visit)
    # The issue dumbbell names an issue ("Largest shift: fentanyl side" read the issue id as a side).
    shift = next(t for t in texts if t.startswith("Tone shift by issue"))
    assert "Largest shift: " in shift and " side," not in shift, shift
    # A chart slide's title ends above its reading line, and the reading above the image.
    for slide in list(slides)[1:1 + len(charts)]:
        title, said = [s for s in slide.shapes if s.has_text_frame][:2]
        picture = next(s for s in slide.shapes if s.shape_type == 13)
        assert title.top + title.height <= said.top and said.top + said.height <= picture.top
    # The methods slide prints the measured accuracy that evaluate stored.
    from core.evaluate import load_headline

    saved = load_headline()
    methods = list(slides)[-1]
    cells = [c.text for s in methods.shapes if s.has_table for row in s.table.rows for c in row.cells]
    first = saved["figures"][0]
    assert first["measure"] in cells and f"{first['system']:.2f}" in cells
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice (soffice) is not installed")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, timeout=300, capture_output=True)
    pdf = (tmp_path / "b.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == len(slides)  # LibreOffice laid out every slide


def test_a_slide_image_keeps_the_subtitle_and_n_but_not_the_title_the_slide_repeats(store):
    from core.briefing import untitled
    from core.export import make_context, page_charts
    from core.store.db import read_connection

    with read_connection(store) as con:
        f = Filters(issues=("taiwan",))
        _, _, fig = next(page_charts(con, f, make_context(con, f), "overview"))
    image = untitled(fig)
    assert "How often" in fig.layout.title.text and "How often" not in image.layout.title.text
    assert image.layout.title.text == fig.layout.title.subtitle.text and "articles" in image.layout.title.text
    plot = lambda g: g.layout.height - g.layout.margin.t - g.layout.margin.b  # noqa: E731
    assert plot(image) == plot(fig)


def test_evaluate_saves_the_headline_figures_the_methods_slide_prints(tmp_path):
    from core.briefing import accuracy_rows
    from core.evaluate import load_headline, save_headline

    result = {"heldout": {"system": {"people": {"f1": 0.9901}}, "baseline": {"people": {"f1": 0.65}}},
              "tone_cv": {"blind": {"system": {"three_class": 0.677}, "vader": {"three_class": 0.569}}}}
    path = tmp_path / "accuracy.json"
    save_headline(result, path)
    save_headline({"voices": {"styles": {"system": {"speaker_accuracy": 0.84}, "baseline": {"speaker_accuracy": 0.06}}}},
                  path)  # a run of other sets keeps the figures already stored
    head, rows = accuracy_rows(load_headline(path))
    assert "Measured accuracy" in head
    assert rows == [["people named, F1", "held-out articles", "0.99", "0.65 (bare spaCy NER)"],
                    ["sentence speaker", "styles sentences (development data)", "0.84", "0.06 (“NAME said”)"],
                    ["sentence tone, 3-class accuracy", "blind test set", "0.68", "0.57 (VADER)"]]
    assert accuracy_rows(load_headline(tmp_path / "none.json"))[1] == []
    shipped = load_headline()  # eval/accuracy.json, written by `diplotone evaluate --save`
    assert shipped and {"measure", "set", "system", "baseline"} <= set(shipped["figures"][0])
