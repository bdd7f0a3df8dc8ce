"""The interface languages of the web pages and reports, and one lookup of their message tables.

A table maps a key to its text in each of :data:`LANGUAGES`, in that order
(``pipeline.web.i18n.MESSAGES``, ``pipeline.report.labels.MESSAGES``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

LANGUAGES = ("en", "ru")


def translator(messages: Mapping[str, tuple[str, ...]], lang: str) -> Callable[[str], str]:
    """``t(key)`` for one language of ``messages``; an unknown key shows itself, so a gap is
    visible; an unknown language is English."""
    index = LANGUAGES.index(lang) if lang in LANGUAGES else 0

    def t(key: str) -> str:
        pair = messages.get(key)
        return pair[index] if pair else key

    return t
