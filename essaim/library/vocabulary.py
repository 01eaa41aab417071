"""What the library search does to a query before matching (ADR 0020): synonyms from the
editable list `data/synonyms.txt`, words written apart or joined (« photo langage » /
« photolangage »), and spelling: a word no resource uses is replaced by the nearest stem
of the vocabulary (`library_search_term`), which gives « Vouliez-vous dire … ».

A query is a list of groups (all required), each a list of alternatives (any one), each a
list of stems (all required) — `search.Groups`.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from essaim.library import text as ftext

SYNONYMS_FILE = Path(__file__).resolve().parent / "data" / "synonyms.txt"
MAX_SPELLING_CANDIDATES = 2000

Groups = list[list[list[str]]]


def _stems(phrase: str, clean: Callable[[str], str]) -> tuple[str, ...]:
    return tuple(s for s in (clean(ftext.stem(w)) for w in ftext.query_words(phrase)) if s)


@functools.lru_cache(maxsize=4)
def synonym_sets(path: Path = SYNONYMS_FILE, clean: Callable[[str], str] | None = None) -> list[list[tuple[str, ...]]]:
    """Each line of the file as a list of stem sequences."""
    from essaim.library.search import clean_stem

    sets = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            phrases = [_stems(p, clean or clean_stem) for p in line.split("=")]
            phrases = [p for p in phrases if p]
            if len(phrases) > 1:
                sets.append(phrases)
    return sets


@dataclass
class Word:
    """A group of the query that is one word (or one hyphenated compound, joined): its text
    and stem."""

    text: str
    stem: str
    compound: str = ""  # the compound as typed, hyphens normalised, when it is one


@dataclass
class Plan:
    groups: Groups
    words: list[Word | None]  # per group, the word when the group is a single plain word
    corrected: dict[int, str]  # group index → the word put in place of a misspelt one


def plan(
    query: str,
    *,
    frequencies: Callable[[Sequence[str]], dict[str, int]],
    nearest: Callable[[str, str], str | None],
) -> Plan:
    """The groups of `query`, widened by synonyms and joined/split words, misspelt words
    corrected. `frequencies(stems)` and `nearest(stem, word)` read the vocabulary."""
    from essaim.library.search import clean_stem

    groups: Groups = []
    words: list[Word | None] = []
    for group in ftext.query_groups(query):
        alternatives = [[s for s in (clean_stem(ftext.stem(w)) for w in a) if s] for a in group]
        alternatives = [a for a in alternatives if a]
        if not alternatives:
            continue
        groups.append(alternatives)
        if len(group) == 1 and len(group[0]) == 1:
            words.append(Word(group[0][0], alternatives[0][0]))
        else:  # a hyphenated compound: its joined form is what a misspelling is compared with
            words.append(Word(group[0][0], alternatives[0][0], compound="-".join(group[1])))
    # Every stem that might be looked at, in one read of the vocabulary.
    joined = [
        clean_stem(ftext.stem(a.text + b.text)) for a, b in itertools.pairwise(words) if a is not None and b is not None
    ]
    splits = {
        i: [(w.text[:k], w.text[k:]) for k in range(3, len(w.text) - 2)] for i, w in enumerate(words) if w is not None
    }
    split_stems = [clean_stem(ftext.stem(p)) for options in splits.values() for pair in options for p in pair]
    known = frequencies(sorted({s for g in groups for a in g for s in a} | set(joined) | set(split_stems)))
    corrected: dict[int, str] = {}
    for i, w in enumerate(words):
        if w is None or w.stem in known:
            continue
        if w.compound:
            if not any(all(s in known for s in a) for a in groups[i]):
                better = nearest(w.stem, w.text)
                if better:
                    groups[i] = [[better]]
                    corrected[i] = better
            continue
        parts: list[tuple[str, str]] = [
            (clean_stem(ftext.stem(x)), clean_stem(ftext.stem(y)))
            for x, y in splits[i]
            if clean_stem(ftext.stem(x)) in known and clean_stem(ftext.stem(y)) in known
        ]
        if parts:  # « speedboat » for « speed boat »
            best = max(parts, key=lambda pair: min(known[pair[0]], known[pair[1]]))
            groups[i] = [[w.stem], [best[0], best[1]]]
            continue
        better = nearest(w.stem, w.text)
        if better:
            groups[i] = [[better]]
            corrected[i] = better
    groups = _join_apart(groups, words, known)
    return Plan(groups=_with_synonyms(groups, synonym_sets()), words=words, corrected=corrected)


def _join_apart(groups: Groups, words: list[Word | None], known: dict[str, int]) -> Groups:
    """Two words written apart also match their joined form when a resource uses it."""
    from essaim.library.search import clean_stem

    out: Groups = []
    i = 0
    while i < len(groups):
        a = words[i] if i < len(words) else None
        b = words[i + 1] if i + 1 < len(words) else None
        if a is not None and b is not None and len(groups[i]) == 1 and len(groups[i + 1]) == 1:
            stem = clean_stem(ftext.stem(a.text + b.text))
            if stem in known:
                out.append([[*groups[i][0], *groups[i + 1][0]], [stem]])
                i += 2
                continue
        out.append(groups[i])
        i += 1
    return out


def _with_synonyms(groups: Groups, sets: list[list[tuple[str, ...]]]) -> Groups:
    """A run of plain groups spelling one expression of a synonym set becomes one group
    whose alternatives are every expression of the set."""
    for phrases in sets:
        for phrase in sorted(phrases, key=len, reverse=True):
            n = len(phrase)
            for start in range(len(groups) - n + 1):
                run = groups[start : start + n]
                if all(len(g) == 1 and len(g[0]) == 1 for g in run) and tuple(g[0][0] for g in run) == phrase:
                    merged = [list(p) for p in phrases]
                    groups = [*groups[:start], merged, *groups[start + n :]]
                    break
            else:
                continue
            break
    return groups


def distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, `limit` + 1 once above it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_distance(stem: str) -> int:
    return 0 if len(stem) < 4 else 1 if len(stem) < 7 else 2


def best_candidate(stem: str, candidates: list[tuple[str, int]], *, word: str = "") -> str | None:
    """The nearest candidate within the allowed distance — to the misspelt stem, or to the
    start of the misspelt word (Snowball does not strip a misspelt ending: « codéveloppment »
    keeps it) —, the nearer first, then the longer, then the most used."""
    limit = allowed_distance(stem)
    if not limit:
        return None
    folded = ftext.strip_accents(word.lower()) if word else ""
    scored = []
    for term, documents in candidates:
        if term == stem:
            continue
        d = distance(stem, term, limit)
        if folded and len(term) >= 5 and len(folded) > len(term):
            d = min(d, distance(folded[: len(term)], term, allowed_distance(term)))
        if d <= limit:
            scored.append((d, -len(term), -documents, term))
    return min(scored)[3] if scored else None
