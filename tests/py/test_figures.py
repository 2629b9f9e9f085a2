"""figdata.py and figures.py: each figure's data from small runs (the files
gnuplot reads, byte for byte, and the variables it gets), the figure table,
the caption, gnuplot's command line and the command's usage errors."""
import contextlib
import io
import json
import os
import tempfile
import unittest

from gilbench import figdata, figures, runfiles

SUMMARY = "group,experiment,impl,mode,variant,label,tasks,param,median_s,min_s,max_s,speedup,speedup_low,speedup_high,status\n"


class Run(unittest.TestCase):
    """A run folder of files given as text, and the data steps run on it."""

    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.run = self.tmp.name
        os.mkdir(os.path.join(self.run, "raw"))

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def files(self, **texts: str) -> None:
        """NAME=TEXT: the run's file NAME, '_' for '.' and '__' for '/' (raw__x_csv: raw/x.csv)."""
        for name, text in texts.items():
            with open(os.path.join(self.run, name.replace("__", "/").replace("_", ".")), "w", encoding="utf-8") as f:
                f.write(text)

    def step(self, name: str, *args: str):
        path = os.path.join(self.run, "fig.tsv")
        meta = figdata.STEPS[name](self.run, path, *args)
        text = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        return meta, text


class TestNumbers(unittest.TestCase):
    def test_awk_text(self):
        self.assertEqual([figdata.awk_text(x) for x in (3.0, -0.5, 1.0435123, 2.0 ** 31, 80000000.0)],
                         ["3", "-0.5", "1.04351", "2.14748e+09", "80000000"])

    def test_val(self):
        self.assertEqual([figdata.val(t) for t in ("1e3", "", "3x", " .5", "nan?")][:4], [1000.0, 0.0, 3.0, 0.5])

    def test_cpython_label(self):
        cases = {("py-threads", "cpython-3.11.7"): "CPython 3.11 threads", ("py", "cpython-3.11.7"): "CPython 3.11",
                 ("pyft-gil-threads", "cpython-3.13.1t"): "CPython 3.13t+GIL threads",
                 ("pyft-seq", "cpython-3.13.1t"): "CPython 3.13t seq", ("py2-threads", "cpython-2.7.18"): "CPython 2.7 threads",
                 ("py-seq", "pypy-7.3"): "pypy-7.3 seq", ("py-seq", "cpython-dev"): "CPython dev seq"}
        for (label, impl), want in cases.items():
            self.assertEqual(figdata.cpython_label(label, impl), want)


class TestBars(Run):
    def test_speedup_bars(self):
        self.files(summary_csv=SUMMARY
                   + "count-2,count-2.seq,gilbench,seq,,seq,2,,1.0,0.9,1.1,,,,ok\n"
                   + "count-2,count-2.threads,gilbench,threads,,threads,2,,0.5,0.4,0.6,2.004,1.9,2.1,ok\n"
                   + "count-2,count-2.gil,gilbench,gil,,gil,2,,1.0,0.9,1.1,0.99,,,failed\n"
                   + "count-2-cpython,count-2-cpython.py-threads,cpython-3.11.7,threads,,py-threads,2,,1.3,1.2,1.4,0.758,,,ok\n")
        meta, text = self.step("speedup_bars", "count-2", "count-2-cpython")
        self.assertEqual(text, "# label\tvalue\tlow\thigh\tmode\tstyle\ttext\n"
                         "seq\t1\t1\t1\tseq\t0\t1.00×\n"
                         "threads\t2.004\t1.9\t2.1\tthreads\t0\t2.00× (1.90-2.10)\n"
                         "\t\t\t\t\t\t\n"
                         "CPython 3.11 threads\t0.758\t0.758\t0.758\tthreads\t0\t0.76×\n")
        # xmax: the largest high over the room its text leaves (18 bytes: 1 - 0.014 * 18 - 0.04).
        self.assertEqual(meta, ["xmax:=%g" % (2.1 / (1 - 0.014 * 18 - 0.04)), "modes=seq threads", "n:=3",
                                "has1:=0", "has2:=0", "has3:=0"])

    def test_time_bars(self):
        self.files(summary_csv=SUMMARY
                   + "fetch,fetch.seq,gilbench,seq,,seq,8,,2.0,1.9,2.2,1.0,,,ok\n"
                   + "fetch,fetch.gil-old,gilbench,gil,old,gil-old,8,,0.5,0.5,0.5,4.0,,,ok\n")
        meta, text = self.step("time_bars", "fetch")
        self.assertEqual(text.splitlines()[1:], ["seq\t2.0\t1.9\t2.2\tseq\t0\t2 s", "gil-old\t0.5\t0.5\t0.5\tgil\t1\t0.5 s  (4.00×)"])
        self.assertEqual(meta[1:], ["modes=seq gil", "n:=2", "has1:=1", "has2:=0", "has3:=0",
                                    "xtitle=median wall time (s), whiskers min..max", "tasks=8"])

    def test_no_rows_is_a_skip(self):
        self.files(summary_csv=SUMMARY + "fetch,fetch.seq,gilbench,seq,,seq,8,,,,,,,,failed\n")
        meta, _ = self.step("speedup_bars", "fetch")
        self.assertEqual(meta[-1], "skip=no data in this run")
        self.assertIn("xmax:=1", meta)


