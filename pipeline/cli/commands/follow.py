"""``casewatch follow CANDIDATE --slug SLUG``: make a candidate a case — write
``cases.d/SLUG.yaml`` in the config folder and claim the candidate's evidence for it."""

from __future__ import annotations

import re

import click

from pipeline.cli.context import AppContext
from pipeline.cli.following import candidate_id, case_entry, claim_evidence, write_case_file
from pipeline.config.load import load_config
from pipeline.config.models import SLUG_RE
from pipeline.errors import CasewatchError
from pipeline.store.candidates import mark_followed, resolve
from pipeline.store.read.candidates import STATUSES, list_candidates


@click.command("follow")
@click.argument("candidate", metavar="CANDIDATE")
@click.option("--slug", required=True, help="The new case's slug (lower case, digits, - . _).")
@click.option("--title", default="", help="The case's title (default: from its people and court).")
@click.pass_obj
def command(app: AppContext, candidate: str, slug: str, title: str) -> None:
    """Follow a candidate as a case: write cases.d/SLUG.yaml and claim its evidence."""
    config = app.config()
    if not re.match(SLUG_RE, slug):
        raise click.BadParameter("lower-case letters, digits, '-', '.', '_'", param_hint="--slug")
    if slug in {c.slug for c in config.cases}:
        raise CasewatchError(f"case {slug!r} exists already; choose another --slug")
    target = config.directory / "cases.d" / f"{slug}.yaml"
    if target.exists():
        raise CasewatchError(f"{target} exists already; choose another --slug")
    number = candidate_id(candidate)
    now = app.clock()
    with app.sessions().begin() as session:
        row = resolve(session, number)
        if row is None:
            raise CasewatchError(f"no candidate #{number} (casewatch candidates lists them)")
        if row.followed_as:
            raise CasewatchError(f"candidate #{row.id} is followed already, as {row.followed_as}")
        [listing] = list_candidates(session, statuses=STATUSES, ids=[row.id])
        watch = next((w for w in config.watches if w.id == row.watch), None)
        entry = case_entry(row, listing, watch, slug, title, config.settings.timezone, now)
        note = (
            f"Written by `casewatch follow {row.id} --slug {slug}` on {now:%Y-%m-%d} from\n"
            f"candidate #{row.id} of watch {row.watch}. Check it: the people named only in the\n"
            "news count as context (alone: false); add variants, remove who does not belong.\n"
            "Loaded beside cases.yaml from the next run on: a case like any other."
        )
        path = write_case_file(config.directory, entry, note)
        case = next((c for c in load_config(config.directory).cases if c.slug == slug), None)
        if case is None:
            path.unlink()
            raise CasewatchError(f"{path}: the case written did not load; nothing was changed")
        claimed = claim_evidence(session, case, listing, now)
        mark_followed(session, row, slug, now)
    click.echo(f"wrote {path}")
    click.echo(
        f"case {slug}: claimed {claimed.by_terms + claimed.as_evidence} item(s) of candidate "
        f"#{row.id} ({claimed.by_terms} by its terms, {claimed.as_evidence} as the candidate's "
        "evidence); from the next run it is followed like any other case"
    )
