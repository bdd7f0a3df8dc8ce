"""Made-up variants of the shapes where feedparser-rs and feedparser were seen to differ: every
element the guard lets through, in every form (text, empty, self-closed, with attributes), at
the start, middle and end of an entry; fields nested in other elements; odd texts, links and
dates; channel elements; xml:lang. Wherever the fast path is taken, the items and what
casewatch stores must be what feedparser alone gives (``tests/test_feeds_fast.py`` reads the
real corpus the same way).
"""

from __future__ import annotations

import itertools

import pytest
from scrapy.http import Response

from pipeline.items import FetchSpec
from pipeline.parse.feeds_check import PathCheck, check_paths
from pipeline.parse.feeds_elements import SAFE_NAMES

NAMESPACES = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "media": "http://search.yahoo.com/mrss/",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "georss": "http://www.georss.org/georss",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dcterms": "http://purl.org/dc/terms/",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
    "syn": "http://purl.org/rss/1.0/modules/syndication/",
    "yandex": "http://news.yandex.ru",
    "turbo": "http://turbo.yandex.ru",
}
NS = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())
DECL = '<?xml version="1.0" encoding="utf-8"?>'
RSS_ITEM = [
    "<title>T</title>",
    "<link>https://a.example/x</link>",
    "<author>A</author>",
    "<pubDate>Mon, 02 Jan 2023 10:00:00 +0600</pubDate>",
    "<description>D</description>",
]
ATOM_ENTRY = [
    "<title>T</title>",
    '<link href="https://a.example/x"/>',
    "<id>https://a.example/x</id>",
    "<author><name>A</name></author>",
    "<published>2023-01-02T00:00:00Z</published>",
    "<summary>D</summary>",
]
ATTRIBUTES = 'url="https://z.example/u" href="https://z.example/h" term="t" rdf:resource="https://z.example/r"'
OTHER_NAMES = (
    "yandex:full-text turbo:content slash:comments syn:updatePeriod foo dcterms:modified "
    "media:title media:description itunes:author itunes:summary managingEditor webMaster "
    "dc:identifier dc:title dc:description lastBuildDate"
).split()


def rss(parts: list[str], channel: str = "<language>ru</language>") -> str:
    return (
        f'{DECL}<rss version="2.0" {NS}><channel><title>x</title><link>https://a.example/</link>'
        f"{channel}<item>{''.join(parts)}</item>"
        "<item><title>T2</title><link>https://a.example/y</link></item></channel></rss>"
    )


def atom(parts: list[str]) -> str:
    return (
        f'{DECL}<feed xmlns="http://www.w3.org/2005/Atom" {NS}><title>x</title>'
        f"<entry>{''.join(parts)}</entry></feed>"
    )


def inserted(parts: list[str], inner: str, positions: tuple[int, ...]) -> list[list[str]]:
    return [[*parts[:p], inner, *parts[p:]] for p in positions]


def check(doc: str) -> PathCheck:
    response = Response(
        "https://base.example/feed", body=doc.encode(), headers={"Content-Type": "application/xml"}
    )
    return check_paths(FetchSpec("s", response.url, "feed"), response)


def differing(docs: list[str]) -> tuple[list[tuple[str, tuple[str, ...]]], int]:
    """The docs the fast path read otherwise than feedparser (with how), and how many it took."""
    out, taken = [], 0
    for doc in docs:
        result = check(doc)
        taken += result.fast
        if result.fast and not (result.same and result.raw_same):
            out.append((doc, result.differences[:2] or ("items differ",)))
    return out, taken


@pytest.mark.parametrize("name", sorted(set().union(*SAFE_NAMES.values(), OTHER_NAMES)))
def test_an_element_in_any_form_anywhere_in_an_entry(name: str) -> None:
    forms = [f"<{name}>v https://z.example/v</{name}>", f"<{name}></{name}>", f"<{name}/>",
             f"<{name} {ATTRIBUTES}/>"]  # fmt: skip
    docs = []
    for form in forms:
        docs += [rss(p) for p in inserted(RSS_ITEM, form, (0, 2, 5))]
        docs += [atom(p) for p in inserted(ATOM_ENTRY, form, (0, 3, 6))]
    bad, _ = differing(docs)
    assert not bad, bad[:3]


