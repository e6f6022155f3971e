"""Tokenising and normalising text for skill matching.

One tokenizer serves the taxonomy build and the extractor, so an alias and the text it must
match are always cut the same way. Tokens keep what makes tech names distinct (C++, C#, .NET,
Node.js, R&D) and remember what joined them to their neighbour, so a match can refuse to start
or end inside a hyphenated word ("go" in "go-to-market").
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

# A token: optional leading dot (.NET), a letter or digit, then letters/digits, with inner
# dots, ampersands and apostrophes kept when a letter or digit follows (Node.js, R&D, Master's),
# and trailing + or # kept (C++, C#, F#).
# Invisible characters that split or glue words ("Kuber\u200bnetes", soft hyphens), and
# trademark signs ("Docker™" is Docker; NFKC would make it "DockerTM").
_INVISIBLE_CHARS = "\u00ad\u200b-\u200f\u2060-\u2064\ufeff"
_MARKS = "™®©℠"
# Invisible characters inside a word are part of it (and dropped from its text and norm).
_TOKEN = re.compile(rf"\.?[^\W_](?:[^\W_]|[.&'’{_INVISIBLE_CHARS}](?=[^\W_]))*[+#]*")
_POSSESSIVE = re.compile(r"['’]s$")
_QUOTES = str.maketrans(
    {"’": "'", "‘": "'", "–": "-", "—": "-", "‐": "-", "‑": "-", "♯": "#"}
    | dict.fromkeys(_MARKS, " ")
)
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_REMOVED = re.compile(f"[{_INVISIBLE_CHARS}{_MARKS}]")  # by `clean_text`, before offsets


class Token(NamedTuple):  # a tuple: cheap to build by the hundred thousand
    text: str  # as written
    norm: str  # casefolded, possessive dropped
    start: int
    end: int
    joint: str  # the characters between the previous token and this one ("" at the start)


def unify_punctuation(text: str) -> str:
    """Curly quotes and dashes to ASCII, trademark signs to spaces and "C♯" to "C#", one
    character for one, so offsets are unchanged."""
    return text.translate(_QUOTES)


def clean_text(text: str) -> str:
    """Invisible characters and trademark signs removed, Unicode normalised (both may change
    lengths: done once, before offsets are taken)."""
    return unify_punctuation(unicodedata.normalize("NFKC", _REMOVED.sub("", text)))


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    append = tokens.append
    previous_end = None  # no joint before the first token
    for match in _TOKEN.finditer(text):
        raw = match.group()
        if not raw.isprintable():
            raw = _INVISIBLE.sub("", raw)
        start, end = match.span()
        norm = raw.casefold()
        if "'" in norm or "’" in norm:
            norm = _POSSESSIVE.sub("", norm)
        append(
            Token(raw, norm, start, end, "" if previous_end is None else text[previous_end:start])
        )
        previous_end = end
    return tokens


def alias_key(alias: str) -> tuple[str, ...]:
    """The lookup key of an alias: its normalised tokens."""
    return tuple(t.norm for t in tokenize(clean_text(alias)))
