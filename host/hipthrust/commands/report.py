"""`hipthrust report SESSION -o FILE.png|.html`: tempo, velocity and ROM per rep, flags."""

from hipthrust.report import write_report
from hipthrust.store import open_store


def register(subparsers, common):
    """Add the `report` command."""
    p = subparsers.add_parser(
        "report", parents=[common.db],
        help="plot a session: tempo bars, velocity and ROM per rep, guideline flags",
        description="Draw a session's report with matplotlib into a PNG image or an HTML page.",
    )
    p.add_argument("session", help="session id, or 'latest'")
    p.add_argument("-o", "--output", metavar="FILE", required=True,
                   help="FILE.png or FILE.html")
    p.set_defaults(func=run)


def run(args):
    """Write the report and print its path; returns the exit status."""
    with open_store(args.db) as store:
        path = write_report(store, store.resolve_session(args.session), args.output)
    print(f"Wrote {path}")
    return 0
