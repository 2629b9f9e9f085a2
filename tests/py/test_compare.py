"""compare.py and comparedata.py: machine names, the join, the ratios and the
agreement line, the figure data, bundles (bundle.open_bundle as compare calls
it), the command line."""
import contextlib
import io
import os
import shutil
import subprocess
import tempfile
import unittest

from gilbench import bundle, compare, comparedata as cd

HEADER = "case,impl,group,experiment,mode,label,tasks,workers,param,median_s,speedup,status"


def machine(host: str, cpus: str = "4", cpu: str = "unknown", size: str = "full") -> dict:
    return {"host": host, "usable_cpus": cpus, "cpu_model": cpu, "size": size, "source": "results/" + host,
            "name": host, "online_cpus": cpus, "cpu_quota": "none", "governor": "unknown", "compiler": "gcc",
            "python": "3.11", "date_utc": "2024", "fabricated": "false"}


def summary(*rows: str) -> list:
    return [dict(zip(HEADER.split(","), r.split(","))) for r in rows]


def named(*ms: dict) -> list:
    ms = [dict(m) for m in ms]
    cd.name_machines(ms)
    return ms


class TestNames(unittest.TestCase):
    def test_cpu_short(self):
        self.assertEqual(cd.cpu_short("Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz"), "Core i5-8250U")
        self.assertEqual(cd.cpu_short("AMD Ryzen 7 5800X 8-Core Processor"), "Ryzen 7 5800X")
        self.assertEqual(cd.cpu_short("11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz"), "Core i7-1165G7")
        self.assertEqual(cd.cpu_short("unknown"), "")

    def test_labels_short_unique_ranked(self):
        ms = named(machine("pc017.cs.example.edu", "4"), machine("pc017.math.example.edu", "12"),
                   machine("vm", "2"), machine("vm", "1"), machine("ws-physics-station-07", "8"))
        self.assertEqual([m["label"] for m in ms], ["pc017.cs · 4 CPUs", "pc017.math · 12 CPUs", "vm #1 · 2 CPUs",
                                                    "vm #2 · 1 CPU", "ws-phys…tion-07 · 8 CPUs"])
        self.assertEqual([m["id"] for m in ms], ["pc017.cs.example.edu", "pc017.math.example.edu", "vm#1", "vm#2",
                                                 "ws-physics-station-07"])
        self.assertEqual([m["rank"] for m in ms], ["3", "5", "2", "1", "4"])

    def test_elided_twins_get_their_position(self):
        ms = named(machine("lab-mac-aa-ine-0001"), machine("lab-mac-bb-ine-0001"))
        self.assertEqual([m["label"] for m in ms], ["lab-mac…ne-0001 · 4 CPUs (1)", "lab-mac…ne-0001 · 4 CPUs (2)"])

    def test_jq_text(self):
        self.assertEqual([cd.jq_text(v) for v in (4.0, 1.5, True, 7, [1, "a"], 1e17)],
                         ["4", "1.5", "true", "7", '[1,"a"]', "1e+17"])


