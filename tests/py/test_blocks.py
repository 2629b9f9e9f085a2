"""Unit tests of scripts/gilbench/blocks.py: the order of blocks, quoting,
and a real family timed by hyperfine (skipped where hyperfine is absent)."""
import json
import os
import shutil
import tempfile
import unittest
from collections import Counter

from gilbench import blocks


class TestOrder(unittest.TestCase):
    def test_each_block_is_a_permutation(self):
        ids = ["a", "b", "c", "d", "e"]
        for b in range(20):
            self.assertEqual(sorted(blocks.block_order(ids, b)), ids)

    def test_every_row_is_first_as_often(self):
        ids = ["a", "b", "c", "d"]
        firsts = Counter(blocks.block_order(ids, b)[0] for b in range(2 * len(ids) * 3))
        self.assertEqual(len(set(firsts.values())), 1, firsts)

    def test_no_row_always_follows_another(self):
        for n in (2, 3, 4, 7):
            ids = [str(i) for i in range(n)]
            before = {i: set() for i in ids}
            for b in range(2 * n):
                order = blocks.block_order(ids, b)
                for prev, cur in zip(order, order[1:]):
                    before[cur].add(prev)
            for i in ids:
                self.assertGreaterEqual(len(before[i]), min(2, n - 1), (n, i, before[i]))

    def test_hyperfine_words(self):
        self.assertEqual(blocks.hyperfine_words(["a b", "it's"]), "'a b' 'it'\\''s'")

    def test_read_rows(self):
        self.assertEqual(blocks.read_rows(["x\tbin/count\t--mode=seq\n", "\n"]),
                         [("x", ["bin/count", "--mode=seq"])])


@unittest.skipUnless(shutil.which("hyperfine"), "hyperfine is not installed")
class TestRunBlocks(unittest.TestCase):
    def setUp(self):
        self.raw = tempfile.mkdtemp(prefix="gilbench blocks é ")

    def tearDown(self):
        shutil.rmtree(self.raw)

    def test_a_family_in_blocks(self):
        rows = [("f.seq", ["true"]), ("f.other", ["sh", "-c", "exit 0"])]
        nxt = blocks.run_blocks(self.raw, "f.seq", rows, round_no=1, first_block=0, count=3)
        self.assertEqual(nxt, 3)
        nxt = blocks.run_blocks(self.raw, "f.seq", rows, round_no=2, first_block=nxt, count=2)
        self.assertEqual(nxt, 5)
        with open(os.path.join(self.raw, "f.seq.blocks.jsonl")) as f:
            recs = [json.loads(line) for line in f]
        self.assertEqual([r["block"] for r in recs], [0, 1, 2, 3, 4])
        self.assertEqual([r["round"] for r in recs], [1, 1, 1, 2, 2])
        for r in recs:
            self.assertEqual(sorted(r["seconds"]), ["f.other", "f.seq", "f.seq#aa"])
            self.assertTrue(all(t > 0 for t in r["seconds"].values()))
        # the orders differ between blocks
        self.assertGreater(len({tuple(r["order"]) for r in recs}), 1)
        # each row's round file holds that round's samples, as the tables read them
        with open(os.path.join(self.raw, "f.other.r2.hyperfine.json")) as f:
            res = json.load(f)["results"][0]
        self.assertEqual(len(res["times"]), 2)
        self.assertEqual(res["times"], [r["seconds"]["f.other"] for r in recs[3:]])
        self.assertFalse([n for n in os.listdir(self.raw) if ".tmp." in n or n.endswith(".block.json")])

    def test_a_failing_row_fails_the_block(self):
        rows = [("f.seq", ["true"]), ("f.bad", ["false"])]
        with self.assertRaises(blocks.BlockError):
            blocks.run_blocks(self.raw, "f.seq", rows, round_no=1, first_block=0, count=1)


if __name__ == "__main__":
    unittest.main()
