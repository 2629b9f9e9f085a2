#!/usr/bin/env bash
# tests/cli_docs.sh - every relative link in README.md, docs/**/*.md and the
# READMEs of plots/ and results/ points to a file that exists and, where it
# has an #anchor, to a heading (or an <a id>) that GitHub would give that
# anchor; the checker itself is tested on pages with broken links.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

# check_links FILE...: one line per broken relative link, "FILE:LINE: TARGET:
# why"; exit 0 when there is none, 1 otherwise.  GitHub's anchor of a
# heading: its text as rendered (code spans, emphasis and links reduced to
# their text), lower case, every character but letters, digits, blanks, '-'
# and '_' dropped, blanks turned into '-'; a repeated anchor gets -1, -2, ...
check_links() {
    python3 - "$@" <<'EOF'
import os, re, sys

FENCE = re.compile(r'^\s*(```|~~~)')
LINK = re.compile(r'!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)')
REFDEF = re.compile(r'^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$')
HTML_ID = re.compile(r'<a\s+(?:id|name)="([^"]+)"')

def lines_outside_code(path):
    """(number, text) of each line outside fenced code, code spans blanked."""
    fenced = False
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            if FENCE.match(line):
                fenced = not fenced
                continue
            if not fenced:
                yield n, re.sub(r'(`+)(?:(?!\1).)+?\1', '``', line.rstrip('\n'))

def slug(heading):
    """GitHub's anchor for a heading's text, e.g. 'A, `b.c`' -> 'a-bc'."""
    text = re.sub(r'!?\[([^\]]*)\]\([^)]*\)', r'\1', heading)
    text = re.sub(r'<[^>]+>', '', text).replace('`', '').replace('*', '')
    text = re.sub(r'[^\w\- ]', '', text.strip().lower())
    return text.replace(' ', '-')

ANCHORS = {}
def anchors(path):
    if path not in ANCHORS:
        seen, found = {}, set()
        fenced = False
        with open(path, encoding='utf-8') as f:
            for line in f:
                if FENCE.match(line):
                    fenced = not fenced
                    continue
                if fenced:
                    continue
                found.update(HTML_ID.findall(line))
                m = re.match(r'^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$', line)
                if m:
                    base = slug(m.group(1))
                    k = seen.get(base, 0)
                    seen[base] = k + 1
                    found.add(base if k == 0 else '%s-%d' % (base, k))
        ANCHORS[path] = found
    return ANCHORS[path]

bad = 0
for page in sys.argv[1:]:
    for n, line in lines_outside_code(page):
        targets = LINK.findall(line)
        m = REFDEF.match(line)
        if m:
            targets.append(m.group(1))
        for target in targets:
            if not target or re.match(r'^[a-z][a-z0-9+.-]*:', target, re.I):
                continue            # an absolute URL: http:, mailto:, ...
            file_part, _, anchor = target.partition('#')
            dest = os.path.normpath(os.path.join(os.path.dirname(page), file_part)) if file_part else page
            why = None
            if not os.path.exists(dest):
                why = 'no such file'
            elif anchor and os.path.isfile(dest) and dest.endswith('.md') and anchor not in anchors(dest):
                why = 'no heading with the anchor #%s in %s' % (anchor, dest)
            if why:
                print('%s:%d: %s: %s' % (page, n, target, why))
                bad += 1
sys.exit(1 if bad else 0)
EOF
}

test_repository_links() {
    local pages=()
    mapfile -t pages < <(cd "$ROOT" && { ls README.md plots/README.md results/README.md; find docs -name '*.md'; } | sort)
    local out status=0
    out=$(cd "$ROOT" && check_links "${pages[@]}") || status=$?
    if [ "$status" -eq 0 ]; then
        pass "every relative link in the READMEs and docs/ resolves, anchors too (${#pages[@]} pages)"
    else
        fail "every relative link in the READMEs and docs/ resolves" "$(head -c 600 <<<"$out")"
    fi
}

# The checker on fabricated pages: what it must accept and what it must report.
test_checker() {
    local dir="$TEST_TMP/pages"
    mkdir -p "$dir/sub"
    cat >"$dir/a.md" <<'EOF'
# Title
## One page per run: report.html
## Does it hold? (`lessons.md`)
## Repeat
## Repeat
## Getting a CPython 3.14
<a id="sizes"></a>**Sizes.**
[ok](#one-page-per-run-reporthtml) [ok](#does-it-hold-lessonsmd) [ok](#repeat-1)
[ok](sub/b.md#b-über) [ok](#sizes) [ok](https://example.com/#nothing) [ok](#getting-a-cpython-314)
`[not a link](nowhere.md)`
```
[not a link either](nowhere.md)
```
[bad file](missing.md)
[bad anchor](sub/b.md#nope)
[bad local anchor](#repeat-2)
EOF
    printf '# B über\n[up](../a.md#title)\n' >"$dir/sub/b.md"
    local out status=0
    out=$(cd "$dir" && check_links a.md sub/b.md) || status=$?
    local want
    want=$(printf '%s\n' 'a.md:14: missing.md: no such file' \
        'a.md:15: sub/b.md#nope: no heading with the anchor #nope in sub/b.md' \
        'a.md:16: #repeat-2: no heading with the anchor #repeat-2 in a.md')
    if [ "$status" -eq 1 ] && [ "$out" = "$want" ]; then
        pass "the link check reports a missing file and a missing anchor, and nothing else"
    else
        fail "the link check reports a missing file and a missing anchor, and nothing else" "exit $status: $out"
    fi
}

main() {
    if ! command -v python3 >/dev/null; then
        echo "skip - the documentation's links: no python3 (scripts/install-deps.sh bench installs it)"
        return 0
    fi
    test_repository_links
    test_checker
}

main "$@"
