"""Publishing a file: the one way the bench program's Python part writes.

Writes TEXT to a temporary name beside PATH, then renames it into place
(os.replace), so that a reader never sees half a file and a full disk leaves
none behind.  Raises OSError when the write or the rename fails (the
temporary file is removed first).  is_complete reads a file's last bytes: is
it whole (a program may exit 0 having written half of it)?
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


def is_complete(path: str, name: str = "") -> bool:
    """path is not empty and ends as its format (name's extension, default
    path's) must: PDF its %%EOF, PNG its IEND chunk, SVG its </svg>, any
    other a whole last line (scripts/files.sh is_complete).  (gnuplot's cairo
    exits 0 on a full disk.)"""
    try:
        with open(path, "rb") as f:
            size = f.seek(0, 2)
            f.seek(max(0, size - 64))
            tail = f.read()
    except OSError:
        return False
    ext = (name or path).rsplit(".", 1)[-1]
    whole = {"pdf": b"%%EOF" in tail, "png": tail[-8:] == bytes.fromhex("49454e44ae426082"), "svg": b"</svg>" in tail}
    return size > 0 and whole.get(ext, tail.endswith(b"\n"))
