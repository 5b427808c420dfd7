"""Where extraction time goes: seconds per component on synthetic articles, one process.

Each step of a build is timed on its own over the same articles (benchmarks.synth), the
pipeline loaded and warmed up before the clock starts:
- clean (core.ingest.clean), metadata (dates, visit);
- every spaCy component, run one after the other over the whole batch with its own .pipe()
  (tokenizer, tok2vec, tagger, newline_sentences, parser, attribute_ruler, lemmatizer, ner,
  actor_ruler), so the sum is what nlp.pipe costs;
- the project's steps on the parsed docs: sentences, people, quotes, issues, tone, aggregates;
- the store write of the results (one transaction per batch, duplicate detection included).
Times are CPU seconds of this process (time.process_time), which other jobs on a shared machine
disturb far less than wall time. Shares are of the total; the table shows what a cut could save
at most.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchmarks import synth


def run(n: int = 32, seed: int = 5, batch_size: int = 32) -> dict:
    from core.build import extract_batch  # noqa: PLC0415
    from core.ingest.clean import clean_text  # noqa: PLC0415
    from core.extract import ExtractionContext, make_sentences, resolve_metadata  # noqa: PLC0415
    from core.store.keys import store_fingerprint  # noqa: PLC0415
    from core.voices.people import extract_people  # noqa: PLC0415
    from core.voices.quotes import extract_quotes  # noqa: PLC0415
    from core.store.db import Store  # noqa: PLC0415
    from core.tone.model import quote_tones  # noqa: PLC0415
    from core.tone.aggregates import article_tone, side_tones  # noqa: PLC0415

    raws = synth.generate(n, seed)
    ctx = ExtractionContext()
    extract_batch(raws[:2], ctx)  # warm-up: lazy tables, first-call allocations
    cost: dict[str, float] = defaultdict(float)

    def timed(name, fn, *args):
        start = time.process_time()
        value = fn(*args)
        cost[name] += time.process_time() - start
        return value

    cleaned = [timed("clean", clean_text, r.text) for r in raws]
    for raw, c in zip(raws, cleaned):
        timed("metadata (dates, visit)", resolve_metadata, raw, c, ctx.catalogs)
    docs = timed("spaCy: tokenizer", lambda: [ctx.nlp.make_doc(c.text) for c in cleaned])
    for name, proc in ctx.nlp.pipeline:
        docs = timed(f"spaCy: {name}", lambda p=proc, d=docs: list(p.pipe(d, batch_size=batch_size))
                     if hasattr(p, "pipe") else [p(x) for x in d])
    results = []
    for c, doc in zip(cleaned, docs):
        sentences = timed("sentences", make_sentences, doc, c)
        mentions, persons = timed("people", extract_people, doc, sentences, ctx.catalogs)
        quotes = timed("quotes", extract_quotes, doc, sentences, mentions, persons)
        timed("issues", ctx.issue_tagger.tag, doc, sentences)
        tones = timed("tone", ctx.tone_scorer.score, doc, sentences)
        timed("tone aggregate", lambda: ([setattr(q, "tone", v) for q, v in
                                          zip(quotes, quote_tones(tones, [(q.start, q.end) for q in quotes]))],
                                         article_tone(tones), side_tones(quotes)))
    results, errors = extract_batch(raws, ctx)
    if errors:
        raise RuntimeError(f"extraction failed: {errors[:3]}")
    fingerprint = store_fingerprint(None, ctx.catalogs)
    with tempfile.TemporaryDirectory(prefix="diplotone-profile-") as tmp:
        for i in range(0, n, batch_size):
            def write(i=i):
                with Store.open(Path(tmp) / "profile.duckdb") as store:
                    store.write(results[i:i + batch_size], raws[i:i + batch_size], fingerprint)
            timed("store write", write)
    total = sum(cost.values())
    rows = {name: {"s": round(s, 3), "share": round(s / total, 3)} for name, s in cost.items()}
    spacy_s = sum(s for name, s in cost.items() if name.startswith("spaCy"))
    words = sum(r.words for r in results)
    out = {"articles": n, "words": words, "total_s": round(total, 2), "spacy_s": round(spacy_s, 2),
           "project_s": round(total - spacy_s, 2), "components": rows}
    print_table(out)
    return out


def print_table(out: dict) -> None:
    print(f"pipeline profile: {out['articles']} articles, {out['words']:,} words, {out['total_s']:.1f} CPU s "
          f"(spaCy {out['spacy_s']:.1f} s, the project's steps and writes {out['project_s']:.1f} s)")
    width = max(len(name) for name in out["components"])
    for name, row in sorted(out["components"].items(), key=lambda kv: -kv[1]["s"]):
        ms = 1000 * row["s"] / out["articles"]
        print(f"  {name.ljust(width)}  {row['s']:7.2f} s  {ms:7.1f} ms/article  {100 * row['share']:5.1f} %")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=32)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.articles), indent=2))


if __name__ == "__main__":
    main()
