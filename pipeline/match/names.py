"""Person names as printed: one entry ("Name Surname") → the forms courts and the news print.

A person entry of two words (or three, with a patronymic) is a *name*: it is indexed under
its surname, and a surname found in a text is confirmed by what stands next to it. These
forms match, in any case form (Russian declension, Kazakh suffixes), in either script and in
Latin transliteration (see ``pipeline.match.terms``):

* given name and surname, up to one word between them: «Нуржан Абенов», «Нуржана Абенова»,
  «Нұржан Серікұлы Абеновтың», "Nurzhan Abenov";
* surname first: «Абенов Нуржан Серикович», «Сапарова Ержана Болатовича», "Abenov Nurzhan";
* surname and initials: «Абенов Н.С.», «Абенов Н.», «АБЕНОВ Н. С.», "Abenov N.S.";
* initials and surname: «Н.С. Абенов», «Н.Абенов», "N. Abenov".

The first initial must agree with the given name («Абенов К.» is someone else): the same
letter in the same script (Kazakh letters read as their Russian pairs: Ұ = У, Қ = К), or the
same Latin key across scripts (N = Н, Zh = Ж, Y = Е/Ю/Я). A second initial must agree with
the patronymic when the entry gives one. Surname-first and initials forms need the surname
capitalised, and the initials written as initials (a capital letter or Latin digraph with a
dot: «Н.», "Zh."), with nothing but spaces and dots between them and the surname.

A surname alone («Абенов», «Абеновтың») is never this person: a common surname would alert on
every namesake. To let a bare surname count, list it as its own entry with ``alone: false``
(it is then context, as the shipped cases do for Токташ and Буханов).

Entries of one word, of four or more, or with an initial in them, are matched as before: as
a phrase of their words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.match.terms import (
    WordForms,
    _morph,
    clean_text,
    expand_word,
    fold,
    is_cyrillic,
    kazakh_splits,
    skeleton,
    token_keys,
    words,
)

NAME_FLAGS = {"russian": True, "kazakh": True, "english": False, "name": True}
"""How a word of a person entry is expanded (``expand_word``)."""

SURNAME_FIRST = "surname first"
SURNAME_INITIALS = "surname and initials"
INITIALS_SURNAME = "initials and surname"

_PATRONYMIC_RE = re.compile(r"(?:vich|vn|ichn|uli|kizi)(?:a|u|em|e|i|oi|iu|ga|ge|nin|na|n)?$")
_SURNAME_ENDINGS = ("ov", "ev", "ova", "eva", "ski", "skii", "skaia", "enko", "baev", "baeva")
_DIGRAPHS = frozenset({"Zh", "Sh", "Ch", "Kh", "Ts", "Ye", "Yu", "Ya", "Yo", "Dj", "Gh"})
_KK_TO_RU = str.maketrans("әғқңөұүһі", "агкноуухи")
_BREAK_RE = re.compile(r"[.!?;:…\n\u2028\u2029|]")
_SPACES = " \t\u00a0\u202f"


def is_patronymic(word: str) -> bool:
    """«Серикович», «Болатовича», «Серікұлы», «Сериковна», "Serikuly", "Bolatkyzy"."""
    key = skeleton(word)
    return len(key) >= 6 and bool(_PATRONYMIC_RE.search(key))


def one_vowel_apart(a: str, b: str) -> bool:
    """Whether two keys differ by one vowel left out: Alexander = Aleksandr, Nurlan = Nurulan.

    Only for names of five letters or more, and never a changed letter: Marat is not Murat.
    """
    if len(a) < len(b):
        a, b = b, a
    if len(a) != len(b) + 1 or len(b) < 5:
        return False
    cut = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(b))
    return a[cut] in "aeiou" and a[:cut] + a[cut + 1 :] == b


def looks_like_surname(word: str) -> bool:
    return skeleton(word).endswith(_SURNAME_ENDINGS)


def initial_agrees(initial: str, name: str) -> bool:
    """Whether ``initial`` («Н», "N", "Zh") can be the first letter(s) of ``name``."""
    i, n = fold(initial), fold(name)
    if is_cyrillic(i) and is_cyrillic(n):
        return n.translate(_KK_TO_RU).startswith(i.translate(_KK_TO_RU))
    if n.startswith(i) or skeleton(n).startswith(skeleton(i)):
        return True
    return i == "y" and n[:1] in "еёюя"


@dataclass(frozen=True, slots=True)
class Found:
    """Where a name was found: word positions (first, last), the end offset, the form."""

    start: int
    end: int
    stop: int
    """Offset in the text just after the name (after the last initial's dot)."""
    form: str = ""


@dataclass(frozen=True, slots=True)
class Words:
    """A text with its words and their spans, as the matcher tokenized it."""

    text: str
    surfaces: Sequence[str]
    spans: Sequence[tuple[int, int]]

    def gap(self, a: int, b: int) -> str:
        """The text between word ``a`` and word ``b`` (a < b)."""
        return self.text[self.spans[a][1] : self.spans[b][0]]

    def capital(self, pos: int) -> bool:
        return 0 <= pos < len(self.surfaces) and self.surfaces[pos][:1].isupper()

    def dotted(self, pos: int) -> bool:
        end = self.spans[pos][1]
        return self.text[end : end + 1] == "."

    def is_initial(self, pos: int) -> bool:
        if not 0 <= pos < len(self.surfaces):
            return False
        surface = self.surfaces[pos]
        return (len(surface) == 1 and surface.isupper()) or surface in _DIGRAPHS

    def initials(self, start: int, step: int) -> list[int]:
        """Positions of up to two initials from ``start`` on (``step`` 1) or back (-1), in
        reading order.

        An initial is a capital letter (or a Latin digraph) followed by a dot; the second of
        two may lack its dot when it follows the first at once («Абенов Н.С»). Only a dot and
        spaces may sit between two initials.
        """
        found: list[int] = []
        pos = start
        while len(found) < 2 and self.is_initial(pos):
            if found:
                a, b = sorted((found[-1], pos))
                between = self.gap(a, b)
                attached = step == 1 and between == "."
                if between.strip(_SPACES) != "." or not (self.dotted(pos) or attached):
                    break
            elif not self.dotted(pos):
                break
            found.append(pos)
            pos += step
        return found if step == 1 else found[::-1]


@dataclass(frozen=True, slots=True)
class PersonName:
    """A two- or three-word person entry, split into given name, surname and patronymic."""

    given: str
    surname: str
    patronymic: str
    given_forms: WordForms

    @property
    def size(self) -> int:
        return 3 if self.patronymic else 2

    def find(self, words: Words, at: int) -> Found | None:
        """The name around the surname form at word position ``at``, or None."""
        return (
            self._given_first(words, at)
            or self._surname_first(words, at)
            or self._initials_after(words, at)
            or self._initials_before(words, at)
        )

    # ------------------------------------------------------------ the forms

    def _given_first(self, words: Words, at: int) -> Found | None:
        for before in (at - 1, at - 2):
            if before < 0 or _BREAK_RE.search(words.gap(before, at)):
                return None
            if self._is_given(words.surfaces[before]):
                return Found(before, at, words.spans[at][1])
        return None

    def _surname_first(self, words: Words, at: int) -> Found | None:
        nxt = at + 1
        if not (words.capital(at) and words.capital(nxt)) or words.gap(at, nxt).strip():
            return None
        if not self._is_given(words.surfaces[nxt]):
            return None
        last = nxt
        after = nxt + 1
        if after < len(words.surfaces) and not words.gap(nxt, after).strip():
            last = after if is_patronymic(words.surfaces[after]) else nxt
        return Found(at, last, words.spans[last][1], SURNAME_FIRST)

    def _initials_after(self, words: Words, at: int) -> Found | None:
        initials = words.initials(at + 1, 1)
        if not initials or not words.capital(at) or words.gap(at, at + 1).strip():
            return None
        if not self._initials_agree([words.surfaces[p] for p in initials]):
            return None
        last = initials[-1]
        return Found(at, last, words.spans[last][1] + words.dotted(last), SURNAME_INITIALS)

    def _initials_before(self, words: Words, at: int) -> Found | None:
        if not words.capital(at) or words.initials(at + 1, 1):
            return None  # «Сапаров Н. Абенов К.»: the initials after the surname are its own
        initials = words.initials(at - 1, -1)
        if not initials or words.gap(initials[-1], at).strip(_SPACES + "."):
            return None
        first = initials[0]
        if self._owned(words, first - 1, first):
            return None  # «Сапаров Н. Абенов»: the initials belong to the word before
        if not self._initials_agree([words.surfaces[p] for p in initials]):
            return None
        return Found(first, at, words.spans[at][1], INITIALS_SURNAME)

    # ------------------------------------------------------------ checks

    @staticmethod
    def _owned(words: Words, owner: int, first: int) -> bool:
        """Whether the initials at ``first`` follow a surname that they belong to."""
        if owner < 0 or words.gap(owner, first).strip():
            return False
        return looks_like_surname(words.surfaces[owner])

    def _is_given(self, surface: str) -> bool:
        forms = self.given_forms
        for key in token_keys(surface):
            if key in forms.keys:
                return True
            if forms.kazakh_stems and any(s in forms.kazakh_stems for s in kazakh_splits(key)):
                return True
        return one_vowel_apart(skeleton(surface), skeleton(self.given))

    def _initials_agree(self, initials: list[str]) -> bool:
        if not initial_agrees(initials[0], self.given):
            return False
        if len(initials) == 1 or not self.patronymic:
            return True
        return initial_agrees(initials[1], self.patronymic)


def parse_name(entry: str) -> PersonName | None:
    """A person entry as given name, surname and patronymic; None when it is not a plain name.

    Two words are "Given Surname", unless only the first looks like a surname («Абенов
    Нуржан»). Three words are "Given Patronymic Surname" or "Surname Given Patronymic",
    told apart by which one is a patronymic.
    """
    parts = words(clean_text(entry))
    if len(parts) not in (2, 3) or any(len(p) < 2 or not p[:1].isalpha() for p in parts):
        return None
    patronymic = ""
    if len(parts) == 3:
        if is_patronymic(parts[2]):
            surname, given, patronymic = parts
        elif is_patronymic(parts[1]):
            given, patronymic, surname = parts
        else:
            return None
    else:
        given, surname = parts
        if _surname_first(given, surname):
            given, surname = surname, given
    return PersonName(given, surname, patronymic, expand_word(given, **NAME_FLAGS))


def _surname_first(first: str, second: str) -> bool:
    """«Абенов Нуржан»: only the first word looks like a surname, and it is no known given
    name (Лев Толстой, Яков Ким stay as written)."""
    if not looks_like_surname(first) or looks_like_surname(second):
        return False
    if is_cyrillic(first):
        word = fold(first)
        return not any("Name" in p.tag and p.normal_form == word for p in _morph().parse(word))
    return True
