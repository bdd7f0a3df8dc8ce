"""The pages' small message catalogue (en, ru) and how a request picks its language."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.i18n import LANGUAGES
from pipeline.i18n import translator as _translator

DEFAULT = "en"

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (en, ru)
    "app": ("casewatch", "casewatch"),
    "nav.home": ("Overview", "Обзор"),
    "nav.search": ("Search", "Поиск"),
    "nav.sources": ("Sources", "Источники"),
    "nav.deliveries": ("Deliveries", "Доставка"),
    "nav.candidates": ("Candidates", "Кандидаты"),
    "home.upcoming": ("Upcoming hearings", "Ближайшие заседания"),
    "home.cases": ("Cases", "Дела"),
    "home.none": ("No hearings ahead.", "Предстоящих заседаний нет."),
    "case.next": ("Next hearing", "Следующее заседание"),
    "case.no_next": ("No hearing scheduled.", "Заседание не назначено."),
    "case.timeline": ("Hearings", "Заседания"),
    "case.coverage": ("Coverage: articles per week", "Публикации по неделям"),
    "case.latest": ("Latest articles", "Последние статьи"),
    "case.events": ("Latest events", "Последние события"),
    "case.calendar": ("Calendar (.ics)", "Календарь (.ics)"),
    "case.feed": ("Atom feed", "Лента Atom"),
    "case.report": ("Chronology report (printable)", "Хронология для печати"),
    "case.articles": ("articles", "статей"),
    "case.hearings": ("hearings", "заседаний"),
    "case.earlier": ("earlier hearings", "более ранних заседаний"),
    "hearing.when": ("When", "Когда"),
    "hearing.court": ("Court", "Суд"),
    "hearing.courtroom": ("Courtroom", "Зал"),
    "hearing.judge": ("Judge", "Судья"),
    "hearing.case_number": ("Case number", "Номер дела"),
    "hearing.status": ("Status", "Статус"),
    "hearing.history": ("History", "История"),
    "hearing.was_rescheduled": ("rescheduled", "перенесено"),
    "hearing.was_cancelled": ("cancelled", "отменено"),
    "hearing.source": ("schedule", "расписание"),
    "status.scheduled": ("scheduled", "назначено"),
    "status.cancelled": ("cancelled", "отменено"),
    "status.postponed": ("postponed", "отложено"),
    "status.removed": ("no longer listed", "исчезло из графика"),
    "status.held": ("held", "состоялось"),
    "status.unknown": ("unknown", "неизвестно"),
    "search.query": ("Words, names, case numbers", "Слова, имена, номера дел"),
    "search.case": ("Case", "Дело"),
    "search.source": ("Source", "Источник"),
    "search.language": ("Language", "Язык"),
    "search.since": ("From", "С"),
    "search.until": ("To", "По"),
    "search.go": ("Search", "Найти"),
    "search.any": ("any", "любой"),
    "search.found": ("found", "найдено"),
    "search.none": ("Nothing found.", "Ничего не найдено."),
    "search.prev": ("Previous", "Назад"),
    "search.next": ("Next", "Далее"),
    "article.original": ("Original", "Оригинал"),
    "article.published": ("Published", "Опубликовано"),
    "article.first_seen": ("First seen", "Впервые найдено"),
    "article.source": ("Source", "Источник"),
    "article.matches": ("Why it matched", "Почему совпало"),
    "article.text": ("Text", "Текст"),
    "article.captures": ("Evidence captures", "Сохранённые копии"),
    "article.no_captures": ("No captures yet.", "Копий пока нет."),
    "article.score": ("score", "оценка"),
    "sources.id": ("Source", "Источник"),
    "sources.kind": ("Kind", "Тип"),
    "sources.enabled": ("Enabled", "Включён"),
    "sources.last_run": ("Last run", "Последний запуск"),
    "sources.last_success": ("Last success", "Последний успех"),
    "sources.failures": ("Failures in a row", "Ошибок подряд"),
    "sources.last_error": ("Last error", "Последняя ошибка"),
    "deliveries.when": ("Created", "Создано"),
    "deliveries.event": ("Event", "Событие"),
    "deliveries.channel": ("Channel", "Канал"),
    "deliveries.status": ("Status", "Статус"),
    "deliveries.attempts": ("Attempts", "Попытки"),
    "deliveries.sent": ("Sent", "Отправлено"),
    "deliveries.error": ("Last error", "Последняя ошибка"),
    "candidates.intro": (
        "Prosecutions the watches found that no case follows yet.",
        "Дела, найденные наблюдениями, за которыми ещё не следит ни одно дело.",
    ),
    "candidates.watch": ("Watch", "Наблюдение"),
    "candidates.show": ("Show", "Показать"),
    "candidates.none": ("No candidates.", "Кандидатов нет."),
    "candidates.courts": ("Court(s)", "Суд(ы)"),
    "candidates.case_numbers": ("Case number(s)", "Номер(а) дела"),
    "candidates.people": ("People", "Участники"),
    "candidates.code_articles": ("Article(s) of the code", "Статья(и) кодекса"),
    "candidates.seen": ("First and last seen", "Впервые и последний раз"),
    "candidates.parties": ("Parties", "Стороны"),
    "candidates.grouped": ("grouped by", "сгруппировано по"),
    "candidates.follow": ("Follow it", "Следить"),
    "candidates.dismiss": ("not for you", "не нужно"),
    "candidates.status.open": ("open", "открыт"),
    "candidates.status.dismissed": ("dismissed", "отклонён"),
    "candidates.status.followed": ("followed", "отслеживается"),
    "candidates.status.all": ("all", "все"),
    "common.case": ("Case", "Дело"),
    "common.yes": ("yes", "да"),
    "common.no": ("no", "нет"),
    "common.none": ("—", "—"),
    "common.not_found": ("Not found", "Не найдено"),
    "common.week_of": ("week of", "неделя с"),
}


def translator(lang: str) -> Callable[[str], str]:
    """``t(key)`` for one language of the web pages (:func:`pipeline.i18n.translator`)."""
    return _translator(MESSAGES, lang)


def pick_language(query_lang: str | None, accept_language: str | None) -> str:
    """``?lang=`` wins; then the first supported language of Accept-Language by q-value."""
    if query_lang in LANGUAGES:
        return query_lang  # type: ignore[return-value]
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower().split("-")[0]))
    for negative_q, _position, primary in sorted(ranked):
        if negative_q < 0 and primary in LANGUAGES:
            return primary
        if primary == "kk" and negative_q < 0:
            return "ru"
    return DEFAULT
