"""Unit tests of scripts/gilbench/bundle.py: a bundle packed is read back
whole, in every wrapping a download gives it; a damaged one is refused with
the words scripts/bundle.sh used (gzip's, sha256sum's reading of the list)."""
import contextlib
import gzip
import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
import unittest
import zlib

from gilbench import bundle


def sha(data):
    return hashlib.sha256(data).hexdigest()


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gilbench bundle é ")
        self.run_dir = os.path.join(self.tmp, "lab 'a' é")
        os.makedirs(os.path.join(self.run_dir, "raw"))
        self.files = {"summary.csv": b"case,median_s\ncount,0.5\n", "machine.json": b"{}\n",
                      "raw/x.json": b"[1]\n", "raw/a\\b": b"odd name\n"}
        for name, data in self.files.items():
            with open(os.path.join(self.run_dir, name), "wb") as f:
                f.write(data)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def pack(self, out=""):
        with contextlib.redirect_stdout(io.StringIO()) as said:
            status = bundle.pack(self.run_dir, out)
        return status, said.getvalue()

    def open(self, path):
        """open_bundle's run folder (or Damaged's words) and its stderr."""
        work = tempfile.mkdtemp(dir=self.tmp)
        with contextlib.redirect_stderr(io.StringIO()) as err:
            try:
                return bundle.open_bundle(path, work), err.getvalue()
            except bundle.Damaged as e:
                return str(e), err.getvalue()

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def tar_of(self, edit=None, extra=()):
        """A plain tar of the packed run (with SHA256SUMS), after EDIT(folder)."""
        status, _ = self.pack()
        self.assertEqual(status, 0)
        where = tempfile.mkdtemp(dir=self.tmp)
        with tarfile.open(self.run_dir + ".tar.gz") as tf:
            tf.extractall(where, **({"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}))
        for name in extra:
            os.makedirs(os.path.join(where, name))
        if edit:
            edit(os.path.join(where, os.path.basename(self.run_dir)))
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
            for name in [os.path.basename(self.run_dir)] + list(extra):
                tf.add(os.path.join(where, name), name)
        return buf.getvalue()


class TestPack(Base):
    def test_pack_and_open(self):
        status, said = self.pack()
        self.assertEqual((status, said), (0, self.run_dir + ".tar.gz\n"))
        self.assertFalse(os.path.exists(os.path.join(self.run_dir, "SHA256SUMS")))
        self.assertEqual([n for n in os.listdir(self.tmp) if "partial" in n], [])
        run, err = self.open(self.run_dir + ".tar.gz")
        self.assertEqual((os.path.basename(run), err), (os.path.basename(self.run_dir), ""))
        for name, data in self.files.items():
            with open(os.path.join(run, name), "rb") as f:
                self.assertEqual(f.read(), data)
        with open(os.path.join(run, "SHA256SUMS"), "rb") as f:  # as sha256sum writes it, in byte order
            self.assertEqual(f.read().decode(), "".join(
                "%s%s  ./%s\n" % ("\\" if "\\" in n else "", sha(self.files[n]), n.replace("\\", "\\\\"))
                for n in ["machine.json", "raw/a\\b", "raw/x.json", "summary.csv"]))
        with tarfile.open(self.run_dir + ".tar.gz") as tf:
            self.assertEqual({(m.uid, m.gid, m.uname) for m in tf.getmembers()}, {(0, 0, "")})

    def test_refused_runs(self):
        for run in (os.path.join(self.tmp, ".lab-1.partial"), os.path.join(self.tmp, "nothere"), self.tmp):
            os.makedirs(run, exist_ok=True) if "partial" in run else None
            with self.assertRaises(SystemExit) as e, contextlib.redirect_stderr(io.StringIO()) as err:
                bundle.pack(run, "")
            self.assertEqual(e.exception.code, 2)
            self.assertIn("pack: ", err.getvalue())
        with self.assertRaises(SystemExit), contextlib.redirect_stderr(io.StringIO()) as err:
            bundle.pack(self.run_dir, os.path.join(self.tmp, "x.zip"))
        self.assertIn("a bundle is named *.tar.gz, got", err.getvalue())

    def test_a_failed_write_leaves_nothing(self):
        with contextlib.redirect_stderr(io.StringIO()) as err:
            status, _ = self.pack(os.path.join(self.tmp, "no", "such", "b.tar.gz"))
        self.assertEqual(status, 1)
        self.assertEqual(err.getvalue(), "bundle: writing %s failed (disk full?); nothing was written\n"
                         % os.path.join(self.tmp, "no", "such", "b.tar.gz"))

    @unittest.skipUnless(shutil.which("tar") and shutil.which("sha256sum"), "needs GNU tar and sha256sum")
    def test_tar_and_sha256sum_read_a_new_bundle_and_a_tar_made_one_is_read(self):
        self.assertEqual(self.pack()[0], 0)
        where = tempfile.mkdtemp(dir=self.tmp)
        subprocess.run(["tar", "-xzf", self.run_dir + ".tar.gz", "-C", where], check=True)
        inside = os.path.join(where, os.path.basename(self.run_dir))
        subprocess.run(["sha256sum", "--check", "--strict", "--quiet", "SHA256SUMS"], cwd=inside, check=True)
        old = os.path.join(self.tmp, "old.tar.gz")  # as the bash bundle.sh made one
        subprocess.run(["tar", "-C", where, "--owner=0", "--group=0", "--numeric-owner", "-czf", old,
                        os.path.basename(self.run_dir)], check=True)
        self.assertEqual(os.path.basename(self.open(old)[0]), os.path.basename(self.run_dir))


class TestDamaged(Base):
    def test_wrappings(self):
        plain = self.tar_of()
        run, err = self.open(self.write("plain.tar.gz", plain))
        self.assertTrue(os.path.isdir(run))
        self.assertIn("note: a plain tar without the gzip layer", err)
        run, err = self.open(self.write("twice.tar.gz", gzip.compress(gzip.compress(plain))))
        self.assertTrue(os.path.isdir(run))
        self.assertIn("note: gzip'd 2 times", err)
        with tarfile.open(fileobj=io.BytesIO(plain)) as tf:  # without its end blocks, or its last member too
            last = tf.getmembers()[-1].offset
            end = tf.offset
        run, err = self.open(self.write("no end.tar.gz", plain[:end]))
        self.assertTrue(os.path.isdir(run), run)
        self.assertTrue(self.open(self.write("cut.tar.gz", plain[:last]))[0].endswith(
            "a damaged bundle: cut short (the tar archive ends early: an upload or download was interrupted); fetch the whole file again"))
        data = plain
        for _ in range(4):
            data = gzip.compress(data)
        self.assertTrue(self.open(self.write("four.tar.gz", data))[0].endswith("a damaged bundle: more than 3 gzip layers"))

    def test_damaged(self):
        plain = self.tar_of()
        packed = gzip.compress(plain)
        cases = {
            b"": "an empty file",
            b"hello\n": "neither a gzip nor a tar file (not made by make pack)",
            gzip.compress(b""): "its gzip layer holds nothing",
            packed[:len(packed) // 2]: "cut short (unexpected end of file: an upload or download was interrupted);"
                                       " fetch the whole file again",
            plain[:len(plain) // 2]: "cut short (the tar archive ends early: an upload or download was interrupted);"
                                     " fetch the whole file again",
            plain[:1024]: "cut short (the tar archive ends early",
            packed[:-8] + bytes([packed[-8] ^ 1]) + packed[-7:]: "its compressed data is corrupt (gzip: invalid compressed data--crc error)",
            packed + b"junk": "its compressed data is corrupt (gzip: decompression OK, trailing garbage ignored)",
            self.tar_of(lambda d: open(os.path.join(d, "summary.csv"), "a").write("1")):
                "summary.csv differs from its checksum (changed after packing)",
            self.tar_of(lambda d: [open(os.path.join(d, n), "w").write("x") for n in ("notes.txt", "b.txt")]):
                "b.txt is not in SHA256SUMS (added after packing) (and 1 more)",
            self.tar_of(lambda d: os.unlink(os.path.join(d, "raw", "x.json"))):
                "raw/x.json is listed in SHA256SUMS but missing (cut short, or removed after packing)",
            self.tar_of(lambda d: open(os.path.join(d, "SHA256SUMS"), "a").write("not a sum\n")):
                "its SHA256SUMS is not a checksum list (edited after packing)",
            self.tar_of(lambda d: os.unlink(os.path.join(d, "SHA256SUMS"))): "no SHA256SUMS (not made by make pack)",
            self.tar_of(lambda d: os.symlink("summary.csv", os.path.join(d, "link"))):
                "it must hold one run folder of plain files (not made by make pack)",
        }
        cases[self.tar_of(extra=["other"])] = 'it must hold one run folder of plain files, not "other/"'
        for i, (data, words) in enumerate(cases.items()):
            path = self.write("damaged %d.tar.gz" % i, data)
            got, err = self.open(path)
            self.assertTrue(got.startswith("bundle: %s: a damaged bundle: %s" % (path, words)), (words, got))
            self.assertEqual(err, "")
        self.assertEqual(self.open(os.path.join(self.tmp, "none.tgz"))[0], "bundle: %s: no such bundle"
                         % os.path.join(self.tmp, "none.tgz"))


class TestGunzip(unittest.TestCase):
    """gzip(1)'s words for what is wrong with a gzip file."""

    def words(self, data):
        with tempfile.NamedTemporaryFile() as f, tempfile.NamedTemporaryFile() as out:
            f.write(data)
            f.flush()
            return bundle.gunzip(f.name, out.name), out.read()

    def test_words(self):
        z = gzip.compress(b"x" * 1000)
        self.assertEqual(self.words(z + z), ("", b"x" * 2000))  # members are concatenated
        self.assertEqual(self.words(z + b"\0" * 30), ("", b"x" * 1000))  # zero padding is fine
        self.assertEqual(self.words(z[:-8] + b"\0\0\0\0" + z[-4:])[0], "invalid compressed data--crc error")
        self.assertEqual(self.words(z[:-4] + b"\0\0\0\0")[0], "invalid compressed data--length error")
        self.assertEqual(self.words(z[:2] + b"\x09" + z[3:])[0], "unknown method 9 -- not supported")
        self.assertEqual(self.words(z[:15])[0], "unexpected end of file")
        self.assertEqual(self.words(z + b"junk")[0], "decompression OK, trailing garbage ignored")
        body = zlib.compressobj(6, zlib.DEFLATED, -15)
        bad = z[:10] + b"\xff" + body.compress(b"y") + body.flush()  # an invalid block type
        self.assertEqual(self.words(bad)[0], "invalid compressed data--format violated")


class TestNames(unittest.TestCase):
    def test_is_bundle(self):
        self.assertTrue(bundle.is_bundle("a b.tar.gz") and bundle.is_bundle("x.tgz"))
        self.assertFalse(bundle.is_bundle("x.tar") or bundle.is_bundle("x.zip") or bundle.is_bundle(tempfile.gettempdir()))


if __name__ == "__main__":
    unittest.main()
