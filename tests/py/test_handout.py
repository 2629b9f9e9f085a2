"""answerkey.py and handout.py: a placeholder is copied verbatim or the answer
says why it cannot be; a failing lesson is named beside the rows it read;
a page gets each answer after its marker; --show aligns a group's rows;
--newest finds the newest run with a group; the key is written whole."""
import contextlib
import io
import json
import os
import shutil
import tempfile
import unittest

from gilbench import answerkey, handout

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures")


def row(**kw):
    return dict({"status": "ok"}, **kw)


def context(**kw):
    ctx = {"run": "r", "machine": {"usable_cpus": 2}, "raw": {}, "refcount": {}, "convoy": {},
           "summary": [row(experiment="count-2.seq", group="count-2", label="seq", median_s="0.50"),
                       row(experiment="count-2.gil", group="count-2", label="gil", speedup="0.99"),
                       row(experiment="s.threads.4", group="s", label="threads", param="4", speedup="1.9"),
                       row(experiment="s.threads.1", group="s", label="threads", param="1", speedup="1.0")],
           "lessons": {"lessons": [{"id": "L1", "status": "holds", "line": "L1 holds: yes"}]}}
    ctx.update(kw)
    return ctx


class TestPlaceholders(unittest.TestCase):
    def test_copied_verbatim(self):
        rows, text, why = answerkey.fill("seq {s:count-2.seq:median_s} s, {m:usable_cpus} CPUs. {L:L1}", context())
        self.assertEqual((text, why), ("seq 0.50 s, 2 CPUs. L1 holds: yes", []))
        self.assertEqual(rows, ["count-2.seq", "machine.json"])

    def test_a_sweep_by_param(self):
        self.assertEqual(answerkey.fill("{S:s:threads:speedup}", context())[1], "1.0 at 1, 1.9 at 4")

    def test_why_not(self):
        ctx = context(summary=context()["summary"] + [row(experiment="f.gil", status="failed")])
        for place, why in (("s:count-2.seq:nope", "count-2.seq has no nope in summary.csv"),
                           ("s:count-10.gil:speedup", "row count-10.gil was not run (its group left out with --only?)"),
                           ("s:count-2-cpython.py2-seq:impl", "the bench found no PYTHON2"),
                           ("s:f.gil:speedup", "row f.gil failed (its log: raw/f.gil.*)"),
                           ("j:count-2.gil:gil.switches", "the run has no raw/count-2.gil.run.json"),
                           ("S:nope:gil:speedup", "group nope (gil) was not run"),
                           ("L:L9", "lessons.json has no L9")):
            _, text, whys = answerkey.fill("x {%s} y" % place, ctx)
            self.assertIn(why, whys[0], place)
            self.assertEqual(text, "x {%s} y" % place)

    def test_raw_report_values_as_jq_printed_them(self):
        ctx = context(raw={"count-2.gil": {"gil": {"switches": 43, "wait_s": 0.301042352, "n": 2.0, "w": 1e-05},
                                           "ok": True}})
        self.assertEqual(answerkey.fill("{j:count-2.gil:gil.switches} {j:count-2.gil:gil.wait_s} {j:count-2.gil:gil.n}"
                                        " {j:count-2.gil:gil.w} {j:count-2.gil:ok}", ctx)[1], "43 0.301042352 2 1e-05 true")
        self.assertIn("has no gil.nope", answerkey.fill("{j:count-2.gil:gil.nope}", ctx)[2][0])


class TestAnswers(unittest.TestCase):
    A = {"id": "L1.1", "lesson": "L1", "expect": "Near one.", "measured": "gil {s:count-2.gil:speedup}x."}

    def failing(self, **check):
        les = {"id": "L1", "status": "fails", "causes": ["load"], "line": "",
               "checks": [dict({"status": "fail", "rows": ["count-2.gil"], "text": "gil 1.9x", "wanted": "0.8-1.25"}, **check)]}
        return context(lessons={"lessons": [les]})

    def test_holds(self):
        self.assertEqual(answerkey.answer(self.A, context()), "> **Expected.** Near one.\n>\n> **This run.** gil 0.99x.")

    def test_fails_on_its_rows(self):
        text = answerkey.answer(self.A, self.failing())
        self.assertIn("**This run does not support the expected answer**: lesson L1 did not hold on this question's rows:"
                      " gil 1.9x (wanted 0.8-1.25). Likely cause (lessons.json): load.", text)
        self.assertTrue(text.endswith("> **This run.** gil 0.99x."))

    def test_fails_elsewhere_or_unchecked(self):
        self.assertIn("did not hold in this run on other rows (count-9.gil); this question's rows agree",
                      answerkey.answer(self.A, self.failing(rows=["count-9.gil"])))
        self.assertIn("the figures of this question are not the ones it checks",
                      answerkey.answer(dict(self.A, checked=False), self.failing()))

    def test_cannot_answer_and_not_measured(self):
        ctx = context(summary=[])
        self.assertEqual(answerkey.answer(self.A, ctx).split("\n")[-1],
                         "> **This run cannot answer this**: row count-2.gil was not run (its group left out with --only?).")
        self.assertIn("Not measured by the bench", answerkey.answer({"lesson": "L1", "expect": "E."}, ctx))

    def test_key_header_and_link(self):
        m = {"cpu_model": "Xeon", "usable_cpus": 2, "online_cpus": 4, "date_utc": "D", "hostname": "h",
             "suite_version": "0.1.0", "git_commit": "abc"}
        key = answerkey.answers(context(machine=m, run="my run"), "../report (1).html")
        self.assertTrue(key["run"].startswith("> **Answer key** for the run `my run`: Xeon, 2 usable CPUs (4 online),"
                                              " D, host h, suite 0.1.0 at abc.\n"))
        self.assertIn("[L1 on this run's page](<../report (1).html#L1>)", key["L1.1"])
        self.assertNotIn("this run's page", key["L1.4"])
        self.assertIn("unknown CPU, ? usable CPUs (? online), date unknown", answerkey.answers(context(machine={}), "")["run"])

    def test_fill_page(self):
        self.assertEqual(answerkey.fill_page("# T\n<!-- key run -->\nQ\n<!-- key Q1 -->\n", {"run": "R", "Q1": "A"}),
                         "# T\n<!-- key run -->\nR\n<!-- /key -->\nQ\n<!-- key Q1 -->\nA\n<!-- /key -->\n")
        with self.assertRaisesRegex(ValueError, "no answer for marker Q2"):
            answerkey.fill_page("<!-- key Q2 -->", {})


