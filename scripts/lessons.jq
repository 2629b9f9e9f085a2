# scripts/lessons.jq - the lessons of gilbench, as checks on a run's own data.
# scripts/lessons.sh runs it; the file formats and exit codes are described
# there.  jq 1.6.
#
# Called with --arg emit eval, the table of lessons (table:
# scripts/lessons-table.json) and the run's files in $ARGS.named (summary,
# refcount, convoy, experiments: the text of each CSV/TSV, "" when absent;
# machine: machine.json), it prints the lessons object (lessons.json).  With
# --arg emit lines or md it reads that object and prints the terminal lines
# or lessons.md.
#
# A lesson is a list of checks; a check picks rows of summary.csv by column
# name (group, label, an impl pattern), reads one figure of them (from
# summary.csv itself, or from the row of refcount.csv or convoy.csv with the
# same experiment), and compares it with a bound scaled by the machine:
#   one      1
#   par      min(tasks, workers, usable CPUs): the most a CPU-bound row can gain
#   tasks    the row's tasks: what an I/O-bound row can gain
#   ceiling  the count-2 shell row's speedup (two independent processes, the
#            machine's own ceiling), capped at par; par without that row.
#            Where the row was timed in blocks beside a ceiling of its own
#            family (ratios.csv, kind share), its share of that ceiling is
#            read against the bound itself (ratio_of).
#   best     the best speedup of count-2's threads, fork, pool, threadpool:
#            the ceiling must not be well below the rows it bounds
# A figure is speedup, ns_per_op (refcount.csv, over the row named by over),
# extra_ms (the row's median less its baseline's, in ms: what starting
# interpreters or processes adds, L8) or a column of convoy.csv.
# A check marked quiet shows its phrase only when it fails.  A check marked
# guard checks the measurement, not the lesson (L2's ceiling: two processes
# gain at all, and no mode beats them): it passes on its estimate; out of its
# band it leaves the lesson not shown, never failed (the cause says the
# ceiling was not one), since on a machine whose CPUs change speed the
# ceiling's own speedup spreads wide while the shares read against it in the
# same blocks stay narrow.  A check with a
# role (PYTHON2, PYTHON_FT: scripts/pythons.sh) reads the rows of that
# interpreter: when machine.json's pythons lacks it, the check is not run,
# and says why.  A check marked required must run for the lesson to be
# measured (L8 without a CPython 3.12+ is not measured, saying how to get one).
# Kinds: value (one figure within min..max x scale), lost (the racy refcount
# lost updates in at least one run), exact (every run exact), monotone
# (contended round trips fall as the switch interval grows).
# A lesson holds when every check that could be evaluated passes; it fails
# when one does not (a failed row included); it is not measured when none
# could be (its groups were not run, or it needs more usable CPUs).

# ------------------------------------------------------------ the lessons
# The lessons are data: scripts/lessons-table.json, which lessons.sh passes
# in with --slurpfile table.  A lesson there has an id (L1..), a title, a
# lead (how its sentence starts), needs_cpus when it needs several usable
# CPUs, and checks; a check's fields are those described above: name, group,
# label (or prefer: a list of labels, the first with rows read; L8 reads
# PYTHON_INTERP's own threads, else PYTHON's), impl or role, kind, figure,
# min and max of a scale (of), unit, say
# (its phrase, {v} the figure, {impl} and {tasks} the row's), say_fail (the
# phrase when it fails, where say states the lesson as a fact), quiet.  A
# lesson with needs_parallel (its effect needs threads running at the same
# time) names one usable CPU as a cause when it fails.
def lessons_table: $ARGS.named.table[0] // error("no lessons table (--slurpfile table)");

# Where a run is too short or too noisy to trust (see causes).
def min_median_s: 0.05;
def max_rel_spread: 0.10;
def max_sample_ratio: 2;   # convoy: max / min of a figure over its runs
def min_samples: 3;
def max_startup_share: 0.25; # of a run spent starting up: startup_s / (startup_s + wall_s)
def min_others_cpus: 0.2;
def max_ratio_halfwidth: 0.03; # a block ratio's interval, half its width over the estimate (bench.sh RATIO_TARGET)   # machine.json cpu_used_by_others (bench.sh) worth naming

