"""What the local test sites serve: RSS, Atom and Google News feeds, and article pages."""

from __future__ import annotations

import base64

HTML = {"Content-Type": "text/html; charset=utf-8"}
XML = {"Content-Type": "application/rss+xml; charset=utf-8"}


def rss(items: list[tuple[str, str, str]], *, encoding_decl: str = "utf-8") -> str:
    """An RSS 2.0 feed of (title, link, description) items, published a minute apart."""
    decl = (
        f'<?xml version="1.0" encoding="{encoding_decl}"?>'
        if encoding_decl
        else '<?xml version="1.0"?>'
    )
    body = "".join(
        f"<item><title>{t}</title><link>{u}</link><guid>{u}</guid>"
        f"<pubDate>Fri, 27 Nov 2026 09:{i:02d}:00 +0500</pubDate>"
        f"<description><![CDATA[<p>{d}</p>]]></description></item>"
        for i, (t, u, d) in enumerate(items)
    )
    return f'{decl}<rss version="2.0"><channel><title>Feed</title><link>https://example.kz/</link>{body}</channel></rss>'


def atom(entries: list[tuple[str, str, str]]) -> str:
    """An Atom feed of (title, link, summary) entries."""
    body = "".join(
        f"<entry><title>{t}</title><link href='{u}'/><id>{u}</id>"
        f"<updated>2026-11-27T10:00:00Z</updated><summary type='html'>&lt;b&gt;{d}&lt;/b&gt;</summary></entry>"
        for t, u, d in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Eurasianet</title><id>urn:x</id><updated>2026-11-27T10:00:00Z</updated>{body}</feed>"
    )


def google_link(url: str) -> str:
    """An old-style Google News redirect link (protobuf field 4 = the publisher URL)."""
    raw = url.encode()
    payload = b"\x08\x13\x22" + bytes([len(raw)]) + raw
    return (
        "https://news.google.com/rss/articles/"
        + base64.urlsafe_b64encode(payload).decode().rstrip("=")
        + "?oc=5"
    )


def google_news(items: list[tuple[str, str, str]]) -> str:
    """A Google News search feed of (title, link, publisher) items."""
    body = "".join(
        f"<item><title>{t} - {pub}</title><link>{u}</link><guid isPermaLink='false'>{u}</guid>"
        f"<pubDate>Fri, 27 Nov 2026 08:00:00 GMT</pubDate>"
        f"<description>&lt;a href=&quot;{u}&quot;&gt;{t}&lt;/a&gt;</description>"
        f"<source url='https://{pub.lower()}'>{pub}</source></item>"
        for t, u, pub in items
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>"пытки" - Google News</title>{body}</channel></rss>'


def page(title: str, paragraphs: list[str], *, ld: bool = True) -> str:
    """A news article page: nav, the article, a footer; JSON-LD metadata unless ``ld=False``."""
    meta = (
        f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{title}", '
        '"datePublished": "2026-11-27T15:00:00+05:00", "author": {"name": "Айгуль Сарсенова"}}'
        "</script>"
        if ld
        else ""
    )
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>{title}</title>'
        f"{meta}</head><body><header><nav><a href='/'>Главная</a></nav></header>"
        f"<article><h1>{title}</h1>{body}</article><footer>© Outlet</footer></body></html>"
    )