class TestSeries(Run):
    def test_series_by_x(self):
        self.files(summary_csv=SUMMARY
                   + "fetch-n,a,gilbench,threads,,threads,8,8,0.3,0.2,0.4,,,,ok\n"
                   + "fetch-n,b,gilbench,seq,,seq,2,2,0.5,0.5,0.6,,,,ok\n"
                   + "fetch-n,c,gilbench,threads,,threads,2,2,0.25,,,,,,ok\n"
                   + "fetch-n,d,gilbench,seq,,seq,8,,0.5,0.5,0.6,,,,ok\n")
        meta, text = self.step("time_series", "fetch-n")
        self.assertEqual(text, "# x y low high\n2\t0.5\t0.5\t0.6\n\n\n2\t0.25\t0.25\t0.25\n8\t0.3\t0.2\t0.4\n\n\n")
        self.assertEqual(meta, ['titles="seq" "threads"', "modes=seq threads", "xmax:=8"])
        # speedup: the seq rows are left out (their speedup is 1 by definition)
        meta, text = self.step("speedup_series", "fetch-n")
        self.assertEqual(meta[-1], "skip=no data in this run")


class TestRefcount(Run):
    HEAD = "experiment,group,label,status,impl,mode,sync,tasks,ops,lost_updates,ns_per_op,runs,runs_with_loss,lost_median,lost_max,lost_min\n"

    def test_lost_in_millions(self):
        self.files(refcount_csv=self.HEAD + "r1,refcount,,ok,gilbench,threads,none,2,40000000,1043512,0.9,1,,,,\n"
                   + "r2,refcount,threads-atomic,ok,gilbench,threads,atomic,2,40000000,0,12.5,5,0,0,0,0\n"
                   + "r3,refcount,x,failed,gilbench,threads,mutex,2,40000000,0,12.5,1,,,,\n"
                   + "r4,refcount,threads-biased,ok,gilbench,threads,biased,2,400,9,3.25,5,3,7,200000,0\n")
        meta, text = self.step("refcount_lost")
        self.assertEqual(text.splitlines()[1:], [
            "threads-none\t1.04351\t1.04351\t1.04351\tthreads\t0\t1.04 M of 80 M updates (1.3%)",
            "threads-atomic\t0\t0\t0\tthreads\t1\texact in all 5 runs",
            "threads-biased\t7e-06\t0\t0.2\tthreads\t3\twrong in 3 of 5 runs, median 7, max 200 k"])
        self.assertEqual(meta[-1], "xtitle=lost updates, millions (median of the runs, whiskers min..max)")
        self.assertIn("has1:=1", meta)
        meta, text = self.step("refcount_cost")
        self.assertEqual(text.splitlines()[1], "threads-none\t0.9\t0.9\t0.9\tthreads\t0\t0.9 ns")

    def test_no_file_is_a_skip(self):
        self.assertEqual(self.step("refcount_lost")[0], ["skip=no refcount.csv in this run"])


class TestConvoy(Run):
    HEAD = "experiment,group,label,status,impl,switch_interval_us,mode,alone_per_s,contended_per_s,slowdown,contended_per_s_min,contended_per_s_max\n"

    def test_bars(self):
        self.files(convoy_csv=self.HEAD + "c1,convoy,gil,ok,gilbench,,gil,1000,10,100,8,12\n"
                   + "c2,convoy,py,ok,cpython-3.11.7,,threads,1000,1250,0.8,0,1300\n"
                   + "c3,convoy,gil-old,failed,gilbench,,gil,1000,10,100,8,12\n"
                   + "c4,convoy-interval,gil,ok,gilbench,5,gil,1000,10,100,8,12\n")
        meta, text = self.step("convoy", "convoy")
        self.assertEqual(meta, [])
        self.assertEqual(text, "# label alone_per_s contended_per_s mode style text low high\n"
                         "gil\t1000\t10\tgil\t0\t100× slower\t8\t12\n"
                         "CPython 3.11\t1000\t1250\tthreads\t2\t1.25× faster\t1250\t1250\n")

    def test_interval_from_an_older_file(self):
        # no group column: the group is the experiment id's first part
        self.files(convoy_csv="experiment,label,impl,switch_interval_us,mode,alone_per_s,contended_per_s,slowdown\n"
                   "convoy-interval.gil.50,gil,gilbench,50,gil,900,90,10\n"
                   "convoy-interval.gil.5,gil,gilbench,5,gil,1000,10,100\n"
                   "convoy.gil,gil,gilbench,,gil,1000,10,100\n")
        meta, text = self.step("convoy_interval", "convoy-interval")
        self.assertEqual(text, "# x y low high\n5\t10\t10\t10\n50\t90\t90\t90\n\n\n5\t1000\t1000\t1000\n50\t900\t900\t900\n\n\n")
        self.assertEqual(meta, ['titles="simulated GIL, beside a CPU-bound thread" "simulated GIL, alone"',
                                "modes=gil gil", "xmax:=50"])


