"""The command line of the bench program's Python part: python3 -m gilbench.

Reads its arguments (and, for `blocks`, the file of the family's rows; for
`report`, a run folder and its figures; for `compare-page`, a folder make
compare wrote); writes what each subcommand says (report: RUN/report.html,
compare-page: DIR/compare.html, their path printed, or with --json one JSON
object with what was written); exit 0 done, 1 a failed run or write, or a
run's page without any of the figures it should have (written, and said on
stderr in one line; some of them missing: that line, exit 0), 2 bad usage
(one line on stderr).
"""
import argparse
import importlib
import json
import math
import os
import shlex
import sys
from typing import Dict, List, Optional

if __name__ == "__main__" and not __package__:
    # python3 scripts/gilbench COMMAND ...: the folder is run as a script
    # (how scripts/*.sh call it).  Import this file again as the package's
    # module it is, and run that; a Ctrl-C, even while importing, ends the
    # command by the signal, as a shell command's would, without a traceback.
    import signal
    try:
        sys.path[0] = os.path.dirname(os.path.abspath(sys.path[0]))
        sys.exit(importlib.import_module("gilbench.__main__").main())
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    __package__ = "gilbench"

from . import blocks, comparepage, ratios, report  # noqa: E402
from .cmdline import suite_version  # noqa: E402

# The commands ported from the bash pipeline: COMMAND -> the module whose
# main(argv) -> status runs it, with its own --help and usage (the script
# path users call, scripts/COMMAND.sh, is a thin entry point into it).
PORTED = {
    "summarize": "tables",
    "lessons": "lessons",
    "plots": "figures",
    "compare": "compare",
    "handout": "handout",
    "bundle": "bundle",
    "machine": "machine",
}

PROG = "gilbench"
class Parser(argparse.ArgumentParser):
    """argparse with the suite's usage errors: one line, then how to get help, exit 2."""

    def format_help(self) -> str:
        return super().format_help().replace("usage:", "Usage:", 1)

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write("%s: %s\nTry 'python3 -m gilbench --help'.\n" % (PROG, message))
        sys.exit(2)


def parser() -> Parser:
    p = Parser(prog=PROG, description="The bench program's Python part: time-paired blocks, their ratios, and the pages of a run and of a comparison.")
    p.add_argument("--version", action="version", version="%s (gilbench) %s" % (PROG, suite_version()))
    sub = p.add_subparsers(dest="command", parser_class=Parser)
    b = sub.add_parser("blocks", help="time a family's rows in blocks")
    b.add_argument("--rows", required=True, help="a file of the family's rows, ID<TAB>WORD... a line")
    b.add_argument("--raw", required=True, help="the run's raw/ folder")
    b.add_argument("--family", required=True, help="the family's name (its baseline's id)")
    b.add_argument("--round", type=int, required=True, help="the round these blocks belong to")
    b.add_argument("--first-block", type=int, default=0, help="the number of the first block")
    b.add_argument("--blocks", type=int, required=True, help="how many blocks")
    b.add_argument("--no-aa", action="store_true", help="no A/A copy of the baseline")
    r = sub.add_parser("ratios", help="write RUN/ratios.csv from the run's blocks")
    r.add_argument("run", help="a results folder")
    w = sub.add_parser("wide", help="the families whose ratios are wider than a target, widest first"
                       " (FAMILY<TAB>HALFWIDTH a line)")
    w.add_argument("run", help="a results folder")
    w.add_argument("--target", type=float, required=True, help="relative half-width, e.g. 0.03")
    w.add_argument("--groups", default=None, help="space-separated groups whose ratios count (default: all)")
    w.add_argument("--cited", metavar="TABLE", help="the lessons' table (lessons-table.json): only the"
                   " ratios its checks read count")
    rp = sub.add_parser("report", help="write one page of a run: RUN/report.html")
    rp.add_argument("run", help="a results folder")
    rp.add_argument("--out", metavar="FILE", help="where to write (default: RUN/report.html)")
    rp.add_argument("--plots", metavar="DIR", help="the run's figures (default: plots/NAME beside RUN's results/)")
    rp.add_argument("--json", action="store_true", help="print one JSON object with what was written")
    cp = sub.add_parser("compare-page", help="write compare.html from a folder make compare wrote")
    cp.add_argument("dir", help="the folder with compare.sh's ratios.csv, ratios.md and figures")
    cp.add_argument("--out", metavar="FILE", help="where to write (default: DIR/compare.html)")
    cp.add_argument("--json", action="store_true", help="print one JSON object with what was written")
    cp.add_argument("made_by", nargs="*", metavar="WORD", help="after --: the command that made DIR, one argument a"
                    " word (scripts/compare.sh gives it), shown on the page quoted for a shell")
    return p