class TestJoinAndReport(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.runs = [os.path.join(self.tmp, x) for x in "ab"]
        for r in self.runs:
            os.mkdir(r)
        a = summary("count,gilbench,count-2,c.seq,seq,seq,2,1,,0.70,,ok", "count,gilbench,count-2,c.t,threads,threads,2,2,,0.35,2.0,ok",
                    "count,gilbench,count-2,c.p,pool,pool,2,2,,0.40,1.75,ok")
        b = summary("count,gilbench,count-2,c.seq,seq,seq,2,1,,0.84,,ok", "count,gilbench,count-2,c.t,threads,threads,2,4,,0.36,2.3,ok",
                    "count,gilbench,count-2,c.p,pool,pool,2,4,,9,1,failed")
        self.rows = cd.join(self.runs, [a, b])
        self.ms = named(machine("a"), machine("b"))

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_join(self):
        got = [(r["label"], r["run"], r["workers"], r["median_s"], r["speedup"], r["kind"]) for r in self.rows]
        self.assertEqual(got, [("seq", "1", "1", "0.70", "1", "speedup"), ("seq", "2", "1", "0.84", "1", "speedup"),
                               ("threads", "1", "2", "0.35", "2.0", "speedup"), ("threads", "2", "4", "0.36", "2.3", "speedup"),
                               ("pool", "1", "2", "0.40", "1.75", "speedup"), ("pool", "2", "4", "-", "-", "speedup")])

    def test_report(self):
        rep = compare.report(self.ms, self.rows, "10", "results/a", True)
        self.assertEqual([r["ratio"] for r in rep["csv"]], ["1.000", "1.200", "1.000", "1.029", "1.000", ""])
        self.assertEqual(rep["stdout"][0], "# run sizes: a full, b full")
        self.assertIn("count-2  pool           0.400       -       -", rep["stdout"])
        self.assertEqual(rep["stdout"][-1], "agreement: 1 of 2 rows within ±10% of results/a (worst: count-2 seq 1.20x)")
        self.assertIn("| count-2 | pool | 2 | 2/4 |  | 0.400 | - | - |\n", rep["wide"])
        self.assertEqual(compare.report(self.ms, self.rows, "20", "A", True)["tail"],
                         "agreement: 2 of 2 rows within ±20% of A (worst: count-2 seq 1.20x)\n")

    def test_spread_for_many_machines(self):
        ms = named(machine("a"), machine("b"), machine("c"))
        rows = [dict(group="fetch", label="seq", param="", tasks="2", workers="1", value=v, kind="time", case="fetch",
                     impl="gilbench", mode="seq", median_s=v, speedup="-", slowdown="-") for v in ("1.0", "1.5", "0.5")]
        out = compare.report(ms, rows, "10", "A", False)["stdout"]
        self.assertEqual(out[0], "# run sizes: all 3 runs full")
        self.assertEqual(out[-2], "fetch    seq         0.50 (c) .. 1.00 .. 1.50 (b)")

    def test_plot_data_bars_and_rows(self):
        bars = cd.plot_data(self.ms, self.rows, "overlay", self.tmp)[0]
        self.assertEqual((bars["style"], bars["has"], bars["labs"], bars["vmin"], bars["vmax"]),
                         ("bars", "1 1", "seq threads pool", "0", "2.576"))
        with open(bars["file"]) as f:
            self.assertEqual(f.read(), "label\tm1\tm2\nseq\t1\t1\nthreads\t2.0\t2.3\npool\t1.75\t-\n")
        rows = cd.plot_data(self.ms, self.rows, "rows", self.tmp)[0]
        self.assertEqual(rows["md"], "| machine | seq | threads | pool |\n|---|--:|--:|--:|\n"
                                     "| a · 4 CPUs | 1.00 | 2.00 | 1.75 |\n| b · 4 CPUs | 1.00 | 2.30 | - |")

    def test_plot_data_sweep(self):
        ms = named(machine("a"))
        rows = [dict(group="n", label="threads", mode="threads", param=p, run="1", plotted=v, kind="speedup")
                for p, v in (("16", "3"), ("1", "1"), ("4", "2.5"))]
        lines = cd.plot_data(ms, rows, "overlay", self.tmp)[0]
        self.assertEqual((lines["style"], lines["xticks"], lines["has"]), ("lines", "1 4 16", "0"))
        with open(lines["file"]) as f:
            self.assertEqual(f.read(), "# threads on machine 1\n1\t1\n4\t2.5\n16\t3\n\n\n")
        best = cd.plot_data(ms, rows, "rows", self.tmp)[0]
        self.assertIn("| a · 4 CPUs | 3.00 |", best["md"])
        many = [dict(rows[0], param=str(p), plotted="1") for p in range(10, 49)]  # 39 whole params: ticks 5 apart
        self.assertEqual(cd.plot_data(ms, many, "overlay", self.tmp)[0]["xticks"], "5")


class TestBundle(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        run = os.path.join(self.tmp, "r")
        os.mkdir(run)
        with open(os.path.join(run, "summary.csv"), "w") as f:
            f.write(HEADER + "\n")
        subprocess.run("sha256sum ./summary.csv > SHA256SUMS", shell=True, cwd=run, check=True)
        self.tar = os.path.join(self.tmp, "r.tar")
        subprocess.run(["tar", "-C", self.tmp, "-cf", self.tar, "r"], check=True)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_plain_tar_is_whole_with_a_note(self):
        err = io.StringIO()
        os.mkdir(os.path.join(self.tmp, "o"))
        with contextlib.redirect_stderr(err):
            run = bundle.open_bundle(self.tar, os.path.join(self.tmp, "o"), "compare")
        self.assertTrue(os.path.isfile(os.path.join(run, "summary.csv")))
        self.assertIn(": note: a plain tar without the gzip layer", err.getvalue())

    def test_an_edited_file_is_named(self):
        with open(os.path.join(self.tmp, "r", "summary.csv"), "a") as f:
            f.write("x\n")
        subprocess.run(["tar", "-C", self.tmp, "-czf", self.tar + ".gz", "r"], check=True)
        os.mkdir(os.path.join(self.tmp, "o"))
        with self.assertRaises(bundle.Damaged) as e:
            bundle.open_bundle(self.tar + ".gz", os.path.join(self.tmp, "o"), "compare")
        self.assertTrue(str(e.exception).endswith("a damaged bundle: summary.csv differs from its checksum (changed after packing)"))


class TestCommandLine(unittest.TestCase):
    def usage(self, *argv: str) -> str:
        err = io.StringIO()
        with contextlib.redirect_stderr(err), self.assertRaises(SystemExit) as e:
            compare.parse(list(argv))
        self.assertEqual(e.exception.code, 2)
        return err.getvalue().splitlines()[0]

    def test_usage_errors(self):
        here = os.path.dirname(os.path.abspath(__file__))
        self.assertEqual(self.usage(here, "--tolerance=1e3", here), "compare: --tolerance: expected a percentage such as 10, got '1e3'")
        self.assertEqual(self.usage(here), "compare: needs two or more run folders, got only '%s': make compare"
                         ' RUNS="results/A results/B"' % here)
        self.assertEqual(self.usage(here, here, "--layout"), "compare: --layout: expected overlay, rows or auto")
        self.assertEqual(self.usage("-x", here, here), "compare: unknown option '-x'")
        self.assertEqual(self.usage(here, __file__), "compare: %s: not a run folder or a bundle (*.tar.gz)" % __file__)
        o, runs = compare.parse(["--out=x/", "--layout", "rows", "--", here, here])
        self.assertEqual((o["out"], o["layout"], o["tolerance"], runs), ("x/", "rows", "10", [here, here]))

    def test_repo_path(self):
        self.assertEqual(compare.repo_path(os.path.join(compare.ROOT, "results", "..", "results", "a")), "results/a")
        self.assertEqual(compare.repo_path("/elsewhere//a/"), "/elsewhere/a")


if __name__ == "__main__":
    unittest.main()
