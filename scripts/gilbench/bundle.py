"""A run as one file to hand in (scripts/bundle.sh): NAME.tar.gz holds the run
folder NAME/ and NAME/SHA256SUMS, the sha256sum of each of its other files.

pack reads a run folder and writes its bundle (under a temporary .partial
name beside it, renamed when whole); check reads a bundle; with unpacks one
into a temporary folder (removed after) and runs a command on the run folder
inside.  A bundle is accepted in any wrapping a download gives it (a plain tar
still named .tar.gz, a gzip of a gzip); a damaged one raises Damaged, one
line saying what happened to it (compare opens its bundles with open_bundle
too).  main returns 0 done, 1 a failure or a damaged bundle; bad usage is
exit 2 (cmdline.usage_error).
"""
import gzip
import hashlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import zlib
from collections import Counter
from typing import List, Tuple

from .cmdline import usage_error, version_line

PROG = "bundle"
SCRIPT = "scripts/bundle.sh"
MAX_LAYERS = 3  # gzip layers: make pack's one, and an upload's or two
CHUNK = 1 << 20
SUMS = "SHA256SUMS"
USAGE = """\
Usage: scripts/bundle.sh pack [--out FILE] RUN_DIR    (make pack RUN=results/HOST-TIME)
       scripts/bundle.sh check BUNDLE
       scripts/bundle.sh with RUN_DIR_OR_BUNDLE CMD [ARG]...

pack   write the run folder RUN_DIR as one file to hand in, RUN_DIR.tar.gz beside it
       (--out: elsewhere), with SHA256SUMS, the checksum of each of its files; prints its path
check  exit 0 when BUNDLE is whole (one run folder, every checksum; a plain tar or a
       gzip of a gzip is whole too, with a note), else one line saying what is wrong, 1
with   run CMD ARG... on the run folder: a bundle is checked and unpacked into a temporary
       folder first (removed after); anything else is passed on as it is
--help, --version
make compare and make plots take bundles wherever they take run folders.
Exit 0 done, 1 a failure or a damaged bundle, 2 bad usage.
"""


class Damaged(Exception):
    """A bundle that is not whole (or cannot be opened): one line for its owner."""


def is_bundle(path: str) -> bool:
    """PATH names a bundle: a file named *.tar.gz or *.tgz."""
    return path.endswith((".tar.gz", ".tgz")) and not os.path.isdir(path)


def magic(path: str) -> str:
    """"gzip" or "tar" by the file's first bytes, "empty", else "other"."""
    with open(path, "rb") as f:
        head = f.read(262)
    return "empty" if not head else "gzip" if head[:2] == b"\x1f\x8b" else "tar" if head[257:262] == b"ustar" else "other"


def gunzip(src: str, dst: str) -> str:
    """gzip -dc SRC >DST: "" when whole, else gzip(1)'s words for what is wrong."""
    with open(src, "rb") as f, open(dst, "wb") as out:
        data = f.read(CHUNK)
        while data[:2] == b"\x1f\x8b":  # one gzip member a turn
            d, method = zlib.decompressobj(31), data[2:3] or b"\0"
            try:
                while not d.eof:
                    if not data:
                        return "unexpected end of file"
                    out.write(d.decompress(data))
                    data = f.read(CHUNK)
            except zlib.error as e:
                return ("unknown method %d -- not supported" % method[0] if "method" in str(e) else "invalid compressed data--"
                        + ("crc" if "data check" in str(e) else "length" if "length check" in str(e) else "format violated")
                        + " error" * ("check" in str(e)))
            data = d.unused_data + data
            data += f.read(2) if len(data) < 2 else b""
        while data and not data.strip(b"\0"):
            data = f.read(CHUNK)
        return "decompression OK, trailing garbage ignored" if data else ""


def unwrap(path: str, work: str) -> Tuple[str, int]:
    """The plain tar inside PATH (PATH itself, or WORK/layerN with every gzip
    layer removed) and how many layers there were."""
    layers = 0
    while magic(path) == "gzip":
        if layers == MAX_LAYERS:
            raise Damaged("more than %d gzip layers" % MAX_LAYERS)
        layers += 1
        err = gunzip(path, os.path.join(work, "layer%d" % layers))
        if "unexpected end of file" in err:
            raise Damaged("cut short (%s: an upload or download was interrupted); fetch the whole file again" % err)
        if err:
            raise Damaged("its compressed data is corrupt (gzip: %s)" % err)
        path = os.path.join(work, "layer%d" % layers)
    kind = magic(path)
    if kind != "tar":
        raise Damaged(("its gzip layer holds nothing" if layers else "an empty file") if kind == "empty" else
                      "%s (not made by make pack)" % ("its gzip layer holds no tar archive" if layers else "neither a gzip nor a tar file"))
    return path, layers


