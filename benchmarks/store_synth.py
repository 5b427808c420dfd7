"""Fill a store with N synthetic articles without running the NLP on each: replicated real extractions.

Extracting 100,000 articles takes days on a laptop, yet the dashboard's queries must be timed on
a store of that size. So the seed articles are extracted once by the real pipeline (a normal
`core.build` into a template store), and each synthetic article of benchmarks.synth gets a copy
of the extraction rows (sentences, mentions, persons, quotes, issue hits, tone drivers) of the
seed it was made from, by bulk INSERT ... SELECT in DuckDB; then the derived rows are computed
as the store's writer does (core.store.db.refresh_derived). What differs per article:
- its id (the content hash of its synthetic text, so a build of the same synthetic corpus finds
  it stored), file, outlet, publication date, raw text and raw lines (each line keeps the fate,
  kept or removed, that the same line had in its seed);
- its visit, from its date and the visit catalogue (the visit whose days, or the week after,
  contain the date; else 'other');
- a per-article tone offset (uniform in +-0.3, clipped to -1..1) added to every sentence and
  quote tone, so trends and shifts are not five repeated values.
Table sizes are therefore realistic (rows per article as in the seeds); contents are not new
analysis. Duplicate groups are not computed (duplicate_of stays NULL) unless asked for.
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import time
from pathlib import Path

import pandas as pd

from benchmarks import synth
from core.catalogs import load_catalogs
from core.store.keys import content_hash
from core.store.schema import ARTICLE_TABLES, DERIVED_TABLES, SCHEMA_VERSION
from core.store.db import Store, refresh_derived

OUT = Path(__file__).resolve().parent / "out"
TEMPLATE = OUT / "seeds_template.duckdb"
CHUNK = 5_000
TONE_JITTER = 0.3
VISIT_TAIL_DAYS = 7  # coverage of a visit runs on for about a week after it ends

# Per table: the columns a replica changes, as SQL over b (the seed's row) and m (the replica).
_JITTERED = "least(1.0, greatest(-1.0, b.tone + m.jitter)) AS tone"
_REPLACE = {"sentences": _JITTERED, "quotes": _JITTERED}
_ARTICLE_REPLACE = """m.file AS file, m.outlet AS outlet, [m.outlet] AS outlets, m.pub_date AS pub_date,
    1.0 AS pub_date_confidence, 'given in metadata' AS date_evidence, m.visit AS visit,
    'synthetic: from the date and the visit catalogue' AS visit_evidence,
    least(1.0, greatest(-1.0, b.tone + m.jitter)) AS tone, NULL AS duplicate_of,
    m.raw_text AS raw_text, m.user_meta AS user_meta, $meta_source AS meta_source,
    current_timestamp::TIMESTAMP AS ingested_at"""
# What core.extract.resolve_metadata records when a sidecar gives the date and the outlet.
_META_SOURCE = json.dumps({"title": "inferred", "outlet": "user", "url": "inferred", "pub_date": "user",
                           "visit": "inferred"}, sort_keys=True)


def build_template(path: Path = TEMPLATE, pipeline: str | None = None) -> Path:
    """Extract the seed corpus with the real pipeline into `path` (a no-op when it is up to date)."""
    from core.build import build  # noqa: PLC0415 - loads the extraction stack only when needed

    build(None, path, pipeline=pipeline, progress=False)
    return path


def _visit_windows() -> pd.DataFrame:
    visits = [v for v in load_catalogs().visits if v.start and v.end]
    return pd.DataFrame({
        "visit": [v.id for v in visits],
        "first_day": [v.start for v in visits],
        "last_day": [v.end + dt.timedelta(days=VISIT_TAIL_DAYS) for v in visits],
    })


def _base_ids() -> list[str]:
    """Template article id of each seed, in benchmarks.synth's seed order."""
    return [content_hash(path.read_text(encoding="utf-8")) for path in synth.seed_paths()]


def _chunk_frame(variants, base_ids: list[str], rng: random.Random) -> pd.DataFrame:
    rows = [(content_hash(v.raw.text), base_ids[v.base], v.raw.file, v.raw.meta["outlet"],
             v.raw.meta["pub_date"], v.raw.text, rng.uniform(-TONE_JITTER, TONE_JITTER),
             # as core.store.db records given metadata, so a build of the same corpus finds it unchanged
             json.dumps({"given": v.raw.meta, "edits": {}}, sort_keys=True, default=str))
            for v in variants]
    return pd.DataFrame(rows, columns=["article_id", "base_id", "file", "outlet", "pub_date", "raw_text",
                                       "jitter", "user_meta"])


