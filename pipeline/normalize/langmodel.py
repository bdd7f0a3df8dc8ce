"""py3langid's model as the long-running service can afford to keep it resident.

py3langid loads ≈ 78 MB: the 142-language table (28 MB), a byte DFA of 9.8 million next-state
entries as 32-bit ints (39 MB) and two per-state lists of Python ints (8 MB). casewatch needs
the 20 languages of ``language.CANDIDATES`` and the same DFA walk, so :func:`load_identifier`
keeps

- the restricted table only (``set_languages`` would keep the full one for a later reset);
- the DFA's next states as their low 16 bits (``array('H')``) plus the 17th bit packed eight to
  a byte (there are 104,583 states: 17 bits), 20.8 MB;
- the per-state row offsets and outputs as typed arrays (0.8 MB),

≈ 26 MB in all; what the loading went through is handed back to the system (:func:`_trim_heap`).
The walk reads the same next state at every byte, so the features, scores and results are
py3langid's, value for value (``tests/test_langmodel.py`` compares them).
"""

from __future__ import annotations

import ctypes
from array import array
from collections import Counter
from collections.abc import Sequence

import numpy as np
from py3langid.langid import MODEL_FILE, RAW_FLOOR, LanguageIdentifier

_LOW_BITS = 16


class CompactIdentifier(LanguageIdentifier):
    """A :class:`LanguageIdentifier` whose DFA is split into low 16 bits and a packed 17th."""

    __slots__ = ("_high",)

    def compact(self) -> None:
        """Drop the full table and narrow the DFA (call after ``set_languages``)."""
        self._full_model = self.nb_ptc, self.nb_pc, self.nb_classes
        nextmove = np.frombuffer(self.tk_nextmove, dtype=np.uint32)
        if nextmove.size and int(nextmove.max()) >> (_LOW_BITS + 1):
            raise ValueError("py3langid model: more than 2**17 DFA states")
        low = array("H")
        low.frombytes(memoryview(nextmove.astype(np.uint16)).cast("B"))  # the low 16 bits
        high = np.packbits(nextmove >> _LOW_BITS != 0, bitorder="little").tobytes()
        del nextmove
        self.tk_nextmove, self._high = low, high
        self._rowbase = array("I", self._rowbase)
        self.tk_output = array("i", self.tk_output)

    def _raw_score(self, text: bytes) -> np.ndarray:
        """py3langid's ``_raw_score`` over the split DFA."""
        visits = _visit_counts(self.tk_nextmove, self._high, self._rowbase, self.tk_output, text)
        if visits:
            return self._sparse_score(visits, self.nb_ptc)
        fill = 0.0 if self._norm_probs else RAW_FLOOR
        return np.full(len(self.nb_classes), fill, dtype=np.float32)


def _visit_counts(
    low: Sequence[int], high: bytes, rowbase: Sequence[int], out: Sequence[int], text: bytes
) -> Counter[int] | None:
    """py3langid's ``visit_counts``: next state = low 16 bits | the packed 17th bit."""
    state, indexes = 0, []
    append = indexes.append
    for letter in text:
        i = rowbase[state] + letter
        state = low[i] | (((high[i >> 3] >> (i & 7)) & 1) << _LOW_BITS)
        f = out[state]
        if f >= 0:
            append(f)
    return Counter(indexes) if indexes else None


def load_identifier(languages: Sequence[str]) -> CompactIdentifier:
    """py3langid's shipped model, normalized probabilities, restricted to ``languages``."""
    identifier = CompactIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    identifier.compact()
    _trim_heap()
    return identifier


def _trim_heap() -> None:
    """Give the heap pages the loading freed back to the system: glibc keeps freed memory
    between live blocks (here ≈ 19 MB, from the lists and buffers the loading went through)
    until ``malloc_trim`` is called. Nothing to do on a libc without it."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return
    trim(0)
