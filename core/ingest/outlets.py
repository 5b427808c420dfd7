"""Which outlet published a page, and which wire or outlet it credits: read from the page itself.

A page names its publisher in its own furniture (the HTML site name, "Discover more from X", "the
views of X", a "X | SECTION" masthead line, "reworked by the X staff", a copyright line, its
URL's domain) and its source in credits (a "(Reuters) -" or "BEIJING (AP) —" dateline, "By NAME,
Outlet", "Source: Xinhua", "via X", "Originally published by X", "This article first appeared in
X", "republished courtesy of X"). The publisher is the page's own outlet; a different credited
outlet is kept as the credit (a wire story reprinted by a local paper: publisher the paper,
credit the wire). ALIASES only normalises names ("(AP)" → "Associated Press"); any name the page
gives is accepted.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

# Canonical name -> other spellings (lower case; "the " and punctuation are ignored when matching).
ALIASES = {
    "Associated Press": ["ap", "the associated press", "apnews.com"],
    "Reuters": ["thomson reuters", "reuters.com"],
    "AFP": ["agence france-presse", "agence france presse", "france 24 with afp"],
    "Xinhua": ["xinhua news agency", "xinhuanet", "news.cn", "english.news.cn", "新华网", "新华社"],
    "CNN": ["cnn.com", "edition.cnn.com"],
    "Global Times": ["gt", "globaltimes.cn"],
    "China Daily": ["chinadaily.com.cn"],
    "CGTN": ["news.cgtn.com", "cgtn.com"],
    "People's Daily": ["people's daily online", "en.people.cn"],
    "South China Morning Post": ["scmp", "scmp.com"],
    "Voice of America": ["voa", "voanews.com", "voa news"],
    "BBC": ["bbc news", "bbc.com", "bbc.co.uk"],
    "The New York Times": ["nyt", "new york times", "nytimes.com"],
    "The Washington Post": ["washington post", "washingtonpost.com"],
    "The Guardian": ["guardian", "theguardian.com"],
    "The Wall Street Journal": ["wsj", "wall street journal", "wsj.com"],
    "USIP": ["united states institute of peace", "usip.org"],
    "The Christian Science Monitor": ["christian science monitor", "csmonitor.com"],
    "U.S. Department of State": ["state.gov", "department of state", "us department of state",
                                 "united states department of state"],
    "Ministry of Foreign Affairs of the People's Republic of China":
        ["ministry of foreign affairs", "fmprc.gov.cn", "mfa.gov.cn"],
    "U.S. Department of the Treasury": ["treasury.gov", "home.treasury.gov", "department of the treasury", "treasury"],
    "The Hill": ["thehill.com"],
}

_NAME = r"[A-Z][\w.&'’-]*(?:(?: of| the| and| &| de| on| for| in)* [A-Z][\w.&'’-]*){0,6}"


def _key(name: str) -> str:
    k = re.sub(r"^(?:the|www)\W+", "", name.strip().lower())
    return re.sub(r"[^\w]+", "", k)


_BY_KEY = {_key(alias): canon for canon, aliases in ALIASES.items() for alias in [canon, *aliases]}


def normalise_outlet(name: str | None) -> str | None:
    """The catalogue name of a known outlet ("AP" → "Associated Press"), else the name as given."""
    if not name:
        return None
    name = re.sub(r"\s+", " ", name).strip(" .,:;|-–—")
    return _BY_KEY.get(_key(name), name) or None


def domain_outlet(url: str | None) -> str | None:
    """An outlet from a URL's host: a known domain's name, else the host without www."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    host = re.sub(r"^(?:www|m|amp|edition|english)\.", "", host)
    return normalise_outlet(host) if host else None


