#!/usr/bin/env bash
# tests/cli_layers.sh - no file of harness/ calls a function of its own
# layer's other files or of a higher layer.  The layers are read from the
# top comment of harness/harness.h ("layer N  file.c ..."), the calls from
# the built objects' symbols (nm: what each object defines, what it uses).
# Run it alone: BIN=bin bash tests/cli_layers.sh
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

# layers_of_files: "FILE LAYER" lines from harness.h's layer table.
layers_of_files() {
    awk '/^ \*   layer [0-9]+ / {
             for (i = 4; i <= NF && $i ~ /\.c$/; i++) print $i, $3
         }' harness/harness.h
}

# symbols KIND OBJ: the global symbols OBJ defines (KIND=defined) or uses.
symbols() {
    if [ "$1" = defined ]; then
        nm --defined-only -g "$2" | awk '{ print $3 }'
    else
        nm --undefined-only "$2" | awk '{ print $2 }'
    fi
}

main() {
    local name="harness layers: every call goes to a lower layer"
    if ! command -v nm >/dev/null; then
        skip "$name" "nm is not installed (binutils)"
        return
    fi
    local table="$TEST_TMP/layers" defs="$TEST_TMP/defs" uses="$TEST_TMP/uses"
    layers_of_files >"$table"
    local src file obj missing=""
    : >"$defs"
    : >"$uses"
    for src in harness/*.c; do
        file=${src#harness/}
        obj="$BIN/obj/harness/${file%.c}.o"
        grep -q "^$file " "$table" || missing="$missing $file"
        [ -f "$obj" ] || { fail "$name" "$obj is not built (make first)"; return; }
        symbols defined "$obj" | sed "s|^|$file |" >>"$defs"
        symbols used "$obj" | sed "s|^|$file |" >>"$uses"
    done
    if [ -n "$missing" ]; then
        fail "harness layers: every file has a layer in harness.h" "not listed:$missing"
    else
        pass "harness layers: every file has a layer in harness.h"
    fi
    # caller -> callee pairs whose callee's layer is not below the caller's.
    local bad
    bad=$(awk 'FILENAME == ARGV[1] { layer[$1] = $2; next }
               FILENAME == ARGV[2] { home[$2] = $1; next }
               ($2 in home) && home[$2] != $1 && layer[home[$2]] >= layer[$1] {
                   printf "%s (layer %d) calls %s of %s (layer %d); ",
                          $1, layer[$1], $2, home[$2], layer[home[$2]]
               }' "$table" "$defs" "$uses")
    if [ -z "$bad" ]; then
        pass "$name"
    else
        fail "$name" "$bad"
    fi
}

main "$@"
