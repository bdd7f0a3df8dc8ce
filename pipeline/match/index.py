"""Keys of configured term words → the (term, word) entries they stand for.

Filled once by ``pipeline.match.cases.compile_cases``; ``resolve`` is what ``Matcher`` asks
for each distinct word of a text (and caches).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.match.terms import MIN_SUFFIX_STEM, WordForms, kazakh_splits, token_keys

Entry = tuple[int, int]
"""(term id, index of the word within the term)"""


@dataclass(slots=True)
class KeyIndex:
    exact: dict[str, list[Entry]] = field(default_factory=dict)
    stems: dict[str, list[Entry]] = field(default_factory=dict)
    prefixes: dict[int, dict[str, list[Entry]]] = field(default_factory=dict)
    stem_heads: set[str] = field(default_factory=set)
    """First letters of every Kazakh stem: most words skip suffix splitting after one lookup."""

    def add(self, forms: WordForms, entry: Entry) -> None:
        for key in forms.keys:
            self.exact.setdefault(key, []).append(entry)
        for stem in forms.kazakh_stems:
            self.stems.setdefault(stem, []).append(entry)
            self.stem_heads.add(stem[:MIN_SUFFIX_STEM])
        for prefix in forms.prefixes:
            self.prefixes.setdefault(len(prefix), {}).setdefault(prefix, []).append(entry)

    def resolve(self, surface: str) -> tuple[Entry, ...]:
        """Every (term, word) a text word stands for, through any of its keys."""
        out: list[Entry] = []
        for key in token_keys(surface):
            out += self.exact.get(key, ())
            if key[:MIN_SUFFIX_STEM] in self.stem_heads:
                for stem in kazakh_splits(key):
                    out += self.stems.get(stem, ())
            if key.isascii():
                for length, table in self.prefixes.items():
                    if len(key) >= length:
                        out += table.get(key[:length], ())
        return tuple(dict.fromkeys(out))
