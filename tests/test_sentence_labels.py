"""The sentence label sets load, and every labelled seed sentence is found in the analysed text
(or, for a repeated block, a restating summary block or deck the labeller kept, in a line the
cleaner removed because the page says it elsewhere)."""
from core.ingest.clean import COUNTED_ONCE, clean_text
from core.evaluate import locate
from core.sentence_labels import best_match, folds, label_spans, load_sentence_set


def test_seed_labels_locate_in_the_cleaned_text():
    articles = load_sentence_set("seeds")
    assert len(articles) == 5 and sum(len(a.sentences) for a in articles) == 270
    for article in articles:
        cleaned = clean_text(article.text)
        spans = label_spans(article.sentences, cleaned.text)
        repeats = "\n".join(line.text for line in cleaned.lines if line.reason in COUNTED_ONCE)
        missing = [s.text for s, span in zip(article.sentences, spans) if span is None and not locate(s.text, repeats)]
        assert not missing, (article.file, missing[:3])
        found = [span for span in spans if span]
        assert all(a[0] < b[0] for a, b in zip(found, found[1:])), "labels map in reading order"


def test_best_match_takes_the_largest_overlap_and_folds_split_by_article():
    assert best_match((10, 30), [(0, 12), (12, 40)]) == 1
    assert best_match(None, [(0, 5)]) is None
    articles = load_sentence_set("seeds")
    splits = folds(articles)
    assert len(splits) == 5 and all(set(tr).isdisjoint(te) and len(te) == 1 for tr, te in splits)


def test_pages_labels_load_and_align_to_their_page_text():
    """eval/pages (captured web pages with hard furniture): every labelled sentence is a verbatim,
    in-order piece of its page, and every boilerplate line is a whole line of it, never a sentence."""
    articles = load_sentence_set("pages")
    assert len(articles) == 10 and sum(len(a.sentences) for a in articles) == 219
    for article in articles:
        spans = label_spans(article.sentences, article.text)
        assert None not in spans, (article.file, [s.text for s, sp in zip(article.sentences, spans) if sp is None][:3])
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), (article.file, "labels in reading order")
        lines = set(article.text.splitlines())
        assert all(line in lines for line in article.boilerplate), article.file
        assert not {s.text for s in article.sentences} & set(article.boilerplate), article.file
        assert all(-2 <= s.tone <= 2 and (s.when is None or s.recalled) for s in article.sentences), article.file
        assert article.article["pub_date"] and article.article["visit"] and article.article["persons"], article.file
