/* opts.c - see opts.h */
#include "opts.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checked.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int opts_parse_double(const char *text, double min, double max, double *out,
                      char *err, size_t errlen)
{
    char *end;
    if (text == NULL || *text == '\0')
        return fail(err, errlen, "expected a number, got ''");
    errno = 0;
    double v = strtod(text, &end);
    if (*end != '\0' || end == text)
        return fail(err, errlen, "expected a number, got '%s'", text);
    if (errno == ERANGE || !isfinite(v))
        return fail(err, errlen, "'%s' is out of range", text);
    if (v < min || v > max)
        return fail(err, errlen, "expected a number from %g to %g, got '%s'",
                    min, max, text);
    *out = v;
    return 0;
}

int opts_parse_int(const char *text, long long min, long long max,
                   long long *out, char *err, size_t errlen)
{
    char *end;
    if (text == NULL || *text == '\0')
        return fail(err, errlen, "expected an integer, got ''");
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (*end != '\0') {
        /* Not a plain integer: accept exact scientific notation (1e9, 2.5e6). */
        errno = 0;
        double d = strtod(text, &end);
        if (*end != '\0' || end == text || errno == ERANGE || !isfinite(d))
            return fail(err, errlen, "expected an integer, got '%s'", text);
        if (d < -9.2e18 || d > 9.2e18 || d != floor(d))
            return fail(err, errlen, "expected a whole number, got '%s'", text);
        v = (long long)d;
    } else if (errno == ERANGE) {
        return fail(err, errlen, "'%s' is out of range", text);
    }
    if (v < min || v > max)
        return fail(err, errlen, "expected an integer from %lld to %lld, got '%s'",
                    min, max, text);
    *out = v;
    return 0;
}

static struct opt_spec *find_option(struct opt_spec *const *tables,
                                    size_t ntables, const char *name,
                                    size_t namelen)
{
    for (size_t t = 0; t < ntables; t++)
        for (struct opt_spec *o = tables[t]; o && o->type != OPT_END; o++)
            if (strlen(o->name) == namelen && strncmp(o->name, name, namelen) == 0)
                return o;
    return NULL;
}

static void list_push(struct opt_list *list, const char *item)
{
    if (list->len == list->cap) {
        list->cap = list->cap ? 2 * list->cap : 8;
        list->items = Realloc(list->items, list->cap * sizeof *list->items);
    }
    list->items[list->len++] = item;
}

void opts_list_free(struct opt_list *list)
{
    free(list->items);
    list->items = NULL;
    list->len = list->cap = 0;
}

static int choice_index(const struct opt_spec *o, const char *value)
{
    for (int i = 0; o->choices[i]; i++)
        if (strcmp(o->choices[i], value) == 0)
            return i;
    return -1;
}

static void join_choices(const struct opt_spec *o, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; o->choices[i] && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
                                 o->choices[i]);
}

/* Store value into o; returns 0 or -1 with err set (without the name). */
static int store_value(struct opt_spec *o, const char *value, char *err,
                       size_t errlen)
{
    switch (o->type) {
    case OPT_INT:
        return opts_parse_int(value, o->min, o->max, o->dest, err, errlen);
    case OPT_DOUBLE:
        return opts_parse_double(value, o->dmin, o->dmax, o->dest, err, errlen);
    case OPT_STRING:
        if (*value == '\0')
            return fail(err, errlen, "expected a value, got ''");
        *(const char **)o->dest = value;
        return 0;
    case OPT_LIST:
        if (*value == '\0')
            return fail(err, errlen, "expected a value, got ''");
        list_push(o->dest, value);
        return 0;
    case OPT_CHOICE: {
        int i = choice_index(o, value);
        if (i < 0) {
            char names[256];
            join_choices(o, names, sizeof names);
            return fail(err, errlen, "expected one of %s, got '%s'", names, value);
        }
        *(int *)o->dest = i;
        return 0;
    }
    case OPT_FLAG:
    case OPT_END:
        break;
    }
    return fail(err, errlen, "internal error: bad option type");
}

static bool help_given, version_given;   /* set by opts_parse() only */

struct opt_spec opts_help_version[] = {
    {.name = "help", .type = OPT_FLAG, .dest = &help_given, .help = "show this help"},
    {.name = "version", .type = OPT_FLAG, .dest = &version_given, .help = "show the version"},
    {0},
};

int opts_parse(int argc, char **argv, struct opt_spec *const *tables,
               size_t ntables, char *err, size_t errlen)
{
    char why[300];
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            snprintf(err, errlen, "unexpected argument '%s' (options start with --)", arg);
            return 2;
        }
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t namelen = eq ? (size_t)(eq - name) : strlen(name);
        struct opt_spec *o = find_option(tables, ntables, name, namelen);
        if (o == NULL) {
            snprintf(err, errlen, "unknown option '--%.*s'", (int)namelen, name);
            return 2;
        }
        if (o->type == OPT_FLAG) {
            if (eq) {
                snprintf(err, errlen, "--%s takes no value", o->name);
                return 2;
            }
            *(bool *)o->dest = true;
            o->seen = true;
            continue;
        }
        if (o->seen && o->type != OPT_LIST) {
            snprintf(err, errlen, "--%s: given more than once", o->name);
            return 2;
        }
        const char *value;
        if (eq) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            snprintf(err, errlen, "--%s: missing value (%s)", o->name,
                     o->metavar ? o->metavar : "VALUE");
            return 2;
        }
        if (store_value(o, value, why, sizeof why) != 0) {
            snprintf(err, errlen, "--%s: %s", o->name, why);
            return 2;
        }
        o->seen = true;
    }
    return 0;
}

void opts_print_help(struct opt_spec *const *tables, size_t ntables)
{
    for (size_t t = 0; t < ntables; t++) {
        for (const struct opt_spec *o = tables[t]; o && o->type != OPT_END; o++) {
            char left[64];
            if (o->type == OPT_FLAG)
                snprintf(left, sizeof left, "--%s", o->name);
            else
                snprintf(left, sizeof left, "--%s=%s", o->name,
                         o->metavar ? o->metavar : "VALUE");
            printf("  %-26s %s\n", left, o->help ? o->help : "");
        }
    }
}
