/*
 * report.h - results printed in one place, in two formats.
 *
 * A run adds its figures to a struct report; report_print() then writes
 * either the human form (`#` context lines, then aligned `label  value`
 * rows) or one JSON object on stdout.  Keys use hyperfine's names where
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

/* A `# ...` line in the human form; in JSON it joins the "notes" array. */
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

void report_print(const struct report *r, bool json);

/* Write s as a JSON string literal (quotes included) to f. */
#include <stdio.h>
void report_json_string(FILE *f, const char *s);

#endif
