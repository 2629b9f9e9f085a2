# scripts/matrix.sh - what `make bench` measures: every experiment, at each size.
# Sourced by scripts/bench.sh, which decides how they run.  Both lists are
# tables, read by their header names: a new size is a column of SIZES, a new
# experiment a row of EXPERIMENTS.
# shellcheck shell=bash

# SIZES: how big each experiment is and how often it runs, one variable a
# row, one size (bench.sh --quick, --tiny; full by default) a column; a list
# is written with commas.  The counts are chosen so that one task of count
# takes ~0.3 s at full size on the 2-core lab machine, and the whole run
# stays under 10 minutes there, quick under 150 s (issue 11: full runs took
# 588 and 614 s with 1 s convoy phases and 50 ms interleave sleeps, quick
# runs 141 and 152 s with 0.3 s phases and a 10% re-run budget, then 145,
# 146 and 152 s with 0.25 s phases, 5% and count-scaling at 2e8); tiny is for
# the harness's own tests: every group, as small as it gets.  WARMUP: the
# row's --json record run, just before its first round, already warms it
# up.  BLOCKS: the time-paired blocks a round of a blocked family
# (BLOCKED_GROUPS) takes, each row once a block (QUICK's rows are short, so
# more of them); BLOCK_BUDGET_S the seconds their extra rounds may take, all
# families together, while an interval is wider than RATIO_TARGET (rerun.sh).
# RUN_BUDGET_S: the whole run's seconds (0: no limit); re-runs and extra
# blocks that would end later than it, less RUN_RESERVE_S for the tables,
# lessons and figures, are left out and named (rerun.sh): the same QUICK
# matrix took 143 s in one hour and 168 s in the next.  QUICK's
# convoy-interval series is 1000 and 5000 us (the monotone check needs two;
# the 100 us pair took ~3 s of a 149-152 s run).  ROUNDS x RUNS runs of each row: more rounds of fewer runs, at the same
# cost, because this lab VM's CPU speed changes for seconds at a time (the
# same one-task count takes 0.17 s or 0.31 s, all of it user CPU time either
# way: the host's own load, likely on a sibling hyperthread), and only rows
# alternated that finely meet the same moments.  Noisy rows are re-run with
# the rows read against the same baseline within RERUN_BUDGET_PCT of the
# matrix's time so far, or RERUN_BUDGET_MIN_S seconds, whichever is more
# (rerun.sh rerun_noisy); RERUN_UNREAD 0: the families whose times no lesson
# reads are not re-run (QUICK's refcount and fetch-n re-runs took ~4 s).  QUICK's fetch: 8 requests of 50 ms, not 16 of 25:
# every fetch row pays ~30 ms of its own start-up, which held 16 requests of
# 25 ms to 7.35x against L4's 8x (the same cost: seq 0.43 s either way).
readonly SIZES='
variable             full                     quick            tiny
COUNT_ITERATIONS     4e8                      2e8              1e6
COUNT_TOTAL          4e8                      1e8              4e6
PY_ITERATIONS        1e7                      4e6              1e4
PY_OTHER_ITERATIONS  1e7                      3e6              1e4
FETCH_REQUESTS       16                       8                4
FETCH_DELAY_MS       50                       50               5
FETCH_SWEEP          1,2,4,8,16,32,64         1,4,16           1,4
SWEEP_DELAY_MS       25                       20               5
INTERLEAVE_ITEMS     10                       5                2
INTERLEAVE_SLEEP_MS  30                       20               5
REFCOUNT_OPS         1e7                      4e6              2e4
CONVOY_SECONDS       0.5                      0.2              0.05
CONVOY_INTERVALS     100,1000,5000,20000      1000,5000        1000,5000
TRACE_ITERATIONS     2e8                      1e8              1e6
ROUNDS               4                        2                1
RUNS                 2                        2                2
BLOCKS               3                        5                2
BLOCK_BUDGET_S       45                       0                0
RUN_BUDGET_S         570                      140              0
RUN_RESERVE_S        15                       10               0
WARMUP               0                        0                0
SAMPLES              5                        3                2
CONVOY_SAMPLES       15                       6                2
REFCOUNT_RUNS        10                       5                3
RERUN_BUDGET_PCT     10                       5                20
RERUN_BUDGET_MIN_S   10                       5                20
RERUN_UNREAD         1                        0                1
'