CUT = "cut short (the tar archive ends early: an upload or download was interrupted); fetch the whole file again"


def unpack(tar: str, into: str) -> Tuple[str, bool]:
    """Check the tar's form (one top folder of plain files and folders: no
    link, no absolute path, no "..") and unpack it under INTO; its top folder,
    and whether the archive has its end (ending at a member's end instead, as
    GNU tar, it is read, and the checksums decide)."""
    try:
        with tarfile.open(tar, "r:", encoding="utf-8", errors="surrogateescape") as tf:
            found = tf.getmembers()
            with open(tar, "rb") as f:  # tarfile stops quietly at a bad header after the first; GNU tar does not
                f.seek(tf.offset)
                end = f.read(512)
            if 0 < len(end) < 512:
                raise Damaged(CUT)
            if end.strip(b"\0"):
                raise Damaged("not a readable tar archive (Skipping to next header)")
            shown = [m.name + "/" * m.isdir() for m in found]
            top = shown[0].split("/")[0] if shown else ""
            bad = next((n for n in shown if n.split("/")[0] != top or ".." in n.split("/") or top in ("", ".")), "")
            if bad or not all(m.isdir() or m.isreg() for m in found):
                raise Damaged("it must hold one run folder of plain files%s (not made by make pack)" % (', not "%s"' % bad if bad else ""))
            for m in found:
                path = os.path.join(into, m.name)
                os.makedirs(path if m.isdir() else os.path.dirname(path), exist_ok=True)
                if not m.isdir():
                    with tf.extractfile(m) as src, open(path, "wb") as dst:  # type: ignore[union-attr]
                        shutil.copyfileobj(src, dst, CHUNK)
    except tarfile.ReadError as e:
        if re.search("unexpected end|truncated", str(e)):
            raise Damaged(CUT) from None
        raise Damaged("not a readable tar archive (This does not look like a tar archive)") from None
    return top, len(end) == 512


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def check_sums(run: str) -> None:
    """Every file of RUN listed in RUN/SHA256SUMS (read as sha256sum --check
    --strict reads it) and matching, nothing listed missing; else Damaged,
    naming the first file of each kind."""
    with open(os.path.join(run, SUMS), "rb") as f:
        lines = os.fsdecode(f.read()).split("\n")
    listed, failed, good, misformed = Counter(), [], 0, 0  # type: Counter[str], List[str], int, int
    for line in lines[:-1] if lines[-1] == "" else lines:
        m = re.fullmatch(r"[ \t]*(\\?)([0-9a-fA-F]{64})[ \t][ *]?(.*)", line, re.S)
        if not m or m.group(1) and re.search(r"\\([^\\nr]|$)", m.group(3).replace("\\\\", "")):
            misformed += bool(line) and not line.startswith("#")  # blank lines and comments are passed over
            listed[re.sub(r"^[^ ]+ [ *]", "", line)] += 1
            continue
        name = re.sub(r"\\(.)", lambda e: {"n": "\n", "r": "\r"}.get(e.group(1), e.group(1)), m.group(3)) if m.group(1) else m.group(3)
        good, listed[name] = good + 1, listed[name] + 1
        try:
            if sha256(os.path.join(run, name)) != m.group(2).lower():
                failed.append(name)
        except OSError:
            pass  # sha256sum: "FAILED open or read", a file missing: said below
    if good and misformed:
        raise Damaged("its %s is not a checksum list (edited after packing)" % SUMS)
    present = Counter("./" + os.path.relpath(os.path.join(d, f), run) for d, _, fs in os.walk(run) for f in fs
                      if not os.path.islink(os.path.join(d, f)) and os.path.isfile(os.path.join(d, f)))
    present["./" + SUMS] -= 1
    said = []
    for what, names in (("differs from its checksum (changed after packing)", failed),
                        ("is listed in SHA256SUMS but missing (cut short, or removed after packing)", list((listed - present).elements())),
                        ("is not in SHA256SUMS (added after packing)", list((present - listed).elements()))):
        names = [n[2:] if n.startswith("./") else n for n in names if n]
        names = names if what.startswith("differs") else sorted(names, key=os.fsencode)
        if names:
            said.append("%s %s%s" % (names[0], what, " (and %d more)" % (len(names) - 1) if len(names) > 1 else ""))
    if said:
        raise Damaged("; ".join(said))


