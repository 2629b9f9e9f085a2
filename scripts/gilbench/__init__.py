"""gilbench: the bench program's Python part (standard library only, Python >= 3.9).

Layers, each importing only those above it in this list:
  files    publishing a file: a temporary name, then a rename
  stats    the statistics of paired samples: quantiles, bootstrap intervals
  blocks   time-paired blocks: their order, running one family's blocks
           with hyperfine, the block records in raw/
  ratios   paired ratios of a run and their intervals: ratios.csv
  htmlpage one self-contained HTML page: escaping, tables, figures inline
  runfiles reading a run folder for its pages: tables by column name, the
           run's size, the figures plots.sh draws from it
  report   one page per run: RUN/report.html
  comparepage  one page per comparison: compare.html beside compare.sh's tables
  cli      the command line: __main__.py (python3 -m gilbench, from scripts/)
"""

VERSION_FILE_NOTE = "the suite's version is harness/harness.h's GILBENCH_VERSION"
