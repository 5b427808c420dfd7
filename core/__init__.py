"""Diplotone core: corpus, extraction, store, aggregations and figures. Imports no Streamlit."""

__version__ = "0.1.0"

# Bump when any extraction step changes its output: the store then reprocesses every article.
PIPELINE_VERSION = "9"  # 9: whole quotes (a reported clause holds its partial quotations whole,
#                           marks included); 8: inside a curly quotation a sentence starts only after a stop;
#                           7: texts over 50,000 characters parsed in pieces of 10,000; 6: tone calibrated to
#                           the label scale; 5: restating decks, breadcrumbs, mastheads and print lines removed;
#                           4: a closing quote mark after a stop ends its sentence (3: fitted tone model, quotes
#                           read on their own words, officials' side tone)