# The page's own furniture: these name the publisher, searched over every line.
_OWN = [
    re.compile(rf"^Discover more from (?P<name>{_NAME})\s*$"),
    re.compile(rf"not necessarily (?:reflect|represent) (?:the )?(?:official )?(?:policy|policies|views?|positions?"
               rf"|those) (?:of )?(?:the )?(?P<name>{_NAME})\.?\s*$"),
    re.compile(rf"\bNOT THE VIEWS? OF (?:THE )?(?P<name>[A-Z][A-Z .&'’-]{{1,40}}?)\s*$"),
    re.compile(rf"\breworked by (?:the )?(?P<name>{_NAME}) staff\b"),
    re.compile(rf"^(?:Subscribe to|Follow) (?P<name>{_NAME}) (?:to|on|updates|press releases|newsletters?)\b"),
    re.compile(rf"^(?:Illustration|Photo|Photograph|Graphic)s? by .{{2,60}}? for (?P<name>{_NAME})\s*$"),
    re.compile(r"^Printed from (?P<name>[a-z0-9.-]+\.[a-z]{2,})\b"),
    re.compile(rf"^Copyright ©\s*(?P<name>{_NAME})"),
    re.compile(rf"^Re-?posted (?:on|by) (?P<name>{_NAME})"),
    re.compile(rf"\b(?:You are receiving|You received) this (?:email |newsletter )?because you (?:subscribed|signed up) "
               rf"(?:to|for) (?P<name>{_NAME})"),
]
_COPYRIGHT = [  # the rights holder: the publisher when nothing else names one
    re.compile(rf"^©\s*(?:\d{{4}}\s+)?(?P<name>{_NAME}?)(?:\.|,| All rights|\s*\||\s*$)"),
    re.compile(rf"^Copyright \d{{4}} (?P<name>{_NAME}?)\. All rights"),
]
# Credits: datelines, bylines and "source" lines (searched in the head) and republication
# notes (anywhere). They name the source; a page without own furniture is taken to be that source.
_WIRE = r"Reuters|AP|AFP|Xinhua|CNN|CGTN|Bloomberg|Kyodo|Yonhap|dpa|UPI|ANI|PTI|TASS"
_CREDIT_HEAD = [
    re.compile(rf"\((?P<name>{_WIRE})\)\s*(?:[-–—]|--)"),             # BEIJING, June 19 (Reuters) - / (AP) —
    re.compile(rf"^[A-Z][\w .,]{{0,40}} \((?P<name>{_WIRE})\)"),        # Beijing (AFP) – Published ...
    re.compile(rf"^By .{{2,160}}?[|,] (?P<name>{_NAME})(?: [|]|\s*$)"),  # By X, Outlet / By X | Outlet |
    re.compile(rf"^From (?P<name>{_NAME})['’]s [A-Z]"),                  # From CNN's Jennifer Hansler
    re.compile(r"^By [A-Z][A-Z .'’-]+ (?P<name>Associated Press|Reuters|AFP|Bloomberg)\s*$", re.I),
    re.compile(rf"(?:^|\s)Source: (?P<name>{_NAME})(?:\s*[|]|\s*$| Editor:| Author:)"),
    re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)? (?P<name>Xinhua)\s*$"),
    re.compile(r"来源[：:]\s*(?P<name>[^\s|]{2,20})"),                  # a Chinese page's "source:" line
    re.compile(rf"^(?P<name>{_WIRE}|[A-Z][a-z]+ News)\s*$"),            # the outlet's name alone on a line
]
_CREDIT_ANY = [
    re.compile(rf"\b(?:republished|reproduced|reprinted) (?:courtesy|with (?:the )?permission) of (?P<name>{_NAME})"),
    re.compile(rf"\b(?:Originally|First) published (?:by|in|on) (?P<name>{_NAME})"),
    re.compile(rf"\bThis (?:article|story|piece) (?:first|originally) appeared (?:in|on) (?P<name>{_NAME})"),
    re.compile(rf"^(?:via|Via|VIA) (?P<name>{_NAME})\s*$"),
]
# Site furniture only one outlet prints.
_SIGNATURES = [
    ("The Christian Science Monitor", re.compile(r"^Why We Wrote This\s*$")),
    ("USIP", re.compile(r"\bUSIP['’]s\b|United States Institute of Peace")),
    ("Global Times", re.compile(r"\bGT staff reporters?\b|^GT Editorial\b|/GT\s*$")),
    ("The Washington Post", re.compile(r"^Democracy Dies in Darkness\s*$")),
    ("U.S. Department of State", re.compile(r"^Department Press Briefing\b")),
    ("The New York Times", re.compile(r"^Send any friend a story\s*$|^A version of this article appears in print on\b")),
    ("The Guardian", re.compile(r"^This article is more than (?:a|an|\d+) \w+ old\s*$|^Reuse this content\s*$")),
    ("The Wall Street Journal", re.compile(r"^Appeared in the .{3,40}? print edition as\b")),
]
# A masthead or breadcrumb: "Paper | NATION & WORLD", "Paper | World | Asia-Pacific", "Forum › Analysis ›
# Q&A" (not a section word alone).
_SECTION = r"[A-Z][\w&'-]*(?: [A-Z&][\w&'-]*){0,2}"
_OWN_HEAD = [re.compile(rf"^(?P<name>(?=[^|›]*[a-z]){_NAME})\s*(?:\|\s*(?:[A-Z&' ]{{3,40}}|Home|News)\s*$|›"
                        rf"|(?:\s*\|\s*{_SECTION}){{2,4}}\s*$)")]
HEAD_CHARS = 900


def _head(lines: list[str]) -> list[str]:
    head, size = [], 0
    for ln in lines:
        head.append(ln)
        size += len(ln)
        if size > HEAD_CHARS:
            break
    return head


def _first(patterns, lines, reverse=False) -> str | None:
    for ln in (reversed(lines) if reverse else lines):
        for rx in patterns:
            m = rx.search(ln)
            name = m and re.split(r"(?<=[a-z]{3})\.\s", m.group("name"))[0].strip()
            if name:
                return normalise_outlet(name)
    return None


def read_outlet(raw_text: str, site_name: str | None = None, url: str | None = None) -> tuple[str | None, str | None]:
    """(publisher, credit) of a page: its own outlet (site name, own furniture, URL domain, else
    the credited source) and the credited wire/outlet where it differs from the publisher."""
    lines = [ln.strip() for ln in raw_text.replace("\r", "\n").split("\n") if ln.strip()]
    own = normalise_outlet(site_name) or _first(_OWN, lines, reverse=True) or _first(_OWN_HEAD, _head(lines))
    if own is None:
        own = next((name for name, rx in _SIGNATURES if any(rx.search(ln) for ln in lines)), None)
    own = own or domain_outlet(url) or _first(_COPYRIGHT, lines, reverse=True)
    credit = _first(_CREDIT_HEAD, _head(lines)) or _first(_CREDIT_ANY, lines, reverse=True)
    publisher = own or credit
    return publisher, (credit if credit and _key(credit) != _key(publisher or "") else None)


def infer_outlet(raw_text: str, site_name: str | None = None, url: str | None = None) -> str | None:
    """The publishing outlet of a page; None when the page does not say."""
    return read_outlet(raw_text, site_name, url)[0]
