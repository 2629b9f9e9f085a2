"""report.py, comparepage.py and htmlpage.py: the page of a run and of a
comparison parses, holds every lesson and figure, its links resolve, and it
loads nothing from the network."""
import contextlib
import csv
import html.parser
import io
import json
import os
import re
import shlex
import shutil
import tempfile
import unittest

from gilbench import __main__ as cli
from gilbench import comparepage, htmlpage, report

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures")
# A figure as gnuplot's svg terminal writes one: a prolog, fixed size, ids used by reference.
SVG = """<?xml version="1.0" encoding="utf-8"  standalone="no"?>
<svg width="1600" height="900" viewBox="0 0 1600 900" xmlns="http://www.w3.org/2000/svg"
 xmlns:xlink="http://www.w3.org/1999/xlink">
<title>Gnuplot</title><desc>Produced by GNUPLOT</desc>
<g id="gnuplot_canvas"><defs><circle id='gpDot' r='0.5'/><path id='gpPt1' d='M-1,0 h2'/>
<path id='gpPt10' d='M0,-1 v2'/><filter id='textbox'><feFlood flood-color='#FFFFFF'/></filter></defs>
<use xlink:href='#gpPt1' transform='translate(10,10)'/><use xlink:href='#gpPt10'/>
<g filter='url(#textbox)'><text>%s</text></g></g></svg>
"""
# The smallest PNG: 1x1, for the figure too large as SVG.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d4944415478da63f8ffff3f0005fe02fea7d6a4e40000000049454e44ae426082")


# Elements inside a line of text: their start and end are no word break.
INLINE = {"span", "b", "a", "code", "i", "em"}