class TestCommands(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)

    def call(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = handout.main(list(argv))
            except SystemExit as e:
                status = e.code
        return status, out.getvalue(), err.getvalue()

    def test_show_aligns_and_dashes(self):
        summary = [{"experiment": "r.a", "impl": "gilbench", "group": "r", "speedup": None, "status": "ok"},
                   {"experiment": "r.bb", "impl": "c", "group": "r", "speedup": "1.5", "status": "ok"}]
        lines = handout.show(summary, {"r.a": {"runs": "10", "ok": "1"}}, {}, "r")
        self.assertEqual(lines, ["experiment  impl      speedup  status  runs  ok",
                                 "r.a         gilbench  -        ok      10    1",
                                 "r.bb        c         1.5      ok      -     -"])
        with self.assertRaisesRegex(handout.Failed, r"no rows of group 'x' in this run \(groups: r\)"):
            handout.show(summary, {}, {}, "x")

    def test_newest(self):
        for name, group, age in (("old", "count-2", 100), ("new", "convoy", 0), ("none", None, 0)):
            os.mkdir(os.path.join(self.tmp, name))
            if group:
                with open(os.path.join(self.tmp, name, "summary.csv"), "w") as f:
                    f.write("case,group\nc,%s\n" % group)
            os.utime(os.path.join(self.tmp, name), (1e9 - age, 1e9 - age))
        self.assertEqual(self.call("--newest=count-2", self.tmp + "/")[:2], (0, self.tmp + "/old/\n"))
        self.assertEqual(self.call("--newest=convoy", self.tmp)[1], self.tmp + "/new/\n")
        status, _, err = self.call("--newest=fetch", self.tmp)
        self.assertEqual((status, err), (1, "handout: no run under %s has rows of group 'fetch' (run make bench QUICK=1)\n"
                                         % self.tmp))

    def test_usage(self):
        for argv, says in (((), "RUN= is required"), (("--fast", "r"), "unknown option '--fast'"),
                           (("a", "b"), "one run folder, got 'a' and 'b'"), (("--out=", "r"), "unknown option '--out='"),
                           (("--show=g", "--out=o", "r"), "--show and --out do not go together"),
                           (("--newest=g", "--show=g", "r"), "--newest goes alone"), (("a", "--", "b"), "got more")):
            status, _, err = self.call(*argv)
            self.assertEqual((status, err.split("\n")[1:]), (2, ["Try 'scripts/handout.sh --help'.", ""]), argv)
            self.assertIn(says, err, argv)
        self.assertTrue(self.call("--help", "--fast")[1].startswith("Usage: scripts/handout.sh [--out=DIR] RUN_DIR"))

    def test_write_key_whole(self):
        run = os.path.join(self.tmp, "run x")
        shutil.copytree(os.path.join(FIXTURES, "handout-run"), run)
        status, out, err = self.call(run + "/")
        pages = sorted(f for f in os.listdir(handout.PAGES) if f.endswith(".md"))
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(out, "".join("%s/handout/%s\n" % (run, p) for p in pages))
        with open(os.path.join(run, "handout", "README.md"), encoding="utf-8") as f:
            self.assertIn("> **Answer key** for the run `run x`: ", f.read())
        self.assertEqual(sorted(os.listdir(self.tmp)), ["run x"])  # nothing staged is left
        with open(os.path.join(run, "lessons.json"), "w") as f:
            json.dump({"lessons": "no"}, f)
        status, _, err = self.call(run)
        self.assertEqual((status, err), (1, "handout: %s/lessons.json has no lessons: not written by scripts/lessons.sh\n" % run))
        self.assertEqual(sorted(os.listdir(os.path.join(run, "handout"))), pages)  # the old key stays

    def test_incomplete_run(self):
        os.mkdir(os.path.join(self.tmp, "empty"))
        status, _, err = self.call(os.path.join(self.tmp, "empty"))
        self.assertEqual((status, err), (1, "handout: cannot read %s/empty/summary.csv: not a complete gilbench run\n" % self.tmp))


if __name__ == "__main__":
    unittest.main()
