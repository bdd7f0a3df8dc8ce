"""What a region-wide or country-wide office.sud.kz scan costs: requests and time.

Runs the real spider (``region: all``, one case type, N days ahead) against the local
reconstruction of the site (``tests/support/jsf_server.py``) with its two regions and
``--courts`` courts in each, and counts the requests the site saw. Once with no delay (the
request count), once with the shipped polite per-host delay (``download_delay``, 1 s with
Scrapy's ±50 % jitter) on a small walk to show the time is the delay times the requests.
Then it extrapolates to the whole country with the formula the walk follows:

    requests = 1 page + R regions + C courts × (1 + T case types × (1 + D days × (2 + P − 1)))

(a region change, a court change, a case-type change, per day a date change and a search, and
P − 1 more result pages). The real site's response time is not known here; it adds to the delay.

    python bench/office_scan.py [--courts 5] [--days 14] [--country-courts 350]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from support.crawling import crawl_in_subprocess  # noqa: E402
from support.jsf_server import PAGE_PATH, Court, FakeSite, JsfServer, Row  # noqa: E402

TODAY = date(2026, 12, 1)
REGIONS = ("2", "22")
SPIDER = "spiders.office_sud_kz:OfficeSudKzSpider"


def site(courts: int, days: int) -> FakeSite:
    fake = FakeSite(page_size=50)
    for region in REGIONS:
        for n in range(courts):
            court = f"{region}{n:02d}"
            names = {"ru": f"Суд №{n} региона {region}", "kk": f"№{n} сот {region}"}
            fake.add_court(Court(court, names, region))
            for d in range(days + 1):
                day = (TODAY + timedelta(days=d)).strftime("%d.%m.%Y")
                fake.set_rows(court, day, [Row(day, "10:00", f"{region}00-26-00-1/{n}{d}",
                                                "Судья А.", "Иванов И.И.", "ст. 146 ч. 1 УК РК",
                                                "Зал №1", case_type="CRIMINAL")])  # fmt: skip
    return fake


def scan(courts: int, days: int, delay: float) -> tuple[int, float, int]:
    """(requests the site saw, seconds, hearings read)."""
    fake = site(courts, days)
    with JsfServer(fake) as server:
        source = {"id": "office-kz", "kind": "office_sud_kz", "url": server.url, "region": "all",
                  "case_types": ["CRIMINAL"], "days_ahead": days, "keep_rows": "matched"}  # fmt: skip
        settings = {"DOWNLOAD_DELAY": delay, "ITEM_PIPELINES": {}, "LOG_LEVEL": "WARNING"}
        started = time.perf_counter()
        items = crawl_in_subprocess(SPIDER, settings, sources=[source], today=TODAY.isoformat())
        took = time.perf_counter() - started
    requests = sum(1 for s in fake.seen if s.path == PAGE_PATH)
    hearings = sum(1 for i in items if i["_type"] == "RawHearing")
    [report] = [i for i in items if i["_type"] == "FetchReport"]
    assert report["ok"], report["error"]
    return requests, took, hearings


def formula(regions: int, courts: int, types: int, days: int, pages: int = 1) -> int:
    return 1 + regions + courts * (1 + types * (1 + (days + 1) * (2 + pages - 1)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courts", type=int, default=5, help="courts per region (2 regions)")
    parser.add_argument("--days", type=int, default=14, help="days ahead (the window is +1)")
    parser.add_argument("--delay", type=float, default=1.0, help="polite per-host delay, s")
    parser.add_argument("--country-courts", type=int, default=350)
    parser.add_argument("--country-regions", type=int, default=20)
    args = parser.parse_args(argv)

    n, took, hearings = scan(args.courts, args.days, 0.0)
    expected = formula(len(REGIONS), len(REGIONS) * args.courts, 1, args.days)
    print(f"no delay:   {len(REGIONS)} regions × {args.courts} courts × {args.days + 1} days: "
          f"{n} requests (formula {expected}), {hearings} hearings, {took:.1f} s")  # fmt: skip
    small = (1, 2)
    _, base, _ = scan(small[0], small[1], 0.0)  # the crawl's start-up, without the delay
    n2, took2, _ = scan(small[0], small[1], args.delay)
    each = (took2 - base) / n2
    print(f"delay {args.delay:g} s: {len(REGIONS)} regions × {small[0]} court × {small[1] + 1} days: "
          f"{n2} requests in {took2:.1f} s ({base:.1f} s of it start-up) = {each:.2f} s a request")  # fmt: skip
    country = formula(args.country_regions, args.country_courts, 1, args.days)
    hours = country * each / 3600
    print(f"country:    {args.country_regions} regions, {args.country_courts} courts, criminal "
          f"cases, {args.days + 1} days, 1 page a day: {country} requests ≈ {hours:.1f} h "
          f"at {each:.2f} s a request (+ the site's own response time)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
