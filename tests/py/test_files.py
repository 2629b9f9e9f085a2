"""Unit tests of scripts/gilbench/files.py: a file is published whole or not at all, and a
written file is told whole or not."""
import json
import os
import shutil
import tempfile
import unittest

from gilbench import files


class TestPublish(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gilbench files é ")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_text_and_json(self):
        p = os.path.join(self.tmp, "a.csv")
        files.publish_text(p, "x,y\n1,2\n")
        files.publish_text(p, "x,y\n3,4\n")  # replaces
        with open(p) as f:
            self.assertEqual(f.read(), "x,y\n3,4\n")
        j = os.path.join(self.tmp, "m.json")
        files.publish_json(j, {"aa": 1}, indent=2)
        with open(j) as f:
            self.assertEqual(json.load(f), {"aa": 1})
        self.assertEqual(sorted(os.listdir(self.tmp)), ["a.csv", "m.json"])

    def test_a_failed_publish_leaves_nothing(self):
        target = os.path.join(self.tmp, "dir")
        os.mkdir(target)  # a folder where the file should go: the rename fails
        with self.assertRaises(OSError):
            files.publish_text(target, "text")
        self.assertEqual(os.listdir(self.tmp), ["dir"])
        self.assertEqual(os.listdir(target), [])

    def test_is_complete(self):  # compare's and plots' check that gnuplot wrote a whole file
        for name, text, whole in (("a.svg", b"<svg></svg>\n", True), ("b.svg", b"<svg><g>", False),
                                  ("c.md", b"x\n", True), ("d.md", b"x", False), ("e.pdf", b"", False),
                                  ("f.pdf", b"%PDF...%%EOF\n", True), ("g.png", b"\x89PNG...IEND\xaeB`\x82", True),
                                  ("h.png", b"\x89PNG...IE", False)):
            with open(os.path.join(self.tmp, name), "wb") as f:
                f.write(text)
            self.assertEqual(files.is_complete(os.path.join(self.tmp, name)), whole, name)
        self.assertFalse(files.is_complete(os.path.join(self.tmp, "nowhere.md")))
        self.assertFalse(files.is_complete(os.path.join(self.tmp, "c.md"), "c.svg"))  # judged by the name given


if __name__ == "__main__":
    unittest.main()