@pytest.mark.parametrize(
    "wrapper", ["yandex:related", "media:group", "foo", "enclosure", "category", "source",
                "author", "image", "comments", "media:content"],
)  # fmt: skip
def test_fields_nested_in_other_elements(wrapper: str) -> None:
    inners = [
        "<title>N</title>", "<link>https://n.example/</link>", "<description>N</description>",
        "<author>N</author>", "<pubDate>Tue, 03 Jan 2023 10:00:00 +0600</pubDate>",
        "<guid>https://n.example/g</guid>", "<dc:creator>N</dc:creator>", "<name>N</name>",
        "<url>https://n.example/u</url>", "<id>https://n.example/i</id>",
        "<published>2024-01-01T00:00:00Z</published>", "<summary>N</summary>",
        '<link href="https://n.example/h"/>',
    ]  # fmt: skip
    docs = []
    for inner in inners:
        form = f"<{wrapper}>{inner}</{wrapper}>"
        docs += [rss(p) for p in inserted(RSS_ITEM, form, (0, 5))]
        docs += [atom(p) for p in inserted(ATOM_ENTRY, form, (0, 6))]
    bad, _ = differing(docs)
    assert not bad, bad[:3]


TEXTS = [
    "Hello &lt;b&gt;bold&lt;/b&gt; world", "<![CDATA[<b>Bold</b> & more]]>", "A &amp;amp; B",
    "&#x41;&#66;&#1046;", "  lots   of\n\n  space  ", "Суд в Талдыкоргане: «пытки» — приговор",
    "Emoji 😀", "&quot;q&quot; &apos;x&apos;", "<![CDATA[]]>", "a <![CDATA[mixed]]> b",
    "&lt;p&gt;para&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;", "&amp;lt;p&amp;gt;",
    "javascript:alert(1)", "https://пример.рф/путь?q=1&amp;r=2#frag", "https://a.example/a b",
    "HTTPS://A.EXAMPLE/X", "//proto.example/rel", "?q=only", "#frag", "../up/./x",
    "https://a.example:8080/x/../y/./z", "mailto:x@y.z", "https://a.example/x?", "http:///a.example/t",
    "https://a.example/%D1%81", "tag:example.com,2004:1", "12345", "https://10.0.0.1/x",
    "http://localhost:8000/x", "don&#146;t", "&#226;&#128;&#166;", "Ã©tÃ©", "x\u0092y",
    "name@example.com (Name)", "Name <name@example.com>", "20 июня 2024, 10:15", "Вчера 17:42",
]  # fmt: skip
DATE = "Mon, 02 Jan 2023 10:00:00 +0600"


def rss_item(title: str, link: str, desc: str, author: str, date: str, guid: str) -> str:
    return rss([f"<title>{title}</title><link>{link}</link><description>{desc}</description>"
                f"<author>{author}</author><pubDate>{date}</pubDate><guid>{guid}</guid>"])  # fmt: skip


def atom_entry(title: str, link: str, desc: str, author: str, date: str, guid: str) -> str:
    href = link.replace("<![CDATA[", "").replace("]]>", "").replace('"', "&quot;")
    return atom([f'<title type="html">{title}</title><link href="{href}"/>'
                 f'<summary type="html">{desc}</summary><author><name>{author}</name></author>'
                 f"<updated>{date}</updated><id>{guid}</id>"])  # fmt: skip


