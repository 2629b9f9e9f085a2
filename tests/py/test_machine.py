"""Unit tests of scripts/gilbench/machine.py: machine.json's keys in their
order, the CPU topology read per core, the load average as read, and the
warnings a user should act on."""
import contextlib
import io
import json
import os
import shutil
import tempfile
import unittest
from unittest import mock

from gilbench import machine

KEYS = ["hostname", "cpu_model", "online_cpus", "affinity_cpus", "cpu_quota", "usable_cpus", "cpus_source",
        "physical_cores", "threads_per_core", "cores_by_threads", "memory_bytes", "governor", "scaling_driver",
        "kernel", "os", "compiler", "cflags", "libc", "libcurl", "hyperfine", "gnuplot", "python", "load_before",
        "load_after", "date_utc", "suite_version", "git_commit", "size", "quick"]


class TestTopology(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gilbench machine ")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def fake(self, name, cores, online=None):
        """A fake sys/devices/system/cpu: each core a list of CPUs, given its list in topology/NAME."""
        root = os.path.join(self.tmp, name + str(len(cores)))
        cpu_dir = os.path.join(root, "sys/devices/system/cpu")
        for core in cores:
            for cpu in machine.cpu_list(core):
                os.makedirs(os.path.join(cpu_dir, "cpu%d/topology" % cpu))
                with open(os.path.join(cpu_dir, "cpu%d/topology" % cpu, name), "w") as f:
                    f.write(core + "\n")
        with open(os.path.join(cpu_dir, "online"), "w") as f:
            f.write((online or "0-%d" % max(c for core in cores for c in machine.cpu_list(core))) + "\n")
        return root

    def test_cpu_list(self):
        self.assertEqual(machine.cpu_list("0-3,8,10-11"), [0, 1, 2, 3, 8, 10, 11])
        self.assertEqual(machine.cpu_list(""), [])

    def test_hybrid_and_smt(self):
        hybrid = ["%d-%d" % (i, i + 1) for i in range(0, 12, 2)] + [str(i) for i in range(12, 22)]
        keys = machine.core_keys(self.fake("core_cpus_list", hybrid))
        self.assertEqual(machine.read_cores(22, keys),
                         {"physical_cores": 16, "threads_per_core": "1-2", "cores_by_threads": {"1": 10, "2": 6}})
        keys = machine.core_keys(self.fake("thread_siblings_list", ["0,4", "1,5", "2,6", "3,7"]))
        self.assertEqual(machine.read_cores(8, keys), {"physical_cores": 4, "threads_per_core": 2, "cores_by_threads": {"2": 4}})

    def test_without_topology(self):
        # A CPU without a topology file: no keys (a fake root: no lscpu, no /proc/cpuinfo).
        self.assertEqual(machine.core_keys(self.fake("core_cpus_list", ["0", "1"], online="0-2")), [])
        self.assertEqual(machine.read_cores(3, []), {"physical_cores": 3, "threads_per_core": 1, "cores_by_threads": {"1": 3}})
        # The real root without sysfs: lscpu's CORE,SOCKET, else /proc/cpuinfo's ids.
        with mock.patch.object(machine, "read_text", lambda p: "physical id\t: 0\ncore id\t\t: 1\n" * 2
                               if p == "/proc/cpuinfo" else None), mock.patch.object(machine.shutil, "which", lambda c: None):
            self.assertEqual(machine.core_keys(""), ["0,1", "0,1"])
        with mock.patch.object(machine, "read_text", lambda p: None), \
                mock.patch.object(machine, "output", lambda cmd: "# Core,Socket\n0,0\n0,0\n1,0\n"), \
                mock.patch.object(machine.shutil, "which", lambda c: "/usr/bin/" + c):
            self.assertEqual(machine.read_cores(3, machine.core_keys("")),
                             {"physical_cores": 2, "threads_per_core": "1-2", "cores_by_threads": {"1": 1, "2": 1}})


class TestReadings(unittest.TestCase):
    def test_loadavg(self):
        with tempfile.TemporaryDirectory() as d:
            cases = {"0.50 1.00 2.5 1/100 123\n": "0.50 1.00 2.5", "0.5\n": "0.5  ", "0.5 0.25": "", "": ""}
            for text, want in cases.items():
                with open(os.path.join(d, "l"), "w") as f:
                    f.write(text)
                self.assertEqual(machine.read_loadavg(os.path.join(d, "l")), want)
            self.assertEqual(machine.read_loadavg(os.path.join(d, "none")), "")

    def test_numbers_as_jq_prints_them(self):
        self.assertEqual([machine.number(x) for x in (2.0, 1.5, 3, None)], [2, 1.5, 3, None])
        self.assertIsInstance(machine.number(2.0), int)

    def test_field_as_awk_splits_it(self):
        text = "processor\t: 0\nmodel name\t: Intel(R) Xeon(R): v2\nmodel name\t: other\n"
        self.assertEqual(machine.field(text, "model name"), "Intel(R) Xeon(R)")
        self.assertIsNone(machine.field(text, "Model name"))

    def test_describe(self):
        with tempfile.TemporaryDirectory() as d, mock.patch.dict(os.environ, {"GILBENCH_CPUFREQ_DIR": d, "CC": "nosuchcc --x"}):
            with open(os.path.join(d, "scaling_governor"), "w") as f:
                f.write("powersave\n")
            info = machine.describe('-O2 "q" é', "tiny", "1.00 0.50 0.25")
            self.assertEqual(list(info), KEYS)
            self.assertEqual((info["governor"], info["scaling_driver"], info["compiler"]), ("powersave", "unknown", "absent"))
            self.assertEqual((info["cflags"], info["size"], info["quick"], info["load_after"]), ('-O2 "q" é', "tiny", True, None))
            self.assertEqual(info["load_before"], [1, 0.5, 0.25])
            self.assertEqual(json.dumps(info["load_before"]), "[1, 0.5, 0.25]")
            with self.assertRaises(ValueError):
                machine.describe("x", "full", "abc 1 2")


class TestWarnings(unittest.TestCase):
    def info(self, online=4, affinity=4, usable=4, quota=None, governor="performance"):
        return {"online_cpus": online, "affinity_cpus": affinity, "usable_cpus": usable, "cpu_quota": quota, "governor": governor}

    def test_none(self):
        self.assertEqual(machine.warnings(self.info(), "1.99"), [])

    def test_busy(self):
        self.assertEqual(machine.warnings(self.info(), "2.01"), ["machine: warning: load average is 2.01 on 4 usable CPU(s):"
                                                                 " close other programs or expect noisy numbers"])

    def test_affinity_mask(self):
        # taskset -c 0 on 4 CPUs: a load of 3 is the other CPUs'; 3.6 is more than they hold.
        info = self.info(affinity=1, usable=1)
        self.assertEqual(machine.warnings(info, "3.00"), ["machine: warning: speedups are capped at 1 CPU by the affinity mask"
                                                          " (taskset, a cpuset); the machine has 4 online"])
        self.assertIn("machine: warning: load average is 3.60 on the machine's 4 online CPUs, more than the 3 outside this"
                      " run's affinity mask can hold (it may use 1): close other programs or expect noisy numbers",
                      machine.warnings(info, "3.60"))

    def test_quota_and_governor(self):
        said = machine.warnings(self.info(usable=2, quota=1.5, governor="powersave"), "")
        self.assertEqual(said, ["machine: warning: speedups are capped at 2 CPUs by a CPU quota (1.5 CPUs); the machine has 4 online",
                                "machine: warning: CPU governor is powersave: for stable numbers run"
                                " `sudo cpupower frequency-set -g performance`"])


class TestMain(unittest.TestCase):
    def test_usage(self):
        for argv, words in ((["--size=huge"], "--size: expected full, quick or tiny, got 'huge'"), (["--cflags"], "--cflags: missing value"),
                            (["--quick=1"], "--quick: takes no value"), (["x"], "unknown argument 'x'")):
            with self.assertRaises(SystemExit) as e, contextlib.redirect_stderr(io.StringIO()) as err:
                machine.main(argv)
            self.assertEqual((e.exception.code, err.getvalue()), (2, "machine: %s\nTry 'scripts/machine.sh --help'.\n" % words))


if __name__ == "__main__":
    unittest.main()
