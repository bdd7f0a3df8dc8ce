"""People named in a text nobody configured: one key per person, whatever the printed form.

``pipeline.match.names`` finds a *configured* person in the forms courts and the news print;
this module goes the other way, for candidates (``casewatch candidates``): it finds the people
a schedule row or an article names and gives each one key — surname and first initial — so
that «Абенов Н.С.», «Н.С. Абенов», «Абенов Нуржан Серикович», «Нуржана Абенова» and
"Nurzhan Abenov" are one person (``abenov:n``). The forms are those of ``names``:

* surname and initials: «Абенов Н.С.», «АБЕНОВ Н. С.», "Abenov N.";
* initials and surname: «Н.С. Абенов», «Н.Абенов»;
* surname first, then the given name (and a patronymic): «Абенов Нуржан Серикович»;
* given name (and patronymic) first: «Нуржан Абенов», «Нуржана Абенова», "Nurzhan Abenov".

A full form needs a surname that looks like one (-ов, -ев, -ин, -баев, -ский, …) or a
patronymic, and a given name that is no common word («Суд Абенова» is nobody). A surname
alone names nobody. Case endings, Kazakh suffixes, the feminine -а and the script are folded
away, so a woman and a man of one family with the same initial are one key: good enough to
group the evidence of one prosecution, never used to tell people apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.match.names import Words, is_patronymic
from pipeline.match.terms import (
    _morph,
    clean_text,
    fold,
    has_kazakh_letters,
    is_cyrillic,
    kazakh_splits,
    skeleton,
)
from pipeline.match.words import WORDS

_WORD_RE = WORDS.exact
_BREAK_RE = re.compile(r"[.!?;:…\n\u2028\u2029|,()«»\"]")
_SPACES = " \t\u00a0\u202f"
_ENDINGS = r"(?:a|u|im|om|e|oi|oiu|ih|imi|i|ogo|omu|aia|oe)?$"
_SURNAME_RES = (
    re.compile(rf"^(.{{2,}}?(?:ov|ev|ski|enko|baev|bai)){_ENDINGS}"),
    re.compile(rf"^(.{{2,}}?in){_ENDINGS}"),
)
"""Surname shapes, the strong ones first: -ин/-ын is also a Kazakh suffix («Абеновтің»)."""
_NAME_TAGS = frozenset({"Name", "Surn", "Patr"})
_LATIN_WORDS = frozenset(
    "the a an court police officer officers judge prosecutor lawyer colonel major captain "
    "lieutenant general president minister mr mrs ms dr sergeant inspector defendant victim "
    "former city regional district supreme head deputy chief activist journalist".split()
)
MIN_SURNAME = 3


@dataclass(frozen=True, slots=True)
class Named:
    """One person in a text: the key and the name as printed."""

    key: str
    """``surname:initial`` in skeleton letters (``abenov:n``)."""
    shown: str
    full: bool
    """The given name was printed in full (not as an initial)."""


def surname_key(word: str) -> str:
    """«Абенова», «Абеновтың», "Abenov" → ``abenov``: case endings and suffixes cut."""
    return _surname(skeleton(word)) or skeleton(word)


@lru_cache(maxsize=50_000)
def _surname(key: str) -> str:
    """The surname stem of a skeleton, or '' when it has no surname's shape."""
    for pattern in _SURNAME_RES:
        for stem in (key, *kazakh_splits(key)):
            if (found := pattern.match(stem)) is not None:
                return found.group(1)
    return ""


def looks_like_surname(word: str) -> bool:
    """A surname's shape in any case form or script: «Абеновым», «Абеновтың», "Abenova"."""
    return bool(_surname(skeleton(word)))


def initial_key(word: str) -> str:
    """The first letter of a given name or an initial, in skeleton letters (Ж, Zh → ``j``)."""
    return skeleton(word)[:1]


@lru_cache(maxsize=50_000)
def _given_like(word: str) -> bool:
    """A capitalised word that may be a given name: no common Russian or English word."""
    if len(word) < 2 or not word[:1].isupper() or looks_like_surname(word):
        return False
    if is_patronymic(word):
        return False
    if not is_cyrillic(word):
        return fold(word) not in _LATIN_WORDS
    parses = _morph().parse(fold(word))
    if any(_NAME_TAGS & p.tag.grammemes for p in parses):
        return True
    return not parses[0].is_known


def _surname_like(words: Words, pos: int) -> bool:
    surface = words.surfaces[pos]
    return (
        len(surface) >= MIN_SURNAME
        and surface[:1].isupper()
        and surface.isalpha()
        and not words.is_initial(pos)
    )


def people_in(text: str) -> list[Named]:
    """Every person ``text`` names in a form above, once per key (the fullest form kept)."""
    text = clean_text(text)
    found = list(_WORD_RE.finditer(text))
    words = Words(text, [m.group() for m in found], [m.span() for m in found])
    out: dict[str, Named] = {}
    for pos in range(len(found)):
        named = _at(words, pos)
        if named is None:
            continue
        known = out.get(named.key)
        if known is None or (named.full, len(named.shown)) > (known.full, len(known.shown)):
            out[named.key] = named
    return list(out.values())


