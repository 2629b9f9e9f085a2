"""Writing one self-contained HTML page: the layer report and comparepage share.

Reads the figure files it is asked to inline (gnuplot's SVG, or its PNG when
the SVG is larger than a budget: the GIL timeline's 19 000 boxes are 2 MB as
SVG, 80 kB as PNG); writes nothing itself (files.publish_text publishes the
page).  Every text taken from a file goes through esc() (html.escape).  The
page needs no script and no network: its style is inline, its figures are
inline SVG (their ids prefixed with the figure's name, so that twelve
gnuplot SVGs on one page do not share ids) or a data: URI.  Raises OSError
when a figure cannot be read.
"""
import base64
import html
import os
import re
from typing import Iterable, List, Optional, Sequence

# An SVG above this many bytes is inlined as its PNG (when there is one).
SVG_BUDGET = 400_000

STYLE = """
:root { color-scheme: light; }
body { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
  color: #111; background: #fff; margin: 0 auto; padding: 0 1rem 3rem; max-width: 84rem; }
h1 { font-size: 1.6rem; margin: 1rem 0 .25rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #111; }
h3 { font-size: 1.1rem; margin: 0 0 .4rem; }
p.machine { margin: 0 0 .8rem; font-size: .95rem; }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .2rem 1rem; margin: .2rem 0; }
nav li, .nw { white-space: nowrap; }
p, li, figcaption, caption { overflow-wrap: break-word; }
a { color: #0645ad; }
code, .num { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .92em; }
.lesson { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 1rem 1.5rem;
  padding: .8rem; margin: 1rem 0; border: 2px solid #111; break-inside: avoid; }
.lesson.fails { border-style: double; border-width: 5px; }
.lesson.not_shown { border-style: dashed; }
.lesson.not_measured { border-style: dotted; }
.verdict { font-weight: bold; padding: 0 .3rem; border: 1px solid #111; white-space: nowrap; }
.fails .verdict { background: #111; color: #fff; }
.note { font-size: .9rem; }
.warn { border-left: 6px solid #111; padding: .3rem .8rem; background: #f3f3f3; }
figure { margin: 0; break-inside: avoid; }
figure svg, figure img { width: 100%; height: auto; display: block; border: 1px solid #ccc; background: #fff; }
figcaption { font-size: .88rem; margin-top: .2rem; }
.figs { display: grid; grid-template-columns: minmax(0, 1fr); gap: 1.2rem; max-width: 64rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .9rem; }
th, td { border: 1px solid #999; padding: .15rem .45rem; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; white-space: nowrap; }
caption { text-align: left; font-size: .88rem; max-width: calc(100vw - 2rem); position: sticky; left: 0; }
th { background: #eee; }
tr.off td { font-weight: bold; }
pre { background: #f3f3f3; padding: .5rem; overflow-x: auto; white-space: pre-wrap; }
@media (max-width: 50rem) {
  .lesson { grid-template-columns: minmax(0, 1fr); }
  body { font-size: 15px; padding: 0 .5rem 2rem; }
  figure svg, figure img { min-width: 40rem; }
}
/* A phone: a table of sentences (table(stack=True): a lesson's checks) as one
   block per row, each cell under its column's name; the header row is kept
   for screen readers only. */
@media (max-width: 40rem) {
  table.stack, table.stack tbody, table.stack tr { display: block; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table.stack tr { border: 1px solid #999; margin: .5rem 0; }
  table.stack td { display: flow-root; padding-left: 7.5rem; border: 0; border-top: 1px solid #ddd;
    text-align: left; white-space: normal; }
  table.stack td:first-child { border-top: 0; background: #eee; }
  table.stack td::before { content: attr(data-label); float: left; margin-left: -7.05rem; width: 6.6rem;
    font: bold .85rem/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
}
@media print {
  body { max-width: none; font-size: 11pt; padding: 0; }
  a { color: #111; text-decoration: none; }
  nav { display: none; }
  h2 { break-after: avoid; }
  .scroll { overflow: visible; }
  tr { break-inside: avoid; }
}
"""


def esc(value: object) -> str:
    """Text from a file, escaped for an element's content or an attribute's value."""
    return html.escape("" if value is None else str(value), quote=True)


# A name with hyphens (a group, a row's id, a host-date run name), kept on
# one line: a browser breaks text after a hyphen, and count-2-cpython split
# as "count-2-" / "cpython" on a phone reads as two names.  Not a path's '/':
# a long path may still break at its other characters.
NAME = re.compile(r"[\w.]+(?:-[\w.]+)+")


