"""machine.json (scripts/machine.sh): what the machine is and does, as a
reader needs it to judge the numbers measured on it.

Reads the system: BIN/cpus --json (the CPUs a run may use: the affinity mask
capped by a cgroup CPU quota), the CPU topology (sysfs, else lscpu, else
/proc/cpuinfo), /proc/meminfo, /proc/loadavg, cpufreq, /etc/os-release, the
tools' --version lines, git; GILBENCH_LOADAVG_FILE, GILBENCH_SYSFS_ROOT and
GILBENCH_CPUFREQ_DIR point the tests at fixture files.  Writes one JSON object
on stdout (load_after null: the caller fills it in after the run) and, with
--warnings, what to fix before measuring on stderr.  Every string may be
"unknown" (not readable) or "absent" (a tool not installed).  main returns 0,
1 when stdout cannot be written; bad usage is exit 2.
"""
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from typing import Dict, List, Optional

from .cmdline import ROOT, usage_error, version_line

PROG = "machine"
SCRIPT = "scripts/machine.sh"
USAGE = """\
Usage: scripts/machine.sh [--cflags STR] [--size full|quick|tiny] [--quick] [--warnings]

Print machine.json, one JSON object describing this machine, on stdout.

Options:
  --cflags STR   the compiler flags the binaries were built with (default "unknown")
  --size SIZE    the run's size, full, quick or tiny (bench.sh's --quick,
                 --tiny; default full): "size", and "quick": true unless full
  --quick        the same as --size quick
  --warnings     also print on stderr what to fix before measuring (a busy
                 machine, a power-saving CPU governor); nothing when all is fine
  --help         show this help
  --version      show the version

load_after is written as null: the caller fills it in when the run is over.
"""
NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def bin_dir() -> str:
    """BIN (default bin), from the checkout when relative."""
    path = os.environ.get("BIN") or "bin"
    return path if path.startswith("/") else os.path.join(ROOT, path)


def output(cmd: List[str], merge: bool = False, ok: bool = True) -> Optional[str]:
    """CMD's stdout (and stderr with MERGE); None when it cannot run, or with
    OK when it fails."""
    try:
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT if merge else subprocess.DEVNULL)
    except OSError:
        return None
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 or not ok else None


def first_line(cmd: List[str], merge: bool = False) -> str:
    """The first line of CMD's output, "absent" when CMD is not installed,
    "unknown" when it fails and says nothing."""
    if not shutil.which(cmd[0]):
        return "absent"
    return (output(cmd, merge, ok=False) or "").split("\n")[0] or "unknown"


