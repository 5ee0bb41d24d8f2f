"""Trigger words: which of the force's words and phrases a reply contains.

Matching folds case and accents (Unicode NFKD, combining marks dropped, then casefold) and works on
whole words, so "HELP ME", "help   me" and "hélp me" match "help me", while "gunner" does not match
"gun" nor "nowhere" "now". A phrase is its words in order, whatever spaces or punctuation lie between.
"""

import re
import unicodedata

WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


def matched_triggers(text: str, phrases) -> list[str]:
    """The phrases (as the force wrote them) found in `text`, in the order given, each once."""
    found_words = words(text)
    # Joined by one space with a space at each end, so a phrase matches only at word boundaries.
    haystack = f" {' '.join(found_words)} "
    matched = []
    for phrase in phrases:
        needle = " ".join(words(phrase))
        if needle and f" {needle} " in haystack and phrase not in matched:
            matched.append(phrase)
    return matched
