"""The briefing pack: a real PowerPoint that LibreOffice opens, with a slide per chart and its reading."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from core.filters import Filters
from handmade_store import build_handmade_store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_handmade_store(tmp_path_factory.mktemp("hm") / "hm.duckdb")


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
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice (soffice) is not installed")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, timeout=300, capture_output=True)
    pdf = (tmp_path / "b.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == len(slides)  # LibreOffice laid out every slide