def _at(words: Words, pos: int) -> Named | None:
    """The person whose surname stands at ``pos``, in any of the forms; None if none."""
    if not _surname_like(words, pos):
        return None
    return (
        _initials_after(words, pos)
        or _initials_before(words, pos)
        or _surname_first(words, pos)
        or _given_first(words, pos)
    )


def _span(words: Words, first: int, last: int, dotted: bool = False) -> str:
    end = words.spans[last][1] + (1 if dotted and words.dotted(last) else 0)
    return words.text[words.spans[first][0] : end]


def _initials_after(words: Words, pos: int) -> Named | None:
    if pos + 1 >= len(words.surfaces) or words.gap(pos, pos + 1).strip(_SPACES):
        return None
    initials = words.initials(pos + 1, 1)
    if not initials:
        return None
    key = f"{surname_key(words.surfaces[pos])}:{initial_key(words.surfaces[initials[0]])}"
    return Named(key, _span(words, pos, initials[-1], dotted=True), False)


def _initials_before(words: Words, pos: int) -> Named | None:
    if words.initials(pos + 1, 1):
        return None  # «Сапаров Н. Абенов К.»: the initials after the surname are its own
    initials = words.initials(pos - 1, -1)
    if not initials or words.gap(initials[-1], pos).strip(_SPACES + "."):
        return None
    owner = initials[0] - 1
    if owner >= 0 and not words.gap(owner, initials[0]).strip() and _surname_like(words, owner):
        return None  # «Сапаров Н. Абенов»: the initials belong to the word before
    key = f"{surname_key(words.surfaces[pos])}:{initial_key(words.surfaces[initials[0]])}"
    return Named(key, _span(words, initials[0], pos), False)


def _surname_first(words: Words, pos: int) -> Named | None:
    """«Абенов Нуржан (Серикович)»: a surname-looking word, then a given name."""
    given = pos + 1
    if given >= len(words.surfaces) or words.gap(pos, given).strip(_SPACES):
        return None
    if not _given_like(words.surfaces[given]):
        return None
    after = given + 1
    patronymic = (
        after < len(words.surfaces)
        and not words.gap(given, after).strip(_SPACES)
        and is_patronymic(words.surfaces[after])
    )
    if not (looks_like_surname(words.surfaces[pos]) or patronymic):
        return None
    last = after if patronymic else given
    key = f"{surname_key(words.surfaces[pos])}:{initial_key(words.surfaces[given])}"
    return Named(key, _span(words, pos, last), True)


def _given_first(words: Words, pos: int) -> Named | None:
    """«Нуржан (Серикович) Абенов»: a given name, up to a patronymic, then the surname."""
    if not looks_like_surname(words.surfaces[pos]):
        return None
    for before in (pos - 1, pos - 2):
        if before < 0 or _BREAK_RE.search(words.gap(before, pos)):
            return None
        surface = words.surfaces[before]
        if before == pos - 2 and not is_patronymic(words.surfaces[pos - 1]):
            return None
        if _given_like(surface):
            key = f"{surname_key(words.surfaces[pos])}:{initial_key(surface)}"
            return Named(key, _span(words, before, pos), True)
    return None


def nominative(name: str) -> str:
    """A Russian-declined name back in the nominative, for a case file: «Нуржана Абенова» →
    «Нуржан Абенов», «Айгуль Абеновой» → «Айгуль Абенова». The given name tells the case and
    gender; a form it cannot read (Kazakh or Latin letters, no known given name) stays as
    printed."""
    parts = name.split()
    if not all(is_cyrillic(p) and not has_kazakh_letters(p) for p in parts):
        return name
    morph = _morph()
    readings = [
        {(p.tag.case, p.tag.gender) for p in morph.parse(w.lower()) if p.tag.grammemes & _NAME_TAGS}
        for w in parts
    ]
    given = [
        (p.tag.case, p.tag.gender)
        for w in parts
        for p in morph.parse(w.lower())
        if "Name" in p.tag.grammemes
    ]
    shared = [
        (case, gender)
        for case, gender in given
        if all(any(c == case for c, _ in r) for r in readings if r)
    ]
    if not shared or any(case == "nomn" for case, _ in shared):
        return name
    case, gender = shared[0]
    return " ".join(_inflected(word, gender, case) or word for word in parts)


def _inflected(word: str, gender: str | None, case: str | None) -> str:
    for parse in _morph().parse(word.lower()):
        tags = parse.tag.grammemes
        if not tags & _NAME_TAGS or parse.tag.case != case:
            continue
        if parse.tag.gender not in (gender, None) and "Name" not in tags:
            continue
        found = parse.inflect({"nomn"})
        if found is not None:
            return found.word.capitalize()
    return ""
