"""Text and query words → search keys, in the key space of ``pipeline.match.terms``.

Index and query go through the same folding, so a stored article and a monitor's query meet
whatever the case form, script or spelling:

* a word pymorphy3 knows (a Russian dictionary word, «пытками») is indexed by its lemma,
  spelled in a precise transliteration (``pytka``): «пытали» and «питали» stay apart;
* any other word — names, places, Kazakh and English words, a Russian word in Latin letters —
  is indexed by its ``skeleton`` (Batyrbayev / Батырбаева → ``batirbaev…``), and a query word of
  that kind becomes a *prefix* of its stem (Kazakh, Russian and English endings stripped), so
  «Талдыкорган» finds «Талдыкоргане», «Талдықорғанда» and "Taldykorgan's".

Keys are ``[a-z0-9]+`` only, which is what makes a query safe to put into FTS5 or tsquery syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.match.terms import (
    CASE_NUMBER_RE,
    _morph,
    article_mentions,
    clean_text,
    fold,
    has_kazakh_letters,
    is_cyrillic,
    kazakh_suffixes,
    normalize_case_number,
    skeleton,
)
from pipeline.match.words import INDEX_WORDS

MAX_KEY = 60
"""Longer keys are cut: garbage tokens (base64, long URLs) must not bloat the index."""
MIN_STEM = 5
"""A query stem shorter than this is not cut further: 'суд' must not become a prefix of 'судья'."""
MIN_PREFIX = 3
"""A user's ``word*`` needs this many key characters, or it is searched as a whole word."""

_PRECISE = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфхцыэ", "abvgdezijklmnoprstufxcye", strict=True)),
        "ж": "zh", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ь": "", "ю": "yu", "я": "ya",
    }
)  # fmt: skip
_NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn"})
_RU_ENDINGS = (
    "a", "ia", "u", "iu", "e", "i", "o", "om", "em", "oi", "ei", "oiu", "eiu", "ami", "iami",
    "ah", "iah", "am", "iam", "imi", "ih", "im", "ogo", "ego", "omu", "emu", "ie", "ii",
)  # fmt: skip
_EN_ENDINGS = ("s", "es", "ed", "d", "ing", "ings", "ies")
_NOT_KEY_RE = re.compile(r"[^a-z0-9]+")
COMPOUND_RE = re.compile(r"[^\W\d_]+(?:[-‐‑][^\W\d_]+)+")
_ARTICLE_KEY_RE = re.compile(r"art\d[\dx]*")


@dataclass(frozen=True, slots=True)
class Alt:
    """One form a query word may take in the index: an exact key or a key prefix."""

    key: str
    prefix: bool = False


def text_words(text: str) -> list[str]:
    """The words of a text, case numbers written one way («1917 – 22-00-1/0215» = …/215)."""
    text = clean_text(text)
    if "/" in text:
        text = CASE_NUMBER_RE.sub(lambda m: normalize_case_number(m.group()), text)
    return INDEX_WORDS.findall(text)


def index_keys(text: str) -> str:
    """The text as space-separated keys, one per word, in order (positions make phrases),
    then the extras: hyphenated names joined ('Taldy-Korgan' is also 'taldikorgan') and one
    ``art<number>`` per article of the code mentioned («ст. 146», «146-бабы», "Art. 146")."""
    keys = list(filter(None, map(index_key, text_words(text))))
    if "-" in text or "‐" in text or "‑" in text:
        keys += (index_key(m.group()) for m in COMPOUND_RE.finditer(clean_text(text)))
    keys += article_keys(text)
    return " ".join(keys)


def article_keys(text: str) -> list[str]:
    """``art146`` for each article of the code the text mentions."""
    return [f"art{_NOT_KEY_RE.sub('x', number)}" for number, _ in article_mentions(text)]


@lru_cache(maxsize=1)
def _suffixes() -> frozenset[str]:
    return kazakh_suffixes() | frozenset(_RU_ENDINGS) | frozenset(_EN_ENDINGS)


def _known(word: str) -> tuple[str, bool] | None:
    """(lemma, is a name) for a Russian dictionary word, else None."""
    if not is_cyrillic(word) or has_kazakh_letters(word):
        return None
    parse = _morph().parse(word)[0]
    if not parse.is_known:
        return None
    return parse.normal_form.replace("ё", "е"), bool(_NAME_TAGS & parse.tag.grammemes)


def _precise(lemma: str) -> str:
    return _NOT_KEY_RE.sub("", lemma.translate(_PRECISE))[:MAX_KEY]


@lru_cache(maxsize=400_000)
def index_key(word: str) -> str:
    """The one key a text word is indexed by ('' for a word with nothing searchable)."""
    folded = fold(word)
    if folded.isdigit():
        return folded[:MAX_KEY]
    known = _known(folded)
    if known is not None:
        return _precise(known[0])
    return skeleton(folded)[:MAX_KEY]


def stem(key: str) -> str:
    """The shortest stem (≥ MIN_STEM) left after cutting one known ending off a skeleton.

    Doubled letters are collapsed in skeletons, so an ending may also begin with the stem's
    last letter ('taldikorganin' = 'taldikorgan' + 'nin').
    """
    if key.isdigit():
        return key
    suffixes = _suffixes()
    for cut in range(MIN_STEM, len(key)):
        rest = key[cut:]
        if rest in suffixes or key[cut - 1] + rest in suffixes:
            return key[:cut]
    return key


@lru_cache(maxsize=50_000)
def query_alts(word: str, *, prefix: bool = False) -> tuple[Alt, ...]:
    """What one query word matches: its lemma key, and/or a prefix of its stem.

    ``prefix``: the user wrote ``word*`` — a prefix of the word's skeleton, no stemming.
    """
    folded = fold(word)
    if folded.isdigit() or _ARTICLE_KEY_RE.fullmatch(folded):
        return (Alt(folded[:MAX_KEY], prefix),)
    if prefix:
        keys = [skeleton(folded)[:MAX_KEY]]
        if is_cyrillic(folded) and not has_kazakh_letters(folded):
            keys.append(_precise(folded))
        return tuple(dict.fromkeys(Alt(k, len(k) >= MIN_PREFIX) for k in keys if k))
    known = _known(folded)
    alts: list[Alt] = []
    if known is not None:
        alts.append(Alt(_precise(known[0])))
        if not known[1]:
            return tuple(a for a in alts if a.key)
    stemmed = stem(skeleton(folded)[:MAX_KEY])
    if stemmed:
        widest = Alt(stemmed, prefix=len(stemmed) >= 4)
        alts = [a for a in alts if not (widest.prefix and a.key.startswith(stemmed))]
        alts.append(widest)
    return tuple(dict.fromkeys(alts))


def alt_matches(alt: Alt, key: str) -> bool:
    return key.startswith(alt.key) if alt.prefix else key == alt.key
