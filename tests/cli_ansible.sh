#!/usr/bin/env bash
# tests/cli_ansible.sh - scripts/ansible/bench.yml on loopback: two inventory names, both
# this machine (ansible_connection=local, no ssh), the bench at the tiny size on one group.
# Each gets its own copy of the sources, builds, runs make bench, packs the run; the bundles
# come back here and make compare runs on them.  The package step (apt, become) is left out:
# the test runs where the packages are installed, and apt needs the network.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"


test_playbook() {
    local inv="$TEST_TMP/lab.ini" bundles="$TEST_TMP/bundles" log="$TEST_TMP/ansible.log" status=0 b
    cat >"$inv" <<EOF2
[lab]
pc01.lab.example.edu gilbench_dir=$TEST_TMP/pc01
pc02 gilbench_dir=$TEST_TMP/pc02

[lab:vars]
ansible_connection=local
ansible_python_interpreter=$(command -v python3)
EOF2
    # Ansible's own files stay in the test's folder; one machine at a time (one CPU budget).
    env ANSIBLE_HOME="$TEST_TMP/ansible" ANSIBLE_LOCAL_TEMP="$TEST_TMP/ansible/tmp" \
        ANSIBLE_REMOTE_TEMP="$TEST_TMP/ansible/remote" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
        timeout --kill-after=10 900 ansible-playbook -i "$inv" -f 1 "$ROOT/scripts/ansible/bench.yml" \
        -e gilbench_install=false -e gilbench_quick=false -e gilbench_poll=2 \
        -e "gilbench_bench_args=--tiny --only=count-2 --no-plots" -e "gilbench_bundles=$bundles" >"$log" 2>&1 || status=$?
    if [ "$status" -eq 0 ] && grep -qE 'pc01\.lab\.example\.edu +: ok=[0-9]+ +changed=[0-9]+ +unreachable=0 +failed=0' "$log" &&
        grep -qE 'pc02 +: ok=[0-9]+ +changed=[0-9]+ +unreachable=0 +failed=0' "$log"; then
        pass "ansible: the playbook ran on both inventory names without a failure"
    else
        fail "ansible: the playbook ran on both names" "exit $status: $(grep -m3 -E 'fatal|FAILED|ERROR' "$log" | head -c 400)"
        return
    fi
    for b in pc01.lab.example.edu pc02; do
        if bash "$ROOT/scripts/bundle.sh" check "$bundles/$b.tar.gz" >/dev/null 2>&1; then
            pass "ansible: $b's bundle came back whole"
        else
            fail "ansible: $b's bundle came back whole" "$(ls "$bundles")"
        fi
    done
    if [ -s "$bundles/compare/ratios.csv" ] && [ -s "$bundles/compare/compare-count-2.png" ] &&
        [ "$(csv_column "$bundles/compare/ratios.csv" machine | sort -u | wc -l)" -eq 2 ] &&
        grep -q 'agreement: ' "$log"; then
        pass "ansible: make compare ran on the two bundles (ratios.csv, figures, the agreement line)"
    else
        fail "ansible: make compare ran on the two bundles" "$(find "$bundles" -maxdepth 2 | head -c 300)"
    fi
}

main() {
    have_tools "ansible" ansible-playbook || return 0
    test_playbook
}

main "$@"
