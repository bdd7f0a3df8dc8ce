"""``casewatch dismiss CANDIDATE…``: not a prosecution to follow — out of the digests."""

from __future__ import annotations

import click

from pipeline.cli.context import AppContext
from pipeline.cli.following import candidate_id
from pipeline.errors import CasewatchError
from pipeline.store.candidate_models import DISMISSED, OPEN
from pipeline.store.candidates import dismiss, resolve


@click.command("dismiss")
@click.argument("candidates", metavar="CANDIDATE...", nargs=-1, required=True)
@click.option("--undo", is_flag=True, help="Open dismissed candidates again.")
@click.pass_obj
def command(app: AppContext, candidates: tuple[str, ...], undo: bool) -> None:
    """Dismiss candidates: no alert about them goes out any more (pending ones withdrawn)."""
    numbers = [candidate_id(c) for c in candidates]
    now = app.clock()
    with app.sessions().begin() as session:
        for number in numbers:
            row = resolve(session, number)
            if row is None:
                raise CasewatchError(f"no candidate #{number} (casewatch candidates lists them)")
            if row.followed_as:
                raise CasewatchError(f"candidate #{row.id} is followed, as case {row.followed_as}")
            merged = f" (merged into #{row.id})" if row.id != number else ""
            if undo:
                row.status, row.decided_at = OPEN, now
                click.echo(f"candidate #{number}{merged}: open again")
            elif row.status == DISMISSED:
                click.echo(f"candidate #{number}{merged}: dismissed already")
            else:
                withdrawn = dismiss(session, row, now)
                click.echo(
                    f"candidate #{number}{merged}: dismissed; {withdrawn} pending alert(s) withdrawn"
                )