# MORE_SAMPLES: the sampled rows that take CONVOY_SAMPLES samples instead of
# SAMPLES: the convoy slowdowns L7 cites, whose samples are wide apart (five
# 0.5 s samples of CPython 3.11's read 213x to 682x in one run, ours 190x to
# 422x; docs/gil-measurements.md), so that two runs agree on their median.
# The other convoy rows are near 1x, and tight.
# shellcheck disable=SC2034 # read by experiments.sh
readonly MORE_SAMPLES="convoy.gil convoy.py convoy.gil-old convoy.py2"
# COST_ROWS: the rows whose reports' ns_per_op L6 reads as costs, the
# baseline (a plain add) first: REFCOUNT_RUNS reports of each, taken in
# blocks (experiments.sh run_cost_blocks), so that each cost is a paired
# ratio with an interval (ratios.csv, kind cost).  In the plan's order, the
# last of them runs the blocks.
# shellcheck disable=SC2034 # read by experiments.sh
readonly COST_ROWS="refcount.seq-none refcount.threads-atomic refcount.threads-mutex"
# BLOCKED_GROUPS: the CPU-bound groups whose families (a baseline and the
# rows read against it) are timed in time-paired blocks (scripts/gilbench/
# blocks.py): every row of the family once per block, back to back, so that
# each ratio is taken between samples seconds apart (ratios.csv).
# shellcheck disable=SC2034 # read by experiments.sh and rerun.sh
readonly BLOCKED_GROUPS="count-2 count-10 count-2-cpython"
# AA_GROUPS: the blocked groups whose families also time their baseline a
# second time in every block (ID#aa), the A/A control of the noise floor
# (machine.json aa).  The C families' baselines are short; a CPython seq
# copy in each of its three families cost ~11 s of a QUICK run for the same
# answer.
# shellcheck disable=SC2034 # read by blocks.sh
readonly AA_GROUPS="count-2"

