"""Story grouping (pipeline.match.stories, store.captures.store_story) and the per-story routing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.config.alerts import Channel, Route
from pipeline.match.stories import same_story, signature
from pipeline.match.story_groups import group_stories

BASE = (
    "В Талдыкоргане 27 ноября 2026 года суд продолжил процесс над бывшими сотрудниками "
    "департамента полиции Алматинской области, обвиняемыми в пытках задержанных после "
    "январских событий 2022 года. Потерпевший Азамат Батырбаев рассказал суду, что 7 января "
    "его доставили в здание департамента, где избивали. Адвокат Нурлан Беркимбаев заявил "
    "ходатайство о дополнительной экспертизе. Следующее заседание назначено на 4 декабря. "
    "Подсудимым грозит до 12 лет лишения свободы по статье 146 УК РК."
)
REPRINT = "Как сообщает outlet-a. " + BASE.replace("Адвокат", "Защитник") + " Фото: архив."
OTHER = (
    "В Астане 27 ноября 2026 года открылся международный инвестиционный форум, в котором "
    "приняли участие министры и представители крупных компаний из двадцати стран. Участники "
    "обсудили развитие транспортных коридоров, строительство логистических центров и "
    "цифровизацию таможни. По итогам форума подписано 14 соглашений на общую сумму 3 "
    "миллиарда долларов, сообщили в министерстве торговли и интеграции республики."
)
KK_COPY = (
    "Талдықорғанда 2026 жылғы 27 қарашада Алматы облысы полиция департаментінің бұрынғы "
    "қызметкерлеріне қатысты сот процесі жалғасты. Олар 2022 жылғы қаңтар оқиғаларынан кейін "
    "ұсталғандарды азаптады деп айыпталуда. Жәбірленуші Азамат Батырбаев 7 қаңтарда "
    "департамент ғимаратына апарылып, ұрып-соғылғанын айтты. Адвокат Нурлан Беркимбаев "
    "қосымша сараптама жүргізу туралы өтініш берді. Келесі отырыс 4 желтоқсанға белгіленді. "
    "Сотталушыларға ҚР ҚК 146-бабы бойынша 12 жылға дейін бас бостандығынан айыру қаупі бар."
)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ((BASE, "ru"), (REPRINT, "ru"), True),  # a reprint with a new lead and a swapped word
        ((BASE, "ru"), (OTHER, "ru"), False),
        ((BASE, "ru"), (KK_COPY, "kk"), True),  # other language, same names and numbers
        ((OTHER, "ru"), (KK_COPY, "kk"), False),
        ((KK_COPY, "ru"), (BASE, "ru"), False),  # anchors alone never join one language
    ],
)
def test_same_story(a: tuple[str, str], b: tuple[str, str], same: bool) -> None:
    sa, sb = signature(*a), signature(*b)
    assert sa is not None and sb is not None
    assert same_story(sa, sb) is same


def test_short_text_has_no_signature() -> None:
    assert signature("Суд над полицейскими отложен", "ru") is None


def test_group_stories_in_memory() -> None:
    texts = [(BASE, "ru"), (OTHER, "ru"), (REPRINT, "ru"), (KK_COPY, "kk"), ("коротко", "ru")]
    assert group_stories(texts) == [0, 1, 0, 0, 4]


def test_store_story_groups_across_outlets(sessions) -> None:
    from pipeline.store.models import ArticleRow, SourceRow
    from pipeline.store.stories import store_story

    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    with sessions.begin() as s:
        s.add(SourceRow(id="src", kind="feed", url="https://e.kz/f", consecutive_failures=0))
        s.flush()
        for i, _text in enumerate((BASE, OTHER, REPRINT), start=1):
            s.add(
                ArticleRow(
                    id=i,
                    url=f"https://e{i}.kz/a",
                    canonical_url=f"https://e{i}.kz/a",
                    first_seen_at=now,
                    last_seen_at=now,
                    source_id="src",
                    content_hash=str(i),
                    title_key=str(i),
                    language="ru",
                )
            )
    with sessions.begin() as s:
        stories = [store_story(s, i, t, "ru", now) for i, t in enumerate((BASE, OTHER, REPRINT), 1)]
    assert stories == [1, 2, 1]
    with sessions.begin() as s:  # a re-run of the same article keeps its story
        assert store_story(s, 3, REPRINT, "ru", now) == 1


class _Config:
    def __init__(self, per: str) -> None:
        self.channels = (Channel(id="mail", url="mailto://x"), Channel(id="chat", url="json://y"))
        self.routes = (
            Route(events=("article.*",), channels=("mail",), per=per),
            Route(events=("article.*",), channels=("chat",)),
        )
        self.broken_channels: dict[str, str] = {}


@pytest.mark.parametrize(
    ("per", "repeat", "expected"),
    [
        ("story", False, ("mail", "chat")),
        ("story", True, ("chat",)),
        ("outlet", True, ("mail", "chat")),
    ],
)
def test_route_per_story(per: str, repeat: bool, expected: tuple[str, ...]) -> None:
    from pipeline.notify.routing import channels_for

    config = _Config(per)
    assert channels_for("article.new", "c", config, repeat=repeat) == expected  # type: ignore[arg-type]


def test_repeat_routed_nowhere_is_recorded_not_printed() -> None:
    from pipeline.notify.routing import channels_for

    config = _Config("story")
    config.routes = config.routes[:1]
    assert channels_for("article.new", "c", config, repeat=True) == ()  # type: ignore[arg-type]
    assert channels_for("article.new", "c", config) == ("mail",)  # type: ignore[arg-type]


def test_batch_signatures_are_the_single_ones() -> None:
    """The in-memory path (many texts signed at once) and the store's (one at a time) agree,
    so a backfill groups exactly as the pipeline does."""
    from pipeline.match.stories import band_keys, sign_batch

    texts = [(BASE, "ru"), ("коротко", "ru"), (KK_COPY, "kk"), (OTHER, "en"), (REPRINT, "ru")]
    batch = sign_batch(texts)
    for i, (text, language) in enumerate(texts):
        one, many = signature(text, language), batch.get(i)
        assert (one is None) is (many is None), i
        if one is not None and many is not None:
            assert band_keys(one) == band_keys(many) and one.to_bytes() == many.to_bytes()


def _seed(session, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """Eight articles of one source; 1 and 5 grouped by an earlier run, 5 with an alert."""
    from pipeline.store.models import ArticleRow, EventRow, SourceRow
    from pipeline.store.stories import store_story

    session.add(SourceRow(id="src", kind="feed", url="https://e.kz/f", consecutive_failures=0))
    session.flush()
    for i in range(1, 9):
        session.add(
            ArticleRow(
                id=i, url=f"https://e{i}.kz/a", canonical_url=f"https://e{i}.kz/a",
                first_seen_at=now, last_seen_at=now, source_id="src", content_hash=str(i),
                title_key=str(i), language="kk" if i == 4 else "ru",
            )
        )  # fmt: skip
    session.flush()
    store_story(session, 5, REPRINT, "ru", now)
    session.add(
        EventRow(kind="article.new", case_slug="c", article_id=5, payload={"title": "t5"},
                 dedupe_key="k5", created_at=now)
    )  # fmt: skip
    session.flush()


def test_batch_grouping_is_one_at_a_time(sessions) -> None:
    """``store_stories`` (one batch) leaves the store as ``store_story`` one article at a time
    does — later articles see earlier ones, a re-grouped article drops its old keys — and the
    stored alerts a batch reads are those each article would have read at its turn."""
    from sqlalchemy import select

    from pipeline.ingest.followup import BatchStories
    from pipeline.records import Article, Change
    from pipeline.store.articles import Upserted
    from pipeline.store.models import ArticleRow, StoryBandRow
    from pipeline.store.stories import store_stories, store_story, story_first_alert

    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    texts = [(1, BASE, "ru"), (2, OTHER, "ru"), (3, "коротко", "ru"), (4, KK_COPY, "kk"),
             (6, REPRINT, "ru"), (5, OTHER, "ru"), (7, BASE + " Дополнено.", "ru")]  # fmt: skip

    def state(s) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
        rows = s.execute(select(ArticleRow.id, ArticleRow.story_id, ArticleRow.story_sig))
        bands = s.execute(select(StoryBandRow.article_id, StoryBandRow.band))
        return sorted(rows), sorted(bands)

    with sessions() as s:
        _seed(s, now)
        one, firsts = [], []
        for i, t, lang in texts:  # each article's alert is read at its turn
            one.append(store_story(s, i, f"{t}\n", lang, now))
            firsts.append(story_first_alert(s, one[-1], "c", i))
        expected = state(s)
        s.rollback()
    with sessions() as s:
        _seed(s, now)
        items = [
            (
                Upserted(
                    Change.CHANGED if i == 5 else Change.NEW,  # 5 was grouped before
                    i,
                    Article("src", "u", "u", "t", t, "", lang, None, "", "h", "k"),
                ),
                ["c"],
            )
            for i, t, lang in texts
        ]
        ids = [i for i, _, _ in texts]
        before = {i: s.scalar(select(ArticleRow.story_id).where(ArticleRow.id == i)) for i in ids}
        many = store_stories(s, [(i, f"{t}\n", lang) for i, t, lang in texts], now)
        assert [story for story, _ in many] == one and state(s) == expected
        s.rollback()
        _seed(s, now)
        batch = BatchStories.group(s, items, now)
        assert batch.before == before
        got = [batch.first_alert(i, "c") for i in ids]
        assert [g and g["title"] for g in got] == [f and f["title"] for f in firsts]
        s.rollback()
