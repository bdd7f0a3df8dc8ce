"""The report's words in English and Russian, and the summary a statement opens with
("four hearings have taken place, with the next hearing set for …")."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.i18n import LANGUAGES
from pipeline.i18n import translator as _translator
from pipeline.normalize.hearing_time import local_text
from pipeline.report.model import Summary

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (en, ru)
    "title": ("Case chronology", "Хронология дела"),
    "generated": (
        "Compiled by casewatch from its database on",
        "Составлено casewatch по базе данных",
    ),
    "period": ("Period", "Период"),
    "period.all": ("all dates", "все даты"),
    "section.summary": ("Summary", "Сводка"),
    "section.hearings": ("Hearings", "Заседания"),
    "section.postponements": ("Postponements and moves", "Отложенные и перенесённые заседания"),
    "section.next": ("Next hearing", "Следующее заседание"),
    "section.articles": ("Articles by outlet", "Публикации по изданиям"),
    "section.evidence": ("Evidence", "Доказательства: сохранённые копии"),
    "section.notes": ("Notes", "Примечания"),
    "count.held": ("Hearings held", "Состоялось заседаний"),
    "count.postponed": ("Postponed or moved", "Отложено или перенесено"),
    "count.off": ("Cancelled or removed from the schedule", "Отменено или исчезло из графика"),
    "count.upcoming": ("Upcoming", "Предстоит"),
    "count.articles": ("Articles", "Публикаций"),
    "count.outlets": ("Outlets", "Изданий"),
    "count.captures": ("Evidence captures", "Сохранённых копий"),
    "hearing.court": ("Court", "Суд"),
    "hearing.courtroom": ("Courtroom", "Зал"),
    "hearing.judge": ("Judge", "Судья"),
    "hearing.case_number": ("Case number", "Номер дела"),
    "hearing.status": ("Status in the database", "Статус в базе"),
    "hearing.outcome": ("Outcome", "Итог"),
    "hearing.history": ("History", "История"),
    "hearing.news": ("In the news", "В новостях"),
    "hearing.source": ("Source", "Источник"),
    "outcome.held": ("held", "состоялось"),
    "outcome.upcoming": ("upcoming", "предстоит"),
    "outcome.postponed": ("postponed", "отложено"),
    "outcome.cancelled": ("cancelled", "отменено"),
    "outcome.removed": ("removed from the schedule", "исчезло из графика"),
    "status.scheduled": ("scheduled", "назначено"),
    "status.cancelled": ("cancelled", "отменено"),
    "status.postponed": ("postponed", "отложено"),
    "status.removed": ("no longer listed", "исчезло из графика"),
    "status.held": ("held", "состоялось"),
    "status.unknown": ("unknown", "неизвестно"),
    "status.superseded": ("confirmed by the court's listing", "подтверждено графиком суда"),
    "step.listed": ("first seen on the court's schedule", "впервые замечено в графике суда"),
    "step.announced": ("first seen announced in the news", "впервые замечено в новостях"),
    "step.moved": ("moved", "перенесено"),
    "step.status": ("status", "статус"),
    "field.courtroom": ("courtroom", "зал"),
    "field.judge": ("judge", "судья"),
    "field.court": ("court", "суд"),
    "field.stage": ("stage", "стадия"),
    "field.case_number": ("case number", "номер дела"),
    "mention.announced": ("announced", "объявлено"),
    "mention.postponed_to": ("postponed to this date", "отложено на эту дату"),
    "mention.postponed": ("reported postponed", "сообщено об отложении"),
    "mention.reported": ("reported", "сообщено"),
    "mention.mentioned": ("mentioned", "упомянуто"),
    "how.moved": ("the court schedule moved it", "перенесено в графике суда"),
    "how.court": ("the court schedule printed it postponed", "в графике суда отмечено: отложено"),
    "how.news": ("reported in the news", "по сообщениям СМИ"),
    "postponement.seen": ("seen", "замечено"),
    "postponement.no_date": ("no new date given", "новая дата не названа"),
    "postponement.unknown": ("a hearing not in the database", "заседание, которого нет в базе"),
    "postponement.said": ("What the news said", "Что сообщили СМИ"),
    "article.published": ("published", "опубликовано"),
    "article.undated": ("undated, first seen", "без даты, впервые найдено"),
    "article.why": ("why it matched", "почему совпало"),
    "article.taken_down": ("taken down", "удалена"),
    "capture.at": ("Captured", "Сохранено"),
    "capture.kind": ("kind", "вид"),
    "capture.first": ("first capture", "первая копия"),
    "capture.changed": ("text changed", "текст изменён"),
    "capture.removed": ("page gone", "страница удалена"),
    "capture.status": ("HTTP status", "HTTP-статус"),
    "capture.final_url": ("final URL", "итоговый адрес"),
    "capture.bytes": ("bytes", "байт"),
    "capture.none": (
        "No capture: only the feed's text was stored.",
        "Копии нет: сохранён только текст из ленты.",
    ),
    "none.hearings": ("No hearings in this period.", "Заседаний за этот период нет."),
    "none.postponements": (
        "No postponements or moves in this period.",
        "Отложенных и перенесённых заседаний за этот период нет.",
    ),
    "none.next": ("No next hearing is known.", "Дата следующего заседания неизвестна."),
    "none.articles": ("No articles in this period.", "Публикаций за этот период нет."),
    "note.held": (
        "Held: a hearing whose date has passed, that no court schedule printed or left as "
        "cancelled, postponed or removed, and that no article reported postponed. casewatch "
        "does not sit in the courtroom: held means it took place as far as the schedules and "
        "the news show.",
        "Состоялось: заседание, дата которого прошла, которое суд не отменил, не отложил и не "
        "убрал из графика и об отложении которого не сообщали СМИ. casewatch не присутствует в "
        "зале суда: «состоялось» значит, что так следует из графиков суда и публикаций.",
    ),
    "note.postponed": (
        "Postponed or moved: a court schedule that listed a hearing at another time or printed "
        "it postponed, or an article that reported a postponement (it speaks of the hearing set "
        "for the latest day from three days before its publication). The article's sentence is "
        "quoted as the reason given.",
        "Отложено или перенесено: суд указал в графике другое время или отметку «отложено», либо "
        "СМИ сообщили об отложении (речь о заседании, назначенном на последний день в пределах "
        "трёх дней до публикации). Предложение из публикации приводится как названная причина.",
    ),
    "note.times": (
        "Times are local, the zone named; a hearing in its court's zone. Dates of the period are "
        "days in the case's zone.",
        "Время местное, с указанием пояса; заседания — по времени суда. Даты периода — дни в "
        "часовом поясе дела.",
    ),
    "note.evidence": (
        "sha256 is of the page as fetched; the WARC-Record-ID names the same capture in the "
        "WARC file that `casewatch export-evidence` writes.",
        "sha256 — хеш страницы в том виде, в каком она была получена; WARC-Record-ID называет "
        "ту же копию в WARC-файле, который записывает `casewatch export-evidence`.",
    ),
}

_NUMBERS = "no one two three four five six seven eight nine ten eleven twelve".split()


def translator(lang: str) -> Callable[[str], str]:
    """``t(key)`` for one language of the report (:func:`pipeline.i18n.translator`)."""
    return _translator(MESSAGES, lang)


def report_language(asked: str | None, case_language: str | None) -> str:
    """``--lang`` when given, else the case's language when the report has its words, else en."""
    for lang in (asked, case_language):
        if lang in LANGUAGES:
            return lang  # type: ignore[return-value]
    return "en"


