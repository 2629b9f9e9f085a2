"""Publishing a file: the one way the bench program's Python part writes.

Writes TEXT to a temporary name beside PATH, then renames it into place
(os.replace), so that a reader never sees half a file and a full disk leaves
none behind.  Reads nothing.  Raises OSError when the write or the rename
fails (the temporary file is removed first).
"""
import json
import os


def publish_text(path: str, text: str) -> None:
    """Write text to path through a temporary name in the same folder."""
    tmp = "%s.tmp.%d" % (path, os.getpid())
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def publish_json(path: str, obj: object, indent: object = None) -> None:
    """obj as JSON (one line, or indented), published as publish_text does."""
    publish_text(path, json.dumps(obj, indent=indent) + "\n")
