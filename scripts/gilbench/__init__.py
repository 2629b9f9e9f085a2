"""gilbench: the bench program's Python part (standard library only, Python >= 3.9).

Layers, each importing only those above it in this list:
  cmdline  the prologue every command shares: --version, usage errors, a
           closed output
  files    publishing a file: a temporary name, then a rename
  schema   every data file's columns; reading and writing tables by name
  stats    the statistics of paired samples: quantiles, bootstrap intervals
  blocks   time-paired blocks: their order, running one family's blocks
           with hyperfine, the block records in raw/
  ratios   paired ratios of a run and their intervals: ratios.csv
  htmlpage one self-contained HTML page: escaping, tables, figures inline
  runfiles reading a run folder for its pages: tables by column name, the
           run's size, the figures plots.sh draws from it
  report   one page per run: RUN/report.html
  comparepage  one page per comparison: compare.html beside compare.sh's tables
  machine  machine.json: what the machine is and does (scripts/machine.sh)
  aggregate  summary.csv's statistics, refcount's and convoy's figures from raw/
  tables   summary.csv/.md/.tex, refcount.csv, convoy.csv, the headline and
           the noisy rows (scripts/summarize.sh)
  lessonchecks  one check of a lesson on a run's numbers; jq's number printing
  lessons  lessons.md and lessons.json (scripts/lessons.sh)
  figdata  each figure's data, from a run's files (the figure table's data steps)
  figures  the figure data and the gnuplot calls (scripts/plots.sh)
  bundle   a run as one file (scripts/bundle.sh): packing, checking and opening one
           (compare opens its bundles here)
  comparedata  a comparison's machines named, rows joined, figure data
  compare  runs side by side (scripts/compare.sh)
  answerkey  the lab handout's answers from one run's files (scripts/handout-table.json)
  handout  the lab handout and its answer key (scripts/handout.sh)
  cli      the command line: __main__.py (python3 -m gilbench, from scripts/)
"""

VERSION_FILE_NOTE = "the suite's version is harness/harness.h's GILBENCH_VERSION"