def ru_plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian form for ``n``: 1, 21 → one; 2–4, 22–24 → few; else many."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def summary_text(summary: Summary, lang: str) -> list[str]:
    """The opening sentences: what happened in the period, then the next hearing."""
    return _ru(summary) if lang == "ru" else _en(summary)


def _en(s: Summary) -> list[str]:
    if s.first is None or s.last is None:
        return [
            "casewatch holds no hearings or articles of this case for this period.",
            _next_en(s),
        ]
    held = "no hearing has taken place" if not s.held else (
        f"{_word(s.held)} hearing{'s have' if s.held > 1 else ' has'} taken place"
    )  # fmt: skip
    times = {1: "once", 2: "twice"}.get(s.postponed, f"{_word(s.postponed)} times")
    moved = (
        f"hearings were postponed or moved {times}"
        if s.postponed
        else "no hearing was postponed or moved"
    )
    parts = [held, moved]
    if s.off:
        were = "s were" if s.off > 1 else " was"
        parts.append(f"{_word(s.off)} hearing{were} cancelled or removed from the court's schedule")
    return [f"From {s.first} to {s.last}, {'; '.join(parts)}.", _next_en(s)]


def _next_en(s: Summary) -> str:
    if s.next_hearing is None:
        return "No next hearing is known."
    return f"The next hearing is set for {_where(s)}."


def _word(n: int) -> str:
    return _NUMBERS[n] if n < len(_NUMBERS) else str(n)


def _ru(s: Summary) -> list[str]:
    if s.first is None or s.last is None:
        return [
            "В базе casewatch нет заседаний и публикаций по этому делу за этот период.",
            _next_ru(s),
        ]
    n = s.held
    held = "ни одно заседание не состоялось" if not n else ru_plural(
        n, f"состоялось {n} заседание", f"состоялись {n} заседания", f"состоялось {n} заседаний"
    )  # fmt: skip
    p = s.postponed
    moved = (
        f"заседания откладывались или переносились {p} {ru_plural(p, 'раз', 'раза', 'раз')}"
        if p
        else "заседания не откладывались и не переносились"
    )
    parts = [held, moved]
    if s.off:
        k = s.off
        parts.append(ru_plural(
            k,
            f"{k} заседание отменено или исчезло из графика суда",
            f"{k} заседания отменены или исчезли из графика суда",
            f"{k} заседаний отменено или исчезло из графика суда",
        ))  # fmt: skip
    return [f"С {s.first} по {s.last} {'; '.join(parts)}.", _next_ru(s)]


def _next_ru(s: Summary) -> str:
    if s.next_hearing is None:
        return "Дата следующего заседания неизвестна."
    return f"Следующее заседание назначено на {_where(s)}."


def _where(s: Summary) -> str:
    """'2026-12-03 11:30 (Asia/Almaty, UTC+05:00), Талдыкорганский городской суд, зал 5'."""
    assert s.next_hearing is not None
    h = s.next_hearing.hearing
    when = local_text(h.scheduled_at, h.local_time, h.timezone)
    return ", ".join(part for part in (when, h.court, h.courtroom) if part)
