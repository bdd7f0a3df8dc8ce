"""Words → comparable keys, in one key space for every script; term words → accepted forms;
article mentions and case numbers → normalised values.

Two keys per word:

* ``fold`` keeps the script: NFKC, casefold, ё→е, and look-alike letters repaired towards the
  word's majority script (a Latin ``a`` inside «Тaлдыкорган» becomes Cyrillic). Russian
  inflections of common words are compared on this key, so «пытали» never meets «питали».
* ``skeleton`` is Latin: Cyrillic and Kazakh letters transliterated, Kazakh-Latin diacritics
  dropped, then spelling variants collapsed (kh→h, zh/dzh/j→j, gh→g, q→k, ye→e, y→i, doubled
  letters once), so Batyrbayev / Batyrbaev / Батырбаев and Taldyqorghan / Талдықорған /
  Taldykorgan share a key. Names, places and Kazakh or English words are compared on it.

``expand_word`` turns one configured term word into the keys of its accepted surface forms
(pymorphy3 lexemes, Russian surname endings, English -s/-ed/-ing); Kazakh case, possessive and
plural suffixes are not enumerated but stripped at match time (``kazakh_stems``), which keeps
compiling fast however many cases there are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from typing import TYPE_CHECKING, NamedTuple

from pipeline.match.words import WORDS

if TYPE_CHECKING:
    from pymorphy3 import MorphAnalyzer

_JOINERS_RE = re.compile(r"['’ʼ`\-‐‑]")
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_LATIN_RE = re.compile(r"[a-zA-Z\u00c0-\u024f\u0259]")
_KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")

# Look-alikes, keyed by the script they are repaired towards.
_TO_CYRILLIC = str.maketrans("AaBCcEeHIiKkMOoPpTXxYy", "АаВСсЕеНІіКкМОоРрТХхУу")
_TO_LATIN = str.maketrans("АаВЕеІіКкМНОоРрСсТУуХхҺһЈј", "AaBEeIiKkMHOoPpCcTYyXxHhJj")

# Russian and Kazakh Cyrillic, plus the Latin letters NFD does not reduce to a base letter
# (ý is у in the 2018 Kazakh Latin alphabet).
_CYR_TO_LAT = {
    **dict(zip("абвгдежзийклмнопрстуфхыэәғқңөұүһієјўıəøđłý", "abvgdejziiklmnoprstufhieagknouuhiejuiaodlu", strict=True)),
    "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ь": "", "ю": "iu", "я": "ia",
    "ş": "sh", "ç": "ch", "ž": "zh", "š": "sh", "č": "ch", "æ": "ae",
}  # fmt: skip
_TRANSLIT = str.maketrans(_CYR_TO_LAT)
# One pass over the Latin string, the first listed rule winning at each position; each rule
# folds one spelling habit into one form.
_LATIN_RULES = {
    "shch": "sh", "dzh": "j", "dj": "j", "zh": "j", "kh": "h", "gh": "g",
    "ck": "k", "ye": "e", "q": "k", "x": "ks", "y": "i",
}  # fmt: skip
_LATIN_RULES_RE = re.compile("|".join(_LATIN_RULES))
# Without a backreference: several times faster on short words.
_DOUBLES_RE = re.compile("|".join(f"{c}{c}+" for c in "abcdefghijklmnopqrstuvwxyz0123456789"))
_NOT_KEY_RE = re.compile(r"[^a-z0-9]+")

MIN_SUFFIX_STEM = 5
"""A Kazakh suffix needs a stem key this long: 'Ten' + 'ge' would be 'tenge'."""


class Token(NamedTuple):
    text: str
    start: int
    end: int


def clean_text(text: str) -> str:
    """NFKC, without soft hyphens and zero-width characters (they split words)."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if any(c in text for c in _INVISIBLE):  # str `in` is much faster than a regex scan
        text = _INVISIBLE_RE.sub("", text)
    return text


def words(text: str) -> list[str]:
    """The words of an already cleaned text (hyphen- and apostrophe-joined parts stay one)."""
    return WORDS.findall(text)


def tokenize(text: str) -> list[Token]:
    """Words with their offsets in ``clean_text(text)``."""
    return [Token(m.group(), m.start(), m.end()) for m in WORDS.exact.finditer(clean_text(text))]


