"""The bench program's modules import only the layers above them (the order
in scripts/gilbench/__init__.py's docstring), the standard library, and
nothing else; each has a docstring and stays under ~400 lines."""
import ast
import os
import sys
import unittest

import gilbench

PKG = os.path.dirname(gilbench.__file__)


def layers():
    """The module names in the order the package's docstring lists them."""
    names = []
    for line in (gilbench.__doc__ or "").splitlines():
        word = line.strip().split(" ")[0]
        if word and os.path.exists(os.path.join(PKG, word + ".py")):
            names.append(word)
    return names


def imports_of(path):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # from . import x / from .x import y
                found.update([node.module] if node.module else [a.name for a in node.names])
            else:
                found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
    return tree, found


class TestLayers(unittest.TestCase):
    def test_every_module_is_a_layer(self):
        mods = sorted(f[:-3] for f in os.listdir(PKG) if f.endswith(".py") and not f.startswith("__"))
        self.assertEqual(sorted(layers()), mods)

    def test_imports_go_up_only(self):
        order = layers() + ["__main__"]
        for i, name in enumerate(order):
            _, found = imports_of(os.path.join(PKG, name + ".py"))
            ours = {m for m in found if m in order or m == "gilbench"}
            self.assertEqual(ours - set(order[:i]), set(), "%s imports a layer below it" % name)

    def test_standard_library_only(self):
        stdlib = getattr(sys, "stdlib_module_names", None)
        if stdlib is None:
            self.skipTest("sys.stdlib_module_names needs Python 3.10")
        for f in os.listdir(PKG):
            if f.endswith(".py"):
                _, found = imports_of(os.path.join(PKG, f))
                other = {m for m in found if m not in stdlib and m not in layers() + ["gilbench", "__main__"]}
                self.assertEqual(other, set(), f)

    def test_docstrings_and_size(self):
        for f in os.listdir(PKG):
            if f.endswith(".py"):
                path = os.path.join(PKG, f)
                tree, _ = imports_of(path)
                self.assertTrue(ast.get_docstring(tree), "%s has no docstring" % f)
                with open(path, encoding="utf-8") as fh:
                    self.assertLess(len(fh.readlines()), 400, f)


if __name__ == "__main__":
    unittest.main()
