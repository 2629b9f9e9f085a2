/*
 * opts.h - one table of long options per binary, parsed in one place.
 *
 * Every option has a long name; values are given as --name=VALUE or
 * --name VALUE.  Numbers are checked for end pointer, errno and range;
 * integer options also accept exact scientific notation (1e9).
 * A bad option makes opts_parse() return 2 with a one-line reason.
 */
#ifndef GILBENCH_OPTS_H
#define GILBENCH_OPTS_H

#include <stdbool.h>
#include <stddef.h>

enum opt_type {
    OPT_END = 0,
    OPT_FLAG,      /* bool *dest; takes no value */
    OPT_INT,       /* long long *dest; within [min, max] */
    OPT_DOUBLE,    /* double *dest; within [dmin, dmax] */
    OPT_STRING,    /* const char **dest; non-empty */
    OPT_CHOICE,    /* int *dest = index into choices */
    OPT_LIST       /* struct opt_list *dest; repeatable */
};

struct opt_list {
    const char **items;
    size_t len, cap;
};

struct opt_spec {
    const char *name;             /* without the leading -- */
    enum opt_type type;
    void *dest;
    const char *metavar;          /* e.g. "N", "FILE" */
    const char *help;             /* one line; say the default */
    long long min, max;           /* OPT_INT */
    double dmin, dmax;            /* OPT_DOUBLE */
    const char *const *choices;   /* OPT_CHOICE, NULL-terminated */
    bool seen;                    /* set by the parser when given */
};

/* --help and --version, the last entries of every binary's --help (see
 * harness_options(), which answers them before opts_parse() runs). */
extern struct opt_spec opts_help_version[];

/* Parse argv[1..] against tables[] (each {0}-terminated; the first match
 * wins).  Returns 0, or 2 after writing "--name: reason" into err. */
int opts_parse(int argc, char **argv, struct opt_spec *const *tables,
               size_t ntables, char *err, size_t errlen);

/* Print tables[] as --help lines to stdout. */
void opts_print_help(struct opt_spec *const *tables, size_t ntables);

/* The number parsers the table uses, for cases that parse other text.
 * Return 0 on success, or -1 after writing a reason into err. */
int opts_parse_int(const char *text, long long min, long long max,
                   long long *out, char *err, size_t errlen);
int opts_parse_double(const char *text, double min, double max, double *out,
                      char *err, size_t errlen);

void opts_list_free(struct opt_list *list);

#endif