# ------------------------------------------------------------ reading
# csv: the text of a CSV (no quoted fields: gilbench writes none) as an
# array of objects keyed by its header; "" -> null.
def table(sep):
  [split("\n")[] | rtrimstr("\r") | select(length > 0) | split(sep)] as $l
  | if ($l | length) == 0 then []
    else $l[0] as $h
    | [$l[1:][] as $f | [range($h | length) as $i | {($h[$i]): ($f[$i] // "" | if . == "" then null else . end)}] | add]
    end;
def uniq: reduce .[] as $x ([]; if index([$x]) then . else . + [$x] end);   # keeps the order
def num: if . == null then null else tonumber? // null end;
def by_experiment: map({key: .experiment, value: .}) | from_entries;

# ------------------------------------------------------------ formatting
def fixed($d):
  (. * pow(10; $d) | round) as $n | ($n | fabs | tostring) as $s
  | (if $n < 0 then "-" else "" end) as $sign
  | if $d == 0 then $sign + $s
    else ("0" * ($d + 1 - ($s | length)) + $s) as $p
    | $sign + $p[0:($p | length) - $d] + "." + $p[($p | length) - $d:]
    end;
def fmt($unit):
  if . == null then "n/a"
  elif $unit == "x" then
    (if fabs < 10 then fixed(2) elif fabs < 100 then fixed(1) else fixed(0) end) + "x"
  elif $unit == "ms" then fixed(0) + " ms"
  else fixed(0) end;
# fmt_apart($unit; $bounds): fmt, with 4 decimals where the usual rounding
# would print a value the same as a bound it differs from (1.2508x against a
# bound of 1.25x would read "1.25x", and a failed check would look passed).
def fmt_apart($unit; $bounds):
  . as $v | fmt($unit) as $s
  | if $v != null and $unit == "x"
       and any($bounds[] | select(. != null); . != $v and fmt($unit) == $s)
    then ($v | fixed(4)) + "x" else $s end;
def impl_name: if test("^cpython-") then "CPython " + ltrimstr("cpython-") else . end;
def fill($vars):
  reduce ($vars | to_entries[]) as $e (.; gsub("\\{" + $e.key + "\\}"; $e.value | tostring));

# ------------------------------------------------------------ evaluation
def usable($m): $m.usable_cpus // $m.online_cpus // 1;

# rows($c): the summary rows a check reads (any status): its label's, its
# labels', or those of the first label of its prefer list that has rows.
def rows($c; $s):
  (if $c.prefer then [$c.prefer[] as $p | select(any($s[]; .group == $c.group and .label == $p)) | $p][0]
   else $c.label end) as $want
  | [$s[] | select(.group == $c.group)
          | select(if $c.labels then .label as $l | $c.labels | index([$l]) else .label == $want end)
          | select(if $c.impl then (.impl // "") | test($c.impl) else true end)];

def scale($c; $r; $ctx):
  ($r.tasks | num) as $t | ([$t, ($r.workers | num // $t), $ctx.usable] | min) as $par
  | if $c.of == "one" then 1
    elif $c.of == "tasks" then $t
    elif $c.of == "par" then $par
    elif $c.of == "best" then $ctx.best // 0
    else ([$ctx.ceiling // $par, $par] | min) end;

def bound_text($c; $k):
  if $c.min != null and $c.max != null then "\($c.min * $k | fmt($c.unit))..\($c.max * $k | fmt($c.unit))"
  elif $c.min != null then ">= \($c.min * $k | fmt($c.unit))"
  else "<= \($c.max * $k | fmt($c.unit))" end;

# A check's result: {name, status: pass|fail|failed_row|no_data|not_run|not_applicable,
# value, text (its phrase), wanted, rows}.
def base($c; $rs; $s):
  { name: $c.name, rows: [$rs[].experiment] }
  + if ($rs | length) == 0 then
      # a row of another interpreter (CPython 2 instead of 3) is no gap
      if $c.impl and any($s[]; .group == $c.group and .label == $c.label)
      then { status: "not_applicable" } else { status: "not_run" } end
    elif any($rs[]; .status != "ok") then
      { status: "failed_row", failed: [$rs[] | select(.status != "ok") | .experiment] }
    else {} end;

# ratio_of($c; $r; $ctx): the row's ratio measured in time-paired blocks
# (ratios.csv: the geometric mean of the middle half of its per-block ratios
# and its 95% interval),
# for a speedup check: its share of the ceiling timed in the same blocks
# for a check of the ceiling, else its speedup; null where the row's family
# did not run in blocks (the figure is then the ratio of the two medians).
def ratio_of($c; $r; $ctx):
  if $c.figure != "speedup" then null
  elif $c.of == "best" then
    # The ceiling against the fastest mode it bounds, in the same blocks:
    # 1 / that mode's share of the ceiling (its interval turned over).
    ([$ctx.ratios[] | select(.group == $r.group and .kind == "share"
                             and (.label | IN("threads", "fork", "pool", "threadpool")))
      | { estimate: (.estimate | num), low: (.low | num), high: (.high | num),
          blocks: (.blocks | num), halfwidth: (.halfwidth | num) }]
     | max_by(.estimate)) as $b
    | if $b == null or $b.estimate <= 0 or $b.low <= 0 then null
      else { share: false, best: true, estimate: (1 / $b.estimate), low: (1 / $b.high), high: (1 / $b.low),
             blocks: $b.blocks, halfwidth: $b.halfwidth } end
  else [$ctx.ratios[] | select(.experiment == $r.experiment)] as $q
  | ([$q[] | select(.kind == "share")][0]) as $share
  | if $c.of == "ceiling" and $share != null then $share + { share: true }
    else [$q[] | select(.kind == "speedup")][0] end
  | if . == null then null
    else { share: (.share // false), estimate: (.estimate | num), low: (.low | num), high: (.high | num),
           blocks: (.blocks | num), halfwidth: (.halfwidth | num) } end
  end;

# interval_text: " (0.97-1.01)", the interval in the estimate's format.
def interval_text($unit):
  " (\(.low | fmt($unit) | rtrimstr($unit))-\(.high | if . >= 1e300 then "?" else fmt($unit) | rtrimstr($unit) end))";

def eval_value($c; $rs; $ctx):
  $rs[0] as $r
  | ratio_of($c; $r; $ctx) as $q
  | (if $q != null then $q.estimate
     elif $c.figure == "speedup" then $r.speedup | num
     elif $c.figure == "ns_per_op" then
       ($ctx.refcount[$r.experiment].ns_per_op | num) as $v
       | ([$ctx.summary[] | select(.group == $c.group and .label == $c.over)][0].experiment) as $o
       | (if $o == null then null else $ctx.refcount[$o].ns_per_op // null | num end) as $b
       | if $v != null and $b != null and $b > 0 then $v / $b else null end
     elif $c.figure == "extra_ms" then
       # what the row's median adds to its baseline's (start-cpython: the
       # same interpreter counting to 1 in seq), in milliseconds
       ([$ctx.summary[] | select(.experiment == ($ctx.baseline[$r.experiment] // ""))][0].median_s | num) as $b
       | ($r.median_s | num) as $m
       | if $b != null and $m != null then ($m - $b) * 1000 else null end
     else $ctx.convoy[$r.experiment][$c.figure] | num end) as $v
  # a share of the ceiling, or the ceiling over the best mode, is read
  # against the bound itself
  | (if $q != null and ($q.share or ($q.best // false)) then 1 else scale($c; $r; $ctx) end) as $k
  | ($c.min // null | if . then . * $k else null end) as $lo
  | ($c.max // null | if . then . * $k else null end) as $hi
  | { value: $v, wanted: bound_text($c; $k), unit: $c.unit, quiet: ($c.quiet // false),
      interval: (if $q != null then { low: $q.low, high: $q.high, blocks: $q.blocks, halfwidth: $q.halfwidth,
                                       share: $q.share, best: ($q.best // false) } else null end),
      # a slowdown below 1 is no slowing: "{v} slower" reads "0.50x (faster)",
      # "{v} with free threads" "0.77x (faster) with free threads"
      text: ($c.say | (if $v != null and $v < 1 and $c.figure == "slowdown" then
                         (if test("\\{v\\} slower") then gsub("\\{v\\} slower"; "{v} (faster)")
                          else sub("\\{v\\}"; "{v} (faster)") end)
                       else . end)
                    | fill({v: (($v | fmt_apart($c.unit; [$lo, $hi]))
                                + (if $q != null then ($q | interval_text($c.unit)) else "" end)
                                + (if $q != null and $q.share then " of the ceiling" else "" end)
                                + (if $q != null and ($q.best // false) then " the speed of the fastest mode" else "" end)),
                            impl: ($r.impl // "" | impl_name), tasks: $r.tasks})) }
  + if $v == null then { status: "no_data" }
    elif $q != null and ($c.guard // false | not) then
      # On the interval: inside the band holds, wholly outside fails,
      # across a bound is not shown by this run.  A guard (the ceiling's own
      # checks: is it a ceiling at all?) holds on its estimate below.
      if ($lo == null or $q.low >= $lo) and ($hi == null or $q.high <= $hi) then { status: "pass" }
      else { status: (if ($lo != null and $q.high < $lo) or ($hi != null and $q.low > $hi) then "fail" else "not_shown" end),
             toward_one: (($lo != null and $v < $lo and $lo > 1 and $v >= 0.97)
                          or ($hi != null and $v > $hi and $hi < 1 and $v <= 1.03)) } end
    elif ($c.min == null or $v >= $c.min * $k) and ($c.max == null or $v <= $c.max * $k)
    then { status: "pass" }
    # A guard whose estimate is out but whose interval still reaches into
    # the band: the run cannot tell, it does not fail.
    elif $q != null and ($lo == null or $q.high >= $lo) and ($hi == null or $q.low <= $hi)
    then { status: "not_shown", toward_one: false }
    # A guard wholly out: the ceiling the lesson reads against is not one
    # (a loaded machine: two processes no faster than one), so the run
    # cannot show the lesson; it does not disprove it.
    elif $c.guard // false then { status: "not_shown", guard_failed: true, toward_one: false }
    else { status: "fail",
           # A serial start-up pulls a speedup towards 1: it can explain a
           # value stuck between 1 and a bound away from 1 (L2 below its
           # floor, L3 above its ceiling), never one past 1 or out of a band
           # around it (L1).  3% of slack for the noise.
           toward_one: ($c.figure == "speedup"
                        and (($c.min != null and $v < $c.min * $k and $c.min * $k > 1 and $v >= 0.97)
                             or ($c.max != null and $v > $c.max * $k and $c.max * $k < 1 and $v <= 1.03))) } end
  # a check's advice (a guard's ": measure it again", its own words
  # and punctuation after the figure) only where it did not pass
  | if (.status == "fail" or .status == "not_shown") and ($c.advice // null) != null
    then .text += $c.advice else . end;

# The racy refcount: runs, runs_with_loss, lost_median, lost_max when the run
# has them (several runs), else the one run's figures.  A run "with loss" is
# one whose count went wrong: updates lost, or the count hit zero while
# references were held (premature_deallocs); lost increments and decrements
# can cancel out in the final count, so lost_updates alone may read 0.
def losses($x):
  if $x.runs_with_loss != null then
    { runs: ($x.runs | num), runs_with_loss: ($x.runs_with_loss | num),
      lost_median: ($x.lost_median | num), lost_max: ($x.lost_max | num) }
  else ($x.lost_updates | num) as $l
    | { runs: 1, lost_median: $l, lost_max: $l,
        premature_deallocs: (($x.premature_deallocs // "0") | num),
        runs_with_loss: (if $l > 0 or (($x.premature_deallocs // "0") | num) > 0 or $x.ok == "false"
                         then 1 else 0 end) } end;

def eval_lost($c; $rs; $ctx):
  $ctx.refcount[$rs[0].experiment] as $x
  | if $x == null then { status: "no_data" } else
      losses($x) as $l
      | { value: $l, wanted: "lost updates or an early free in at least 1 run",
          text: ($c.say | fill({lost: (if $l.runs == 1 and $l.lost_median == 0 and $l.runs_with_loss == 1
                                       then "freed the object early in its one run (the count hit zero \($l.premature_deallocs) times while references were held)"
                                       elif $l.runs == 1 then "lost \($l.lost_median | fmt("")) updates in its one run"
                                       else "went wrong (lost updates or an early free) in \($l.runs_with_loss) of \($l.runs) runs; lost updates median \($l.lost_median | fmt("")), max \($l.lost_max | fmt(""))" end)})),
          status: (if $l.runs_with_loss >= 1 then "pass" else "fail" end) }
    end;

def eval_exact($c; $rs; $ctx):
  [$rs[] | . as $r | $ctx.refcount[$r.experiment] as $x
   | { experiment: $r.experiment, label: $r.label,
       exact: ($x != null and ($x.ok == "true") and (losses($x).runs_with_loss == 0)
               and (($x.premature_deallocs // "0") | num) == 0) }] as $e
  | [$e[] | select(.exact | not) | .label] as $bad
  | { value: { exact: (($e | length) - ($bad | length)), of: ($e | length), inexact: $bad },
      wanted: "every one exact",
      text: ($c.say | fill({count: (if ($bad | length) == 0 then "all \($e | length)"
                                   else "\(($e | length) - ($bad | length)) of \($e | length)" end)})
             + (if ($bad | length) > 0 then " (not: " + ($bad | join(", ")) + ")" else "" end)),
      status: (if ($bad | length) == 0 then "pass" else "fail" end) };

def eval_monotone($c; $rs; $ctx):
  [$rs[] | { p: (.param | num), v: ($ctx.convoy[.experiment][$c.figure] | num) }]
  | sort_by(.p) as $pts
  | if ($pts | length) < 2 or any($pts[]; .v == null) then { status: "no_data" } else
      { value: { params: [$pts[].p], values: [$pts[].v] },
        wanted: "each longer interval at most \($c.tolerance)x the round trips of the shorter, the shortest >= \($c.span)x the longest",
        status: (if all(range(1; $pts | length); $pts[.].v <= $c.tolerance * $pts[. - 1].v)
                    and $pts[0].v >= $c.span * $pts[-1].v then "pass" else "fail" end) }
      | . + { text: ((if .status == "fail" then $c.say_fail // $c.say else $c.say end)
                     | fill({series: ([$pts[].v | fmt("")] | join(", ")),
                             params: ([$pts[].p | tostring] | join(", ")),
                             impl: ($rs[0].impl // "" | impl_name)})) }
    end;

def evaluate_check($c; $ctx):
  rows($c; $ctx.summary) as $rs
  | base($c; $rs; $ctx.summary) as $b
  | if $b.status then $b + { text: "", wanted: "" }
    else $b + (if $c.kind == "value" then eval_value($c; $rs; $ctx)
               elif $c.kind == "lost" then eval_lost($c; $rs; $ctx)
               elif $c.kind == "exact" then eval_exact($c; $rs; $ctx)
               else eval_monotone($c; $rs; $ctx) end)
    end;

# ------------------------------------------------------------ causes
# listed($what): one cause naming every row it applies to, "WHAT: a, b";
# nothing when the list is empty.
def listed($what): if length == 0 then empty else "\($what): \(join(", "))" end;
# causes($bad; $ctx): why the checks in $bad may have failed, read from the
# machine and from their rows (with each row's baseline).
def causes($bad; $ctx; $l):
  $ctx.machine as $m | $ctx.usable as $u
  | ([$bad[].rows[]] + [$bad[].rows[] | $ctx.baseline[.] // empty]
     + [$bad[] | select(.over_row) | .over_row] | unique) as $ids
  | [$ctx.summary[] | select(.experiment as $e | $ids | index([$e]))] as $rs
  | [ (if $u < 2 and $l.needs_parallel then "one usable CPU: threads and processes cannot run at the same time" else empty end),
      (if ($m.cpu_quota | type) == "number" and $m.cpu_quota < ($m.online_cpus // $u)
       then "a CPU quota of \($m.cpu_quota) CPUs (of \($m.online_cpus // $u) online)" else empty end),
      # Other programs during the run: measured directly on the run's own
      # CPUs (cpu_used_by_others, bench.sh) when the run has it; the load
      # averages lag by a minute, count the bench's own work and are the whole
      # machine's, so they are only the fallback, and a load the CPUs outside
      # the run's affinity mask could hold is not held against it.
      (if ($m.cpu_used_by_others | type) == "number" then
         (if $m.cpu_used_by_others >= min_others_cpus
          then "load: other programs kept \($m.cpu_used_by_others) CPUs busy on average during the run (of \($u) usable)"
          else empty end)
       else
         ([(($m.online_cpus // $u) - ($m.affinity_cpus // $u)), 0] | max) as $outside
         | (if $outside == 0 then "on \($u) usable CPUs"
            else "on the machine's \($m.online_cpus) online CPUs, more than the \($outside) outside the run's affinity mask hold" end) as $on
         | (if ($m.load_before[0] // 0) >= $outside + 0.5
            then "load: the load average was \($m.load_before[0]) before the run, \($on) (other programs were running)"
            else empty end),
           (if ($m.load_after[0] // 0) > $outside + $u + 0.5
            then "load: the load average was \($m.load_after[0]) at the end of the run, above \(if $outside == 0 then "the \($u) usable CPUs" else "the \($outside) CPUs outside the run's affinity mask and its \($u) usable" end)"
            else empty end)
       end),
      ([$bad[] | select(.guard_failed) | .rows[0]] | unique
       | listed("the machine's ceiling was not a ceiling (two independent processes gained too little, or less than a mode they bound), so nothing read against it can show the lesson")),
      # An interval across a bound (not shown, never a failure: an interval
      # wholly outside fails however wide it is), after what the machine
      # did, which may be why it is wide.
      ([$bad[] | select(.status == "not_shown" and (.guard_failed | not) and (.under_guard | not) and .interval != null and .interval.halfwidth > max_ratio_halfwidth)
        | "\(.rows[0])\(if .interval.best then " against the fastest mode" else "" end) ±\(.interval.halfwidth * 100 | fixed(0))% over \(.interval.blocks) blocks"]
       | listed("a 95% interval too wide to decide (the machine's capacity moved between blocks, or too few blocks)")),
      ([$rs[] | select(.status != "ok") | .experiment]
       | listed("failed rows (their logs: raw/ID.*)")),
      ([$rs[] | select(.status == "ok" and .case != "convoy" and (.median_s | num) != null
                       and (.median_s | num) < min_median_s)
        | "\(.experiment) \(.median_s | num | fixed(4)) s"]
       | listed("runs too short (median below \(min_median_s) s)")),
      # start-up: an interpreter's start-up and imports run serially in seq
      # and threads alike, so they cap a short row's speedup (Amdahl).
      # Only for checks it can explain (toward_one), and as a share of the
      # one --json run that measured both parts, so that a machine's speed
      # changing between that run and the timed ones does not count.
      ([$bad[] | select(.toward_one) | .rows[] | ., ($ctx.baseline[.] // empty)] | unique) as $short
      | ([$rs[] | select(.status == "ok" and (.experiment as $e | $short | index([$e])))
          | .experiment as $e | $ctx.startup[$e] // empty
          | select(.share > max_startup_share)
          | "\($e) \(.share * 100 | fixed(0))% (\(.startup_s | fixed(2)) s of \(.startup_s + .wall_s | fixed(2)) s)"]
         | listed("runs too short for their start-up (the interpreter's start-up, serial in every mode, was over \(max_startup_share * 100 | fixed(0))% of the run)")),
      # a row timed in blocks (in ratios.csv) is read by its paired ratio,
      # which its own spread does not decide: its interval is the cause above
      ([$rs[] | select(.status == "ok" and .case != "convoy" and (.rel_spread | num) != null
                       and (.rel_spread | num) > max_rel_spread
                       and ((.experiment as $e | $ctx.ratios | any(.experiment == $e)) | not))
        | "\(.experiment) \(.rel_spread | num * 100 | fixed(0))%"]
       | listed("spread too wide (stddev above \(max_rel_spread * 100 | fixed(0))% of the mean)")),
      ([$rs[] | select(.case == "convoy" and .status == "ok") | $ctx.convoy[.experiment] // empty
        | (.runs | num) as $n | select($n != null and $n < min_samples) | "\(.experiment) \($n)"]
       | listed("few samples (runs, below \(min_samples))")),
      ([$rs[] | select(.case == "convoy" and .status == "ok") | $ctx.convoy[.experiment] // empty
        | (.slowdown_min | num) as $lo | (.slowdown_max | num) as $hi
        | select($lo != null and $hi != null and $lo > 0 and $hi / $lo > max_sample_ratio)
        | "\(.experiment) \($lo | fmt("x"))..\($hi | fmt("x"))"]
       | listed("spread too wide (slowdown over the runs, more than \(max_sample_ratio)x apart)")),
      ($bad[] | select(.status == "no_data") | "no figures for \(.rows | join(", ")) in refcount.csv/convoy.csv"),
      ($bad[] | select(.name == "threads-none" and .value.runs == 1)
       | "one sample: the racy refcount ran once; its threads may hardly have overlapped") ]
  | uniq
  | if length == 0 then ["no cause found in the run's data (load, quota, run length and spread look normal): run it again and compare the runs (make compare)"] else . end;

# ------------------------------------------------------------ lessons
def machine_text($ctx):
  "\($ctx.machine.cpu_model // "unknown CPU"), \($ctx.usable) usable CPU\(if $ctx.usable == 1 then "" else "s" end), \(($ctx.machine.date_utc // "")[0:10])";

def evaluate_lesson($l; $ctx):
  [$l.checks[] | evaluate_check(.; $ctx) + { over_row: null } ] as $rs0
  # the rows a cost ratio divides by, for the causes
  | [range($l.checks | length) as $i
     | $rs0[$i] + (if $l.checks[$i].over then
         { over_row: ([$ctx.summary[] | select(.group == $l.checks[$i].group and .label == $l.checks[$i].over)][0].experiment) }
         else {} end)] as $res0
  # A guard out of its band: the ceiling is not one, so a share of it (or a
  # figure read against it: L8's threads at most a share of it) that fails
  # shows nothing either (not shown, with the ceiling as the cause).
  | (if any($res0[]; .guard_failed // false)
     then [range($res0 | length) as $i | $res0[$i]
           | if .status == "fail" and ((.interval.share // false) or $l.checks[$i].of == "ceiling")
             then .status = "not_shown" | .under_guard = true else . end]
     else $res0 end) as $res
  | [$res[] | select(.status == "fail" or .status == "failed_row" or .status == "no_data")] as $bad
  | [$res[] | select(.status == "pass")] as $good
  | [$res[] | select(.status == "not_run")] as $missing
  | [$res[] | select(.status == "not_shown")] as $unsure
  # what was not run: a whole group, or one row of a group that ran
  # (a quiet check, such as a guard of a ceiling, speaks only when it fails)
  | ([$l.checks[] | select(.quiet // false | not) | select(.name as $n | $missing | map(.name) | index([$n]))
      | .group as $g
      | (if .role and $ctx.machine.pythons and (.role as $r | $ctx.machine.pythons | has($r) | not)
         then " (\($ctx.machine.pythons_missing[.role] // "\(.role) not found or none: scripts/pythons.sh"))"
         else "" end) as $why
      | if any($ctx.summary[]; .group == $g)
        then "\($g) \(.label // (.prefer // [] | join(" or ") | select(. != "")) // "rows")\(if .impl then " of " + (.impl | ltrimstr("^")) else "" end)\($why)"
        # a group whose every check reads one interpreter's rows (L8's
        # start-cpython) was left out for want of it: say so
        elif any($l.checks[]; .group == $g and (.role | not)) then "group \($g)"
        else "group \($g)\($why)" end] | uniq) as $missing_text
  # a check marked "required" (L8's CPython interpreters) that did not run
  # leaves the lesson not measured, whatever the others show
  | ([$l.checks[] | select(.required // false) | .name] as $req
     | any($missing[]; .name as $n | $req | index([$n]))) as $required_missing
  | { id: $l.id, title: $l.title,
      numbers: ($res | map(select(.value != null) | {key: .name, value: .value}) | from_entries),
      rows: ([$res[] | select(.status != "not_run") | .rows[]] | uniq),
      checks: [$res[] | del(.over_row)],
      not_run: $missing_text }
  + if (($bad | length) == 0 and ($good | length) == 0 and ($unsure | length) == 0) or $required_missing then
      { status: "not_measured", causes: ["not run: \($missing_text | join(", "))"],
        line: "\($l.id) not measured: \($missing_text | join(", ")) \(if ($missing_text | length) == 1 then "was" else "were" end) not run",
        sentence: "\($l.title): not measured in this run (\($missing_text | join(", ")) not run)." }
    elif ($l.needs_cpus // 1) > $ctx.usable then
      { status: "not_measured",
        causes: ["\($ctx.usable) usable CPU: the lesson needs \($l.needs_cpus) (threads cannot run in parallel here)"],
        line: "\($l.id) cannot show on this machine: only \($ctx.usable) usable CPU (it needs \($l.needs_cpus))",
        sentence: "\($l.title): cannot show on this machine, which has \($ctx.usable) usable CPU (\(machine_text($ctx)))." }
    elif ($bad | length) > 0 then
      causes($bad; $ctx; $l) as $why
      | ([$res[] | select(.status != "not_run" and .status != "not_applicable")
          | select(.status != "pass" or (.quiet | not)) | .text
          + (if .status == "fail" then " (wanted \(.wanted))"
             elif .status == "failed_row" then "row \(.failed | join(", ")) failed"
             elif .status == "no_data" then "no figures for \(.rows | join(", "))" else "" end)]
         | join("; ")) as $all
      | ([$bad[] | .text + (if .status == "fail" then " (wanted \(.wanted); row \(.rows | join(", ")))"
                            elif .status == "failed_row" then "row \(.failed | join(", ")) failed"
                            else " (no figures for \(.rows | join(", ")))" end)] | join("; ")) as $which
      | { status: "fails", causes: $why,
          line: "\($l.id) DOES NOT HOLD: \($which); likely cause: \($why | join("; "))\(
            if ($missing_text | length) > 0 then " (not run: \($missing_text | join(", ")))" else "" end)",
          # a slide takes one sentence: the first (strongest) cause in it,
          # the others in lessons.md's list under it (render_md)
          sentence: "\($l.lead), but this run does not show it: \($all); likely cause: \($why[0])\(
            if ($why | length) > 1 then "; \($why | length - 1) more below" else "" end) (\(machine_text($ctx)))." }
    elif ($unsure | length) > 0 then
      causes($unsure; $ctx; $l) as $why
      | ([$unsure[] | .text + " (wanted \(.wanted); \(if .guard_failed then "a check of the ceiling the lesson is read against" elif .under_guard then "read against that ceiling" else "its interval crosses the bound" end))"] | join("; ")) as $which
      | { status: "not_shown", causes: $why,
          line: "\($l.id) not shown by this run: \($which); likely cause: \($why | join("; "))\(
            if ($missing_text | length) > 0 then " (not run: \($missing_text | join(", ")))" else "" end)",
          sentence: "\($l.lead), but this run cannot tell: \($which); likely cause: \($why[0])\(
            if ($why | length) > 1 then "; \($why | length - 1) more below" else "" end) (\(machine_text($ctx)))." }
    else
      ([$good[] | select(.quiet | not) | .text] | join("; ")) as $all
      | { status: "holds", causes: [],
          line: "\($l.id) holds: \($all)\(if ($missing_text | length) > 0 then " (not run: \($missing_text | join(", ")))" else "" end)",
          sentence: "\($l.lead): \($all) (\(machine_text($ctx)))." }
    end;

def evaluate:
  $ARGS.named as $in
  | ($in.machine[0] // {}) as $m
  | ($in.summary | table(",")) as $s
  | { machine: $m, usable: usable($m), summary: $s,
      startup: ($in.startup // {} | map_values(. + { share: (.startup_s / (.startup_s + .wall_s)) })),
      refcount: ($in.refcount | table(",") | by_experiment),
      convoy: ($in.convoy | table(",") | by_experiment),
      ratios: ($in.ratios // "" | table(",")),
      baseline: ($in.experiments | table("\t") | map(select(.baseline != null) | {key: .id, value: .baseline}) | from_entries) } as $ctx0
  | ([$s[] | select(.group == "count-2" and .label == "shell" and .status == "ok") | .speedup | num][0]) as $ceil
  | ([$s[] | select(.group == "count-2" and .status == "ok"
                   and (.label | IN("threads", "fork", "pool", "threadpool"))) | .speedup | num] | max) as $best
  | ($ctx0 + { ceiling: $ceil, best: $best }) as $ctx
  | { machine: { hostname: $m.hostname, cpu_model: $m.cpu_model, online_cpus: $m.online_cpus,
                 usable_cpus: $ctx.usable, affinity_cpus: $m.affinity_cpus, cpu_quota: $m.cpu_quota,
                 load_before: $m.load_before, load_after: $m.load_after, aa: ($m.aa // {}),
                 size: ($m.size // null) },
      date: $m.date_utc,
      thresholds: { min_median_s: min_median_s, max_rel_spread: max_rel_spread,
                    max_sample_ratio: max_sample_ratio, min_samples: min_samples,
                    max_startup_share: max_startup_share },
      lessons: [lessons_table[] | evaluate_lesson(.; $ctx)] };

# ------------------------------------------------------------ output
def render_md:
  "# What this run shows",
  "",
  "\(.machine.cpu_model // "unknown CPU"), \(.machine.usable_cpus) usable CPUs (\(.machine.online_cpus // "?") online), \(.date // "date unknown"), host \(.machine.hostname // "?").",
  "Each lesson is checked against this run's own numbers (speedups are the group's sequential median over the row's median; for the groups timed in time-paired blocks, the geometric mean of the middle half of the per-block speedups, with its 95% interval in brackets).",
  "",
  # A tiny run (the suite's own test sizes) says so first: its rows last
  # milliseconds, its families take two blocks, its convoys two samples.
  (select(.machine.size == "tiny")
   | "**A tiny run** (`--tiny`, the sizes of the suite's own tests): its rows last milliseconds and its intervals rest on two or three samples, so a lesson it shows is shown on too little to cite; cite a QUICK or full run.", ""),
  # The A/A control first when it failed: seq against itself in the same
  # blocks should be 1; an interval without 1 is this machine's noise floor.
  (.machine.aa // {} | to_entries[] | select(.value.contains_one == false)
   | "**Noise floor: the A/A control (\(.key) against itself, in the same blocks) is \(.value.estimate | fmt("x")) (\(.value.low | fmt("x") | rtrimstr("x"))-\(.value.high | fmt("x") | rtrimstr("x"))), an interval without 1.00: on this machine, differences of that size between two rows are noise.**", ""),
  (.lessons[] | "- **\(.id) \({holds: "holds", fails: "DOES NOT HOLD", not_measured: "not measured", not_shown: "not shown by this run"}[.status]).** \(.sentence)",
                (select(.status == "fails" or .status == "not_shown") | .causes[1:][] | "  - also: \(.)"),
                (select(.status != "not_measured" and (.not_run | length) > 0) | "  - not run: \(.not_run | join(", "))"));

def render_lines: .lessons[].line;

if $ARGS.named.emit == "eval" then evaluate
elif $ARGS.named.emit == "md" then render_md
else render_lines end