def missing_figures(done: Dict[str, object]) -> int:
    """Say on stderr, in one line, which figures a run's page lacks: 1 when
    it has none of those it should have (a page to project without its
    figures is a wrong result), else 0."""
    missing = done.get("missing_figures") or []
    expected = done.get("expected_figures") or 0
    if not missing or not isinstance(missing, list) or not isinstance(expected, int):
        return 0
    sys.stderr.write("%s: report: warning: %d of the %d figures of this run %s not in '%s' (%s); the page says so%s\n"
                     % (PROG, len(missing), expected, "is" if len(missing) == 1 else "are", done.get("plots"), " ".join(missing),
                        ": it has none of them" if len(missing) == expected else ""))
    return 1 if len(missing) == expected else 0


def main(argv: Optional[List[str]] = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    if words and words[0] in PORTED:
        module = importlib.import_module("." + PORTED[words[0]], __package__)
        from .cmdline import run
        return run(module.main, list(words[1:]))  # type: ignore[attr-defined]
    p = parser()
    args = p.parse_args(argv)
    try:
        if args.command == "blocks":
            if args.blocks < 1 or args.round < 1 or args.first_block < 0:
                p.error("blocks: --blocks and --round must be positive")
            with open(args.rows, encoding="utf-8") as f:
                rows = blocks.read_rows(f.readlines())
            if not rows:
                p.error("blocks: no rows in %s" % args.rows)
            print(blocks.run_blocks(args.raw, args.family, rows, args.round, args.first_block,
                                    args.blocks, aa=not args.no_aa))
        elif args.command == "ratios":
            found = ratios.run_ratios(args.run)
            ratios.write_ratios(args.run, found)
            ratios.record_aa(args.run, found)
        elif args.command == "wide":
            if not (args.target > 0 and math.isfinite(args.target)):
                p.error("wide: --target must be a positive number (a relative half-width, e.g. 0.03)")
            cited = ratios.cited_ratios(args.cited) if args.cited else None
            groups = args.groups.split() if args.groups is not None else None
            found = ratios.too_wide(ratios.run_ratios(args.run), groups, args.target, cited)
            sys.stdout.write("".join("%s\t%.4f\n" % kv for kv in found))
        elif args.command in ("report", "compare-page"):
            where = args.run if args.command == "report" else args.dir
            if args.command == "report" and os.path.isfile(where) and where.endswith((".tar.gz", ".tgz", ".tar")):
                p.error("report: '%s' is a bundle (make pack's one file), not a run folder: make plots RUN=%s"
                        " writes its page, scripts/bundle.sh with %s COMMAND runs COMMAND on the folder inside"
                        % (where, shlex.quote(where), shlex.quote(where)))
            if not where or not os.path.isdir(where):
                p.error("%s: no such folder: '%s'" % (args.command, where))
            if args.out == "":
                p.error("%s: --out: expected a file" % args.command)
            if args.command == "report":
                if not os.path.isfile(os.path.join(where, "summary.csv")):
                    p.error("report: '%s' has no summary.csv: not a run folder" % where)
                done = report.write_report(where, args.out, args.plots)
            else:
                done = comparepage.write_page(where, args.out, args.made_by)
            print(json.dumps(done) if args.json else done["report"])
            return missing_figures(done)
        else:
            p.print_help()
            return 2
    except (blocks.BlockError, OSError, ValueError, KeyError) as e:
        sys.stderr.write("%s: %s\n" % (PROG, " ".join(str(e).split())))
        return 1
    return 0


if __name__ == "__main__":  # python3 -m gilbench
    import signal
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
