# gilbench - make | make test | make bench | make plots | make handout | make compare | make pack | make clean | make help
#
# CC, CFLAGS, LDFLAGS and LDLIBS are yours to set on the command line; the
# project's own needs live in the GB_* variables placed beside them.

CC      ?= cc
CFLAGS  ?= -O2 -g
LDFLAGS ?=
LDLIBS  ?=

# Output folder.  Sanitizer builds use their own (bin/asan, bin/tsan) so they
# never mix objects with the normal build.
B ?= bin
SAN ?=

GB_CPPFLAGS := -Iharness -D_GNU_SOURCE -MMD -MP
GB_CFLAGS   := -std=c11 -Wall -Wextra -pthread $(SAN)
GB_LDFLAGS  := -pthread $(SAN)
GB_LDLIBS   := -lm

# harness/*.c is the runtime every binary links; harness/tools/NAME.c are
# the helper programs bin/NAME (the delay server, bin/cpus, bin/together)
# built on it.
HARNESS_SRC := $(sort $(wildcard harness/*.c))
HARNESS_OBJ := $(HARNESS_SRC:harness/%.c=$(B)/obj/harness/%.o)
CASES       := $(basename $(notdir $(sort $(wildcard cases/*.c))))
CASE_BINS   := $(CASES:%=$(B)/%)
# A case may keep parts of its own in cases/NAME/*.c (fetch: its URL list).
CASE_PARTS   = $(patsubst cases/%.c,$(B)/obj/cases/%.o,$(sort $(wildcard cases/$(1)/*.c)))
TOOLS       := $(basename $(notdir $(sort $(wildcard harness/tools/*.c))))
TOOL_BINS   := $(TOOLS:%=$(B)/%)
# ... with parts of their own in harness/tools/NAME/*.c (the server's timers).
TOOL_PARTS   = $(patsubst harness/tools/%.c,$(B)/obj/tools/%.o,$(sort $(wildcard harness/tools/$(1)/*.c)))
UNIT_SRC    := $(sort $(wildcard tests/unit_*.c))
UNIT_BINS   := $(UNIT_SRC:tests/%.c=$(B)/tests/%)
# tests/helper_NAME.c: programs the command-line tests run (not unit tests):
# bin/tests/helper_NAME, on their own, without the harness.
HELPER_SRC  := $(sort $(wildcard tests/helper_*.c))
HELPER_BINS := $(HELPER_SRC:tests/%.c=$(B)/tests/%)

# Libraries a single binary needs (target-specific, so others stay lean).
$(B)/fetch:       GB_LDLIBS += -lcurl
$(B)/delayserver: GB_LDLIBS += -lmicrohttpd

.PHONY: all units test deps build-deps bench plots handout compare pack clean help tsan asan lint
.DELETE_ON_ERROR:

# What a user passes to the scripts (BENCH_ARGS, RUN, RUNS, TOLERANCE) goes
# through the environment, never pasted into a recipe's shell line, where
# `--only=count-2|fetch` would be a pipe and a quote in a path a syntax error;
# $(value) keeps make from expanding a $ in it.  scripts/with-args.sh splits
# BENCH_ARGS and RUNS into words (quotes group, nothing else is special).
bench: export GILBENCH_BENCH_ARGS = $(value BENCH_ARGS)
# make bench reads BENCH_ARGS only; a misspelt ARGS= would run the whole
# matrix without a word, so it stops make before anything runs.
ifneq ($(filter bench,$(MAKECMDGOALS)),)
$(foreach v,ARGS BENCH_ARG BENCHARGS ONLY,$(if $(filter command line,$(origin $(v))),$(error $(v)= is not read by make bench: give bench's options as BENCH_ARGS=, e.g. make bench BENCH_ARGS=--only=count-2)))
endif
plots pack handout: export GILBENCH_RUN = $(value RUN)
compare: export GILBENCH_RUNS = $(value RUNS)
compare: export GILBENCH_TOLERANCE = $(value TOLERANCE)
compare: export GILBENCH_OUT = $(value OUT)

all: $(CASE_BINS) $(TOOL_BINS)

units: $(UNIT_BINS)

# Objects that include a library's headers wait for the build check, so a
# missing -dev package gives one clear line instead of a compiler error.
$(B)/obj/cases/fetch.o $(B)/obj/cases/fetch/limits.o $(B)/obj/tools/delayserver.o \
$(B)/obj/tools/delayserver/timers.o: | build-deps
build-deps:
	@bash scripts/install-deps.sh --check-build
# Each target checks (as root: installs) only what it needs; as another user
# it prints the one apt-get line to ask for.  `make deps`: everything.
deps:
	@bash scripts/install-deps.sh test

$(B)/obj/harness $(B)/obj/cases $(B)/obj/tools $(B)/obj/tests $(B)/tests:
	mkdir -p $@

$(B)/obj/harness/%.o: harness/%.c | $(B)/obj/harness
	$(CC) $(GB_CPPFLAGS) $(CPPFLAGS) $(GB_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/obj/cases/%.o: cases/%.c | $(B)/obj/cases
	@mkdir -p $(@D)
	$(CC) $(GB_CPPFLAGS) -Icases $(CPPFLAGS) $(GB_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/obj/tools/%.o: harness/tools/%.c | $(B)/obj/tools
	@mkdir -p $(@D)
	$(CC) $(GB_CPPFLAGS) -Iharness/tools $(CPPFLAGS) $(GB_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/obj/tests/%.o: tests/%.c | $(B)/obj/tests
	$(CC) $(GB_CPPFLAGS) $(CPPFLAGS) $(GB_CFLAGS) $(CFLAGS) -c -o $@ $<

$(CASE_BINS): $(B)/%: $(B)/obj/cases/%.o $(HARNESS_OBJ)
	$(CC) $(GB_LDFLAGS) $(LDFLAGS) -o $@ $^ $(GB_LDLIBS) $(LDLIBS)
$(foreach c,$(CASES),$(eval $(B)/$(c): $(call CASE_PARTS,$(c))))

# bin/delayserver: the local HTTP server fetch times; bin/cpus: the
# usable-CPU count for scripts (harness/cpus.h).
$(TOOL_BINS): $(B)/%: $(B)/obj/tools/%.o $(HARNESS_OBJ)
	$(CC) $(GB_LDFLAGS) $(LDFLAGS) -o $@ $^ $(GB_LDLIBS) $(LDLIBS)
$(foreach t,$(TOOLS),$(eval $(B)/$(t): $(call TOOL_PARTS,$(t))))

$(UNIT_BINS): $(B)/tests/%: $(B)/obj/tests/%.o $(HARNESS_OBJ) | $(B)/tests
	$(CC) $(GB_LDFLAGS) $(LDFLAGS) -o $@ $^ $(GB_LDLIBS) $(LDLIBS)

$(HELPER_BINS): $(B)/tests/%: $(B)/obj/tests/%.o | $(B)/tests
	$(CC) $(GB_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

-include $(wildcard $(B)/obj/*/*.d $(B)/obj/*/*/*.d)

# ---------------------------------------------------------------- tests
# make test: unit tests, command-line tests, then the sanitizer builds.
test: all $(UNIT_BINS) $(HELPER_BINS)
	@bash scripts/install-deps.sh test
	@bash tests/run.sh "$(B)"

# Convenience targets only re-run make with variables.
asan:
	$(MAKE) B=bin/asan SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" all $(UNIT_BINS:$(B)/%=bin/asan/%)
tsan:
	$(MAKE) B=bin/tsan SAN="-fsanitize=thread" all $(UNIT_BINS:$(B)/%=bin/tsan/%)
lint:
	@bash tests/cli_lint.sh

# ---------------------------------------------------------------- harness
bench: export GILBENCH_CFLAGS = $(GB_CFLAGS) $(CFLAGS)
# make bench builds on every CPU it may use (the build before the matrix took
# 7.5 s of CPU serially), unless the caller gave make its own -j.
BUILD_JOBS = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(shell nproc 2>/dev/null || echo 1))
bench:
	@bash scripts/with-args.sh GILBENCH_BENCH_ARGS bash scripts/bench.sh --check-args $(if $(QUICK),--quick)
	@bash scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory $(BUILD_JOBS) all
	@bash scripts/with-args.sh GILBENCH_BENCH_ARGS bash scripts/bench.sh $(if $(QUICK),--quick)

