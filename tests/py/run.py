"""Run the bench program's unit tests (tests/py/test_*.py) and print one
line per test as tests/run.sh counts them: "ok - NAME", "not ok - NAME:
why", "skip - NAME: why", NAME prefixed by the interpreter's version.
Usage: python3 tests/py/run.py (from anywhere); exit 0 all passed, 1 not."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
sys.path.insert(0, HERE)
TAG = "py%d.%d" % sys.version_info[:2]


class Lines(unittest.TextTestResult):
    def name(self, test):
        return "%s: %s" % (TAG, test.id().replace("test_", "", 1))

    def addSuccess(self, test):
        print("ok - " + self.name(test))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        print("not ok - %s: %s" % (self.name(test), str(err[1]).splitlines()[0][:300]))

    def addError(self, test, err):
        super().addError(test, err)
        print("not ok - %s: %s: %s" % (self.name(test), err[0].__name__, str(err[1])[:300]))

    def addSkip(self, test, reason):
        print("skip - %s: %s" % (self.name(test), reason))


def main():
    suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    with open(os.devnull, "w") as quiet:
        result = unittest.TextTestRunner(stream=quiet, resultclass=Lines, verbosity=0).run(suite)
    for test, trace in result.failures + result.errors:
        sys.stderr.write("%s\n%s\n" % (test.id(), trace))
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
