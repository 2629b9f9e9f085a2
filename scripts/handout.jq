# scripts/handout.jq - the answer key of the lab handout (docs/lab/), filled
# in from one run's own files.  scripts/handout.sh runs it; jq 1.6.
#
# --arg emit answers, with the run's files in $ARGS.named (summary, refcount,
# convoy: the CSV text, "" when absent; machine, lessons: the JSON, slurped;
# raw: {ID: raw/ID.run.json}; run: the folder's name; report: the run's
# report.html relative to the pages, "" when it has none), prints {ID: markdown}:
# one answer per question of the handout, and "run" for the key's header.
# --arg emit fill --arg page TEXT --slurpfile key ANSWERS prints the page with
# every marker line "<!-- key ID -->" followed by its answer, between
# "<!-- key ID -->" and "<!-- /key -->", so that a test can find every answer.
#
# An answer is a table row below: "expect" is what the lesson predicts (words
# only: a number in it could not be traced to the run), "measured" the
# question's figures from the run; "checked: false" marks figures that the
# lesson check does not test (GIL statistics), so a failing lesson is only
# noted beside them.  A placeholder in "measured" is copied
# verbatim from one file of the run, found by column or key name, never
# computed:
#   {s:EXPERIMENT:COLUMN}   summary.csv           {r:EXPERIMENT:COLUMN} refcount.csv
#   {c:EXPERIMENT:COLUMN}   convoy.csv            {m:KEY}               machine.json
#   {j:EXPERIMENT:A.B}      raw/EXPERIMENT.run.json, the key path A.B
#   {S:GROUP:LABEL:COLUMN}  summary.csv, the group's rows of that label, by param
#   {C:GROUP:LABEL:COLUMN}  the same rows' figure in convoy.csv
#   {L:ID}                  the lesson's line in lessons.json
# When one cannot be read (its row not run, failed, or without that figure),
# the answer says so and gives no figures.  When the lesson did not hold on a
# row the answer reads, the answer says that the run does not support the
# expected answer, and why (lessons.json's causes).

