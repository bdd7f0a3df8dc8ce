"""Which language a text is in: ``ru``, ``kk``, ``en`` or another ISO 639-1 code.

Kazakh is told from Russian by its own letters (ә ғ қ ң ө ұ ү һ і) before any statistics:
general-purpose identifiers confuse the two on short texts. py3langid decides the rest, among
the languages a Central-Asian monitor meets, and the feed's declared language breaks ties on
short or ambiguous text.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.normalize.langmodel import CompactIdentifier

CANDIDATES = (
    "ru", "kk", "en", "uk", "ky", "uz", "tg", "be", "mn", "tr", "az", "de", "fr", "es", "it",
    "pt", "pl", "zh", "ar", "fa",
)  # fmt: skip
_LETTER_RE = re.compile(r"[^\W\d_]")
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]+")
_OTHER_LETTER_RE = re.compile(r"[^\W\d_\u0400-\u04ff]+")
_NON_ASCII_LETTER_RE = re.compile(r"[^\W\d_a-z]")
_KK_RE = re.compile("[әғқңөұүһі]")
_KK_ONLY_RE = re.compile("[әғқұ]")
"""Letters of Kazakh that Kyrgyz, Ukrainian, Tatar and Bashkir do not share all at once."""
_NOT_KK_RE = re.compile("[їєґў]")
_HINT_ALIASES = {"kz": "kk", "kaz": "kk", "rus": "ru", "eng": "en", "qq": "kk"}
_MIN_LETTERS = 20
_SAMPLE_CHARS = 600
"""A title and the start of a summary tell the language; the rest only costs time."""
_MIN_CONFIDENCE = 0.6
_AGREES = 0.9
_EN_WORDS_RE = re.compile(r"\b(?:the|and|of|to|in|for|with|was|were|has|have)\b", re.IGNORECASE)


def normalize_hint(hint: str) -> str:
    """``'ru-RU'`` → ``'ru'``, ``'kz'`` → ``'kk'``; empty when there is no usable hint."""
    code = hint.strip().lower().replace("_", "-").split("-")[0]
    code = _HINT_ALIASES.get(code, code)
    return code if code.isalpha() and 2 <= len(code) <= 3 else ""


def detect(text: str, hint: str = "") -> str:
    """The language of ``text``; ``hint`` (the feed's declared language) wins on short text."""
    hint = normalize_hint(hint)
    sample = text[:_SAMPLE_CHARS].casefold()
    if _is_kazakh(sample, hint):
        return "kk"
    if hint and (len(sample) < _MIN_LETTERS * 2 or _agrees(sample, hint)):
        return hint  # the declared language and the text plainly agree: no statistics needed
    if not _LETTER_RE.search(sample):
        return hint
    language, confidence = _identifier().classify(text[:_SAMPLE_CHARS])
    if hint and confidence < _MIN_CONFIDENCE:
        return hint
    return str(language)


def _is_kazakh(sample: str, hint: str) -> bool:
    """Kazakh letters (two or more, one of them Kazakh-only) in a text with no Ukrainian ones;
    their share of the Cyrillic letters decides unless the feed says Kazakh."""
    kazakh = len(_KK_RE.findall(sample))
    if kazakh < 2 or not _KK_ONLY_RE.search(sample) or _NOT_KK_RE.search(sample):
        return False
    return hint == "kk" or kazakh >= 0.03 * _count(_CYRILLIC_RE, sample)


def _agrees(sample: str, hint: str) -> bool:
    """Russian: (almost) all letters Cyrillic (Kazakh was ruled out before). English: plain
    a–z only and an English function word — accents or neither send it to the identifier."""
    if hint == "ru":
        other = _count(_OTHER_LETTER_RE, sample)
        if not other:  # nothing but Cyrillic: no need to count it
            return True
        cyrillic = _count(_CYRILLIC_RE, sample)
        return cyrillic >= _AGREES * (cyrillic + other)
    if hint == "en":
        return not _NON_ASCII_LETTER_RE.search(sample) and bool(_EN_WORDS_RE.search(sample))
    return False


def _count(runs: re.Pattern[str], text: str) -> int:
    """How many characters of ``text`` the pattern's runs cover (a run per match, not a
    character: a list of 600 one-letter matches costs more than the count)."""
    return sum(map(len, runs.findall(text)))


@cache
def _identifier() -> CompactIdentifier:
    """Loaded on the first text the rules above do not decide (≈ 26 MB resident, kept; numpy
    and py3langid are imported then, not at start-up)."""
    from pipeline.normalize.langmodel import load_identifier

    return load_identifier(CANDIDATES)