class Parsed(html.parser.HTMLParser):
    """The ids, links, sources, tags and text of a page (a blank between
    blocks, none around an inline element's text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids, self.hrefs, self.srcs, self.tags, self.text, self.style = [], [], [], [], [], []
        self.attrs = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self.attrs.append((tag, a))
        if "id" in a:
            self.ids.append(a["id"])
        for k in ("href", "xlink:href"):
            if k in a:
                self.hrefs.append(a[k])
        if "src" in a:
            self.srcs.append(a["src"])
        self._in_style = tag == "style"
        if tag not in INLINE:
            self.text.append(" ")

    def handle_endtag(self, tag):
        self._in_style = False
        if tag not in INLINE:
            self.text.append(" ")

    def handle_data(self, data):
        (self.style if self._in_style else self.text).append(data)


class Broken(html.parser.HTMLParser):
    """The text a browser may break at a hyphen: outside elements kept on
    one line (class nw or verdict, nav's items) and outside figures."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack, self.skip, self.text = [], 0, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("svg", "style", "title", "pre"):
            self.skip += 1
        if tag in ("span", "b", "li"):
            self.stack.append(bool({"nw", "verdict"} & set((a.get("class") or "").split())) or tag == "li" and self.nav)
        if tag == "nav":
            self.nav = True

    nav = False

    def handle_endtag(self, tag):
        if tag in ("svg", "style", "title", "pre"):
            self.skip -= 1
        if tag in ("span", "b", "li") and self.stack:
            self.stack.pop()
        if tag == "nav":
            self.nav = False

    def handle_data(self, data):
        if not self.skip and not any(self.stack):
            self.text.append(data)


def breakable(path):
    """The text of the page at path that may break at a hyphen."""
    p = Broken()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    return " ".join(p.text)


def text_of(p):
    """The page's text, blanks collapsed."""
    return " ".join("".join(p.text).split())


def parse(path):
    p = Parsed()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    p.close()
    return p


def make_figures(folder, names, big=()):
    os.makedirs(folder, exist_ok=True)
    for n in names:
        with open(os.path.join(folder, n + ".svg"), "w", encoding="utf-8") as f:
            f.write(SVG % n + ("<!-- %s -->" % ("x" * htmlpage.SVG_BUDGET) if n in big else ""))
        with open(os.path.join(folder, n + ".png"), "wb") as f:
            f.write(PNG)


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.run = os.path.join(self.tmp, "results", "vm-20261129T152028Z")
        shutil.copytree(os.path.join(FIXTURES, "handout-run"), self.run)
        self.plots = os.path.join(self.tmp, "plots", "vm-20261129T152028Z")
        self.figs = sorted(report.ALT) + ["extra-figure"]
        make_figures(self.plots, self.figs, big=("gil-timeline",))

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write(self):
        done = report.write_report(self.run)
        return done, parse(done["report"])

    def assert_offline(self, p, path):
        for link in p.srcs + p.hrefs:
            self.assertFalse(link.lower().startswith(("http:", "https:", "//")), link)
        self.assertNotIn("script", p.tags)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.assertNotIn("@import", text)
        self.assertNotRegex(text, r"url\(\s*['\"]?(https?:)?//")

    def assert_links_resolve(self, p):
        ids = set(p.ids)
        self.assertEqual(len(p.ids), len(ids), "duplicate ids: %s" % sorted(i for i in ids if p.ids.count(i) > 1))
        for h in p.hrefs:
            if h.startswith("#"):
                self.assertIn(h[1:], ids, "link %s goes nowhere" % h)


class TestRunPage(Base):
    def test_every_lesson_with_its_verdict_and_sentence(self):
        done, p = self.write()
        with open(os.path.join(self.run, "lessons.json"), encoding="utf-8") as f:
            lessons = json.load(f)["lessons"]
        text = text_of(p)
        self.assertEqual(done["lessons"], len(lessons))
        for les in lessons:
            self.assertIn(les["id"], p.ids)
            verdict = report.VERDICT[les["status"]]
            self.assertIn("%s %s" % (les["id"], verdict), text)
            self.assertIn(" ".join(les["sentence"].split()), text)
        self.assertIn("L7 DOES NOT HOLD", text)  # the fixture's L7 did not hold, as lessons.md says

    def test_every_figure_once_with_a_name_for_screen_readers(self):
        done, p = self.write()
        self.assertEqual(done["figures"], len(self.figs))
        for n in self.figs:
            self.assertEqual(p.ids.count("fig-" + n), 1, n)
        svgs = [a for t, a in p.attrs if t == "svg"]
        self.assertEqual(len(svgs), len(self.figs) - 1)
        for a in svgs:
            self.assertEqual(a.get("role"), "img")
            self.assertIn(a["aria-labelledby"], p.ids)
            self.assertNotIn("width", a)
        imgs = [a for t, a in p.attrs if t == "img"]
        self.assertEqual(len(imgs), 1, "the over-budget SVG is shown as its PNG")
        self.assertTrue(imgs[0]["src"].startswith("data:image/png;base64,"))
        self.assertTrue(imgs[0]["alt"])

    def test_links_resolve_and_ids_are_unique(self):
        _, p = self.write()
        self.assert_links_resolve(p)
        for g in ("count-2", "fetch", "refcount", "convoy"):
            self.assertIn("group-" + g, p.ids)
        self.assertTrue(any(h == "#fig-gpPt1" or h.endswith("-gpPt1") for h in p.hrefs))

    def test_nothing_from_the_network(self):
        done, p = self.write()
        self.assert_offline(p, done["report"])

    def test_text_from_files_is_escaped(self):
        path = os.path.join(self.run, "summary.csv")
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        rows[0]["label"] = '<script src="http://x/y.js"></script>&"'
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        done, p = self.write()
        self.assertNotIn("script", p.tags)
        self.assertIn('<script src="http://x/y.js"></script>&"', "".join(p.text))
        self.assert_offline(p, done["report"])

    def test_without_lessons_json_the_anchors_stay(self):
        os.unlink(os.path.join(self.run, "lessons.json"))
        _, p = self.write()
        for k in range(1, 8):
            self.assertIn("L%d" % k, p.ids)
        self.assertIn("scripts/lessons.sh", text_of(p))

    def test_without_figures_it_says_how_to_draw_them(self):
        shutil.rmtree(self.plots)
        done, p = self.write()
        self.assertEqual(done["figures"], 0)
        self.assertIn("make plots RUN=", text_of(p))
        self.assert_links_resolve(p)

    def test_full_run_fixture_without_ratios_or_lessons(self):
        run = os.path.join(self.tmp, "full-run")
        shutil.copytree(os.path.join(FIXTURES, "full-run"), run)
        done = report.write_report(run, plots=self.plots)
        p = parse(done["report"])
        self.assert_links_resolve(p)
        self.assertIn("group-count-2-cpython", p.ids)

    def lesson_text(self, p_path, lid):
        with open(p_path, encoding="utf-8") as f:
            page = f.read()
        i = page.index('id="%s"' % lid)
        part = Parsed()
        part.feed(page[i - 40:page.index("</section>", i)])
        return text_of(part)

    def test_a_lesson_not_run_in_lessons_md_words_each_group_once(self):
        # L7 as scripts/lessons.sh writes a lesson whose groups were not run
        path = os.path.join(self.run, "lessons.json")
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        les = [x for x in doc["lessons"] if x["id"] == "L7"][0]
        les.update(status="not_measured", not_run=["group convoy", "group convoy-interval"],
                   causes=["not run: group convoy, group convoy-interval"],
                   sentence="The new GIL convoys an I/O thread: not measured in this run "
                            "(group convoy, group convoy-interval not run).")
        for c in les["checks"]:
            c.update(status="not_run", text="", wanted="", value=None)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        done = report.write_report(self.run)
        text = self.lesson_text(done["report"], "L7")
        self.assertIn("L7 not measured", text)
        self.assertNotIn("not run:", text)
        self.assertEqual(text.count("group convoy-interval"), 1, text)
        self.assertEqual(text.count("group convoy,"), 1, text)
        # every status of lessons.sh in lessons.md's words
        self.assertEqual(report.VERDICT, {"holds": "holds", "fails": "DOES NOT HOLD", "not_measured": "not measured",
                                          "not_shown": "not shown by this run"})

    def test_a_failed_lessons_causes_once(self):
        done = report.write_report(self.run)
        text = self.lesson_text(done["report"], "L1")
        with open(os.path.join(self.run, "lessons.json"), encoding="utf-8") as f:
            les = [x for x in json.load(f)["lessons"] if x["id"] == "L1"][0]
        first = " ".join(les["causes"][0].split())
        self.assertEqual(text.count(first), 1, "the first cause is in the sentence, and only there")

    def set_machine(self, run, **kv):
        path = os.path.join(run, "machine.json")
        with open(path, encoding="utf-8") as f:
            m = json.load(f)
        for k, v in kv.items():
            if v is None:
                m.pop(k, None)
            else:
                m[k] = v
        with open(path, "w", encoding="utf-8") as f:
            json.dump(m, f)

    def machine_text(self, run):
        done = report.write_report(run, plots=self.plots)
        with open(done["report"], encoding="utf-8") as f:
            page = f.read()
        i = page.index('<p class="machine">')
        part = Parsed()
        part.feed(page[i:page.index("</p>", i)])
        return text_of(part)

    def test_the_runs_size_as_recorded(self):
        run = os.path.join(self.tmp, "results", "q")
        shutil.copytree(os.path.join(FIXTURES, "handout-run-quick"), run)
        for size, shown in (("tiny", "tiny run"), ("quick", "QUICK run"), ("full", "full run")):
            self.set_machine(run, size=size, quick=size != "full")
            text = self.machine_text(run)
            self.assertTrue(text.endswith("· " + shown), text)
        self.set_machine(run, size="tiny", quick=True)
        self.assertNotIn("QUICK", self.machine_text(run))
        # a run from before "size": its count commands tell tiny from QUICK
        self.set_machine(run, size=None, quick=True)
        self.assertTrue(self.machine_text(run).endswith("· QUICK run"))
        tsv = os.path.join(run, "experiments.tsv")
        with open(tsv, encoding="utf-8") as f:
            text = f.read()
        with open(tsv, "w", encoding="utf-8") as f:
            f.write(text.replace("--iterations=200000000", "--iterations=1000000"))
        self.assertTrue(self.machine_text(run).endswith("· tiny run"))
        os.unlink(tsv)
        self.assertTrue(self.machine_text(run).endswith("· QUICK or tiny run"))

    def run_cli(self, *args):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = cli.main(["report", self.run] + list(args))
        return status, err.getvalue()

    def test_a_plots_folder_without_the_runs_figures(self):
        empty = os.path.join(self.tmp, "elsewhere")
        make_figures(empty, ["unrelated"])
        status, err = self.run_cli("--plots", empty)
        self.assertEqual(status, 1, "a page without any of its figures is a wrong result")
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertIn(empty, err)
        p = parse(os.path.join(self.run, "report.html"))
        expected = report.expected_figures(self.run, report.read_csv(os.path.join(self.run, "summary.csv")))
        self.assertIn("count-speedup", expected)
        self.assertNotIn("gil-timeline", expected, "the fixture has no GIL traces: plots.sh skips it")
        self.assertIn("missing-figures", p.ids)
        for n in expected:
            self.assertIn("missing-" + n, p.ids, "a visible note for each missing figure")
        self.assertIn("%d of the %d figures" % (len(expected), len(expected)), text_of(p))

    def test_a_plots_folder_with_some_figures(self):
        os.unlink(os.path.join(self.plots, "convoy.svg"))
        os.unlink(os.path.join(self.plots, "convoy.png"))
        status, err = self.run_cli()
        self.assertEqual(status, 0)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertIn("convoy", err)
        p = parse(os.path.join(self.run, "report.html"))
        self.assertIn("missing-convoy", p.ids)
        self.assertEqual([i for i in p.ids if i.startswith("missing-")], ["missing-figures", "missing-convoy"])
        make_figures(self.plots, ["convoy"])
        status, err = self.run_cli()
        self.assertEqual((status, err), (0, ""))

    def convoy_rows(self, run):
        done = report.write_report(run, plots=self.plots)
        with open(done["report"], encoding="utf-8") as f:
            page = f.read()
        i = page.index('id="group-convoy"')
        part = Parsed()
        part.feed(page[i - 20:page.index("</section>", i)])
        return text_of(part)

    def test_convoy_pin_and_waited_shares(self):
        run = os.path.join(self.tmp, "results", "q")
        shutil.copytree(os.path.join(FIXTURES, "handout-run-quick"), run)
        text = self.convoy_rows(run)
        for h in ("pin", "waited 0 intervals", "waited 1", "waited 2+"):
            self.assertIn(h, text)
        # convoy.gil: pinned apart, 25.6% of round trips waited no interval, 71.7% one
        self.assertIn("apart", text)
        self.assertRegex(text, r"\b25\.6% 71\.7% 0\.0%")
        self.assertEqual(report.cell(None, "share"), "")
        # an older run (handout-run): the columns stay, blank
        text = self.convoy_rows(self.run)
        self.assertIn("waited 0 intervals", text)
        self.assertNotIn("%", text.split("waited 2+")[1].split("Figure")[0].replace("±", ""))

    def test_names_kept_whole(self):
        done, p = self.write()
        self.assertIn(".nw", "".join(p.style))
        text = breakable(done["report"])
        for g in ("count-2-cpython", "count-2", "count-10", "convoy-interval", "vm-20261129T152028Z"):
            self.assertNotRegex(text, r"\b%s\b" % re.escape(g), "%s may break at a hyphen" % g)

    def test_checks_stack_on_a_phone(self):
        """A lesson's checks table is one block per check on a phone: class
        stack, each cell named by its column (data-label), a rule for narrow widths."""
        done, p = self.write()
        with open(done["report"], encoding="utf-8") as f:
            text = f.read()
        self.assertIn('<table class="stack">', text)
        self.assertIn('data-label="this run"', text)
        self.assertRegex("".join(p.style), r"@media \(max-width: 40rem\) \{\s*table\.stack")

    def test_interval_text(self):
        self.assertEqual(report.interval_text(0.99, 0.97, 1.01), "0.99x (0.97-1.01)")
        self.assertEqual(report.interval_text(129.2, None, None), "129x")
        self.assertEqual(report.interval_text(None, 1, 2), "-")

    def test_a_check_in_milliseconds(self):
        """L8's start-up costs are milliseconds (the unit lessons.json
        records, else the one the wanted bound ends with, for older runs):
        the figure column says 37 ms, as the check's text does, not 36.7x."""
        path = os.path.join(self.run, "lessons.json")
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        doc["lessons"].append({"id": "L8", "title": "t", "status": "holds", "sentence": "s", "checks": [
            {"name": "interpreters start", "value": 36.7, "wanted": "<= 500 ms", "unit": "ms", "status": "pass",
             "text": "creating and running 2 of them costs 37 ms over its start-up"},
            {"name": "not in the table", "value": 8.83, "wanted": "<= 2000 ms", "status": "pass", "text": "9 ms"},
            {"name": "count-2 threads", "value": 1.9, "wanted": ">= 1.60x", "status": "pass", "text": "1.90x"}]})
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        _, p = self.write()
        text = text_of(p)
        cells = text.split()
        self.assertIn("37 ms <= 500 ms", text)
        self.assertIn("9 ms <= 2000 ms", text)
        self.assertIn("1.90x >= 1.60x", text)
        self.assertNotIn("36.7x", cells)
        self.assertEqual(report.interval_text(36.7, 35.2, 38.9, "ms"), "37 ms (35-39)")
        self.assertEqual(report.check_unit({"unit": "ms", "wanted": "<= 500"}), "ms")
        self.assertEqual(report.check_unit({"wanted": "<= 2000 ms"}), "ms")
        self.assertEqual(report.check_unit({"wanted": ">= 1.60x"}), "x")

    def test_where_make_plots_writes(self):
        """make plots RUN=... writes RUN/report.html: "this page" only when it is."""
        _, p = self.write()
        self.assertIn("the figures and this page again", text_of(p))
        out = os.path.join(self.tmp, "elsewhere.html")
        done = report.write_report(self.run, out)
        text = text_of(parse(done["report"]))
        self.assertNotIn("this page again", text)
        self.assertIn("the figures and %s (not this page: it was written with --out)"
                      % os.path.join(self.run, "report.html"), text)

    def test_one_missing_figure_is_not_in(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            cli.missing_figures({"missing_figures": ["convoy"], "expected_figures": 12, "plots": "p"})
            cli.missing_figures({"missing_figures": ["convoy", "fetch-n"], "expected_figures": 12, "plots": "p"})
        one, two = err.getvalue().splitlines()
        self.assertIn("1 of the 12 figures of this run is not in 'p'", one)
        self.assertIn("2 of the 12 figures of this run are not in 'p'", two)

    def test_not_a_run(self):
        os.unlink(os.path.join(self.run, "summary.csv"))
        with open(os.path.join(self.run, "summary.csv"), "w", encoding="utf-8") as f:
            f.write("nothing\n")
        with self.assertRaises(ValueError):
            report.write_report(self.run)


class TestComparePage(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def fake(self, n):
        cols = ["group", "case", "impl", "label", "mode", "tasks", "param", "machine", "run", "workers", "median_s",
                "speedup", "slowdown", "ratio", "host", "cpu_model", "usable_cpus", "date_utc", "fabricated"]
        with open(os.path.join(self.tmp, "ratios.csv"), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(cols)
            for k in range(n):
                for label, q in (("seq", 1 + k / 100), ("gil", 1 + k / 10)):
                    w.writerow(["count-2", "count", "gilbench", label, label, 2, "", "m<%d>" % k, "run-%d" % k, 1,
                                0.5, 1, "", "%.3f" % (1 if k == 0 else q), "h%d" % k, "CPU", 2, "2026", "false"])
        with open(os.path.join(self.tmp, "ratios.md"), "w", encoding="utf-8") as f:
            f.write("# x\n\nagreement: 3 of %d rows within \u00b110%% of run-0\n" % (2 * n - 2))
        make_figures(self.tmp, ["compare-count-2", "compare-fetch"])

    def test_two_and_forty_runs(self):
        for n in (2, 40):
            self.fake(n)
            done = comparepage.write_page(self.tmp)
            p = parse(done["report"])
            text = text_of(p)
            self.assertEqual(done["runs"], n)
            self.assertIn("agreement: 3 of %d rows" % (2 * n - 2), text)
            for k in range(n):
                self.assertIn("m<%d>" % k, text)
            self.assertIn("group-count-2", p.ids)
            self.assertIn("fig-compare-fetch", p.ids)
            Base.assert_links_resolve(self, p)
            Base.assert_offline(self, p, done["report"])
        # the row farthest from 1 first: the last machine's gil
        rows = text[text.index("The rows that differ most"):text.index("Each group on each machine")]
        self.assertLess(rows.index("m<39>"), rows.index("m<20>"))
        self.assertNotIn("m<19>", rows)  # 20 rows: the gil rows of machines 39 .. 20

    def test_made_by_a_command_to_paste(self):
        self.fake(2)
        words = ["scripts/compare.sh", "--out", "/tmp/mé run/cmp", "results/run one", "r\u00e9sultats/it's", "results/B"]
        done = comparepage.write_page(self.tmp, words=words)
        with open(done["report"], encoding="utf-8") as f:
            page = f.read()
        pre = Parsed()
        pre.feed(page[page.index('id="commands"'):])
        cmd = "".join(pre.text).split("Run it")[0].strip().split("Made by", 1)[1].strip()
        self.assertEqual(shlex.split(cmd), words)
        self.assertIn("'/tmp/mé run/cmp'", cmd)

    def test_not_a_compare_folder(self):
        with self.assertRaises(ValueError):
            comparepage.write_page(self.tmp)


if __name__ == "__main__":
    unittest.main()