# EXPERIMENTS: one command timed on its own a row.  Experiments that are read
# together form a group; a row's speedup is its baseline's median time over
# its own.  Its id is group.label (group.label.param when param is set).
#   case, impl   the binary and whose it is (gilbench, or the CPython found)
#   mode ... param   what the tables and plots show; "-" is empty
#   kind    timed: hyperfine measures the whole process, and its --json
#           report is kept (the refcount rows with --sync=none: REFCOUNT_RUNS
#           reports, whether a racy count loses updates is chance); shell: the
#           same, for a shell command with no --json report; sampled
#           (convoy): its phases last a fixed time, so the lesson is in its
#           own JSON, run by run: SAMPLES in all, spread over the ROUNDS and
#           alternated across the group's rows
#   each    NAME:LIST, the row once per value of the list (a SIZES list, or
#           WORKER_SWEEP: 1 .. 2 x the usable CPUs); consecutive rows with
#           the same each (name and list) run together, value by value
#   command the words to run, the rest of the row
# {NAME} in a field is a size, a row's own column ({mode}, {tasks}), the each
# value, or one of BIN, CORES, SERVER_URL, PYTHON, PYTHON_IMPL (empty without
# a CPython), PYTHON3_IMPL (the same, for CPython 3 only), PYTHON2,
# PYTHON2_IMPL, PYTHON_FT, PYTHON_FT_IMPL, PYTHON_INTERP, PYTHON_INTERP_IMPL
# (scripts/pythons.sh; PYTHON_INTERP_SEQ_IMPL: the same where it is not
# PYTHON, PYTHON_INTERP_314_IMPL: the same where it is also 3.14 or later,
# and PYTHON_INTERP_BASELINE the seq it is read against), CONVOY_PIN
# (apart with 2 usable CPUs or more, else none); {A/B} is A / B as
# an integer (the same total work split over B tasks).  A row whose impl is
# empty is left out.  The worker count is not predicted here: each binary
# reports its own in --json (experiments.sh write_experiments).
# Why each group has the rows it has: docs/matrix.md.
readonly EXPERIMENTS='
group           label          case        impl            mode        variant  tasks  param  baseline             kind     each                command
count-2         seq            count       gilbench        seq         -        2      -      count-2.seq          timed    -                   {BIN}/count --mode={mode} --tasks={tasks} --iterations={COUNT_WORK/tasks}
count-2         threads        count       gilbench        threads     -        2      -      count-2.seq          timed    -                   {BIN}/count --mode={mode} --tasks={tasks} --iterations={COUNT_WORK/tasks}
count-2         gil            count       gilbench        gil         -        2      -      count-2.seq          timed    -                   {BIN}/count --mode={mode} --tasks={tasks} --iterations={COUNT_WORK/tasks}
count-2         interp         count       gilbench        interp      -        2      -      count-2.seq          timed    -                   {BIN}/count --mode={mode} --tasks={tasks} --iterations={COUNT_WORK/tasks}
count-2         fork           count       gilbench        fork        -        2      -      count-2.seq          timed    -                   {BIN}/count --mode={mode} --tasks={tasks} --iterations={COUNT_WORK/tasks}
count-2         pool           count       gilbench        pool        -        2      -      count-2.seq          timed    -                   {BIN}/count --mode={mode} --tasks={tasks} --workers={CORES} --iterations={COUNT_WORK/tasks}
count-2         threadpool     count       gilbench        threadpool  -        2      -      count-2.seq          timed    -                   {BIN}/count --mode={mode} --tasks={tasks} --workers={CORES} --iterations={COUNT_WORK/tasks}
count-2         gil-old        count       gilbench        gil         old      2      -      count-2.seq          timed    -                   {BIN}/count --mode={mode} --tasks={tasks} --iterations={COUNT_WORK/tasks} --gil=old
count-10        seq            count       gilbench        seq         -        10     -      count-10.seq         timed    -                   {BIN}/count --mode={mode} --tasks={tasks} --iterations={COUNT_WORK/tasks}
count-10        threads        count       gilbench        threads     -        10     -      count-10.seq         timed    -                   {BIN}/count --mode={mode} --tasks={tasks} --iterations={COUNT_WORK/tasks}
count-10        gil            count       gilbench        gil         -        10     -      count-10.seq         timed    -                   {BIN}/count --mode={mode} --tasks={tasks} --iterations={COUNT_WORK/tasks}
count-10        interp         count       gilbench        interp      -        10     -      count-10.seq         timed    -                   {BIN}/count --mode={mode} --tasks={tasks} --iterations={COUNT_WORK/tasks}
count-10        fork           count       gilbench        fork        -        10     -      count-10.seq         timed    -                   {BIN}/count --mode={mode} --tasks={tasks} --iterations={COUNT_WORK/tasks}
count-10        pool           count       gilbench        pool        -        10     -      count-10.seq         timed    -                   {BIN}/count --mode={mode} --tasks={tasks} --workers={CORES} --iterations={COUNT_WORK/tasks}
count-10        threadpool     count       gilbench        threadpool  -        10     -      count-10.seq         timed    -                   {BIN}/count --mode={mode} --tasks={tasks} --workers={CORES} --iterations={COUNT_WORK/tasks}
count-10        gil-old        count       gilbench        gil         old      10     -      count-10.seq         timed    -                   {BIN}/count --mode={mode} --tasks={tasks} --iterations={COUNT_WORK/tasks} --gil=old
count-2         shell          count       gilbench        fork        shell    2      -      count-2.seq          shell    -                   {BIN}/together --copies={tasks} -- {BIN}/count --mode=seq --tasks=1 --iterations={COUNT_ITERATIONS}
count-10        shell          count       gilbench        fork        shell    2      -      count-10.seq         shell    -                   {BIN}/together --copies={tasks} -- {BIN}/count --mode=seq --tasks=1 --iterations={COUNT_ITERATIONS}
count-scaling   seq            count       gilbench        seq         -        1      -      count-scaling.seq    timed    -                   {BIN}/count --mode={mode} --tasks={tasks} --iterations={COUNT_TOTAL}
count-scaling   threads        count       gilbench        threads     -        {w}    {w}    count-scaling.seq    timed    w:WORKER_SWEEP      {BIN}/count --mode={mode} --tasks={tasks} --iterations={COUNT_TOTAL/w}
count-scaling   gil            count       gilbench        gil         -        {w}    {w}    count-scaling.seq    timed    w:WORKER_SWEEP      {BIN}/count --mode={mode} --tasks={tasks} --iterations={COUNT_TOTAL/w}
count-scaling   fork           count       gilbench        fork        -        {w}    {w}    count-scaling.seq    timed    w:WORKER_SWEEP      {BIN}/count --mode={mode} --tasks={tasks} --iterations={COUNT_TOTAL/w}
count-scaling   pool           count       gilbench        pool        -        {w}    {w}    count-scaling.seq    timed    w:WORKER_SWEEP      {BIN}/count --mode={mode} --tasks={tasks} --workers={w} --iterations={COUNT_TOTAL/w}
count-2-cpython py-seq         count       {PYTHON_IMPL}   seq         -        2      -      count-2-cpython.py-seq  timed  -                  {PYTHON} cases/count.py --mode=seq --tasks={tasks} --iterations={PY_ITERATIONS}
count-2-cpython py-threads     count       {PYTHON_IMPL}   gil         new      2      -      count-2-cpython.py-seq  timed  -                  {PYTHON} cases/count.py --mode=threads --tasks={tasks} --iterations={PY_ITERATIONS}
count-2-cpython py-processes   count       {PYTHON_IMPL}   fork        -        2      -      count-2-cpython.py-seq  timed  -                  {PYTHON} cases/count.py --mode=processes --tasks={tasks} --iterations={PY_ITERATIONS}
count-2-cpython py-pool        count       {PYTHON_IMPL}   pool        -        2      -      count-2-cpython.py-seq  timed  -                  {PYTHON} cases/count.py --mode=pool --tasks={tasks} --iterations={PY_ITERATIONS} --workers={CORES}
count-2-cpython pyi-seq        count       {PYTHON_INTERP_SEQ_IMPL} seq  -        2      -      count-2-cpython.pyi-seq  timed  -                 {PYTHON_INTERP} cases/count.py --mode=seq --tasks={tasks} --iterations={PY_ITERATIONS}
count-2-cpython pyi-shell      count       {PYTHON_INTERP_SEQ_IMPL} fork  shell   2      -      count-2-cpython.pyi-seq  shell  -                 {BIN}/together --copies={tasks} -- {PYTHON_INTERP} cases/count.py --mode=seq --tasks=1 --iterations={PY_ITERATIONS}
count-2-cpython pyi-threads    count       {PYTHON_INTERP_SEQ_IMPL} gil  new      2      -      count-2-cpython.pyi-seq  timed  -                 {PYTHON_INTERP} cases/count.py --mode=threads --tasks={tasks} --iterations={PY_ITERATIONS}
count-2-cpython py-interpreters count      {PYTHON_INTERP_IMPL} interp  -        2      -      {PYTHON_INTERP_BASELINE}  timed  -                {PYTHON_INTERP} cases/count.py --mode=interpreters --tasks={tasks} --iterations={PY_ITERATIONS}
count-2-cpython pyi-processes  count       {PYTHON_INTERP_314_IMPL} fork  -       2      -      count-2-cpython.pyi-seq  timed  -                 {PYTHON_INTERP} cases/count.py --mode=processes --tasks={tasks} --iterations={PY_ITERATIONS}
count-2-cpython pyi-pool       count       {PYTHON_INTERP_314_IMPL} pool  -       2      -      count-2-cpython.pyi-seq  timed  -                 {PYTHON_INTERP} cases/count.py --mode=pool --tasks={tasks} --iterations={PY_ITERATIONS} --workers={CORES}
count-2-cpython py-shell       count       {PYTHON_IMPL}   fork        shell    2      -      count-2-cpython.py-seq  shell  -                  {BIN}/together --copies={tasks} -- {PYTHON} cases/count.py --mode=seq --tasks=1 --iterations={PY_ITERATIONS}
count-2-cpython py2-seq        count       {PYTHON2_IMPL}  seq         -        2      -      count-2-cpython.py2-seq  timed  -                 {PYTHON2} cases/count.py --mode=seq --tasks={tasks} --iterations={PY_OTHER_ITERATIONS}
count-2-cpython py2-threads    count       {PYTHON2_IMPL}  gil         old      2      -      count-2-cpython.py2-seq  timed  -                 {PYTHON2} cases/count.py --mode=threads --tasks={tasks} --iterations={PY_OTHER_ITERATIONS}
count-2-cpython pyft-seq       count       {PYTHON_FT_IMPL} seq        -        2      -      count-2-cpython.pyft-seq  timed  -                {PYTHON_FT} -X gil=0 cases/count.py --mode=seq --tasks={tasks} --iterations={PY_OTHER_ITERATIONS}
count-2-cpython pyft-threads   count       {PYTHON_FT_IMPL} threads    -        2      -      count-2-cpython.pyft-seq  timed  -                {PYTHON_FT} -X gil=0 cases/count.py --mode=threads --tasks={tasks} --iterations={PY_OTHER_ITERATIONS}
count-2-cpython pyft-gil-seq   count       {PYTHON_FT_IMPL} seq        -        2      -      count-2-cpython.pyft-gil-seq  timed  -            {PYTHON_FT} -X gil=1 cases/count.py --mode=seq --tasks={tasks} --iterations={PY_OTHER_ITERATIONS}
count-2-cpython pyft-gil-threads count     {PYTHON_FT_IMPL} gil        new      2      -      count-2-cpython.pyft-gil-seq  timed  -            {PYTHON_FT} -X gil=1 cases/count.py --mode=threads --tasks={tasks} --iterations={PY_OTHER_ITERATIONS}
start-cpython   py-seq         count       {PYTHON_INTERP_IMPL} seq     -        2      -      start-cpython.py-seq  timed    -                   {PYTHON_INTERP} cases/count.py --mode=seq --tasks={tasks} --iterations=1
start-cpython   py-interpreters count      {PYTHON_INTERP_IMPL} interp  -        2      -      start-cpython.py-seq  timed    -                   {PYTHON_INTERP} cases/count.py --mode=interpreters --tasks={tasks} --iterations=1
start-cpython   py-processes   count       {PYTHON_INTERP_IMPL} fork    -        2      -      start-cpython.py-seq  timed    -                   {PYTHON_INTERP} cases/count.py --mode=processes --tasks={tasks} --iterations=1
fetch           seq            fetch       gilbench        seq         -        {FETCH_REQUESTS}  -  fetch.seq        timed    -                   {BIN}/fetch --mode={mode} --tasks={tasks} --server={SERVER_URL} --timeout-ms=10000 --requests={FETCH_REQUESTS} --delay-ms={FETCH_DELAY_MS}
fetch           threads        fetch       gilbench        threads     -        {FETCH_REQUESTS}  -  fetch.seq        timed    -                   {BIN}/fetch --mode={mode} --tasks={tasks} --server={SERVER_URL} --timeout-ms=10000 --requests={FETCH_REQUESTS} --delay-ms={FETCH_DELAY_MS}
fetch           gil            fetch       gilbench        gil         -        {FETCH_REQUESTS}  -  fetch.seq        timed    -                   {BIN}/fetch --mode={mode} --tasks={tasks} --server={SERVER_URL} --timeout-ms=10000 --requests={FETCH_REQUESTS} --delay-ms={FETCH_DELAY_MS}
fetch           fork           fetch       gilbench        fork        -        {FETCH_REQUESTS}  -  fetch.seq        timed    -                   {BIN}/fetch --mode={mode} --tasks={tasks} --server={SERVER_URL} --timeout-ms=10000 --requests={FETCH_REQUESTS} --delay-ms={FETCH_DELAY_MS}
fetch           pool           fetch       gilbench        pool        -        {FETCH_REQUESTS}  -  fetch.seq        timed    -                   {BIN}/fetch --mode={mode} --tasks={tasks} --workers={FETCH_REQUESTS} --server={SERVER_URL} --timeout-ms=10000 --requests={FETCH_REQUESTS} --delay-ms={FETCH_DELAY_MS}
fetch           threadpool     fetch       gilbench        threadpool  -        {FETCH_REQUESTS}  -  fetch.seq        timed    -                   {BIN}/fetch --mode={mode} --tasks={tasks} --workers={FETCH_REQUESTS} --server={SERVER_URL} --timeout-ms=10000 --requests={FETCH_REQUESTS} --delay-ms={FETCH_DELAY_MS}
fetch           async          fetch       gilbench        async       -        {FETCH_REQUESTS}  -  fetch.seq        timed    -                   {BIN}/fetch --mode={mode} --tasks={tasks} --server={SERVER_URL} --timeout-ms=10000 --requests={FETCH_REQUESTS} --delay-ms={FETCH_DELAY_MS}
fetch           gil-hold       fetch       gilbench        gil         hold     {FETCH_REQUESTS}  -  fetch.seq        timed    -                   {BIN}/fetch --mode={mode} --tasks={tasks} --server={SERVER_URL} --timeout-ms=10000 --requests={FETCH_REQUESTS} --delay-ms={FETCH_DELAY_MS} --gil-io=hold
fetch-n         seq            fetch       gilbench        seq         -        {n}    {n}    fetch-n.seq.{n}      timed    n:FETCH_SWEEP       {BIN}/fetch --mode={mode} --tasks={tasks} --server={SERVER_URL} --timeout-ms=10000 --requests={n} --delay-ms={SWEEP_DELAY_MS}
fetch-n         threads        fetch       gilbench        threads     -        {n}    {n}    fetch-n.seq.{n}      timed    n:FETCH_SWEEP       {BIN}/fetch --mode={mode} --tasks={tasks} --server={SERVER_URL} --timeout-ms=10000 --requests={n} --delay-ms={SWEEP_DELAY_MS}
fetch-n         async          fetch       gilbench        async       -        {n}    {n}    fetch-n.seq.{n}      timed    n:FETCH_SWEEP       {BIN}/fetch --mode={mode} --tasks={tasks} --server={SERVER_URL} --timeout-ms=10000 --requests={n} --delay-ms={SWEEP_DELAY_MS}
interleave      seq            interleave  gilbench        seq         -        2      -      interleave.seq       timed    -                   {BIN}/interleave --mode={mode} --tasks={tasks} --quiet --items={INTERLEAVE_ITEMS} --sleep-ms={INTERLEAVE_SLEEP_MS}
interleave      threads        interleave  gilbench        threads     -        2      -      interleave.seq       timed    -                   {BIN}/interleave --mode={mode} --tasks={tasks} --quiet --items={INTERLEAVE_ITEMS} --sleep-ms={INTERLEAVE_SLEEP_MS}
interleave      gil            interleave  gilbench        gil         -        2      -      interleave.seq       timed    -                   {BIN}/interleave --mode={mode} --tasks={tasks} --quiet --items={INTERLEAVE_ITEMS} --sleep-ms={INTERLEAVE_SLEEP_MS}
interleave      fork           interleave  gilbench        fork        -        2      -      interleave.seq       timed    -                   {BIN}/interleave --mode={mode} --tasks={tasks} --quiet --items={INTERLEAVE_ITEMS} --sleep-ms={INTERLEAVE_SLEEP_MS}
interleave      pool           interleave  gilbench        pool        -        2      -      interleave.seq       timed    -                   {BIN}/interleave --mode={mode} --tasks={tasks} --workers=2 --quiet --items={INTERLEAVE_ITEMS} --sleep-ms={INTERLEAVE_SLEEP_MS}
interleave      threadpool     interleave  gilbench        threadpool  -        2      -      interleave.seq       timed    -                   {BIN}/interleave --mode={mode} --tasks={tasks} --workers=2 --quiet --items={INTERLEAVE_ITEMS} --sleep-ms={INTERLEAVE_SLEEP_MS}
interleave      async          interleave  gilbench        async       -        2      -      interleave.seq       timed    -                   {BIN}/interleave --mode={mode} --tasks={tasks} --quiet --items={INTERLEAVE_ITEMS} --sleep-ms={INTERLEAVE_SLEEP_MS}
refcount        seq-none       refcount    gilbench        seq         none     2      -      refcount.seq-none    timed    -                   {BIN}/refcount --mode={mode} --tasks={tasks} --sync={variant} --ops={REFCOUNT_OPS}
refcount        seq-atomic     refcount    gilbench        seq         atomic   2      -      refcount.seq-none    timed    -                   {BIN}/refcount --mode={mode} --tasks={tasks} --sync={variant} --ops={REFCOUNT_OPS}
refcount        seq-mutex      refcount    gilbench        seq         mutex    2      -      refcount.seq-none    timed    -                   {BIN}/refcount --mode={mode} --tasks={tasks} --sync={variant} --ops={REFCOUNT_OPS}
refcount        threads-none   refcount    gilbench        threads     none     2      -      refcount.seq-none    timed    -                   {BIN}/refcount --mode={mode} --tasks={tasks} --sync={variant} --ops={REFCOUNT_OPS}
refcount        threads-atomic refcount    gilbench        threads     atomic   2      -      refcount.seq-none    timed    -                   {BIN}/refcount --mode={mode} --tasks={tasks} --sync={variant} --ops={REFCOUNT_OPS}
refcount        threads-mutex  refcount    gilbench        threads     mutex    2      -      refcount.seq-none    timed    -                   {BIN}/refcount --mode={mode} --tasks={tasks} --sync={variant} --ops={REFCOUNT_OPS}
refcount        threads-biased refcount    gilbench        threads     biased   2      -      refcount.seq-none    timed    -                   {BIN}/refcount --mode={mode} --tasks={tasks} --sync={variant} --ops={REFCOUNT_OPS}
refcount        gil-none       refcount    gilbench        gil         none     2      -      refcount.seq-none    timed    -                   {BIN}/refcount --mode={mode} --tasks={tasks} --sync={variant} --ops={REFCOUNT_OPS}
convoy          gil            convoy      gilbench        gil         new      2      -      -                    sampled  -                   {BIN}/convoy --mode={mode} --seconds={CONVOY_SECONDS} --pin={CONVOY_PIN} --gil={variant}
convoy          gil-old        convoy      gilbench        gil         old      2      -      -                    sampled  -                   {BIN}/convoy --mode={mode} --seconds={CONVOY_SECONDS} --pin={CONVOY_PIN} --gil={variant}
convoy          py2            convoy      {PYTHON2_IMPL}  gil         old      2      -      -                    sampled  -                   {PYTHON2} cases/convoy.py --seconds={CONVOY_SECONDS} --pin={CONVOY_PIN}
convoy          threads        convoy      gilbench        threads     -        2      -      -                    sampled  -                   {BIN}/convoy --mode={mode} --seconds={CONVOY_SECONDS} --pin={CONVOY_PIN}
convoy          pyft           convoy      {PYTHON_FT_IMPL} threads    -        2      -      -                    sampled  -                   {PYTHON_FT} -X gil=0 cases/convoy.py --seconds={CONVOY_SECONDS} --pin={CONVOY_PIN}
convoy          interp         convoy      gilbench        interp      -        2      -      -                    sampled  -                   {BIN}/convoy --mode={mode} --seconds={CONVOY_SECONDS} --pin={CONVOY_PIN}
convoy          py-interpreters convoy     {PYTHON_INTERP_IMPL} interp  -        2      -      -                    sampled  -                   {PYTHON_INTERP} cases/convoy.py --mode=interpreters --seconds={CONVOY_SECONDS} --pin={CONVOY_PIN}
convoy          fork           convoy      gilbench        fork        -        2      -      -                    sampled  -                   {BIN}/convoy --mode={mode} --seconds={CONVOY_SECONDS} --pin={CONVOY_PIN}
convoy          py             convoy      {PYTHON_IMPL}   gil         new      2      -      -                    sampled  -                   {PYTHON} cases/convoy.py --seconds={CONVOY_SECONDS} --pin={CONVOY_PIN}
convoy          pyi-threads    convoy      {PYTHON_INTERP_SEQ_IMPL} gil  new      2      -      -                    sampled  -                   {PYTHON_INTERP} cases/convoy.py --seconds={CONVOY_SECONDS} --pin={CONVOY_PIN}
convoy          gil-one-cpu    convoy      gilbench        gil         new      2      -      -                    sampled  -                   {BIN}/convoy --mode={mode} --seconds={CONVOY_SECONDS} --pin=same
convoy          py-one-cpu     convoy      {PYTHON3_IMPL}  gil         new      2      -      -                    sampled  -                   {PYTHON} cases/convoy.py --seconds={CONVOY_SECONDS} --pin=same
convoy-interval gil            convoy      gilbench        gil         new      2      {us}   -                    sampled  us:CONVOY_INTERVALS {BIN}/convoy --mode={mode} --seconds={CONVOY_SECONDS} --pin={CONVOY_PIN} --switch-interval-us={us}
convoy-interval py             convoy      {PYTHON3_IMPL}  gil         new      2      {py_us} -                   sampled  py_us:CONVOY_INTERVALS {PYTHON} cases/convoy.py --seconds={CONVOY_SECONDS} --pin={CONVOY_PIN} --switch-interval-us={py_us}
'