# RUN= may be a bundle (make pack): scripts/bundle.sh unpacks it for plots.sh.
plots:
	@bash scripts/bundle.sh with "$$GILBENCH_RUN" bash scripts/plots.sh

# The lab handout (docs/lab/) with the answer key from one run: RUN/handout/,
# or for a bundle (make pack) RUN-handout/ beside it, since its unpacked copy
# is removed.
handout:
	@run=$$GILBENCH_RUN; case $$run in *.tar.gz) set -- "--out=$${run%.tar.gz}-handout" ;; \
	    *.tgz) set -- "--out=$${run%.tgz}-handout" ;; *) set -- ;; esac; \
	bash scripts/bundle.sh with "$$run" bash scripts/handout.sh "$$@"

compare:
	@bash scripts/with-args.sh GILBENCH_RUNS bash scripts/compare.sh $${GILBENCH_TOLERANCE:+"--tolerance=$$GILBENCH_TOLERANCE"} $${GILBENCH_OUT:+"--out=$$GILBENCH_OUT"}

# One file of a run to hand in: RUN.tar.gz beside it, with the checksum of each file.
pack:
	@bash scripts/bundle.sh pack "$$GILBENCH_RUN"

clean:
	rm -rf bin

help:
	@echo 'gilbench: what the GIL costs, measured in C'
	@echo ''
	@echo '  make              build every case into bin/'
	@echo '  make test         unit and command-line tests, sanitizer builds'
	@echo '  make bench        time every case in every mode (QUICK=1: small and fast)'
	@echo '  make plots RUN=results/DIR     redraw the plots of a stored run'
	@echo '  make handout RUN=results/DIR   the lab handout (docs/lab) with that run'"'"'s answers (a bundle too)'
	@echo '  make compare RUNS="results/A results/B.tar.gz"   runs or bundles side by side'
	@echo '  make pack RUN=results/DIR      one .tar.gz of a run to hand in'
	@echo '  make asan | tsan  sanitizer builds into bin/asan, bin/tsan'
	@echo '  make lint         shellcheck, cppcheck and clang-tidy'
	@echo '  make clean        remove bin/'
	@echo ''
	@echo 'Variables: CC CFLAGS LDFLAGS LDLIBS (yours), QUICK=1, RUN=, RUNS=, OUT=DIR, TOLERANCE=PCT,'
	@echo "           BENCH_ARGS= (scripts/bench.sh options, e.g. --only='count-2|fetch';"
	@echo "           quote a value with spaces: BENCH_ARGS='--results=\"my runs\"')"
