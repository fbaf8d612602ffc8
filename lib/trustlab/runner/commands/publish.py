"""``trustlab publish``: a self-contained copy of the report site."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from trustlab import config
from trustlab.runner import folders, report, sites
from trustlab.runner.commands.common import update_book


def add_parser(sub: Any) -> None:
    """Register ``trustlab publish``."""
    pub = sub.add_parser("publish", help="write a self-contained copy of the report site")
    pub.add_argument("dest", help="folder to write: new, empty, or a copy trustlab published before (replaced whole)")
    pub.add_argument("--site", help="report site to copy (default reports/)")
    pub.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Copy the site under its lock; exit code 2 when there is no site or the destination is refused."""
    site = (Path(args.site) if args.site else config.REPORTS_DIR).resolve()
    try:
        sites.check_publish_destination(Path(args.dest), site)
        with folders.locked(site):  # no build moves a report while the site is copied
            if sites.read_manifest(site, sites.SITE_MANIFEST) is not None:
                update_book(site)  # the copy carries the book of the site's current runs
            dest = report.publish(site, Path(args.dest))
    except (FileNotFoundError, ValueError) as exc:
        print(f"trustlab: error: {exc}", file=sys.stderr)
        return 2
    print(f"published {site} -> {dest} (open {dest / 'index.html'})")
    return 0
