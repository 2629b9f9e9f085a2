/*
 * report.h - results printed in one place, in two formats.
 *
 * A run adds its figures to a struct report; report_print() then writes
 * either the human form (aligned `label  value` rows and `#` context
 * lines, in the order they were added) or one JSON object on stdout.  Keys use hyperfine's names where
 * they fit (mean, median, min, max, user, system).
 */
#ifndef GILBENCH_REPORT_H
#define GILBENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>

struct report_entry;

struct report {
    struct report_entry *entries;
    size_t len, cap;
    int depth;                /* nesting of report_begin_object */
};

void report_init(struct report *r);
void report_free(struct report *r);

/* A `# ...` line in the human form, where it was added; in JSON it joins
 * the "notes" array. */
void report_note(struct report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* key is the JSON name; label the human one (NULL: same as key). */
void report_str(struct report *r, const char *key, const char *label,
                const char *value);
void report_int(struct report *r, const char *key, const char *label,
                long long value);
/* unit is shown in the human form only (JSON numbers are in base units). */
void report_num(struct report *r, const char *key, const char *label,
                double value, const char *unit);
void report_bool(struct report *r, const char *key, const char *label,
                 bool value);
void report_begin_object(struct report *r, const char *key, const char *label);
void report_end_object(struct report *r);

/* Print the report on stdout and flush it.  Returns 0, or -1 with errno
 * set when the write failed. */
int report_print(const struct report *r, bool json);

/*
 * report_finish(): the last word on stdout, called once at the end of main.
 * Flushes and closes stdout and checks every write made to it.  Returns 0;
 * or 1 after one line on stderr ("PROG: cannot write to stdout: REASON")
 * when quiet is false, or without it when quiet is true (a failure already
 * said why).  A reader that went away (EPIPE) is not an error: the process
 * ends as report_reader_gone() says and report_finish() does not return.
 */
int report_finish(const char *prog, bool quiet);

/* Say why stdout could not be written: "PROG: cannot write to stdout: ...".
 * For EPIPE it calls report_reader_gone() instead. */
void report_write_failed(const char *prog, int err);

/*
 * The reader of our output went away (EPIPE, `| head -1`): stop quietly, as
 * Unix tools do.  Runs the cleanup hook (proc.c: kills and reaps every
 * tracked child), then ends the process by SIGPIPE with the default action
 * (status 141 in a shell), so the pipeline's writer dies the way
 * `yes | head -1` does.  Never returns.
 */
void report_reader_gone(void) __attribute__((noreturn));

/* Write s as a JSON string literal (quotes included) to f. */
#include <stdio.h>
void report_json_string(FILE *f, const char *s);

#endif