def test_odd_texts_links_authors_and_dates() -> None:
    docs = []
    for text, make in itertools.product(TEXTS, (rss_item, atom_entry)):
        docs += [
            make(text, "https://a.example/x", "D", "A", DATE, "https://a.example/g"),
            make("T", text, "D", "A", DATE, "https://a.example/g"),
            make("T", "https://a.example/x", text, "A", DATE, "https://a.example/g"),
            make("T", "https://a.example/x", "D", text, DATE, "https://a.example/g"),
            make("T", "https://a.example/x", "D", "A", text, "https://a.example/g"),
            make("T", "https://a.example/x", "D", "A", "2023-01-02T00:00:00Z", text),
        ]
    bad, taken = differing(docs)
    assert not bad, bad[:3]
    assert taken > len(docs) // 2, f"the fast path took only {taken} of {len(docs)}"


CHANNEL_FORMS = [
    '<enclosure url="https://z.example/e" type="a/b" length="1"/>',
    '<atom:link rel="self" href="https://z.example/s" type="application/rss+xml"/>',
    '<atom:link href="https://z.example/s"/>', '<media:content url="https://z.example/m"/>',
    '<itunes:image href="https://z.example/i"/>', '<itunes:category text="News"/>',
    '<image rdf:resource="https://z.example/i"/>', "<url/>", "<media:group/>",
    '<syn:updatePeriod>hourly</syn:updatePeriod>', "<syn:updatePeriod/>",
    "<image><url>https://z.example/i.png</url><title>x</title><link>https://a.example/</link></image>",
    "<dc:language>en</dc:language>", "<language>en</language>", "<dc:creator>Z</dc:creator>",
    "<managingEditor>z@z.example (Z)</managingEditor>", "<webMaster>z@z.example</webMaster>",
]  # fmt: skip


def rdf(channel: list[str]) -> str:
    return (
        f'{DECL}<rdf:RDF xmlns="http://purl.org/rss/1.0/" {NS}><channel rdf:about="https://a.example/">'
        f'{"".join(channel)}</channel><item rdf:about="https://a.example/x"><title>T</title>'
        "<link>https://a.example/x</link><description>D</description></item></rdf:RDF>"
    )


def test_channel_elements() -> None:
    rss_channel = ["<title>x</title>", "<link>https://a.example/</link>",
                   "<language>ru</language>", "<description>C</description>"]  # fmt: skip
    rdf_channel = [*rss_channel[:2], "<dc:language>kk</dc:language>", rss_channel[3]]
    docs = []
    for form in CHANNEL_FORMS:
        for position in range(5):
            channel = [*rss_channel[:position], form, *rss_channel[position:]]
            docs.append(
                f'{DECL}<rss version="2.0" {NS}><channel>{"".join(channel)}<item><title>T</title>'
                "<link>https://a.example/x</link><description>D</description></item></channel></rss>"
            )
            docs.append(rdf([*rdf_channel[:position], form, *rdf_channel[position:]]))
    bad, taken = differing(docs)
    assert not bad, bad[:3]
    assert taken > len(docs) // 2


def test_xml_lang_anywhere() -> None:
    def attr(value: str | None) -> str:
        return "" if value is None else f' xml:lang="{value}"'

    docs = []
    for a, b, c, d in itertools.product([None, "", "kk", "en_US"], repeat=4):
        docs.append(
            f'{DECL}<rss version="2.0"{attr(a)}><channel{attr(b)}><title>x</title>'
            f"<language>ru</language><item{attr(c)}><title{attr(d)}>T</title>"
            "<link>https://a.example/x</link><description>D</description></item></channel></rss>"
        )
        docs.append(
            f'{DECL}<feed xmlns="http://www.w3.org/2005/Atom"{attr(a)}><title>x</title>'
            f'<entry{attr(b)}><title{attr(c)}>T</title><link href="https://a.example/x"/>'
            f"<id>https://a.example/x</id><summary{attr(d)}>D</summary></entry></feed>"
        )
    bad, taken = differing(docs)
    assert not bad, bad[:3]
    assert taken > len(docs) // 4
