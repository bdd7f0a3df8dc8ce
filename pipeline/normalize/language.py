"""Which language a text is in: ``ru``, ``kk``, ``en`` or another ISO 639-1 code.

Kazakh is told from Russian by its own letters (ә ғ қ ң ө ұ ү һ і) before any statistics:
general-purpose identifiers confuse the two on short texts. py3langid decides the rest, among
the languages a Central-Asian monitor meets, and the feed's declared language breaks ties on
short or ambiguous text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

CANDIDATES = (
    "ru", "kk", "en", "uk", "ky", "uz", "tg", "be", "mn", "tr", "az", "de", "fr", "es", "it",
    "pt", "pl", "zh", "ar", "fa",
)  # fmt: skip
_LETTER_RE = re.compile(r"[^\W\d_]")
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")
_ASCII_RE = re.compile("[a-z]")
_KK_RE = re.compile("[әғқңөұүһі]")
_KK_ONLY_RE = re.compile("[әғқұ]")
"""Letters of Kazakh that Kyrgyz, Ukrainian, Tatar and Bashkir do not share all at once."""
_NOT_KK_RE = re.compile("[їєґў]")
_HINT_ALIASES = {"kz": "kk", "kaz": "kk", "rus": "ru", "eng": "en", "qq": "kk"}
_MIN_LETTERS = 20
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
    counts = _Counts.of(text.casefold())
    if not counts.letters:
        return hint
    kazakh = counts.kazakh_score()
    if kazakh >= 0.03 or (kazakh > 0 and hint == "kk"):
        return "kk"
    if counts.letters < _MIN_LETTERS and hint:
        return hint
    if _agrees(text, counts, hint):
        return hint  # the declared language and the text plainly agree: no statistics needed
    language, confidence = _identifier().classify(text)
    if hint and confidence < _MIN_CONFIDENCE:
        return hint
    return str(language)


@dataclass(frozen=True, slots=True)
class _Counts:
    """Letter counts by script, taken with regexes (C speed, one pass each)."""

    letters: int
    cyrillic: int
    ascii: int
    kazakh: int
    kazakh_only: int
    other_cyrillic: int
    """Letters of Ukrainian/Belarusian that Kazakh does not have (ї є ґ ў)."""

    @classmethod
    def of(cls, folded: str) -> _Counts:
        return cls(
            letters=len(_LETTER_RE.findall(folded)),
            cyrillic=len(_CYRILLIC_RE.findall(folded)),
            ascii=len(_ASCII_RE.findall(folded)),
            kazakh=len(_KK_RE.findall(folded)),
            kazakh_only=len(_KK_ONLY_RE.findall(folded)),
            other_cyrillic=len(_NOT_KK_RE.findall(folded)),
        )

    def kazakh_score(self) -> float:
        """Share of Kazakh letters among Cyrillic ones; 0 without a distinctive one."""
        if self.kazakh < 2 or not self.kazakh_only or self.other_cyrillic:
            return 0.0
        return self.kazakh / self.cyrillic


def _agrees(text: str, counts: _Counts, hint: str) -> bool:
    """Russian: (almost) all Cyrillic with no Kazakh letter (checked before). English: plain
    a–z only and an English function word — accents or neither send it to the identifier."""
    if hint == "ru":
        return counts.cyrillic >= _AGREES * counts.letters
    if hint == "en":
        return counts.ascii == counts.letters and bool(_EN_WORDS_RE.search(text))
    return False


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(CANDIDATES))
    return identifier