def _repair_lookalikes(word: str) -> str:
    if word.isascii() or not _LATIN_RE.search(word) or not _CYRILLIC_RE.search(word):
        return word
    cyr = len(_CYRILLIC_RE.findall(word))
    lat = len(_LATIN_RE.findall(word))
    return word.translate(_TO_CYRILLIC if cyr >= lat else _TO_LATIN)


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Script-preserving key: NFKC, look-alikes repaired, casefolded, ё→е, joiners dropped."""
    if not word.isascii() and not unicodedata.is_normalized("NFKC", word):
        word = unicodedata.normalize("NFKC", word)
    word = _repair_lookalikes(word)
    return _JOINERS_RE.sub("", word.casefold().replace("ё", "е"))


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def latin_rules(text: str) -> str:
    """Collapse Latin spelling variants and doubled letters (the last step of ``skeleton``)."""
    text = _LATIN_RULES_RE.sub(lambda m: _LATIN_RULES[m.group()], text)
    return _DOUBLES_RE.sub(lambda m: m.group()[0], text)


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """Latin key of a word in any script (see the module docstring)."""
    latin = fold(word).translate(_TRANSLIT)
    if not latin.isascii():
        latin = _strip_marks(latin).translate(_TRANSLIT)
    if not (latin.isascii() and latin.isalnum()):
        latin = _NOT_KEY_RE.sub("", latin.lower())
    return latin_rules(latin)


@lru_cache(maxsize=200_000)
def token_keys(surface: str) -> tuple[str, ...]:
    """Every key a text word can be looked up by: fold and skeleton, whole and per part."""
    keys = [fold(surface), skeleton(surface)]
    if _JOINERS_RE.search(surface):
        for part in _JOINERS_RE.split(surface):
            if part:
                keys += (fold(part), skeleton(part))
    return tuple(dict.fromkeys(k for k in keys if k))


def is_cyrillic(word: str) -> bool:
    return bool(_CYRILLIC_RE.search(word)) and not _LATIN_RE.search(word)


def has_kazakh_letters(word: str) -> bool:
    return any(c in _KAZAKH_LETTERS for c in word)


# ---------------------------------------------------------------- forms of a term word


@dataclass(frozen=True, slots=True)
class WordForms:
    """What a configured word accepts: exact keys, Kazakh stems, or a key prefix (``word*``)."""

    keys: frozenset[str]
    kazakh_stems: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def _morph() -> MorphAnalyzer:
    """Loaded on first use (about 0.2 s), once per process."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=8192)
def russian_forms(word: str) -> frozenset[str]:
    """The word's Russian lexeme (all cases, numbers, tenses), from the parses that fit it.

    Only parses where the word is its own lemma, a nominative, or a verb are used: the
    configured word is a dictionary form, and other parses ('Батырбаев' as a genitive plural of
    'Батырбай') would add forms of a different word.
    """
    lower = fold(word)
    parses = _morph().parse(lower)
    chosen = [p for p in parses if p.normal_form.replace("ё", "е") == lower] or [
        p for p in parses if "nomn" in p.tag or p.tag.POS in ("VERB", "INFN")
    ]
    if not chosen and parses and (parses[0].is_known or parses[0].tag.POS == "ADJF"):
        chosen = parses[:1]  # an inflected word given in config: «области», «Алматинской»
    head = lower[:3]
    forms = {fold(f.word) for p in chosen for f in p.lexeme}
    return frozenset(f for f in forms if f.startswith(head)) | {lower}


_RU_NAME_ENDINGS = ("a", "u", "im", "om", "e", "i", "ih", "imi", "oi", "oiu")
_RU_FEMININE_ENDINGS = ("oi", "oiu", "u", "i", "e")


def russian_name_forms(key: str) -> frozenset[str]:
    """Russian declension of a name given as a skeleton (so it works for Latin-given names)."""
    if len(key) < 3:
        return frozenset()
    if len(key) >= MIN_SUFFIX_STEM and key.endswith(("ova", "eva", "ina", "iva")):
        return frozenset(latin_rules(key[:-1] + e) for e in _RU_FEMININE_ENDINGS)
    if key.endswith("a"):
        return frozenset(latin_rules(key[:-1] + e) for e in ("i", "e", "u", "oi", "ei"))
    if key[-1] in "aeiou":
        return frozenset()
    return frozenset(latin_rules(key + e) for e in _RU_NAME_ENDINGS)


def english_forms(key: str) -> frozenset[str]:
    """-s, -es, -ed, -ing (and 's, which the tokenizer already splits off) on a skeleton."""
    forms = {key + "s", key + "es", key + "ed", key + "d", key + "ing"}
    if key.endswith("e"):
        forms |= {key[:-1] + "ing", key[:-1] + "ed"}
    if key.endswith("i"):
        forms.add(key[:-1] + "ies")
    return frozenset(latin_rules(f) for f in forms)