def _insert_chunk(con, frame: pd.DataFrame) -> None:
    con.register("_m", frame)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _synth AS
        SELECT m.*, coalesce((SELECT w.visit FROM _windows w WHERE m.pub_date BETWEEN w.first_day AND w.last_day
                              ORDER BY w.first_day DESC LIMIT 1), 'other') AS visit
        FROM _m m""")
    con.unregister("_m")
    con.execute(f"""INSERT INTO articles SELECT b.* REPLACE (m.article_id AS article_id, {_ARTICLE_REPLACE})
                    FROM _synth m JOIN _base_articles b ON b.article_id = m.base_id""",
                {"meta_source": _META_SOURCE})
    # Raw lines of the synthetic text, each with the fate the same line had in the seeds.
    con.execute("""
        INSERT INTO lines
        SELECT m.article_id, (x.i - 1)::INTEGER, x.text, coalesce(f.removed, FALSE), f.reason
        FROM _synth m,
             LATERAL (SELECT trim(unnest(string_split(m.raw_text, chr(10)))) AS text,
                             generate_subscripts(string_split(m.raw_text, chr(10)), 1) AS i) x
        LEFT JOIN _line_fate f ON f.text = x.text
        WHERE $blank_lines OR trim(x.text) <> ''""", {"blank_lines": _template_keeps_blank_lines(con)})
    for table in ARTICLE_TABLES:
        if table == "lines" or table in DERIVED_TABLES:
            continue
        extra = f", {_REPLACE[table]}" if table in _REPLACE else ""
        con.execute(f"""INSERT INTO {table} SELECT b.* REPLACE (m.article_id AS article_id{extra})
                        FROM _synth m JOIN _base_{table} b ON b.article_id = m.base_id""")
    refresh_derived(con, frame["article_id"].tolist())  # as the store's writer does, from the jittered tones


def _template_keeps_blank_lines(con) -> bool:
    return bool(con.execute("SELECT count(*) FROM _base_lines WHERE trim(text) = ''").fetchone()[0])


def populate(path: Path, n: int, seed: int = 0, *, template: Path | None = None,
             dedupe: bool = False, progress: bool = True) -> dict:
    """Write the n synthetic articles of benchmarks.synth (same n, seed) into a new store at path.

    template: a store holding the seed corpus's real extraction (default: built on demand);
    dedupe: also compute duplicate groups (core.ingest.dedupe), as a build would. Returns row counts.
    """
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists: populate writes a new store only")
    template = Path(template) if template else build_template()
    base_ids = _base_ids()
    started = time.perf_counter()
    with Store.open(path) as store:
        con = store.con
        con.execute("SET enable_progress_bar = false")
        con.execute(f"ATTACH '{template}' AS tpl (READ_ONLY)")
        missing = con.execute("SELECT count(*) FROM unnest($ids) t(id) WHERE id NOT IN "
                              "(SELECT article_id FROM tpl.articles)", {"ids": base_ids}).fetchone()[0]
        if missing:
            raise RuntimeError(f"{template} lacks {missing} of the seed articles: rebuild it")
        for table in ("articles", *ARTICLE_TABLES):
            con.execute(f"CREATE TEMP TABLE _base_{table} AS SELECT * FROM tpl.{table} "
                        "WHERE article_id IN (SELECT unnest($ids))", {"ids": base_ids})
        # A line's fate by its text: kept if the seeds ever keep it (a repeated block is removed
        # only the second time), else removed for the seeds' reason.
        con.execute("""CREATE TEMP TABLE _line_fate AS SELECT text, bool_and(removed) AS removed,
                       CASE WHEN bool_and(removed) THEN any_value(reason) END AS reason
                       FROM _base_lines GROUP BY text""")
        con.execute("DETACH tpl")
        con.register("_windows_df", _visit_windows())
        con.execute("CREATE TEMP TABLE _windows AS SELECT * FROM _windows_df")
        rng = random.Random(seed + 1)
        variants = synth.variants(n, seed)
        done = 0
        while batch := list(itertools.islice(variants, CHUNK)):
            con.execute("BEGIN TRANSACTION")
            _insert_chunk(con, _chunk_frame(batch, base_ids, rng))
            con.execute("COMMIT")
            done += len(batch)
            if progress:
                print(f"  store_synth: {done:,}/{n:,} articles ({time.perf_counter() - started:.0f} s)", flush=True)
        if dedupe:
            with store.transaction():
                pass  # the transaction refreshes duplicate groups before it commits
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", *ARTICLE_TABLES)}
        con.execute("CHECKPOINT")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def ensure_store(n: int, seed: int = 0, dedupe: bool = False) -> Path:
    """benchmarks/out/synth_<n>.duckdb, made by populate() unless one from the same inputs is there.

    A stamp file beside it records n, seed, the store schema and the template's build fingerprint;
    any difference (a schema, pipeline or catalogue change) makes a new one.
    """
    template = build_template()
    with Store.open(template, read_only=True) as tpl:
        fingerprints = sorted(set(tpl.fingerprints().values()))
    stamp = {"n": n, "seed": seed, "dedupe": dedupe, "fingerprints": fingerprints, "schema": SCHEMA_VERSION}
    path = OUT / f"synth_{n}{'_dedupe' if dedupe else ''}.duckdb"
    stamp_path = path.with_suffix(".json")
    if path.exists() and stamp_path.exists() and json.loads(stamp_path.read_text()) == stamp:
        return path
    for old in (path, stamp_path, path.with_name(path.name + ".wal")):
        old.unlink(missing_ok=True)
    print(f"  store_synth: making a {n:,}-article store at {path}", flush=True)
    populate(path, n, seed, template=template, dedupe=dedupe)
    stamp_path.write_text(json.dumps(stamp))
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of synthetic articles")
    parser.add_argument("store", type=Path, help="path of the new store file")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dedupe", action="store_true", help="compute duplicate groups too")
    args = parser.parse_args(argv)
    print(populate(args.store, args.n, args.seed, dedupe=args.dedupe))


if __name__ == "__main__":
    main()