# ------------------------------------------------------------ the answers
def answers_table: [
  # 1: the CPU-bound loop under the GIL
  { id: "L1.1", lesson: "L1",
    expect: "About the same time as sequential, a speedup near one: only the thread that holds the GIL counts, the other waits for it.",
    measured: "count-2: seq {s:count-2.seq:median_s} s, gil {s:count-2.gil:median_s} s (median), speedup {s:count-2.gil:speedup}x (summary.csv)." },
  { id: "L1.2", lesson: "L1", checked: false,
    expect: "The GIL changed hands again and again (switches, forced drops), and each thread spent about half the run waiting for it (gil wait): the time the other thread counted.",
    measured: "The bench's own run of count-2.gil (raw/count-2.gil.run.json): {j:count-2.gil:gil.switches} switches, {j:count-2.gil:gil.forced_drops} forced drops, {j:count-2.gil:gil.wait_s} s waiting, in a run of {j:count-2.gil:wall_s} s." },
  { id: "L1.3", lesson: "L1",
    expect: "No better: ten threads share one GIL as two do. The same total work takes about as long as in sequence.",
    measured: "count-10: seq {s:count-10.seq:median_s} s, gil {s:count-10.gil:median_s} s, speedup {s:count-10.gil:speedup}x." },
  { id: "L1.4", lesson: "L1",
    expect: "Real CPython 3 behaves as our simulated new GIL does: threads gain nothing on this loop.",
    measured: "{s:count-2-cpython.py-threads:impl}: seq {s:count-2-cpython.py-seq:median_s} s, threads {s:count-2-cpython.py-threads:median_s} s, speedup {s:count-2-cpython.py-threads:speedup}x. The lesson check: {L:L1}" },
  { id: "L1.6", lesson: "L1",
    expect: "With its GIL switched back on, the free-threaded binary's threads gain nothing, as CPython 3's do: the GIL alone takes away what Lesson 2's free-threaded row gains.",
    measured: "{s:count-2-cpython.pyft-gil-threads:impl} with -X gil=1: seq {s:count-2-cpython.pyft-gil-seq:median_s} s, threads {s:count-2-cpython.pyft-gil-threads:median_s} s, speedup {s:count-2-cpython.pyft-gil-threads:speedup}x." },
  { id: "L1.5", lesson: "L1",
    expect: "A hold lasts on the order of one switch interval (the default of `--switch-interval-us`): the waiting thread waits that long before it asks, and the holder drops the GIL at its next check. The two threads alternate: one holder at a time, never both. A shorter interval gives more, shorter holds, and the total time stays about the same as sequential." },
  # 2: processes and free threads
  { id: "L2.1", lesson: "L2",
    expect: "About as many times faster as the machine has usable CPUs, for two tasks at most two: each task runs on its own CPU. `bin/cpus` prints the usable count.",
    measured: "This machine: {m:usable_cpus} usable CPUs. count-2 speedups: two independent processes started together (the ceiling) {s:count-2.shell:speedup}x, threads {s:count-2.threads:speedup}x, fork {s:count-2.fork:speedup}x, pool {s:count-2.pool:speedup}x, threadpool {s:count-2.threadpool:speedup}x." },
  { id: "L2.2", lesson: "L2",
    expect: "Not ten times: ten tasks can only use the usable CPUs, so the speedup stops at that count.",
    measured: "count-10 speedups: threads {s:count-10.threads:speedup}x, fork {s:count-10.fork:speedup}x, pool {s:count-10.pool:speedup}x, on {m:usable_cpus} usable CPUs." },
  { id: "L2.3", lesson: "L2",
    expect: "The speedup grows with the workers up to the usable CPUs and then stays flat; under the GIL it stays near one whatever the count.",
    measured: "count-scaling speedup by workers (param): threads {S:count-scaling:threads:speedup}; fork {S:count-scaling:fork:speedup}; gil {S:count-scaling:gil:speedup}." },
  { id: "L2.4", lesson: "L2",
    expect: "CPython's processes and its process pool gain as our fork and pool do; its threads do not (Lesson 1).",
    measured: "{s:count-2-cpython.py-processes:impl}: processes {s:count-2-cpython.py-processes:speedup}x, pool {s:count-2-cpython.py-pool:speedup}x, threads {s:count-2-cpython.py-threads:speedup}x. The lesson check: {L:L2}" },
  { id: "L2.6", lesson: "L2",
    expect: "Without its GIL, CPython's threads gain as our free threads do, up to the usable CPUs; the same binary with the GIL on does not.",
    measured: "{s:count-2-cpython.pyft-threads:impl} with -X gil=0: seq {s:count-2-cpython.pyft-seq:median_s} s, threads {s:count-2-cpython.pyft-threads:median_s} s, speedup {s:count-2-cpython.pyft-threads:speedup}x; with -X gil=1 {s:count-2-cpython.pyft-gil-threads:speedup}x. The lesson check: {L:L2}" },
  { id: "L2.5", lesson: "L2",
    expect: "With one usable CPU the threads cannot run at the same time: the same time as sequential, no gain. This is the set-up, not the GIL; the bench says so when usable CPUs are fewer than online ones." },
  # 3: the old GIL's battle
  { id: "L3.1", lesson: "L3",
    expect: "Slower than sequential on two or more cores: the thread that drops the GIL takes it straight back while the woken thread is still starting, so the threads fight over it.",
    measured: "count-2: seq {s:count-2.seq:median_s} s, old GIL {s:count-2.gil-old:median_s} s, speedup {s:count-2.gil-old:speedup}x; the new GIL {s:count-2.gil:speedup}x." },
  { id: "L3.2", lesson: "L3", checked: false,
    expect: "Far more acquisitions under the old GIL (one every check interval), most of them by the thread that just released it, and far fewer switches to the other thread than releases.",
    measured: "The bench's own runs (raw/*.run.json): old GIL {j:count-2.gil-old:gil.acquisitions} acquisitions and {j:count-2.gil-old:gil.switches} switches; new GIL {j:count-2.gil:gil.acquisitions} acquisitions and {j:count-2.gil:gil.switches} switches." },
  { id: "L3.3", lesson: "L3",
    expect: "Ten threads fight over the old GIL as two do: still slower than sequential.",
    measured: "count-10: seq {s:count-10.seq:median_s} s, old GIL {s:count-10.gil-old:median_s} s, speedup {s:count-10.gil-old:speedup}x. The lesson check: {L:L3}" },
  { id: "L3.4", lesson: "L3",
    expect: "On one CPU the battle stops: the releasing thread cannot re-take the lock while the woken one runs on another core, because there is none, so the old GIL costs little more than sequential." },
  { id: "L3.6", lesson: "L3",
    expect: "Yes: Python 2's threads are slower than its sequential run on two or more cores, as our old GIL's are.",
    measured: "{s:count-2-cpython.py2-threads:impl}: seq {s:count-2-cpython.py2-seq:median_s} s, threads {s:count-2-cpython.py2-threads:median_s} s, speedup {s:count-2-cpython.py2-threads:speedup}x. The lesson check: {L:L3}" },
  { id: "L3.5", lesson: "L3",
    expect: "A larger check interval means fewer releases, fewer fights and less time lost; a smaller one, more. The old GIL's cost grows with how often it is released." },
  # 4: threads for I/O
  { id: "L4.1", lesson: "L4",
    expect: "Waiting overlaps: threads, the GIL and an event loop all finish in about one delay instead of one delay per request, about as many times faster as there are requests.",
    measured: "fetch, {s:fetch.seq:tasks} requests: seq {s:fetch.seq:median_s} s; threads {s:fetch.threads:median_s} s ({s:fetch.threads:speedup}x); gil {s:fetch.gil:median_s} s ({s:fetch.gil:speedup}x); async {s:fetch.async:median_s} s ({s:fetch.async:speedup}x); fork {s:fetch.fork:speedup}x; pool {s:fetch.pool:speedup}x; threadpool {s:fetch.threadpool:speedup}x." },
  { id: "L4.2", lesson: "L4",
    expect: "Holding the GIL across the transfer serialises the requests again: about the time of seq, the gain is lost.",
    measured: "gil with --gil-io=hold: {s:fetch.gil-hold:median_s} s, speedup {s:fetch.gil-hold:speedup}x, against seq {s:fetch.seq:median_s} s. The lesson check: {L:L4}" },
  { id: "L4.3", lesson: "L4",
    expect: "seq grows in proportion to the number of requests (one delay each); threads and async stay near one delay until the machine or the server runs out of connections.",
    measured: "fetch-n, median seconds by requests (param): seq {S:fetch-n:seq:median_s}; threads {S:fetch-n:threads:median_s}; async {S:fetch-n:async:median_s}." },
  { id: "L4.4", lesson: "L4",
    expect: "A pool runs only as many transfers at once as it has workers: the requests go in batches, about requests / workers delays in all." },
  # 5: sleeping and async
  { id: "L5.1", lesson: "L5", checked: false,
    expect: "seq prints every number, then every letter; threads, gil, fork, the pools with two workers and async mix them, a number and a letter per sleep.",
    measured: "The bench's interleave runs (raw/*.run.json, interleaved): seq {j:interleave.seq:interleaved}, threads {j:interleave.threads:interleaved}, gil {j:interleave.gil:interleaved}, async {j:interleave.async:interleaved}." },
  { id: "L5.2", lesson: "L5",
    expect: "About twice as fast as seq in every mode but seq, the GIL included: a sleeping thread does not hold the GIL, so the other one runs.",
    measured: "interleave: seq {s:interleave.seq:median_s} s; threads {s:interleave.threads:speedup}x, gil {s:interleave.gil:speedup}x, fork {s:interleave.fork:speedup}x, pool {s:interleave.pool:speedup}x, threadpool {s:interleave.threadpool:speedup}x, async {s:interleave.async:speedup}x. The lesson check: {L:L5}" },
  { id: "L5.3", lesson: "L5", checked: false,
    expect: "The overlap is the time both tasks were printing and sleeping at once: nearly the whole run in the concurrent modes, none in seq.",
    measured: "The bench's runs: overlap seq {j:interleave.seq:overlap_s} s, gil {j:interleave.gil:overlap_s} s, async {j:interleave.async:overlap_s} s." },
  { id: "L5.4", lesson: "L5",
    expect: "A thread pool of one worker runs the two tasks one after the other, as seq does: an executor only overlaps as many tasks as it has workers." },
  # 6: reference counts
  { id: "L6.1", lesson: "L6",
    expect: "Not reliably: two threads that load, add and store the same count at the same time lose updates, so the count often ends wrong and may hit zero while references are still held.",
    measured: "refcount.threads-none over {r:refcount.threads-none:runs} runs: wrong in {r:refcount.threads-none:runs_with_loss} (refcount.csv runs_with_loss), lost updates median {r:refcount.threads-none:lost_median}, max {r:refcount.threads-none:lost_max}." },
  { id: "L6.2", lesson: "L6",
    expect: "Every synchronised variant is exact: seq (one thread), atomic, mutex, biased, and plain counts under the GIL.",
    measured: "refcount.csv ok: seq-none {r:refcount.seq-none:ok}, threads-atomic {r:refcount.threads-atomic:ok}, threads-mutex {r:refcount.threads-mutex:ok}, threads-biased {r:refcount.threads-biased:ok}, gil-none {r:refcount.gil-none:ok}. The lesson check: {L:L6}" },
  { id: "L6.3", lesson: "L6",
    expect: "A plain add is cheapest; a contended atomic costs several times more, a mutex more still; biased counting is cheap for the owner thread. That cost on every object is why CPython kept one lock instead.",
    measured: "ns per operation (refcount.csv ns_per_op): seq-none {r:refcount.seq-none:ns_per_op}, seq-atomic {r:refcount.seq-atomic:ns_per_op}, threads-atomic {r:refcount.threads-atomic:ns_per_op}, threads-mutex {r:refcount.threads-mutex:ns_per_op}, threads-biased {r:refcount.threads-biased:ns_per_op}, gil-none {r:refcount.gil-none:ns_per_op}." },
  { id: "L6.4", lesson: "L6",
    expect: "Under the GIL only one thread runs the update at a time, so a plain load-add-store is never interleaved with another: exact, without an atomic." },
  # 7: the convoy effect
  { id: "L7.1", lesson: "L7",
    expect: "Under the new GIL, many times slower: after every round trip the I/O thread must take the GIL back, and the CPU-bound thread keeps it until a switch interval has passed. Free threads and a separate process barely slow down.",
    measured: "convoy.csv slowdown (round trips/s alone over contended, median over {c:convoy.gil:runs} samples): new GIL {c:convoy.gil:slowdown}x (from {c:convoy.gil:alone_per_s} to {c:convoy.gil:contended_per_s} per second), old GIL {c:convoy.gil-old:slowdown}x, threads {c:convoy.threads:slowdown}x, fork {c:convoy.fork:slowdown}x." },
  { id: "L7.2", lesson: "L7",
    expect: "CPython 3 convoys as our new GIL does.",
    measured: "{s:convoy.py:impl}: slowdown {c:convoy.py:slowdown}x (its samples ranged {c:convoy.py:slowdown_min}x to {c:convoy.py:slowdown_max}x)." },
  { id: "L7.3", lesson: "L7",
    expect: "The shorter the switch interval, the sooner the CPU-bound thread is asked to drop the GIL: more round trips per second when contended, at the price of more switches.",
    measured: "convoy-interval, contended round trips/s by switch interval in us (param): ours {C:convoy-interval:gil:contended_per_s}; CPython {C:convoy-interval:py:contended_per_s}. The lesson check: {L:L7}" },
  { id: "L7.4", lesson: "L7",
    expect: "The old GIL is released every check interval, and an I/O thread that wakes can take it at once: a round trip waits for a thread's wake-up (a few times slower on a VM whose CPUs wake slowly), never for a switch interval (hundreds of times). Its price is the battle of Lesson 3; the new GIL traded that for the convoy.",
    measured: "convoy.csv slowdown with the old GIL: ours {c:convoy.gil-old:slowdown}x, {s:convoy.py2:impl} {c:convoy.py2:slowdown}x; with the new GIL: ours {c:convoy.gil:slowdown}x." },
  { id: "L7.6", lesson: "L7",
    expect: "Neither: Python 2's old GIL lets the I/O thread take the GIL at once, and without a GIL there is nothing to wait for.",
    measured: "{s:convoy.py2:impl}: slowdown {c:convoy.py2:slowdown}x; {s:convoy.pyft:impl} with -X gil=0: {c:convoy.pyft:slowdown}x." },
  { id: "L7.7", lesson: "L7",
    expect: "On one CPU the convoy shrinks from hundreds of times to a few times: while the I/O thread waits for its reply the computing thread runs, and the reply has to wait for the CPU anyway. On two CPUs the computing thread is always awake to grab the GIL first: the convoy needs two cores (Beazley's contrast).",
    measured: "pinned to one CPU (--pin=same): ours {c:convoy.gil-one-cpu:slowdown}x, {s:convoy.py-one-cpu:impl} {c:convoy.py-one-cpu:slowdown}x; on two (--pin=apart): ours {c:convoy.gil:slowdown}x. Share of contended round trips that waited 0, 1, 2+ switch intervals, ours apart: {c:convoy.gil:waited_0_share}, {c:convoy.gil:waited_1_share}, {c:convoy.gil:waited_2_share}; on one CPU: {c:convoy.gil-one-cpu:waited_0_share}, {c:convoy.gil-one-cpu:waited_1_share}, {c:convoy.gil-one-cpu:waited_2_share}." },
  { id: "L7.5", lesson: "L7",
    expect: "More spinning tasks, more competition for the GIL after each round trip: slower still under the new GIL; with free threads, slower only once the spinners outnumber the usable CPUs." },
  # 8: subinterpreters
  { id: "L8.1", lesson: "L8",
    expect: "About as fast as threads without a GIL or processes, up to the usable CPUs: no task ever waits for another's GIL.",
    measured: "count-2: seq {s:count-2.seq:median_s} s, interp {s:count-2.interp:median_s} s, speedup {s:count-2.interp:speedup}x (gil {s:count-2.gil:speedup}x, threads {s:count-2.threads:speedup}x, fork {s:count-2.fork:speedup}x); count-10 interp {s:count-10.interp:speedup}x." },
  { id: "L8.2", lesson: "L8",
    expect: "Yes: CPython's isolated interpreters gain as our interp mode does, on a GIL build; its threads do not (Lesson 1).",
    measured: "{s:count-2-cpython.py-interpreters:impl}: isolated interpreters {s:count-2-cpython.py-interpreters:median_s} s, speedup {s:count-2-cpython.py-interpreters:speedup}x over its own seq. The lesson check: {L:L8}" },
  { id: "L8.3", lesson: "L8",
    expect: "On Linux count.py forks its processes: each is a copy of the running interpreter, so two cost little more than one. An isolated interpreter is built from nothing inside the process, its own modules imported again: tens of milliseconds each, more than a fork. A process that starts a fresh interpreter (spawn: the default on macOS and Windows; forkserver, the default on Linux of the newest CPythons) costs more than either.",
    measured: "{s:start-cpython.py-seq:impl} counting to 1 (median): seq {s:start-cpython.py-seq:median_s} s, two interpreters {s:start-cpython.py-interpreters:median_s} s, two processes {s:start-cpython.py-processes:median_s} s." },
  { id: "L8.4", lesson: "L8",
    expect: "By copying: count.py's interpreters write their result to a pipe the main interpreter reads (concurrent.interpreters copies through queues). A large result is serialised and copied, as between processes, unlike threads, which share it." },
  { id: "L8.5", lesson: "L8", checked: false,
    expect: "No convoy: the I/O task never waits for the spinner's GIL, as with free threads or a separate process.",
    measured: "convoy.csv slowdown: a GIL per task {c:convoy.interp:slowdown}x, one new GIL {c:convoy.gil:slowdown}x, free threads {c:convoy.threads:slowdown}x." }
];

