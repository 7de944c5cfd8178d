"""`digestbot site build --out DIR`: the readers' web as static files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from digestbot.cli.app import app, console, fail
from digestbot.cli.common import config_or_exit
from digestbot.cli.help import PlainHelpGroup, PlainTyper
from digestbot.cli.stores import store_or_exit
from digestbot.rendering import RenderError
from digestbot.web import IssueCatalog, Site, SitePages
from digestbot.web.export import ExportError, export_site

site_app = PlainTyper(
    cls=PlainHelpGroup,
    help="The readers' web (issue pages, archive, Atom feed) as static files.",
    no_args_is_help=True,
)
app.add_typer(site_app, name="site")


@site_app.command("build")
def build_command(
    out_dir: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Folder to write the site into.")
    ],
) -> None:
    """Write every published issue's page, the archive, the feed and a 404 page to DIR.
    Links and the sign-up form point at [site] base_url, the running service."""
    config = config_or_exit()
    if not config.site.base_url:
        fail("site.base_url is not set: the feed's links and the sign-up form point there")
    store = store_or_exit(config)
    try:
        site = Site(
            IssueCatalog(store),
            SitePages(config.templates.dir),
            base_url=config.site.base_url,
            signup=config.signup_available(),
            zone=config.source.zone,
            style="static",
        )
        report = export_site(site, out_dir)
    except (ExportError, RenderError) as exc:
        fail(str(exc))
    finally:
        store.close()
    stale = f", removed {report.removed} withdrawn" if report.removed else ""
    console.print(
        f"wrote {report.files} files ({report.issues} issues, "
        f"{report.bytes_written / 1024:.0f} KiB{stale}) to {out_dir}"
    )


__all__ = ["build_command", "site_app"]