def open_bundle(bundle: str, work: str, prog: str = PROG) -> str:
    """Check BUNDLE and unpack it under the empty folder WORK: the run folder
    inside.  Damaged, its text for stderr; a whole bundle in another wrapping
    than make pack's: one note on stderr."""
    if not os.path.isfile(bundle):
        raise Damaged("%s: %s: no such bundle" % (prog, bundle))
    try:
        tar, layers = unwrap(bundle, work)
        top, ended = unpack(tar, os.path.join(work, "run"))
        for n in range(1, layers + 1):
            os.unlink(os.path.join(work, "layer%d" % n))
        run = os.path.join(work, "run", top)
        try:
            if not os.path.isfile(os.path.join(run, SUMS)):
                raise Damaged("no %s (not made by make pack)" % SUMS)
            check_sums(run)
        except Damaged:
            if ended:
                raise
            raise Damaged(CUT) from None
    except OSError:
        raise Damaged("%s: %s: cannot unpack into %s" % (prog, bundle, work)) from None
    except Damaged as e:
        raise Damaged("%s: %s: a damaged bundle: %s" % (prog, bundle, e)) from None
    if layers != 1:
        sys.stderr.write("%s: %s: note: %s; every checksum matches, so it is whole\n" % (prog, bundle, "gzip'd %d times (an upload or"
                         " download compressed it again)" % layers if layers else "a plain tar without the gzip layer of a"
                         " .tar.gz (a browser or the LMS removed it on download)"))
    return run


def _raise(e: OSError) -> None:
    raise e


