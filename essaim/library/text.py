"""French text for the search index: one normalisation shared by both databases.

- Hyphenated compounds are indexed three ways (« co-développement » → « codéveloppement co
  développement »), and a hyphenated query word is searched joined, so that « co-développement »
  and « codéveloppement » find each other and « développement » still finds both.
- SQLite: words lose their accents, then get a Snowball French stem (what PostgreSQL's
  `unaccent` + `french_stem` configuration does), stop words dropped, in the indexed columns
  and in the query alike.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

import snowballstemmer

WORD = re.compile(r"\w+(?:[-‐‑]\w+)*", re.UNICODE)
TAG = re.compile(r"<[^>]+>")
MAX_QUERY_WORDS = 12

# PostgreSQL's french.stop (Snowball project, BSD licence), unaccented: the same words
# are dropped on both databases.
STOP_WORDS = frozenset(
    [
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "et",
        "eux",
        "il",
        "ils",
        "je",
        "la",
        "le",
        "les",
        "leur",
        "lui",
        "ma",
        "mais",
        "me",
        "meme",
        "mes",
        "moi",
        "mon",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "c",
        "d",
        "j",
        "l",
        "a",
        "m",
        "n",
        "s",
        "t",
        "y",
        "ete",
        "etee",
        "etees",
        "etes",
        "etant",
        "etante",
        "etants",
        "etantes",
        "suis",
        "es",
        "est",
        "sommes",
        "etes",
        "sont",
        "serai",
        "seras",
        "sera",
        "serons",
        "serez",
        "seront",
        "serais",
        "serait",
        "serions",
        "seriez",
        "seraient",
        "etais",
        "etait",
        "etions",
        "etiez",
        "etaient",
        "fus",
        "fut",
        "fumes",
        "futes",
        "furent",
        "sois",
        "soit",
        "soyons",
        "soyez",
        "soient",
        "fusse",
        "fusses",
        "fut",
        "fussions",
        "fussiez",
        "fussent",
        "ayant",
        "ayante",
        "ayantes",
        "ayants",
        "eu",
        "eue",
        "eues",
        "eus",
        "ai",
        "as",
        "avons",
        "avez",
        "ont",
        "aurai",
        "auras",
        "aura",
        "aurons",
        "aurez",
        "auront",
        "aurais",
        "aurait",
        "aurions",
        "auriez",
        "auraient",
        "avais",
        "avait",
        "avions",
        "aviez",
        "avaient",
        "eut",
        "eumes",
        "eutes",
        "eurent",
        "aie",
        "aies",
        "ait",
        "ayons",
        "ayez",
        "aient",
        "eusse",
        "eusses",
        "eussions",
        "eussiez",
        "eussent",
    ]
)

_stemmer = snowballstemmer.stemmer("french")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("œ", "oe").replace("æ", "ae")


def html_to_text(value: str) -> str:
    return html.unescape(TAG.sub(" ", value or ""))


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Unaccented, lower-case Snowball French stem; "" for a stop word."""
    folded = strip_accents(word.lower())
    if folded in STOP_WORDS:
        return ""
    return _stemmer.stemWord(folded)


def expand_compounds(text: str) -> str:
    """Document side: each hyphenated compound also as one joined word and as its parts."""

    def expand(match: re.Match[str]) -> str:
        word = match.group(0)
        parts = re.split(r"[-‐‑]", word)
        if len(parts) == 1:
            return word
        return " ".join(["".join(parts), *parts])

    return WORD.sub(expand, text)


def document_words(text: str) -> list[str]:
    return WORD.findall(expand_compounds(text))


def stem_document(text: str) -> str:
    """The indexed form of a text on SQLite: stems separated by spaces."""
    return " ".join(s for s in (stem(w) for w in document_words(text)) if s)


def query_groups(query: str) -> list[list[list[str]]]:
    """The words of a query as groups to AND together; a group lists alternatives (OR),
    an alternative lists words (AND). « co-développement » gives
    [[["codéveloppement"], ["co", "développement"]]]. Punctuation and operators are gone:
    no query syntax ever reaches the database. At most MAX_QUERY_WORDS words."""
    groups: list[list[list[str]]] = []
    for token in WORD.findall((query or "").replace("_", " "))[:MAX_QUERY_WORDS]:
        parts = [p for p in re.split(r"[-‐‑]", token) if p]
        if len(parts) > 1:
            groups.append([["".join(parts)], parts])
        else:
            groups.append([parts])
    return groups


def query_words(query: str) -> list[str]:
    return [word for group in query_groups(query) for alternative in group for word in alternative]


def query_stems(query: str) -> list[str]:
    seen: list[str] = []
    for word in query_words(query):
        s = stem(word)
        if s and s not in seen:
            seen.append(s)
    return seen
