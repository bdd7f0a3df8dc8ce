"""normalize/: URLs, Google News links, dates, HTML → text, language, RawArticle → Article."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from pipeline.items import RawArticle
from pipeline.normalize.article import normalize_article, unusable_reason
from pipeline.normalize.dates import parse_date
from pipeline.normalize.language import detect, normalize_hint
from pipeline.normalize.text import content_hash, normalized_title, strip_html, title_key
from pipeline.normalize.urls import canonical_url, decode_google_news

FETCHED = datetime(2026, 4, 28, 6, 0, tzinfo=UTC)


def old_google_link(url: str, amp: str = "") -> str:
    """An old-style Google News article link, built the way Google encoded them."""

    def field(number: int, value: bytes) -> bytes:
        key = (number << 3) | 2
        head = bytes([key]) if key < 0x80 else bytes([key & 0x7F | 0x80, key >> 7])
        return head + _varint(len(value)) + value

    payload = b"\x08\x13" + field(4, url.encode()) + field(26, amp.encode())
    token = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"https://news.google.com/rss/articles/{token}?oc=5"


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    return bytes([*out, value])


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://rus.azattyq.org/a/32264522.html?utm_source=rss&utm_medium=feed",
         "https://rus.azattyq.org/a/32264522.html"),
        ("HTTPS://Vlast.KZ:443/novosti/1-x.html#comments", "https://vlast.kz/novosti/1-x.html"),
        ("http://example.kz:80/a?b=2&a=1&fbclid=XYZ&gclid=1&yclid=2&_openstat=abc",
         "http://example.kz/a?a=1&b=2"),
        ("https://news.example.kz/sud/1001.html?from=rss&ref=main&id=7", "https://news.example.kz/sud/1001.html?id=7"),
        ("https://example.kz:8443/a", "https://example.kz:8443/a"),
        ("https://orda.kz/news/123/amp/", "https://orda.kz/news/123"),
        ("https://orda.kz/amp/news/123", "https://orda.kz/news/123"),
        ("https://example.com/story?amp=1&outputType=amp", "https://example.com/story"),
        ("https://example.com/camp", "https://example.com/camp"),
        ("https://example.com", "https://example.com/"),
        ("https://news.google.com/rss/articles/CBMiX?oc=5&hl=ru&gl=KZ&ceid=KZ:ru",
         "https://news.google.com/rss/articles/CBMiX"),
        ("  https://tengrinews.kz/kazakhstan_news/x-1/  ", "https://tengrinews.kz/kazakhstan_news/x-1/"),
        ("https://[::1]:8080/a#x", "https://[::1]:8080/a"),
        ("https://user:secret@Example.com/a", "https://example.com/a"),
        ("https://a.kz/%d0%b0?x=%d0%b1", "https://a.kz/%D0%B0?x=%D0%B1"),
        ("mailto:someone@example.kz", "mailto:someone@example.kz"),
        ("not a url", "not a url"),
    ],
)  # fmt: skip
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_plain_urls_skip_w3lib_unchanged() -> None:
    """``canonical_url`` returns a URL of plain characters without w3lib's pass: on 20,000
    random ones (dots, tildes, ports, sorted queries) that pass leaves them as they are."""
    import random
    import string

    from w3lib.url import canonicalize_url

    from pipeline.normalize.urls import _CANONICAL_RE

    rng, plain = random.Random(14), string.ascii_letters + string.digits + "._~-"
    checked = 0
    for _ in range(20_000):
        host = "".join(rng.choices(string.ascii_lowercase + string.digits + ".-", k=8))
        port = f":{rng.randint(1, 65535)}" if rng.random() < 0.1 else ""
        path = "/" + "".join(rng.choices(plain + "/", k=rng.randint(0, 20)))
        pairs = sorted(
            ("".join(rng.choices(plain, k=3)), "".join(rng.choices(plain, k=rng.randint(0, 4))))
            for _ in range(rng.randint(0, 3))
        )
        query = "&".join(f"{k}={v}" for k, v in pairs)
        url = f"https://{host}{port}{path}" + (f"?{query}" if query else "")
        if _CANONICAL_RE.fullmatch(url):
            checked += 1
            assert canonicalize_url(url) == url
    assert checked > 10_000


VLAST = "https://vlast.kz/novosti/59977-sud-v-taldykorgane-vynes-prigovor-policejskim.html"
LONG = "https://www.eurasianet.org/" + "kazakhstan-torture-trial-" * 8 + "verdict"


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (old_google_link(VLAST), VLAST),
        (old_google_link(LONG), LONG),  # length > 127: two-byte varint
        (old_google_link(VLAST, amp=VLAST + "?amp"), VLAST),
        (old_google_link(VLAST).replace("/rss/articles/", "/__i/rss/rd/articles/"), VLAST),
        # a real old-style link (BBC), with its AMP twin in field 26
        ("https://news.google.com/rss/articles/CBMiLmh0dHBzOi8vd3d3LmJiYy5jb20vbmV3cy9hcnRpY2xlcy9jampqbnhkdjE4OG_SATJodHRwczovL3d3dy5iYmMuY29tL25ld3MvYXJ0aWNsZXMvY2pqam54ZHYxODhvLmFtcA?oc=5",
         "https://www.bbc.com/news/articles/cjjjnxdv188o"),
        # a real new-style (encrypted) link: only Google can resolve it
        ("https://news.google.com/rss/articles/CBMiVkFVX3lxTE4zaGU2bTY2ZGkzdTRkSkJ0cFpsTGlDUjkxU2FBRURaTWU0c3QzVWZ1MHZZNkZ5Vzk1ZVBnTDFHY2R6ZmdCUkpUTUJsS1pqQTlCRzlzbHV3?oc=5",
         None),
        ("https://news.google.com/rss/articles/!!!notbase64", None),
        ("https://news.google.com/rss/search?q=test", None),
        (VLAST, None),
    ],
)  # fmt: skip
def test_decode_google_news(link: str, expected: str | None) -> None:
    assert decode_google_news(link) == expected


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("Fri, 10 Feb 2023 09:31:12 +0000", "Asia/Almaty", utc(2023, 2, 10, 9, 31, 12)),
        ("Thu, 09 Mar 2023 15:02:40 +0600", "UTC", utc(2023, 3, 9, 9, 2, 40)),
        ("Mon, 18 Mar 2024 11:20:00 GMT", "Asia/Almaty", utc(2024, 3, 18, 11, 20)),
        ("Mon, 18 Mar 2024 06:20:00 EST", "UTC", utc(2024, 3, 18, 11, 20)),
        ("Mon, 27 Apr 2026 17:42:00 MSK", "Asia/Almaty", utc(2026, 4, 27, 14, 42)),
        ("2024-03-18T16:40:00+05:00", "UTC", utc(2024, 3, 18, 11, 40)),
        ("2023-02-10T10:00:00Z", "Asia/Almaty", utc(2023, 2, 10, 10, 0)),
        ("2023-02-10 10:00", "Asia/Almaty", utc(2023, 2, 10, 4, 0)),
        ("2024-03-18", "Asia/Almaty", utc(2024, 3, 17, 19, 0)),
        ("10.02.2023 10:00", "Asia/Almaty", utc(2023, 2, 10, 4, 0)),
        ("18.03.2024 10:00", "Asia/Almaty", utc(2024, 3, 18, 5, 0)),
        ("15.09.2022 10:00", "Asia/Almaty", utc(2022, 9, 15, 4, 0)),
        ("17.01.2025", "Asia/Almaty", utc(2025, 1, 16, 19, 0)),
        ("27 апреля 2026 17:42", "Asia/Almaty", utc(2026, 4, 27, 12, 42)),
        ("19 марта 2024 09:30", "Asia/Almaty", utc(2024, 3, 19, 4, 30)),
        ("10 февраля 2023 г., 10:00", "Asia/Almaty", utc(2023, 2, 10, 4, 0)),
        ("27 сәуір 2026 17:42", "Asia/Almaty", utc(2026, 4, 27, 12, 42)),
        ("March 18, 2024 10:00 AM", "Asia/Almaty", utc(2024, 3, 18, 5, 0)),
        ("Вчера 17:42", "Asia/Almaty", utc(2026, 4, 27, 12, 42)),
        ("Сегодня 09:15", "Asia/Almaty", utc(2026, 4, 28, 4, 15)),
        ("", "UTC", None),
        ("   ", "UTC", None),
        ("5", "UTC", None),
        ("no date here", "UTC", None),
        ("31.02.2023 10:00", "UTC", None),
    ],
)  # fmt: skip
def test_parse_date(text: str, tz: str, expected: datetime | None) -> None:
    assert parse_date(text, tz=tz, now=FETCHED) == expected


def test_parse_date_accepts_feedparser_struct_and_datetimes() -> None:
    import time

    assert parse_date(time.strptime("2023-02-10 04:00", "%Y-%m-%d %H:%M"), tz="Asia/Almaty") == utc(
        2023, 2, 10, 4
    )
    assert parse_date(datetime(2024, 3, 18, 10), tz="Asia/Almaty") == utc(2024, 3, 18, 5)
    assert parse_date(None, tz="UTC") is None


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>Первый   абзац &amp; ещё</p><p>Второй<br>строка</p>", "Первый абзац & ещё\n\nВторой\nстрока"),
        ("<div><script>var x = 1;</script>Hi <b>there</b>\n  friend</div>", "Hi there friend"),
        ("<ul><li>one</li><li>two</li></ul>", "one\n\ntwo"),
        ("Plain &quot;text&quot;\n\n  second   para\nline", 'Plain "text"\n\nsecond para\nline'),
        ("&lt;p&gt;escaped &amp;amp; twice&lt;/p&gt;", "escaped & twice"),
        ("мягким &laquo;минимальным&raquo;&nbsp;сроком", "мягким «минимальным» сроком"),
        ("a < b and c > d", "a < b and c > d"),
        ("<style>p{}</style><!-- note --><p>Only this</p>", "Only this"),
        ("", ""),
        ("   ", ""),
    ],
)  # fmt: skip
def test_strip_html(markup: str, expected: str) -> None:
    assert strip_html(markup) == expected


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("Суд в Талдыкоргане приговорил трёх бывших полицейских к трём годам за пытки", "", "ru"),
        ("Суд области Жетісу вынес приговор трём бывшим полицейским по делу о пытках", "", "ru"),
        ("Талдықорған қалалық соты бұрынғы полицейлерге үкім шығарды", "", "kk"),
        ("Сот үкімі", "kk", "kk"),
        ("Court in Taldykorgan sentences former police officers for torture", "", "en"),
        ("Le tribunal a condamné trois anciens policiers pour torture", "en", "fr"),
        ("Суд", "ru-RU", "ru"),
        ("Суд", "kz", "kk"),
        ("", "en", "en"),
        ("12345", "", ""),
    ],
)  # fmt: skip
def test_detect_language(text: str, hint: str, expected: str) -> None:
    assert detect(text, hint) == expected


@pytest.mark.parametrize(
    ("hint", "expected"),
    [("ru-RU", "ru"), ("EN_us", "en"), ("kz", "kk"), ("", ""), ("x-none", "")],
)
def test_normalize_hint(hint: str, expected: str) -> None:
    assert normalize_hint(hint) == expected


def test_title_key_matches_aggregator_copy_of_a_story() -> None:
    own = "Суд в Талдыкоргане вынес приговор полицейским"
    assert title_key(
        "«Суд в Талдыкоргане вынес приговор полицейским» - Vlast.kz", "Vlast.kz"
    ) == title_key(f"«{own}»")
    assert title_key(own + " - Vlast.kz", "vlast.kz") == title_key(own)
    assert title_key(own) != title_key("Суд в Талдыкоргане отложил заседание")
    assert normalized_title("Ещё  один: «тест»!") == "еще один тест"


def test_content_hash_ignores_layout_not_edits() -> None:
    assert content_hash("T", "a  b\n c") == content_hash("T", "a b c")
    assert content_hash("T", "a b c") != content_hash("T", "a b d")
    assert content_hash("T", "ab") != content_hash("Ta", "b")


def raw(**fields: str) -> RawArticle:
    return RawArticle(source_id=fields.pop("source_id", "azattyq-ru"), **fields)  # type: ignore[arg-type]


def test_normalize_feed_entry() -> None:
    article = normalize_article(
        raw(
            url="https://rus.azattyq.org/a/32264522.html?utm_source=rss&utm_medium=feed",
            title="Суд в Талдыкоргане приговорил трёх бывших полицейских",
            summary="<p>Талдыкорганский городской суд признал их виновными &mdash; в пытках.</p>",
            text="<p>Первый абзац.</p><p>Второй абзац.</p>",
            published="Fri, 10 Feb 2023 09:31:12 +0000",
            author=" Радио  Азаттык ",
            language="ru",
        ),
        fetched_at=FETCHED,
        default_tz="Asia/Almaty",
    )
    assert article is not None
    assert article.canonical_url == "https://rus.azattyq.org/a/32264522.html"
    assert article.summary == "Талдыкорганский городской суд признал их виновными — в пытках."
    assert article.text == "Первый абзац.\n\nВторой абзац."
    assert article.published_at == utc(2023, 2, 10, 9, 31, 12)
    assert (article.language, article.author) == ("ru", "Радио Азаттык")
    assert article.content_hash == content_hash(article.title, article.summary, article.text)


def test_normalize_google_news_items() -> None:
    own = "Суд в Талдыкоргане вынес приговор полицейским"
    decoded = normalize_article(
        raw(url=old_google_link(VLAST), title=f"{own} - Vlast.kz", publisher="Vlast.kz",
            summary=f'<a href="x">{own}</a>&nbsp;&nbsp;<font color="#6f6f6f">Vlast.kz</font>',
            published="Mon, 18 Mar 2024 11:20:00 GMT", language="ru"),
        fetched_at=FETCHED,
    )  # fmt: skip
    new_style = "https://news.google.com/rss/articles/CBMiVkFVX3lxTE4zaGU2bTY2ZGkzdTRkSkJ0cFpsTGlDUjkxU2FBRURaTWU0c3QzVWZ1MHZZNkZ5Vzk1ZVBnTDFHY2R6ZmdCUkpUTUJsS1pqQTlCRzlzbHV3?oc=5"
    kept = normalize_article(raw(url=new_style, title=f"{own} - Orda.kz"), fetched_at=FETCHED)
    publishers_own = normalize_article(
        raw(url="https://orda.kz/a/1/", title=own), fetched_at=FETCHED
    )
    assert decoded is not None and kept is not None and publishers_own is not None
    assert (decoded.url, decoded.canonical_url) == (VLAST, VLAST)
    assert (decoded.title, decoded.summary, decoded.publisher) == (own, "", "Vlast.kz")
    assert kept.canonical_url == new_style.removesuffix("?oc=5")
    assert (kept.title, kept.publisher) == (own, "Orda.kz")
    assert kept.title_key == publishers_own.title_key == decoded.title_key


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"url": "", "title": ""}, "no link and no title"),
        ({"url": "", "title": "Заголовок"}, "no link"),
        ({"url": "/relative/path", "title": "Заголовок"}, "no link"),
        (
            {"url": "https://x.kz/a", "title": " ", "summary": "<p></p>"},
            "no title, summary or text",
        ),
        ({"url": "", "guid": "https://x.kz/a/1", "title": "По guid"}, ""),
        ({"url": "https://x.kz/a", "title": "Есть"}, ""),
    ],
)
def test_unusable_entries(fields: dict[str, str], reason: str) -> None:
    entry = raw(**fields)
    assert unusable_reason(entry) == reason
    assert (normalize_article(entry, fetched_at=FETCHED) is None) == bool(reason)


def test_relative_dates_use_fetch_time_and_source_zone() -> None:
    article = normalize_article(
        raw(url="https://tengrinews.kz/a-1/", title="Новость", published="Вчера 17:42"),
        fetched_at=FETCHED,
        default_tz="Asia/Almaty",
    )
    assert article is not None and article.published_at == utc(2026, 4, 27, 12, 42)


def test_fetched_at_must_be_aware() -> None:
    with pytest.raises(ValueError, match="fetched_at"):
        normalize_article(raw(url="https://x.kz/a", title="t"), fetched_at=datetime(2026, 1, 1))
