"""Unit tests of scripts/gilbench/files.py: a file is published whole or not at all."""
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


if __name__ == "__main__":
    unittest.main()