# set_sizes SIZE: each variable of SIZES from the column SIZE (full, quick,
# tiny), lists with spaces; 1 when SIZES has no such column.
# shellcheck disable=SC2034  # the sizes are read by scripts/bench.sh
set_sizes() {
    local size=$1 line k=-1 i
    local -a words
    while read -r -a words; do
        [ "${#words[@]}" -gt 0 ] || continue
        if [ "$k" -lt 0 ]; then
            for i in "${!words[@]}"; do [ "${words[i]}" != "$size" ] || k=$i; done
            [ "$k" -gt 0 ] || return 1
            continue
        fi
        [[ "${words[0]}" =~ ^[A-Z][A-Z0-9_]*$ ]] || { echo "matrix.sh: bad SIZES row: ${words[*]}" >&2; return 1; }
        line=${words[k]}
        declare -g "${words[0]}=${line//,/ }"
    done <<<"$SIZES"
    COUNT_WORK=$(awk -v n="$COUNT_ITERATIONS" 'BEGIN { printf "%.0f\n", 2 * n }')
}

# fill WORD: FILLED is WORD with each {NAME} and {A/B} replaced (see
# EXPERIMENTS), in one pass, so that a value holding braces (a path) is kept
# as it is.  No subshell: the plan has a few thousand fields.
fill() {
    local rest=$1 out="" a
    while [[ "$rest" =~ \{([A-Za-z_][A-Za-z0-9_]*)(/([A-Za-z_][A-Za-z0-9_]*))?\} ]]; do
        out+=${rest%%"${BASH_REMATCH[0]}"*}
        rest=${rest#*"${BASH_REMATCH[0]}"}
        lookup "${BASH_REMATCH[1]}" || return 1
        if [ -n "${BASH_REMATCH[3]}" ]; then
            a=$LOOKED_UP
            lookup "${BASH_REMATCH[3]}" || return 1
            LOOKED_UP=$(awk -v a="$a" -v b="$LOOKED_UP" 'BEGIN { printf "%.0f", a / b }')
        fi
        out+=$LOOKED_UP
    done
    FILLED=$out$rest
}

# lookup NAME: LOOKED_UP is a row's own column or each value (ROW_VALUES),
# else the variable NAME; an unknown name stops the plan.
lookup() {
    if [ -n "${ROW_VALUES[$1]+set}" ]; then
        LOOKED_UP=${ROW_VALUES[$1]}
    elif [ -n "${!1+set}" ]; then
        LOOKED_UP=${!1}
    else
        echo "matrix.sh: unknown {$1} in EXPERIMENTS" >&2
        return 1
    fi
}

# plan_rows: every row of EXPERIMENTS with its fields filled in, as plan.tsv
# rows (PLAN_COLUMNS, scripts/schema.sh).  Consecutive rows with the same
# each are expanded together: each value in turn, all those rows for it.
plan_rows() {
    local -a words block=()
    local -A at=()
    local line each="" i
    while IFS= read -r line; do
        read -r -a words <<<"$line"
        [ "${#words[@]}" -gt 0 ] || continue
        if [ "${#at[@]}" -eq 0 ]; then
            for i in "${!words[@]}"; do at[${words[i]}]=$i; done
            continue
        fi
        if [ "${words[${at[each]}]}" != "$each" ] || [ "$each" = - ]; then
            [ "${#block[@]}" -eq 0 ] || expand_block "$each" at "${block[@]}"
            block=() each=${words[${at[each]}]}
        fi
        block+=("$line")
    done <<<"$EXPERIMENTS"
    [ "${#block[@]}" -eq 0 ] || expand_block "$each" at "${block[@]}"
}

# expand_block EACH AT ROW...: the rows, once per value of EACH's list; AT
# maps EXPERIMENTS' header names to their positions.
expand_block() {
    local each=$1 value name="" list row field joined value_of
    local -n col=$2
    shift 2
    local -a values=(-) words cmd
    if [ "$each" != - ]; then
        name=${each%%:*} list=${each#*:}
        read -r -a values <<<"${!list}"
    fi
    for value in "${values[@]}"; do
        for row in "$@"; do
            read -r -a words <<<"$row"
            local -A ROW_VALUES=()
            [ -z "$name" ] || ROW_VALUES[$name]=$value
            for field in "${!col[@]}"; do
                case "$field" in each | command) continue ;; esac
                value_of=${words[${col[$field]}]}
                [ "$value_of" != - ] || value_of=""
                fill "$value_of" || return 1
                ROW_VALUES[$field]=$FILLED
            done
            [ -n "${ROW_VALUES[impl]}" ] || continue
            cmd=()
            for field in "${words[@]:${col[command]}}"; do
                fill "$field" || return 1
                cmd+=("$FILLED")
            done
            ROW_VALUES[id]="${ROW_VALUES[group]}.${ROW_VALUES[label]}${ROW_VALUES[param]:+.${ROW_VALUES[param]}}"
            printf -v joined '%s\t' "${cmd[@]}"
            ROW_VALUES[command]=${joined%$'\t'}
            plan_line
        done
    done
}

# plan_line: the plan.tsv row of ROW_VALUES, in PLAN_COLUMNS order.
plan_line() {
    local line="" name
    local -a names
    read -r -a names <<<"$PLAN_COLUMNS"
    for name in "${names[@]}"; do line+=${ROW_VALUES[$name]}$'\t'; done
    printf '%s\n' "${line%$'\t'}"
}

# matrix_groups: the groups of EXPERIMENTS, in order, on one line.
matrix_groups() {
    local -a words
    local group_at=-1 i
    local -A seen=()
    local -a groups=()
    while read -r -a words; do
        [ "${#words[@]}" -gt 0 ] || continue
        if [ "$group_at" -lt 0 ]; then
            for i in "${!words[@]}"; do [ "${words[i]}" != group ] || group_at=$i; done
            continue
        fi
        [ -n "${seen[${words[group_at]}]:-}" ] || groups+=("${words[group_at]}")
        seen[${words[group_at]}]=1
    done <<<"$EXPERIMENTS"
    printf '%s\n' "${groups[*]}"
}

# matrix_uses NAME GROUP_REGEX: whether a row of a group matching GROUP_REGEX
# has {NAME} in its command (bench.sh starts the delay server only for the
# rows that use {SERVER_URL}).
matrix_uses() {
    awk -v name="{$1}" -v re="$2" "$COLUMNS_AWK"'
        NF == 0 { next }
        !read_header++ { header(); next }
        get("group") ~ "^(" re ")$" { for (i = col["command"]; i <= NF; i++) if (index($i, name)) found = 1 }
        END { exit !found }' <<<"$EXPERIMENTS"
}

# plan_experiments GROUP_REGEX: plan.tsv, every experiment whose group matches.
plan_experiments() {
    local filter=$1
    # shellcheck disable=SC2034 # read as {WORKER_SWEEP}, {PYTHON3_IMPL}, {PYTHON_INTERP_314_IMPL}
    WORKER_SWEEP=$(seq 1 $((2 * CORES)) | paste -sd ' ')
    PYTHON3_IMPL="" PYTHON_INTERP_SEQ_IMPL="" PYTHON_INTERP_314_IMPL=""
    PYTHON_INTERP_BASELINE=count-2-cpython.py-seq
    # read as {CONVOY_PIN}: the spinner on a CPU of its own where there are two
    # shellcheck disable=SC2034
    CONVOY_PIN=apart
    # shellcheck disable=SC2034
    [ "${CORES:-1}" -ge 2 ] || CONVOY_PIN=none
    # shellcheck disable=SC2034
    [[ "${PYTHON_IMPL:-}" != cpython-3* ]] || PYTHON3_IMPL=$PYTHON_IMPL
    # PYTHON_INTERP (pythons.sh: a CPython 3.12+ with a GIL) other than
    # PYTHON: its interpreters and threads are read against a seq of its
    # own; a 3.14 or later (impl cpython-3.NN.x) gets its processes and pool.
    # shellcheck disable=SC2034
    if [ -n "${PYTHON_INTERP_IMPL:-}" ] && [ "${PYTHON_INTERP:-}" != "${PYTHON:-}" ]; then
        PYTHON_INTERP_SEQ_IMPL=$PYTHON_INTERP_IMPL PYTHON_INTERP_BASELINE=count-2-cpython.pyi-seq
        [[ ! "$PYTHON_INTERP_IMPL" =~ ^cpython-3\.([0-9]+)\. ]] || [ "${BASH_REMATCH[1]}" -lt 14 ] ||
            PYTHON_INTERP_314_IMPL=$PYTHON_INTERP_IMPL
    fi
    {
        header_line "$PLAN_COLUMNS" $'\t'
        plan_rows
    } | awk -F '\t' -v re="$filter" "$COLUMNS_AWK"'
        FNR == 1 { header(); print; next }
        get("group") ~ "^(" re ")$"'
}