def _root(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid, info.gid, info.uname, info.gname = 0, 0, "", ""
    return info


def pack(run: str, out: str) -> int:
    """Write the run folder RUN as the bundle OUT (default RUN.tar.gz) through
    a temporary name beside it; print OUT."""
    run = run[:-1] if run.endswith("/") else run
    name = os.path.basename(run.rstrip("/")) or run[:1]  # basename(1)
    if not os.path.isdir(run):
        usage_error(PROG, "pack: no such run folder: '%s'" % run, SCRIPT)
    if name.startswith("."):
        usage_error(PROG, "pack: '%s' is a partial run (still running, or stopped): pack a finished one" % run, SCRIPT)
    if not (os.path.isfile(os.path.join(run, "summary.csv")) and os.path.isfile(os.path.join(run, "machine.json"))):
        usage_error(PROG, "pack: '%s' is not a run folder (no summary.csv or machine.json)" % run, SCRIPT)
    out = out or run + ".tar.gz"
    if not is_bundle(out):
        usage_error(PROG, "pack: --out: a bundle is named *.tar.gz, got '%s'" % out, SCRIPT)
    tmp = os.path.join(os.path.dirname(out) or ".", "." + os.path.basename(out) + ".partial")
    try:  # SHA256SUMS as sha256sum writes it, the files in byte order ("\\" before a name it escapes)
        rels = sorted((os.path.relpath(os.path.join(d, f), run) for d, ds, fs in os.walk(run, onerror=_raise) for f in [""] + fs),
                      key=os.fsencode)
        rels = [r for r in rels if r != SUMS]
        files = [r for r in rels if os.path.isfile(os.path.join(run, r)) and not os.path.islink(os.path.join(run, r))]
        escaped = [r.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r") for r in files]
        sums = "".join("%s%s  ./%s\n" % ("\\" * (e != r), sha256(os.path.join(run, r)), e) for r, e in zip(files, escaped))
    except OSError:
        sys.stderr.write("%s: cannot checksum the files of %s\n" % (PROG, run))
        return 1
    placing = False
    try:
        with open(tmp, "wb") as raw, gzip.GzipFile("", "wb", 6, raw, mtime=0) as gz, \
                tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape") as tf:
            for rel in rels:
                tf.add(os.path.join(run, rel), os.path.normpath(os.path.join(name, rel)), recursive=False, filter=_root)
            text = sums.encode("utf-8", "surrogateescape")
            info = tarfile.TarInfo("%s/%s" % (name, SUMS))
            info.size, info.mtime, info.mode = len(text), int(os.path.getmtime(run)), 0o644
            tf.addfile(info, io.BytesIO(text))
        if gunzip(tmp, os.devnull):
            raise OSError("%s does not read back" % tmp)
        placing = True
        os.replace(tmp, out)
    except OSError:
        sys.stderr.write("%s: %s\n" % (PROG, "cannot put %s in place" % out if placing else
                                        "writing %s failed (disk full?); nothing was written" % out))
        return 1
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
    print(out)
    return 0


def _on_signal(sig: int, _: object) -> None:
    """Ctrl-C, SIGTERM: stop now, or (a command running on a bundle) when it ends."""
    CAUGHT.append(sig)
    if not CAUGHT[0]:
        raise KeyboardInterrupt()


def with_run(run: str, cmd: List[str]) -> int:
    """CMD... RUN, a bundle opened first into a folder removed afterwards (the
    command sees GILBENCH_FROM_BUNDLE=1: what it would write into the run goes
    elsewhere)."""
    bundle, work = is_bundle(run) and os.path.exists(run), ""
    try:
        if not bundle:
            os.execvp(cmd[0], cmd + [run])
        work = tempfile.mkdtemp()
        folder = open_bundle(run, work)
        CAUGHT[0] = 1  # a signal now waits for the command
        status = subprocess.call(cmd + [folder], env=dict(os.environ, GILBENCH_FROM_BUNDLE="1"))
        return status if status >= 0 else 128 - status
    except OSError as e:
        sys.stderr.write("%s: %s: %s\n" % (PROG, cmd[0], e.strerror))
        return 127 if isinstance(e, FileNotFoundError) else 126
    finally:
        if work:
            shutil.rmtree(work, ignore_errors=True)


CAUGHT = [0]  # [1 while a command runs on a bundle, then the signals caught]


def main(argv: List[str]) -> int:
    """bundle pack|check|with|--help|--version: scripts/bundle.sh's command line."""
    cmd, args, status = (argv[0] if argv else ""), argv[1:], 0
    for sig in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(sig) != signal.SIG_IGN:  # a background job's Ctrl-C stays ignored
            signal.signal(sig, _on_signal)
    try:
        if cmd in ("-h", "--help"):
            sys.stdout.write(USAGE)
        elif cmd == "--version":
            print(version_line(PROG))
        elif cmd == "pack":
            out, run = "", ""
            while args:
                a = args.pop(0)
                if a == "--out" and not args:
                    usage_error(PROG, "pack: --out: expected a file name", SCRIPT)
                if a == "--out" or a.startswith("--out="):
                    out = args.pop(0) if a == "--out" else a[len("--out="):]
                elif a.startswith("-") and a != "-":
                    usage_error(PROG, "pack: unknown option '%s'" % a, SCRIPT)
                elif run:
                    usage_error(PROG, "pack: one run folder at a time, got '%s' and '%s'" % (run, a), SCRIPT)
                else:
                    run = a
            if not run:
                usage_error(PROG, "pack: RUN= is required: make pack RUN=results/HOST-TIME", SCRIPT)
            status = pack(run, out)
        elif cmd == "check":
            if len(args) != 1:
                usage_error(PROG, "check: expected one bundle", SCRIPT)
            work = tempfile.mkdtemp()
            try:
                open_bundle(args[0], work)
                print("%s: whole" % args[0])
            finally:
                shutil.rmtree(work, ignore_errors=True)
        elif cmd == "with":
            if len(args) < 2:
                usage_error(PROG, "with: expected %s" % ("a command" if args else "a run folder or bundle and a command"), SCRIPT)
            status = with_run(args[0], args[1:])
        else:
            usage_error(PROG, "unknown command '%s'" % cmd if cmd else "expected pack, check or with", SCRIPT)
    except Damaged as e:
        sys.stderr.write("%s\n" % e)
        status = 1
    except KeyboardInterrupt:
        pass
    if len(CAUGHT) > 1:  # end by the signal, as a shell's trap does (kill -s SIG $$)
        signal.signal(CAUGHT[1], signal.SIG_DFL)
        os.kill(os.getpid(), CAUGHT[1])
        status = 128 + CAUGHT[1]
    return status
