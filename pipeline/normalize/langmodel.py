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

Reading the shipped model costs ≈ 0.5 s of CPU, nearly all of it LZMA decompression, in every
process that meets a text the rules of ``language`` do not decide (a cron ``run --once``:
every run). The compact arrays are therefore kept in the user's cache folder
(``$XDG_CACHE_HOME/casewatch``, else ``~/.cache/casewatch``; an uncompressed ``.npz`` of
≈ 25 MB, read without pickle in ≈ 20 ms), named after the model file's path, size and time and
the languages. A cache that cannot be read or written is ignored: the model is read as before.
"""

from __future__ import annotations

import ctypes
import hashlib
import zipfile
from array import array
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, RAW_FLOOR, LanguageIdentifier

from pipeline.startup import cache_folder, write_atomically

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
    """py3langid's shipped model, normalized probabilities, restricted to ``languages``: from
    the cache when it holds them, else read from the model file (and cached)."""
    path = cache_path(languages)
    identifier = _read_cache(path) if path is not None else None
    if identifier is None:
        identifier = CompactIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        identifier.set_languages(list(languages))
        identifier.compact()
        if path is not None:
            _write_cache(path, identifier)
    _trim_heap()
    return identifier


_CACHE_FORMAT = 1


def cache_path(languages: Sequence[str]) -> Path | None:
    """Where the compact model of ``languages`` is cached; None without a usable folder."""
    try:
        model = (MODEL_DIR / MODEL_FILE).resolve()
        stat = model.stat()
    except OSError:  # no model file to key on
        return None
    folder = cache_folder()
    if folder is None:
        return None
    key = f"{_CACHE_FORMAT}|{model}|{stat.st_size}|{stat.st_mtime_ns}|{','.join(languages)}"
    return folder / f"langid-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz"


def _write_cache(path: Path, identifier: CompactIdentifier) -> None:
    """Save the compact arrays (atomically: a reader never sees half a file)."""
    arrays = {
        "ptc": identifier.nb_ptc,
        "pc": identifier.nb_pc,
        "classes": np.array(identifier.nb_classes),
        "low": np.frombuffer(identifier.tk_nextmove, dtype=np.uint16),
        "high": np.frombuffer(identifier._high, dtype=np.uint8),
        "rowbase": np.frombuffer(identifier._rowbase, dtype=np.uint32),
        "output": np.frombuffer(identifier.tk_output, dtype=np.int32),
        "row": np.array(identifier.tk_row),
    }
    write_atomically(path, lambda out: np.savez(out, **arrays))  # if not: read the model again


def _read_cache(path: Path) -> CompactIdentifier | None:
    """The identifier :func:`_write_cache` saved; None when absent or unreadable."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            ptc, pc = saved["ptc"], saved["pc"]
            classes = [str(c) for c in saved["classes"]]
            low, output, rowbase = array("H"), array("i"), array("I")
            low.frombytes(saved["low"].astype(np.uint16, copy=False).tobytes())
            output.frombytes(saved["output"].astype(np.int32, copy=False).tobytes())
            rowbase.frombytes(saved["rowbase"].astype(np.uint32, copy=False).tobytes())
            high = saved["high"].astype(np.uint8, copy=False).tobytes()
            row = saved["row"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if len(rowbase) != len(output) or len(rowbase) != len(row) or len(high) * 8 < len(low):
        return None
    if ptc.ndim != 2 or ptc.shape[1] != len(classes) or pc.shape != (len(classes),):
        return None
    identifier = CompactIdentifier.__new__(CompactIdentifier)
    identifier.min_confidence = None
    identifier._norm_probs = True
    identifier.nb_ptc, identifier.nb_pc, identifier.nb_classes = ptc, pc, classes
    identifier._full_model = ptc, pc, classes
    identifier.tk_nextmove, identifier._high = low, high
    identifier._rowbase, identifier.tk_output = rowbase, output
    identifier.tk_row = _row_array(row)
    identifier._set_alias_pairs()
    return identifier


def _row_array(row: np.ndarray) -> array[int]:
    """py3langid's ``tk_row`` as it loads it (a stdlib array of the saved width)."""
    typecode = {2: "H", 4: "I", 8: "L"}[row.dtype.itemsize]
    out = array(typecode)
    out.frombytes(row.tobytes())
    return out


def _trim_heap() -> None:
    """Give the heap pages the loading freed back to the system: glibc keeps freed memory
    between live blocks (here ≈ 19 MB, from the lists and buffers the loading went through)
    until ``malloc_trim`` is called. Nothing to do on a libc without it."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return
    trim(0)
