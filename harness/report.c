/* report.c - see report.h */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checked.h"

enum entry_kind { E_NOTE, E_STR, E_INT, E_NUM, E_BOOL, E_BEGIN, E_END };

struct report_entry {
    enum entry_kind kind;
    int depth;
    char *key, *label, *text, *unit;
    long long i;
    double d;
};

static char *dup_or_null(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    return memcpy(Malloc(n), s, n);
}

static struct report_entry *add(struct report *r, enum entry_kind kind,
                                const char *key, const char *label)
{
    if (r->len == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 32;
        r->entries = Realloc(r->entries, r->cap * sizeof *r->entries);
    }
    struct report_entry *e = &r->entries[r->len++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->depth = r->depth;
    e->key = dup_or_null(key);
    e->label = dup_or_null(label ? label : key);
    return e;
}

void report_init(struct report *r) { memset(r, 0, sizeof *r); }

void report_free(struct report *r)
{
    for (size_t k = 0; k < r->len; k++) {
        free(r->entries[k].key);
        free(r->entries[k].label);
        free(r->entries[k].text);
        free(r->entries[k].unit);
    }
    free(r->entries);
    report_init(r);
}

void report_note(struct report *r, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    add(r, E_NOTE, NULL, NULL)->text = dup_or_null(buf);
}

void report_str(struct report *r, const char *key, const char *label,
                const char *value)
{
    add(r, E_STR, key, label)->text = dup_or_null(value ? value : "");
}

void report_int(struct report *r, const char *key, const char *label,
                long long value)
{
    add(r, E_INT, key, label)->i = value;
}

void report_num(struct report *r, const char *key, const char *label,
                double value, const char *unit)
{
    struct report_entry *e = add(r, E_NUM, key, label);
    e->d = value;
    e->unit = dup_or_null(unit);
}

void report_bool(struct report *r, const char *key, const char *label, bool value)
{
    add(r, E_BOOL, key, label)->i = value;
}

void report_begin_object(struct report *r, const char *key, const char *label)
{
    add(r, E_BEGIN, key, label);
    r->depth++;
}

void report_end_object(struct report *r)
{
    r->depth--;
    add(r, E_END, NULL, NULL);
}

void report_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\t': fputs("\\t", f); break;
        case '\r': fputs("\\r", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

static void json_number(FILE *f, double d)
{
    if (isfinite(d))
        fprintf(f, "%.9g", d);
    else
        fputs("null", f);
}

static void print_json(const struct report *r)
{
    FILE *f = stdout;
    bool first = true;
    int notes = 0;
    fputc('{', f);
    for (size_t k = 0; k < r->len; k++) {
        const struct report_entry *e = &r->entries[k];
        if (e->kind == E_NOTE) {
            notes++;
            continue;
        }
        if (e->kind == E_END) {
            fputc('}', f);
            first = false;
            continue;
        }
        if (!first)
            fputc(',', f);
        first = false;
        report_json_string(f, e->key);
        fputc(':', f);
        switch (e->kind) {
        case E_STR: report_json_string(f, e->text); break;
        case E_INT: fprintf(f, "%lld", e->i); break;
        case E_NUM: json_number(f, e->d); break;
        case E_BOOL: fputs(e->i ? "true" : "false", f); break;
        case E_BEGIN: fputc('{', f); first = true; break;
        default: break;
        }
    }
    if (notes) {
        fprintf(f, "%s\"notes\":[", first ? "" : ",");
        int n = 0;
        for (size_t k = 0; k < r->len; k++)
            if (r->entries[k].kind == E_NOTE) {
                if (n++)
                    fputc(',', f);
                report_json_string(f, r->entries[k].text);
            }
        fputc(']', f);
    }
    fputs("}\n", f);
}

/* Human numbers: enough digits to read, units where they help. */
static void human_number(char *buf, size_t len, double d, const char *unit)
{
    if (!isfinite(d))
        snprintf(buf, len, "n/a");
    else if (unit && strcmp(unit, "s") == 0)
        snprintf(buf, len, "%.3f s", d);
    else
        snprintf(buf, len, "%.4g%s%s", d, unit ? " " : "", unit ? unit : "");
}

static void print_human(const struct report *r)
{
    FILE *f = stdout;
    char prefix[128] = "";
    for (size_t k = 0; k < r->len; k++) {
        const struct report_entry *e = &r->entries[k];
        char value[160], label[200];
        switch (e->kind) {
        case E_NOTE: fprintf(f, "# %s\n", e->text); continue;
        case E_BEGIN:
            snprintf(prefix, sizeof prefix, "%s ", e->label);
            continue;
        case E_END: prefix[0] = '\0'; continue;
        case E_STR: snprintf(value, sizeof value, "%s", e->text); break;
        case E_INT: snprintf(value, sizeof value, "%lld", e->i); break;
        case E_NUM: human_number(value, sizeof value, e->d, e->unit); break;
        case E_BOOL: snprintf(value, sizeof value, "%s", e->i ? "yes" : "no"); break;
        }
        snprintf(label, sizeof label, "%s%s", prefix, e->label);
        fprintf(f, "%-24s %s\n", label, value);
    }
}

int report_print(const struct report *r, bool json)
{
    errno = 0;
    if (json)
        print_json(r);
    else
        print_human(r);
    if (fflush(stdout) != 0 || ferror(stdout))
        return errno ? -1 : (errno = EIO, -1);
    return 0;
}

void report_reader_gone(void)
{
    checked_run_cleanup();   /* proc.c: kill and reap every child */
    signal(SIGPIPE, SIG_DFL);
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_UNBLOCK, &pipe_only, NULL);
    raise(SIGPIPE);
    /* Not reached: the default action ends us.  cppcheck-suppress unreachableCode */
    _exit(128 + SIGPIPE);
}

void report_write_failed(const char *prog, int err)
{
    if (err == EPIPE)
        report_reader_gone();
    fprintf(stderr, "%s: cannot write to stdout: %s\n", prog,
            err ? strerror(err) : "write error");
}

int report_finish(const char *prog, bool quiet)
{
    errno = 0;
    bool bad = fflush(stdout) != 0 || ferror(stdout);
    int err = errno;
    if (fclose(stdout) != 0 && !bad) {
        bad = true;
        err = errno;
    }
    if (!bad)
        return 0;
    if (err == EPIPE || !quiet)
        report_write_failed(prog, err);
    return 1;
}