def kazakh_stem_variants(key: str) -> frozenset[str]:
    """The stem as suffixes may find it: final k/p voice before a vowel (қ→ғ, к→г, п→б)."""
    if len(key) < MIN_SUFFIX_STEM:
        return frozenset()
    variants = {key}
    if key[-1] in "kp":
        variants.add(key[:-1] + ("g" if key[-1] == "k" else "b"))
    return frozenset(variants)


def expand_word(
    word: str,
    *,
    russian: bool = False,
    kazakh: bool = False,
    english: bool = False,
    name: bool = False,
) -> WordForms:
    """Keys of the accepted surface forms of one configured word.

    ``russian``: pymorphy3 lexeme (Cyrillic words without Kazakh letters); common words are
    matched on their fold, names (``name``) on skeletons too. ``kazakh``: the skeleton is a
    stem for Kazakh suffixes (a common word given inflected, «оқиғасы», also by its own stems). ``english``: -s/-ed/-ing. ``name``: Russian surname and first-name
    endings. A trailing ``*`` makes the word a prefix and turns everything else off.
    """
    if word.endswith("*"):
        stem = word.rstrip("*")
        return WordForms(frozenset(), prefixes=frozenset({fold(stem), skeleton(stem)}) - {""})
    key, folded = skeleton(word), fold(word)
    keys = {key, folded}
    if russian and is_cyrillic(word) and not has_kazakh_letters(word):
        forms = russian_forms(word)
        keys |= forms
        if name or kazakh:
            keys |= {skeleton(f) for f in forms}
    if name:
        keys |= russian_name_forms(key)
    if english and _LATIN_RE.search(word):
        keys |= english_forms(key)
    stems: frozenset[str] = frozenset()
    if kazakh:
        bases = {key} if name else {key, *kazakh_splits(key)}
        stems = frozenset().union(*(kazakh_stem_variants(b) for b in bases))
    return WordForms(frozenset(k for k in keys if k), kazakh_stems=stems)


# ---------------------------------------------------------------- Kazakh suffixes

_KK_PLURAL = ("", "лар", "лер", "дар", "дер", "тар", "тер")
_KK_POSSESSIVE = ("", "ы", "і", "сы", "сі", "ым", "ім", "м", "ың", "ің", "ң", "мыз", "ңыз", "сың")
_KK_CASE = (
    "", "ның", "нің", "дың", "дің", "тың", "тің",  # genitive
    "ға", "ге", "қа", "ке", "а", "е", "на", "не",  # dative
    "ны", "ні", "ды", "ді", "ты", "ті", "н",  # accusative
    "да", "де", "та", "те", "нда", "нде",  # locative
    "дан", "ден", "тан", "тен", "нан", "нен",  # ablative
    "мен", "бен", "пен", "менен",  # instrumental
    "дағы", "дегі", "тағы", "тегі", "ндағы", "ндегі", "ғы", "гі", "қы", "кі",  # relative
    "дай", "дей", "тай", "тей", "ша", "ше",  # similative, equative
    "лық", "лік", "дық", "дік", "тық", "тік", "шы", "ші",  # common derivations
)  # fmt: skip


@lru_cache(maxsize=1)
def kazakh_suffixes() -> frozenset[str]:
    """Skeletons of plural × possessive × case suffix chains (about a thousand strings)."""
    chains = ("".join(parts) for parts in product(_KK_PLURAL, _KK_POSSESSIVE, _KK_CASE))
    return frozenset(s for s in (skeleton(c) for c in chains if c) if s)


@lru_cache(maxsize=1)
def _max_suffix() -> int:
    return max(map(len, kazakh_suffixes()))


def kazakh_splits(key: str) -> Iterator[str]:
    """Stems that ``key`` may be (stem + Kazakh suffix), longest stem first.

    The skeleton collapses a doubled letter across the boundary ('Талдықорғанның' →
    'taldikorganin'), so a suffix may also share its first letter with the stem's last.
    """
    if not key.isascii():
        return
    suffixes = kazakh_suffixes()
    low = max(MIN_SUFFIX_STEM, len(key) - _max_suffix())
    for cut in range(len(key) - 1, low - 1, -1):
        rest = key[cut:]
        if rest in suffixes or key[cut - 1] + rest in suffixes:
            yield key[:cut]


# ---------------------------------------------------------------- articles and case numbers