def keep(value: object) -> str:
    """Text from a file, escaped (esc), each hyphenated name in it kept whole.

    >>> keep("count-2-cpython <x>")
    '<span class="nw">count-2-cpython</span> &lt;x&gt;'
    """
    return NAME.sub(lambda m: '<span class="nw">%s</span>' % m.group(0) if len(m.group(0)) <= 48 else m.group(0),
                    esc(value))


def slug(name: str) -> str:
    """An id made of name: letters, digits, '-', '_' and '.' kept, others '-'."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name)


def table(header: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = (),
          marked: Optional[Sequence[bool]] = None, caption: str = "", stack: bool = False) -> str:
    """An HTML table; header and cells are escaped here; numeric: the columns
    aligned right; marked: rows drawn bold (class off); stack: on a phone
    each row a block of its cells, each cell after its column's name
    (class stack, the name in data-label), for a table of sentences that a
    phone would squeeze to a word a line."""
    out = ['<div class="scroll"><table%s>' % (' class="stack"' if stack else "")]
    if caption:
        out.append("<caption>%s</caption>" % keep(caption))
    out.append("<thead><tr>%s</tr></thead><tbody>" % "".join(
        '<th scope="col"%s>%s</th>' % (' class="num"' if i in numeric else "", esc(h))
        for i, h in enumerate(header)))
    for k, row in enumerate(rows):
        cls = ' class="off"' if marked and marked[k] else ""
        out.append("<tr%s>%s</tr>" % (cls, "".join(
            '<td%s%s>%s</td>' % (' class="num"' if i in numeric else "",
                                 ' data-label="%s"' % esc(header[i]) if stack and i < len(header) else "", keep(c))
            for i, c in enumerate(row))))
    out.append("</tbody></table></div>")
    return "".join(out)


def _svg_inline(text: str, prefix: str, alt: str) -> str:
    """gnuplot's SVG as an inline element: no XML prolog, its ids prefixed,
    its size from its viewBox, its title the figure's alt text."""
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>", "", text)
    ids = set(re.findall(r"\bid\s*=\s*['\"]([^'\"]+)['\"]", text))
    for old in sorted(ids, key=len, reverse=True):
        new = prefix + "-" + old
        q = re.escape(old)
        text = re.sub(r"(\bid\s*=\s*['\"])%s(['\"])" % q, r"\g<1>%s\g<2>" % new, text)
        text = re.sub(r"#%s(['\")])" % q, r"#%s\g<1>" % new, text)
    text = re.sub(r"<title>.*?</title>", "", text, count=1, flags=re.S)
    text = re.sub(r"<desc>.*?</desc>", "", text, count=1, flags=re.S)
    # The root element: no fixed size, a role and a name for screen readers.
    text = re.sub(r"<svg\b([^>]*)>", lambda m: _svg_root(m.group(1), prefix, alt), text, count=1)
    return text.strip()


def _svg_root(attrs: str, prefix: str, alt: str) -> str:
    attrs = re.sub(r"\s(width|height)\s*=\s*\"[^\"]*\"", "", attrs)
    return ('<svg%s role="img" aria-labelledby="%s-title" focusable="false"><title id="%s-title">%s</title>'
            % (attrs, prefix, prefix, esc(alt)))


def figure(folder: str, name: str, alt: str, caption: str, budget: int = SVG_BUDGET) -> str:
    """A <figure id="fig-NAME"> with NAME.svg from folder inline (NAME.png as
    a data: URI when the SVG is over budget); "" when neither file exists."""
    svg, png = os.path.join(folder, name + ".svg"), os.path.join(folder, name + ".png")
    fid = "fig-" + slug(name)
    note = ""
    if os.path.isfile(svg) and (os.path.getsize(svg) <= budget or not os.path.isfile(png)):
        with open(svg, encoding="utf-8", errors="replace") as f:
            body = _svg_inline(f.read(), fid, alt)
    elif os.path.isfile(png):
        with open(png, "rb") as f:
            data = base64.b64encode(f.read()).decode("ascii")
        body = '<img alt="%s" src="data:image/png;base64,%s">' % (esc(alt), data)
        if os.path.isfile(svg):
            note = " (shown as its PNG: the SVG is %.1f MB)" % (os.path.getsize(svg) / 1e6)
    else:
        return ""
    return ('<figure id="%s"><div class="scroll">%s</div><figcaption><b class="nw">%s</b>: %s%s</figcaption></figure>'
            % (fid, body, esc(name), keep(caption), esc(note)))


def page(title: str, body: List[str]) -> str:
    """The whole document: title, inline style, body parts joined."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n%s\n</body>\n</html>\n"
            % (esc(title), STYLE, "\n".join(body)))
