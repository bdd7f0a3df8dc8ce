"""One read of a Telegram channel (``kind: telegram``): its preview pages chained back with
``?before=``, how far back to read, and what the read gives — its posts as articles and the one
report (``spiders/telegram.py`` fetches the pages; :mod:`pipeline.parse.telegram` reads one).

How far: on the first read (no post of the channel stored), ``depth`` posts back; later, back to
the newest post stored and at least ``recheck`` posts (so recent edits and deletions are seen);
never more than ``max_pages`` pages. The posts go out only when every page was read: a read cut
short by a bad page stores nothing (the next run reads the same range again), so the posts a
run stores always reach back to what was stored before.

The report states the range read completely (:class:`~pipeline.items.PostRange`): from the
oldest post read up to the channel's newest, the pages chained without a gap. A stored post
inside it that no page showed was deleted (ingest decides; only posts it stored count).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from scrapy.http import Response

from pipeline.config.sources import Source
from pipeline.items import (
    ArticlePage,
    ArticleTarget,
    FetchReport,
    FetchSpec,
    PostRange,
    RawArticle,
    RawResponse,
)
from pipeline.parse.responses import failed_report, header_pairs, snapshot
from pipeline.parse.telegram import (
    ChannelPage,
    Post,
    PreviewError,
    post_number,
    post_text,
    post_title,
)

CALLBACK = "parse_page"


@dataclass(slots=True)
class ChannelScan:
    """What the pages of one read have shown so far (mutable: one page after another)."""

    pages: int = 0
    status: int | None = None
    digest: str = ""
    """sha256 of the newest page (the same as last run's: nothing new, nothing edited)."""
    title: str = ""
    posts: dict[int, tuple[Post, ArticlePage]] = field(default_factory=dict)
    """Post id → the post and the page it was read on (its evidence)."""
    seen: set[int] = field(default_factory=set)
    """Every post id the pages showed, with or without text (service lines too)."""
    lowest: int | None = None
    note: str = ""


def add_page(scan: ChannelScan, spec: FetchSpec, response: Response, page: ChannelPage,
             before: int | None) -> None:  # fmt: skip
    """Take one page's posts into the scan; :class:`PreviewError` when a page asked for the
    posts before an id shows newer ones (the preview does not page back)."""
    if before is not None and any(p.number >= before for p in page.posts):
        newest = max(p.number for p in page.posts)
        raise PreviewError(f"{response.url}: asked for the posts before #{before}, got "
                           f"#{newest}: the preview does not page back")  # fmt: skip
    scan.pages += 1
    scan.status = scan.status or response.status
    scan.title = scan.title or page.title
    fetched = snapshot(response, ArticleTarget(0, response.url, spec.source_id))
    for post in page.posts:
        scan.seen.add(post.number)
        if not post.service:
            target = ArticleTarget(0, post.url, spec.source_id)
            scan.posts.setdefault(post.number, (post, replace(fetched, target=target)))
    if page.posts:
        oldest = min(p.number for p in page.posts)
        scan.lowest = oldest if scan.lowest is None else min(scan.lowest, oldest)


def older_page(scan: ChannelScan, page: ChannelPage, known: int | None, *, depth: int,
               recheck: int, max_pages: int) -> int | None:  # fmt: skip
    """The id to read the posts before next, or None when this read is done (a note in the
    scan says when ``max_pages`` cut it short)."""
    if not page.older or not page.posts or scan.lowest is None:
        return None
    if known is None:
        done = len(scan.seen) >= depth
    else:
        done = scan.lowest <= known and len(scan.seen) >= recheck
    if done:
        return None
    if scan.pages >= max_pages:
        scan.note = f"stopped at max_pages ({max_pages})"
        if known is not None and scan.lowest > known + 1:
            scan.note += (f": posts after #{known}, the newest stored, and before "
                          f"#{scan.lowest} were not read")  # fmt: skip
        return None
    return scan.lowest


def articles(spec: FetchSpec, entry: Source | None, scan: ChannelScan) -> list[RawArticle]:
    """The scan's posts that have text, newest first."""
    out = []
    for number in sorted(scan.posts, reverse=True):
        post, page = scan.posts[number]
        text = post_text(post)
        if text:
            out.append(raw_post(spec, entry, scan, post, page, text))
    return out


def raw_post(spec: FetchSpec, entry: Source | None, scan: ChannelScan, post: Post,
             page: ArticlePage, text: str) -> RawArticle:  # fmt: skip
    """One post as an article: its title is its first line; the author the name it was
    forwarded from, else its signature; the publisher the source's name, else the channel's."""
    return RawArticle(
        source_id=spec.source_id,
        url=post.url,
        title=post_title(post),
        published=post.published,
        author=post.forwarded_from or post.signature,
        guid=post.url,
        language=(entry.language if entry else None) or spec.language,
        publisher=(entry.name if entry else None) or scan.title or f"t.me/{post.channel}",
        text=text,
        page=page,
    )


def finished(spec: FetchSpec, scan: ChannelScan, stored: int) -> FetchReport:
    """The read's one report: the range it read completely, and notes."""
    extra = {"pages": str(scan.pages), "posts": str(len(scan.seen))}
    edited = sum(post.edited for post, _ in scan.posts.values())
    if edited:
        extra["marked edited"] = str(edited)
    if scan.note:
        extra["note"] = scan.note
    gap = "were not read" in scan.note
    return FetchReport(
        source_id=spec.source_id, url=spec.url, status=scan.status,
        error=f"{spec.source_id}: {scan.note}" if gap else "",
        body_sha256=scan.digest, items=stored, extra=extra,
        posts=PostRange(scan.lowest, tuple(sorted(scan.seen))) if scan.lowest is not None else None,
    )  # fmt: skip


def unchanged(spec: FetchSpec, scan: ChannelScan) -> FetchReport:
    return FetchReport(source_id=spec.source_id, url=spec.url, status=scan.status,
                       not_modified=True, body_sha256=scan.digest,
                       extra={"reason": "unchanged newest page"})  # fmt: skip


def failed(
    spec: FetchSpec, problem: str, response: Response | None = None, *, keep: bool = True
) -> FetchReport:
    """The failed report of a read. A page that lacked what a preview has (``keep``) goes
    with it, to be kept for the developers: it replays as a spider fixture."""
    report = failed_report(spec, problem, response.status if response is not None else None)
    if response is None or not keep:
        return report
    raw = RawResponse(
        url=response.url, status=response.status, body=response.body,
        headers=header_pairs(response.headers), step=response.meta.get("page", 0),
        title="read a channel preview page", request="GET", callback=CALLBACK,
        meta={k: response.meta[k] for k in ("step", "page", "before") if k in response.meta},
    )  # fmt: skip
    return replace(report, response=raw)


def known_post(spec: FetchSpec) -> int | None:
    """The newest post of the channel stored (its id), from the spec."""
    return post_number(spec.newest_url) if spec.newest_url else None