_NUM = r"\d{1,4}(?:-\d{1,2})?(?!\d)"
_NUMS = rf"{_NUM}(?:\s*(?:,|и|and|және|&)\s*{_NUM})*"
ARTICLE_RE = re.compile(
    rf"(?:\bст\b\.?|\bстать[а-яё]*|\bart(?:icle)?s?\b\.?)\s*(?:№\s*)?(?P<pre>{_NUMS})"
    rf"|(?P<post>{_NUM})(?:\s*-?\s*(?:й|ой|ая|я|ей|ую|ю|ом))?\s+стать[а-яё]*+(?!\s*№?\s*\d)"
    rf"|(?P<kk>{_NUM})\s*[-‐‑–]?\s*(?:ба[бп]|ba[bp])\w*",
    re.IGNORECASE,
)
_NUM_RE = re.compile(rf"(?<!\d){_NUM}")
_DIGIT_RE = re.compile(r"\d")
CASE_NUMBER_RE = re.compile(
    r"(?<!\d)(\d{4})\s*[-‐‑–—]\s*(\d{2})\s*[-‐‑–—]\s*(\d{2})\s*[-‐‑–—]\s*"
    r"(\d{1,2}[^\W\d_]{0,3})\s*/\s*(\d{1,6})(?:\s*\(\s*\d{1,2}\s*\))?"
)


def normalize_case_number(value: str) -> str:
    """'1917 – 22-00-1/0215 (2)' → '1917-22-00-1/215': spaces, dash variants, (n) ignored."""
    found = CASE_NUMBER_RE.search(value)
    if not found:
        return re.sub(r"\s+", "", fold(value))
    region, year, zero, kind, number = found.groups()
    return f"{region}-{year}-{zero}-{skeleton(kind)}/{int(number)}"


_ARTICLE_WORD_START = (
    r"(?<=[Ссᲃ])(?<!\w.)(?i:т(?:\b|ать))"  # «ст», «стать…» starting a word
    r"|(?<=[Aa])(?<!\w.)(?i:rt(?:icle)?s?\b)"  # "art", "article(s)"
)
_ARTICLE_START_RE = re.compile(
    r"[\dСсᲃAa](?:"
    r"(?<=\d)(?=\d{0,3}(?:-\d{1,2})?(?!\d)"
    r"(?i:(?:\s*-?\s*(?:й|ой|ая|я|ей|ую|ю|ом))?\s*[-‐‑–]?\s*(?:стать|ба[бп]|ba[bp])))"
    rf"|{_ARTICLE_WORD_START})"
)
"""Where an ``ARTICLE_RE`` match may start, found about 3× faster than by ARTICLE_RE's own
scan (on news text): a literal first character (the characters a case-blind с, a or digit
matches, listed, so the engine skips to them) and a necessary condition on what follows —
a number followed by стать…/баб…/bab…, or «ст», «стать…», «art…» starting a word."""
_ARTICLE_WORD_START_RE = re.compile(rf"[СсᲃAa](?:{_ARTICLE_WORD_START})")
"""The same without the numbers' branch, for a text where no number can be followed by
стать…/баб…/bab… (most texts): a digit is then no candidate."""
_AFTER_NUMBER = ("стать", "баб", "бап", "bab", "bap")
"""What the «146 статьи» and «146-бабы» forms need in the casefolded text (a character that a
case-blind letter of these matches casefolds to that letter)."""


def _article_matches(text: str) -> Iterator[re.Match[str]]:
    """``ARTICLE_RE.finditer(text)``, the same matches: ``ARTICLE_RE`` tried only where
    ``_ARTICLE_START_RE`` says a match may start (a match is never empty)."""
    folded = text.casefold()
    after_number = any(word in folded for word in _AFTER_NUMBER)
    starts = _ARTICLE_START_RE if after_number else _ARTICLE_WORD_START_RE
    search, match, pos = starts.search, ARTICLE_RE.match, 0
    while (start := search(text, pos)) is not None:
        found = match(text, start.start())
        if found is None:
            pos = start.start() + 1
            continue
        yield found
        pos = found.end()


def article_mentions(text: str) -> Iterator[tuple[str, str]]:
    """(article number, text as written) for «ст. 146», «146-бабы», "Articles 146 and 362"…"""
    if not _DIGIT_RE.search(text):  # every mention has a number; a scan for one is cheap
        return
    for found in _article_matches(text):
        yield from article_numbers(found)


def article_numbers(found: re.Match[str]) -> Iterator[tuple[str, str]]:
    numbers = found.group("pre") or found.group("post") or found.group("kk")
    for number in _NUM_RE.findall(numbers):
        yield number, found.group().strip()