class TestTimeline(Run):
    def test_window_and_merged_holds(self):
        head = "thread,start_s,end_s\n"
        # new: hand-offs every 5 ms over 20 ms; old: thread 0's holds 0.005 ms apart (under a pixel: merged), 10 ms long
        self.files(raw__new_csv=head + "".join("%d,%.3f,%.3f\n" % (i % 2, 1 + i * 0.005, 1.005 + i * 0.005) for i in range(4)),
                   raw__old_csv=head + "0,2.0,2.004\n0,2.004005,2.008\n1,2.008,2.010\n")
        for k in ("new", "old"):
            os.rename(os.path.join(self.run, "raw", k + ".csv"), os.path.join(self.run, "raw", "trace-gil-%s.csv" % k))
        meta, _ = self.step("gil_timeline")
        base = os.path.join(self.run, "fig")
        self.assertEqual(meta[:4], ["window:=10.000000", "threads:=2", "counts_new=2 1", "counts_old=3 1"])
        self.assertEqual(meta[4:], ["data_new=%s-new.tsv" % base, "data_old=%s-old.tsv" % base])
        new = open(base + "-new.tsv", encoding="utf-8").read()
        old = open(base + "-old.tsv", encoding="utf-8").read()
        self.assertEqual(new.splitlines()[0], "# thread start_ms end_ms")
        self.assertEqual(len(new.splitlines()), 3)  # the holds from 0 and 5 ms; 10 ms is the window's end
        self.assertEqual(len(old.splitlines()), 3)  # thread 0's two holds merged, then thread 1's

    def test_missing_trace_is_a_skip(self):
        self.assertEqual(self.step("gil_timeline")[0], ["skip=raw/trace-gil-new.csv or raw/trace-gil-old.csv is missing"])


class TestTable(unittest.TestCase):
    def test_every_row_has_a_step_and_a_script(self):
        for row in runfiles.figure_table():
            self.assertIn(row["data"].split()[0], figdata.STEPS, row["figure"])
            self.assertTrue(os.path.isfile(os.path.join(figures.GP_DIR, row["gnuplot"])), row["gnuplot"])

    def test_needs_read_from_the_table(self):
        rows = [{"figure": "a", "data": "time_bars g1 g2", "needs": ""},
                {"figure": "b", "data": "refcount_lost", "needs": "refcount refcount.csv"}]
        self.assertEqual(runfiles.figure_needs(rows), {"a": (("g1", "g2"), ()), "b": (("refcount",), ("refcount.csv",))})
        self.assertEqual(runfiles.FIGURE_NEEDS["gil-timeline"], (("count-2",), ("raw/trace-gil-new.csv", "raw/trace-gil-old.csv")))
        self.assertEqual(runfiles.FIGURE_NEEDS["convoy"], (("convoy",), ("convoy.csv",)))


class TestCommand(Run):
    def test_caption(self):
        self.files(machine_json=json.dumps({"hostname": "lab", "cpu_model": "CPU", "online_cpus": 8, "usable_cpus": 4,
                                            "date_utc": "2025-11-20T14:03:27Z"}))
        self.assertEqual(figures.caption(self.run), ["lab · CPU · 4 of 8 CPUs usable · 2025-11-20 14:03 UTC", "4"])
        os.unlink(os.path.join(self.run, "machine.json"))
        with contextlib.redirect_stderr(io.StringIO()) as err:
            self.assertEqual(figures.caption(self.run + "/"), ["unknown machine · " + os.path.basename(self.run), "0"])
        self.assertIn("no readable machine.json", err.getvalue())

    def test_gnuplot_setup(self):
        self.assertEqual(figures.gp_setup(["ttl=it's", "xmax:=3.5", "modes=seq gil", "dashes="]),
                         "ttl='it''s'; xmax=3.5; modes='seq gil'; dashes=''")

    def test_help_lists_the_figures(self):
        with contextlib.redirect_stdout(io.StringIO()) as out:
            self.assertEqual(figures.main(["--help"]), 0)
        names = [row["figure"] for row in runfiles.figure_table()]
        listed = out.getvalue().split("figures.txt):\n")[1].split(".\n")[0]
        self.assertEqual(listed.split(), names)
        self.assertTrue(all(len(line) <= 72 for line in listed.splitlines()), listed)

    def test_usage_errors(self):
        self.files(summary_csv=SUMMARY)
        for argv, message in (([self.run, "--out"], "--out: expected a folder"), ([], "RUN= is required"),
                              ([self.run, self.run], "one RUN_DIR only"), (["--terminal", self.run, "--out=x"], "do not go together"),
                              ([self.run + "/raw"], "has no summary.csv"), (["--frob"], "unknown option '--frob'")):
            with contextlib.redirect_stderr(io.StringIO()) as err, self.assertRaises(SystemExit) as done:
                figures.main(argv)
            self.assertEqual(done.exception.code, 2, argv)
            self.assertIn(message, err.getvalue())
            self.assertIn("Try 'scripts/plots.sh --help'.", err.getvalue())


if __name__ == "__main__":
    unittest.main()
