"""Text normalisation and forgiving keyword matching for citizen input (typos, no accents, no punctuation)."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case, accents removed, punctuation turned into spaces, "ij" spelled "y" as many people type it."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ij", "y")
    return " ".join(_WORD.findall(plain))


def words(text: str) -> list[str]:
    return normalise(text).split()


def _within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
    short, long_ = (a, b) if la < lb else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def word_matches(token: str, keyword: str, typo_min_length: int = 5) -> bool:
    """A token matches a one-word keyword exactly, as an inflected form, or with one typo (long words)."""
    if token == keyword:
        return True
    if len(keyword) >= 4 and token.startswith(keyword) and len(token) - len(keyword) <= 4:
        return True
    return len(keyword) >= typo_min_length and _within_one_edit(token, keyword)


def _keyword_parts(keyword: str) -> list[tuple[str, bool]]:
    """The normalised words of a keyword, each with whether it must match exactly ("=waar")."""
    parts: list[tuple[str, bool]] = []
    for raw in keyword.split():
        exact = raw.startswith("=")
        parts.extend((word, exact) for word in normalise(raw).split())
    return parts


def keyword_positions(tokens: list[str], keyword: str, typo_min_length: int = 5) -> set[int]:
    """Positions of the tokens a keyword covers; a multi-word keyword must appear as a run.

    A word written with a leading "=" matches only exactly: "=waar" must not find "waarom".
    """
    parts = _keyword_parts(keyword)
    n = len(parts)
    covered: set[int] = set()
    for start in range(len(tokens) - n + 1 if parts else 0):
        window = tokens[start : start + n]
        if all(
            token == word if exact else word_matches(token, word, typo_min_length)
            for token, (word, exact) in zip(window, parts, strict=False)
        ):
            covered.update(range(start, start + n))
    return covered
