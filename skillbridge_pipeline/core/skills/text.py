"""Tokenising and normalising text for skill matching.

One tokenizer serves the taxonomy build and the extractor, so an alias and the text it must
match are always cut the same way. Tokens keep what makes tech names distinct (C++, C#, .NET,
Node.js, R&D) and remember what joined them to their neighbour, so a match can refuse to start
or end inside a hyphenated word ("go" in "go-to-market").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import accumulate

# A token: optional leading dot (.NET), a letter or digit, then letters/digits, with inner
# dots, ampersands and apostrophes kept when a letter or digit follows (Node.js, R&D, Master's),
# and trailing + or # kept (C++, C#, F#).
# Invisible characters that split or glue words ("Kuber\u200bnetes", soft hyphens), and
# trademark signs ("Docker™" is Docker; NFKC would make it "DockerTM").
_INVISIBLE_CHARS = "\u00ad\u200b-\u200f\u2060-\u2064\ufeff"
_MARKS = "™®©℠"
# Invisible characters inside a word are part of it (and dropped from its text and norm). The
# group makes `split` return the tokens between the text around them.
_TOKEN = re.compile(rf"(\.?[^\W_](?:[^\W_]|[.&'’{_INVISIBLE_CHARS}](?=[^\W_]))*[+#]*)")
_POSSESSIVE = re.compile(r"['’]s$")
# One character for one, so offsets are unchanged.
_UNIFIED = {"’": "'", "‘": "'", "–": "-", "—": "-", "‐": "-", "‑": "-", "♯": "#"} | dict.fromkeys(
    _MARKS, " "
)
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_REMOVED = re.compile(f"[{_INVISIBLE_CHARS}{_MARKS}]")  # by `clean_text`, before offsets


@dataclass(frozen=True, slots=True)
class Tokens:
    """A text's tokens as parallel columns. A long posting has tens of thousands of tokens;
    columns come out of one regex split in C, where an object per token cost a third of
    extraction's time."""

    texts: list[str]  # as written
    norms: list[str]  # casefolded, possessive dropped
    starts: list[int]
    ends: list[int]
    joints: list[str]  # the characters between the previous token and this one ("" at the start)

    def __len__(self) -> int:
        return len(self.norms)


def unify_punctuation(text: str) -> str:
    """Curly quotes and dashes to ASCII, trademark signs to spaces and "C♯" to "C#", one
    character for one, so offsets are unchanged."""
    for char, replacement in _UNIFIED.items():
        if char in text:  # most texts hold none or few of them: a scan beats a translation
            text = text.replace(char, replacement)
    return text


def clean_text(text: str) -> str:
    """Invisible characters and trademark signs removed, Unicode normalised (both may change
    lengths: done once, before offsets are taken)."""
    return unify_punctuation(unicodedata.normalize("NFKC", _REMOVED.sub("", text)))


def tokenize(text: str) -> Tokens:
    parts = _TOKEN.split(text)  # joint, token, joint, token, ..., the tail after the last
    ends_of_parts = list(accumulate(map(len, parts)))
    texts = parts[1::2]
    joints = parts[0:-1:2]
    if joints:
        joints[0] = ""  # no joint before the first token
    if _INVISIBLE.search(text):
        texts = [_INVISIBLE.sub("", t) for t in texts]
    norms = list(map(str.casefold, texts))
    if "'" in text or "’" in text:
        norms = [_POSSESSIVE.sub("", n) if "'" in n or "’" in n else n for n in norms]
    return Tokens(texts, norms, ends_of_parts[0:-1:2], ends_of_parts[1::2], joints)


def alias_key(alias: str) -> tuple[str, ...]:
    """The lookup key of an alias: its normalised tokens."""
    return tuple(tokenize(clean_text(alias)).norms)
