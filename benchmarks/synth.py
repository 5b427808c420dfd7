"""A reproducible synthetic corpus made from the seed articles, for the scale benchmarks.

Five seed articles cannot show how a build or a query grows with the corpus, and a corpus of
thousands of real articles cannot ship with the project. So each synthetic article is made from a
seed: its first line (headline or capture line) stays on top, a random share of its paragraphs is
kept, paragraphs of the other seeds fill it back to the seed's length, the body is shuffled, and
now and then one catalogue person is swapped for another of the same side. Two synthetic
articles share about a quarter of their paragraphs at most, well under the near-duplicate
threshold of core.ingest.dedupe, so the build treats them as distinct stories (as it would real ones)
instead of folding thousands of reshuffled copies into five. Publication dates spread over
2023-06..2024-12 (about half of them in the days after a catalogued visit, as coverage clusters)
and outlets come from a fixed list; both are given as metadata, as a user's sidecar would.
The text stays real, messy web text, so the pipeline does its usual work on it; every article's
content hash is distinct, so none is skipped as a re-saved copy.

Same (n, seed) -> same articles, byte for byte. CLI: python -m benchmarks.synth N OUTDIR [--seed S]
writes N .txt files and an articles.yaml sidecar into OUTDIR.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from core.catalogs import CATALOG_FILES, load_actors, load_visits
from core.errors import CatalogError
from core.store.keys import content_hash
from core.model import RawArticle
from core.paths import seeds_dir

OUTLETS = (
    "Reuters", "Associated Press", "South China Morning Post", "CNN", "BBC", "Xinhua",
    "Global Times", "China Daily", "The Diplomat", "Christian Science Monitor", "Nikkei Asia",
    "Al Jazeera", "The Guardian", "Foreign Policy", "Voice of America", "CGTN",
)
DATE_FROM, DATE_TO = dt.date(2023, 6, 1), dt.date(2024, 12, 31)
NEAR_VISIT_SHARE = 0.55  # coverage clusters in the days after a visit
KEEP_SHARE = 0.4  # of the base seed's paragraphs; the rest is borrowed from the other seeds
SWAP_SHARE = 0.15
MAX_TRIES = 50


@dataclass
class Variant:
    """A synthetic article and the index of the seed it was made from (store_synth replicates it)."""

    raw: RawArticle
    base: int


@dataclass
class _Seed:
    file: str
    head: str
    body: list[str]
    sep: str


def _split(path: Path) -> _Seed:
    text = path.read_text(encoding="utf-8")
    # Seeds separate paragraphs by blank lines or by single newlines; keep each one's habit.
    sep = "\n\n" if re.search(r"\n[ \t]*\n", text.strip()) else "\n"
    paras = [p.strip() for p in re.split(r"\n[ \t]*\n" if sep == "\n\n" else r"\n", text) if p.strip()]
    return _Seed(path.name, paras[0], paras[1:], sep)


def seed_paths(folder: Path | None = None) -> list[Path]:
    """The seed articles, in the order variants() numbers them (Variant.base)."""
    folder = Path(folder or seeds_dir())
    paths = sorted(folder.glob("*.txt"))
    if not paths:
        raise FileNotFoundError(f"no seed articles (*.txt) in {folder}")
    return paths


def load_seeds(folder: Path | None = None) -> list[_Seed]:
    return [_split(p) for p in seed_paths(folder)]


def _persons_by_side(folder: Path) -> dict[str, list[str]]:
    """Catalogue people grouped by side; empty when the actor list is absent or invalid."""
    try:
        actors = load_actors(folder / CATALOG_FILES["actors"])
    except CatalogError:
        return {}
    sides: dict[str, list[str]] = {}
    for actor in actors:
        if actor.type == "person":
            sides.setdefault(actor.side, []).append(actor.canonical)
    return sides


def _visit_starts(folder: Path) -> list[dt.date]:
    try:
        visits = load_visits(folder / CATALOG_FILES["visits"])
    except CatalogError:
        return []
    return [v.start for v in visits if v.start and DATE_FROM <= v.start <= DATE_TO]


def _draw_date(rng: random.Random, starts: list[dt.date]) -> dt.date:
    if starts and rng.random() < NEAR_VISIT_SHARE:
        day = rng.choice(starts) + dt.timedelta(days=rng.randint(-1, 6))
    else:
        day = DATE_FROM + dt.timedelta(days=rng.randrange((DATE_TO - DATE_FROM).days + 1))
    return min(max(day, DATE_FROM), DATE_TO)


def _swap_person(text: str, rng: random.Random, persons: dict[str, list[str]]) -> str:
    present = [(side, name) for side, names in persons.items() for name in names if name in text]
    if not present:
        return text
    side, name = rng.choice(present)
    others = [n for n in persons[side] if n != name]
    return text.replace(name, rng.choice(others)) if others else text


def _variant_text(seed: _Seed, pool: list[str], rng: random.Random, persons) -> str:
    """pool: the paragraphs of every other seed."""
    body = rng.sample(seed.body, round(KEEP_SHARE * len(seed.body)))
    body += rng.sample(pool, min(len(pool), len(seed.body) - len(body)))
    rng.shuffle(body)
    text = seed.sep.join([seed.head, *body]) + "\n"
    if persons and rng.random() < SWAP_SHARE:
        text = _swap_person(text, rng, persons)
    return text


def variants(n: int, seed: int = 0, folder: Path | None = None) -> Iterator[Variant]:
    """Yield n synthetic articles with distinct content hashes, reproducibly from `seed`."""
    folder = Path(folder or seeds_dir())
    seeds = load_seeds(folder)
    persons = _persons_by_side(folder)
    starts = _visit_starts(folder)
    pools = [[p for j, other in enumerate(seeds) if j != i for p in other.body] for i in range(len(seeds))]
    rng = random.Random(seed)
    seen: set[str] = set()
    width = max(6, len(str(n)))
    for i in range(n):
        for _ in range(MAX_TRIES):
            b = rng.randrange(len(seeds))
            text = _variant_text(seeds[b], pools[b], rng, persons)
            digest = content_hash(text)
            if digest not in seen:
                break
        else:
            raise RuntimeError(f"could not make article {i} distinct in {MAX_TRIES} tries")
        seen.add(digest)
        meta = {"pub_date": _draw_date(rng, starts), "outlet": rng.choice(OUTLETS)}
        yield Variant(RawArticle(f"synth_{i:0{width}d}_{Path(seeds[b].file).stem}.txt", text, meta), b)


def generate(n: int, seed: int = 0, folder: Path | None = None) -> list[RawArticle]:
    """n synthetic RawArticles (metadata: pub_date, outlet), the same for the same (n, seed)."""
    return [v.raw for v in variants(n, seed, folder)]


def write_corpus(raws: list[RawArticle], out: Path) -> Path:
    """Write the articles as .txt files plus an articles.yaml sidecar with their metadata."""
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for raw in raws:
        (out / raw.file).write_text(raw.text, encoding="utf-8")
        entries.append({"file": raw.file, "outlet": raw.meta["outlet"],
                        "pub_date": raw.meta["pub_date"].isoformat()})
    sidecar = out / CATALOG_FILES["articles"]
    sidecar.write_text(yaml.safe_dump({"articles": entries}, sort_keys=False), encoding="utf-8")
    return sidecar


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same corpus)")
    args = parser.parse_args(argv)
    sidecar = write_corpus(generate(args.n, args.seed), args.out)
    print(f"wrote {args.n} articles and {sidecar}")


if __name__ == "__main__":
    main()