# ------------------------------------------------------------ reading
def table(sep):
  [split("\n")[] | rtrimstr("\r") | select(length > 0) | split(sep)] as $l
  | if ($l | length) == 0 then []
    else $l[0] as $h
    | [$l[1:][] as $f | [range($h | length) as $i | {($h[$i]): ($f[$i] // "" | if . == "" then null else . end)}] | add]
    end;
def by_experiment: map({key: .experiment, value: .}) | from_entries;
def uniq: reduce .[] as $x ([]; if index([$x]) then . else . + [$x] end);
def scalar: if type == "string" then . elif type == "boolean" or type == "number" then tostring else null end;

# resolve($p; $ctx): a placeholder's text {ok: true, text, rows} or
# {ok: false, why, rows}.
# A row of CPython 2.7, a free-threaded CPython or a CPython 3.12+ for its
# interpreters (matrix.sh: py2, pyft; pyi-*, py-interpreters, start-cpython)
# missing because the bench found no such interpreter says so.
def role_of($id): if ($id | test("\\.py2(-|$)")) then "PYTHON2" elif ($id | test("\\.pyft(-|$)")) then "PYTHON_FT"
  elif ($id | test("\\.(pyi-[a-z]+|py-interpreters)$|^start-cpython\\.")) then "PYTHON_INTERP" else null end;
def need($row; $id; $file; $m):
  if $row == null and role_of($id) != null and (($m.pythons // {}) | has(role_of($id)) | not) then
    { ok: false, rows: [$id], why: "row \($id) was not run: the bench found no \(role_of($id)) (scripts/pythons.sh says how to get one)" }
  elif $row == null then { ok: false, rows: [$id], why: "row \($id) was not run (its group left out with --only?)" }
  elif ($row.status // "ok") != "ok" then { ok: false, rows: [$id], why: "row \($id) failed (its log: raw/\($id).*)" }
  else { ok: true, rows: [$id] } end;
def value_of($v; $id; $what):
  if $v == null then { ok: false, rows: [$id], why: "\($id) has no \($what)" }
  else { ok: true, rows: [$id], text: $v } end;
def series($rows; $id; fig):
  [$rows[] | select(.status == "ok") | { p: (.param | tonumber? // null), v: fig }]
  | sort_by(.p)
  | if length == 0 then { ok: false, rows: [$id], why: "no rows of \($id) were run" }
    elif any(.[]; .v == null or .p == null) then { ok: false, rows: [$id], why: "\($id) lacks a figure" }
    else { ok: true, rows: [$rows[] | .experiment], text: ([.[] | "\(.v) at \(.p)"] | join(", ")) } end;
def resolve($p; $ctx):
  ($p | split(":")) as $f
  | if $f[0] == "m" then value_of($ctx.machine[$f[1]] | scalar; "machine.json"; $f[1])
    elif $f[0] == "L" then
      ([$ctx.lessons.lessons[]? | select(.id == $f[1])][0]) as $l
      | if $l == null then { ok: false, rows: [], why: "lessons.json has no \($f[1])" }
        else { ok: true, rows: [], text: $l.line } end
    elif $f[0] == "S" or $f[0] == "C" then
      [$ctx.summary[] | select(.group == $f[1] and .label == $f[2])] as $rows
      | if ($rows | length) == 0 then { ok: false, rows: ["\($f[1]) \($f[2])"], why: "group \($f[1]) (\($f[2])) was not run" }
        elif $f[0] == "S" then series($rows; "\($f[1]) \($f[2])"; .[$f[3]])
        else series($rows; "\($f[1]) \($f[2])"; $ctx.convoy[.experiment][$f[3]]) end
    else
      ([$ctx.summary[] | select(.experiment == $f[1])][0]) as $row
      | need($row; $f[1]; "summary.csv"; $ctx.machine) as $n
      | if ($n.ok | not) then $n
        elif $f[0] == "s" then value_of($row[$f[2]]; $f[1]; "\($f[2]) in summary.csv")
        elif $f[0] == "r" then value_of($ctx.refcount[$f[1]][$f[2]]; $f[1]; "\($f[2]) in refcount.csv")
        elif $f[0] == "c" then value_of($ctx.convoy[$f[1]][$f[2]]; $f[1]; "\($f[2]) in convoy.csv")
        elif $ctx.raw[$f[1]] == null then { ok: false, rows: [$f[1]], why: "the run has no raw/\($f[1]).run.json (the binary's own report)" }
        else value_of($ctx.raw[$f[1]] | getpath($f[2] | split(".")) | scalar; $f[1];
                      "\($f[2]) in raw/\($f[1]).run.json") end
    end;

# fill($t; $ctx): {ok, text, rows, why}: the template with every placeholder
# replaced, or the reasons it cannot be.
def fill($t; $ctx):
  [$t | scan("\\{([A-Za-z]+:[^{}]+)\\}") | .[0]] as $ps
  | [$ps[] | resolve(.; $ctx)] as $rs
  | { rows: ([$rs[].rows[]] | uniq),
      why: ([$rs[] | select(.ok | not) | .why] | uniq),
      text: (reduce range($ps | length) as $i ($t;
               if $rs[$i].ok then split("{" + $ps[$i] + "}") | join($rs[$i].text) else . end)) }
  | .ok = (.why | length == 0);

# ------------------------------------------------------------ the answers
def lesson_of($ctx; $id): [$ctx.lessons.lessons[]? | select(.id == $id)][0];

# caveat($a; $rows; $ctx): what the lesson's status means for this answer.
def caveat($a; $rows; $ctx):
  lesson_of($ctx; $a.lesson) as $l
  | if $l == null then ["lessons.json has no \($a.lesson): the expected answer above is not checked against this run."]
    elif $l.status == "holds" or $l.status == null then []
    elif $l.status == "not_measured" then
      ["This run does not measure lesson \($l.id): \($l.causes | join("; "))."]
    elif $l.status == "not_shown" then
      ["This run cannot tell whether lesson \($l.id) holds: the 95% interval of "
       + ([$l.checks[]? | select(.status == "not_shown") | .text] | join("; "))
       + " crosses its bound. Likely cause (lessons.json): \($l.causes | join("; ")). Run it again, or quote the interval, not the figure alone."]
    else
      [$l.checks[]? | select(.status == "fail" or .status == "failed_row" or .status == "no_data")] as $bad
      | [$bad[] | select(any(.rows[]; . as $r | $rows | index([$r])))] as $mine
      | if ($a.checked == false) then
          ["Lesson \($l.id) did not hold in this run (rows \([$bad[].rows[]] | uniq | join(", "))); the figures of this question are not the ones it checks."]
        elif ($mine | length) > 0 then
          ["**This run does not support the expected answer**: lesson \($l.id) did not hold on this question's rows: "
           + ([$mine[] | (.text // "") + (if .wanted and .wanted != "" then " (wanted \(.wanted))" else "" end)
               + (if .status == "failed_row" then "row \(.failed | join(", ")) failed" else "" end)] | join("; "))
           + ". Likely cause (lessons.json): \($l.causes | join("; ")). Answer from the figures below, and say why they differ."]
        else ["Lesson \($l.id) did not hold in this run on other rows (\([$bad[].rows[]] | uniq | join(", "))); this question's rows agree with it."] end
    end;

def answer($a; $ctx):
  (if $a.measured then fill($a.measured; $ctx) else { ok: true, rows: [], why: [], text: null } end) as $m
  | ([("**Expected.** " + $a.expect)]
     + (if $a.measured == null then ["**This run.** Not measured by the bench: check it with the commands above."]
        elif $m.ok then caveat($a; $m.rows; $ctx) + ["**This run.** " + $m.text]
        else ["**This run cannot answer this**: " + ($m.why | join("; ")) + "."] end))
  | map("> " + .) | join("\n>\n");

def header($ctx):
  $ctx.machine as $m
  | "> **Answer key** for the run `\($ctx.run)`: \($m.cpu_model // "unknown CPU"), \($m.usable_cpus // $m.online_cpus // "?") usable CPUs (\($m.online_cpus // "?") online), \($m.date_utc // "date unknown"), host \($m.hostname // "?"), suite \($m.suite_version // "?")\(if $m.git_commit then " at " + $m.git_commit else "" end).\n"
  + "> Every figure in the answers is copied from that run's summary.csv, refcount.csv, convoy.csv, machine.json, lessons.json or raw/*.run.json, by column or key name.";

def answers:
  $ARGS.named as $in
  | { run: $in.run, machine: ($in.machine[0] // {}), lessons: ($in.lessons[0] // {}),
      summary: ($in.summary | table(",")),
      refcount: ($in.refcount | table(",") | by_experiment),
      convoy: ($in.convoy | table(",") | by_experiment),
      raw: ($in.raw[0] // {}) } as $ctx
  # The first answer of each lesson links to the run's page at that lesson
  # (report.html#Lk: its verdict, checks and figure), when the run has one.
  | (reduce answers_table[] as $a ({}; if has($a.lesson) then . else . + {($a.lesson): $a.id} end)) as $first
  | ($in.report // "") as $page
  | ([answers_table[] | {key: .id, value: (answer(.; $ctx)
       + (if $page != "" and $first[.lesson] == .id
          then "\n>\n> **Figure.** [\(.lesson) on this run's page](\(if ($page | test("[ ()<>]")) then "<\($page)#\(.lesson)>" else "\($page)#\(.lesson)" end)): its verdict, its checks with their intervals and its figure."
          else "" end))}] | from_entries) + { run: header($ctx) };

# ------------------------------------------------------------ filling a page
def fill_page:
  $ARGS.named.key[0] as $k
  | [$ARGS.named.page | rtrimstr("\n") | split("\n")[]
     | (capture("^<!-- key (?<id>[^ ]+) -->$") // null) as $c
     | if $c == null then .
       elif $k[$c.id] == null then error("no answer for marker \($c.id)")
       else ., $k[$c.id], "<!-- /key -->" end]
  | join("\n");

# ------------------------------------------------------------ one group's rows
# show: the rows of group $ARGS.named.group, the columns a question reads,
# each by name from summary.csv and, for refcount and convoy rows, from
# refcount.csv or convoy.csv; values verbatim, "-" when empty.
def show:
  $ARGS.named as $in
  | ($in.summary | table(",")) as $s
  | ($in.refcount | table(",") | by_experiment) as $r
  | ($in.convoy | table(",") | by_experiment) as $c
  | [$s[] | select(.group == $in.group)] as $rows
  | if ($rows | length) == 0 then error("no rows of group '\($in.group)' in this run (groups: \([$s[].group] | uniq | join(" ")))") else . end
  | [$rows[] | {experiment, impl, tasks, workers, param, median_s, rel_spread, speedup, status}
      + (if $r[.experiment] then $r[.experiment] | {runs, runs_with_loss, lost_median, lost_max, ns_per_op, ok} else {} end)
      + (if $c[.experiment] then $c[.experiment] | {runs, alone_per_s, contended_per_s, slowdown, slowdown_min, slowdown_max, pin, waited_0_share, waited_1_share, waited_2_share} else {} end)] as $t
  | ([$t[] | keys_unsorted[]] | uniq) as $all
  | [$all[] as $k | select(any($t[]; .[$k] != null)) | $k] as $cols
  | ([$cols] + [$t[] | . as $row | [$cols[] | $row[.] // "-"]]) as $cells
  | [range($cols | length) as $i | [$cells[][$i] | length] | max] as $w
  | $cells[] | [range($cols | length) as $i | .[$i] + " " * ($w[$i] - (.[$i] | length))] | join("  ") | sub(" +$"; "");

if $ARGS.named.emit == "answers" then answers
elif $ARGS.named.emit == "ids" then [answers_table[].id]
elif $ARGS.named.emit == "show" then show
else fill_page end