def read_text(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def field(text: str, key: str) -> Optional[str]:
    """The value of the first 'KEY...: VALUE' line (awk -F': *' '/^KEY/ { print $2 }')."""
    for line in text.split("\n"):
        if line.startswith(key):
            parts = re.split(": *", line)
            return parts[1] if len(parts) > 1 else ""
    return None


def number(value: object) -> object:
    """A JSON number as jq prints it: 2.0 as 2."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e17:
        return int(value)
    return value


def read_cpus() -> Dict[str, object]:
    """online, affinity, quota, usable, source: from BIN/cpus --json (the
    binaries' and the bench's one definition); without it, online from
    sysconf, the affinity mask as nproc without OMP_* gives it, no quota."""
    out = output([os.path.join(bin_dir(), "cpus"), "--json"])
    try:
        got = json.loads(out or "")
        keys = ("online", "affinity", "quota", "usable")
        if all(isinstance(got[k], (int, float)) and not isinstance(got[k], bool) or k == "quota" and got[k] is None
               for k in keys):
            return dict({k: number(got[k]) for k in keys}, source="bin/cpus")
    except (ValueError, TypeError, KeyError):
        pass
    online = os.sysconf("SC_NPROCESSORS_ONLN")
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else online
    return {"online": online, "affinity": affinity, "quota": None, "usable": affinity,
            "source": "nproc (bin/cpus not built: a CPU quota is not seen)"}


def cpu_list(text: str) -> List[int]:
    """The CPU numbers of a kernel CPU list ("0-3,8,10-11")."""
    cpus = []  # type: List[int]
    for part in text.split(","):
        ends = [int(re.match(r"\s*(\d*)", e).group(1) or 0) for e in part.split("-")]  # type: ignore[union-attr]
        cpus += range(ends[0], ends[1] + 1) if len(ends) == 2 else ends if part.isdigit() else []
    return cpus


def core_keys(sysfs_root: str) -> List[str]:
    """One key per online CPU naming its core, the same for CPUs that share a
    core (SMT siblings): sysfs cpuN/topology/core_cpus_list (before Linux 5.7
    thread_siblings_list), else lscpu's CORE,SOCKET, else /proc/cpuinfo's
    "physical id","core id" (those two only when the sysfs root is the real one)."""
    cpu_dir = sysfs_root + "/sys/devices/system/cpu"
    online = read_text(cpu_dir + "/online")
    keys = []  # type: List[str]
    for cpu in cpu_list(online.split("\n")[0]) if online else []:
        for name in ("core_cpus_list", "thread_siblings_list"):
            text = read_text("%s/cpu%d/topology/%s" % (cpu_dir, cpu, name))
            if text is not None:
                keys.append(text.split("\n")[0])
                break
        else:
            keys = []
            break
    if keys or sysfs_root:
        return keys
    out = output(["lscpu", "-p=CORE,SOCKET"]) if shutil.which("lscpu") else None
    keys = [line for line in (out or "").split("\n") if line and not line.startswith("#")]
    if keys:
        return keys
    physical = ""
    for line in (read_text("/proc/cpuinfo") or "").split("\n"):
        value = (re.split(": *", line) + [""])[1]
        if line.startswith("physical id"):
            physical = value
        elif line.startswith("core id"):
            keys.append("%s,%s" % (physical, value))
    return keys


def read_cores(online: object, keys: List[str]) -> Dict[str, object]:
    """physical_cores, threads_per_core ("1-2" on a hybrid laptop with SMT on
    its P-cores only), cores_by_threads, per core as the keys say; without
    any: ONLINE cores of 1 thread each."""
    per_core = list(Counter(k for k in keys if k).values())
    if not per_core:
        return {"physical_cores": online, "threads_per_core": 1, "cores_by_threads": {"1": online}}
    lo, hi = min(per_core), max(per_core)
    return {"physical_cores": len(per_core), "threads_per_core": lo if lo == hi else "%d-%d" % (lo, hi),
            "cores_by_threads": {str(n): c for n, c in sorted(Counter(per_core).items())}}


def read_memory_bytes() -> int:
    for line in (read_text("/proc/meminfo") or "").split("\n"):
        if line.startswith("MemTotal:"):
            words = line.split() + ["0"]
            return int(words[1]) * 1024 if words[1].isdigit() else 0
    return 0


def read_os() -> str:
    m = re.search(r'^PRETTY_NAME="?(.*?)"?$', read_text("/etc/os-release") or "", re.M)
    return m.group(1) if m and m.group(1) else "unknown"


def read_libc() -> str:
    try:
        version = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError):
        version = ""
    if not version and shutil.which("ldd"):
        version = first_line(["ldd", "--version"], merge=True)
    return version or "unknown"


def read_suite_version() -> str:
    """What the binaries report (BIN/count --version's last word), "unknown" unbuilt."""
    out = (output([os.path.join(bin_dir(), "count"), "--version"]) or "").rstrip("\n")
    return out.split(" ")[-1] if out else "unknown"


def read_git_commit() -> str:
    """HEAD, with "-dirty" when tracked files differ from it."""
    head = output(["git", "-C", ROOT, "rev-parse", "HEAD"])
    if head is None:
        return "unknown"
    dirty = output(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"])
    return head.rstrip("\n") + ("-dirty" if dirty else "")


def read_loadavg(path: str) -> str:
    """"1m 5m 15m" from /proc/loadavg, "" when unreadable (or without a newline)."""
    text = read_text(path)
    if text is None or "\n" not in text:
        return ""
    words = text.split("\n")[0].split() + ["", "", ""]
    return " ".join(words[:3])


def describe(cflags: str = "unknown", size: str = "full", load: str = "") -> Dict[str, object]:
    """machine.json's object, keys in their order; LOAD: read_loadavg's.
    ValueError when the load average is not numbers."""
    env = os.environ.get
    cpus = read_cpus()
    cores = read_cores(cpus["online"], core_keys(env("GILBENCH_SYSFS_ROOT") or ""))  # type: ignore[arg-type]
    freq = env("GILBENCH_CPUFREQ_DIR") or "/sys/devices/system/cpu/cpu0/cpufreq"
    if not all(NUMBER.fullmatch(w) for w in load.split()):
        raise ValueError("load average %r is not numbers" % load)
    model = field(read_text("/proc/cpuinfo") or "", "model name")
    if not model and shutil.which("lscpu"):
        model = field(output(["lscpu"]) or "", "Model name")
    compiler = (env("CC") or "cc").split() or ["cc"]
    governor = (read_text(freq + "/scaling_governor") or "").split("\n")[0] or "unknown"
    return {
        "hostname": os.uname().nodename or "unknown",
        "cpu_model": model or "unknown",
        "online_cpus": cpus["online"],
        "affinity_cpus": cpus["affinity"],
        "cpu_quota": cpus["quota"],
        "usable_cpus": cpus["usable"],
        "cpus_source": cpus["source"],
        "physical_cores": cores["physical_cores"],
        "threads_per_core": cores["threads_per_core"],
        "cores_by_threads": cores["cores_by_threads"],
        "memory_bytes": read_memory_bytes(),
        "governor": governor,
        "scaling_driver": (read_text(freq + "/scaling_driver") or "").split("\n")[0] or "unknown",
        "kernel": os.uname().release or "unknown",
        "os": read_os(),
        "compiler": first_line(compiler + ["--version"]),
        "cflags": cflags,
        "libc": read_libc(),
        "libcurl": first_line(["curl-config", "--version"]),
        "hyperfine": first_line(["hyperfine", "--version"]),
        "gnuplot": first_line(["gnuplot", "--version"]),
        "python": first_line(["python3", "--version"]),
        "load_before": [number(float(w)) for w in load.split()],
        "load_after": None,
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "suite_version": read_suite_version(),
        "git_commit": read_git_commit(),
        "size": size,
        "quick": size != "full",
    }


def warnings(info: Dict[str, object], load: str) -> List[str]:
    """What a user should act on before measuring: fewer usable CPUs than
    online, a busy machine (LOAD: the 1-minute load average as read; the load
    the CPUs outside this run's affinity mask could hold is another user's,
    not held against the run), a power-saving governor."""
    online, affinity, usable, quota = (info[k] for k in ("online_cpus", "affinity_cpus", "usable_cpus", "cpu_quota"))
    said = []
    if usable < online:  # type: ignore[operator]
        said.append("machine: warning: speedups are capped at %s CPU%s by %s; the machine has %s online" % (
            usable, "" if usable == 1 else "s", "a CPU quota (%s CPUs)" % quota
            if quota is not None and math.ceil(quota) <= affinity else "the affinity mask (taskset, a cpuset)", online))  # type: ignore
    outside = max(online - affinity, 0)  # type: ignore[operator]
    if load and float(load) > outside + 0.5 * usable:  # type: ignore
        said.append("machine: warning: load average is %s on %s usable CPU(s): close other programs or expect noisy numbers"
                    % (load, usable) if outside == 0 else
                    "machine: warning: load average is %s on the machine's %s online CPUs, more than the %s outside this"
                    " run's affinity mask can hold (it may use %s): close other programs or expect noisy numbers"
                    % (load, online, outside, usable))
    if info["governor"] in ("powersave", "conservative"):
        said.append("machine: warning: CPU governor is %s: for stable numbers run `sudo cpupower frequency-set -g performance`"
                    % info["governor"])
    return said


def main(argv: List[str]) -> int:
    """machine [--cflags STR] [--size SIZE] [--quick] [--warnings]: scripts/machine.sh's command line."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it at once, as it did any probe
    cflags, size, warn, args = "unknown", "full", False, list(argv)
    while args:
        a = args.pop(0)
        if a == "--help":
            sys.stdout.write(USAGE)
            return 0
        if a == "--version":
            print(version_line(PROG))
            return 0
        if a in ("--size", "--cflags"):
            if not args:
                usage_error(PROG, "%s: missing value" % a, SCRIPT)
            a += "=" + args.pop(0)
        if a.startswith("--size="):
            size = a[len("--size="):]
        elif a.startswith("--cflags="):
            cflags = a[len("--cflags="):]
        elif a in ("--quick", "--warnings"):
            size, warn = ("quick", warn) if a == "--quick" else (size, True)
        elif a.split("=")[0] in ("--quick", "--warnings", "--help", "--version"):
            usage_error(PROG, "%s: takes no value" % a.split("=")[0], SCRIPT)
        else:
            usage_error(PROG, "unknown argument '%s'" % a, SCRIPT)
    if size not in ("full", "quick", "tiny"):
        usage_error(PROG, "--size: expected full, quick or tiny, got '%s'" % size, SCRIPT)
    os.environ["LC_ALL"] = "C"  # the tools' words, as the bash script read them
    load = read_loadavg(os.environ.get("GILBENCH_LOADAVG_FILE") or "/proc/loadavg")
    try:
        info = describe(cflags, size, load)
        text = json.dumps(info, indent=2, ensure_ascii=False).replace("\x7f", "\\u007f") + "\n"  # as jq writes it
        sys.stdout.buffer.write(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace").encode("utf-8"))
        sys.stdout.flush()
    except (OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second failure at exit
        sys.stderr.write("machine: writing machine.json failed\n")
        return 1
    if warn:
        sys.stderr.write("".join(line + "\n" for line in warnings(info, load.split(" ")[0])))
    return 0
