/*
 * unit_opts.c - the option parser accepts what --help promises and refuses
 * everything else with a reason.
 */
#include <string.h>

#include "opts.h"
#include "unit.h"

static long long n;
static double d;
static int choice;
static bool flag;
static const char *text;
static struct opt_list list;
static const char *const colours[] = {"red", "green", NULL};

static struct opt_spec table[] = {
    {.name = "n", .type = OPT_INT, .dest = &n, .metavar = "N", .min = 1, .max = 1000000000000LL},
    {.name = "d", .type = OPT_DOUBLE, .dest = &d, .dmin = 0.0, .dmax = 10.0},
    {.name = "colour", .type = OPT_CHOICE, .dest = &choice, .choices = colours},
    {.name = "flag", .type = OPT_FLAG, .dest = &flag},
    {.name = "text", .type = OPT_STRING, .dest = &text},
    {.name = "item", .type = OPT_LIST, .dest = &list},
    {0},
};

/* Parse a NULL-terminated argument list; returns the parser's status. */
static int parse(char *err, size_t errlen, const char *const *args)
{
    char *argv[16] = {"prog"};
    int argc = 1;
    for (; args[argc - 1]; argc++)
        argv[argc] = (char *)args[argc - 1];
    for (struct opt_spec *o = table; o->type != OPT_END; o++)
        o->seen = false;
    opts_list_free(&list);
    struct opt_spec *tables[] = {table};
    return opts_parse(argc, argv, tables, 1, err, errlen);
}

#define GOOD(name, ...)                                                        \
    do {                                                                       \
        const char *a_[] = {__VA_ARGS__, NULL};                                \
        char e_[256] = "";                                                     \
        CHECK(parse(e_, sizeof e_, a_) == 0, name);                            \
    } while (0)

#define BAD(name, needle, ...)                                                 \
    do {                                                                       \
        const char *a_[] = {__VA_ARGS__, NULL};                                \
        char e_[256] = "";                                                     \
        CHECK(parse(e_, sizeof e_, a_) == 2 && strstr(e_, needle) != NULL, name); \
    } while (0)

int main(void)
{
    GOOD("integer with =", "--n=42");
    CHECK(n == 42, "integer value stored");
    GOOD("integer as next argument", "--n", "7");
    CHECK(n == 7, "next-argument value stored");
    GOOD("scientific integer", "--n=1e9");
    CHECK(n == 1000000000LL, "1e9 is one billion");
    GOOD("scientific with fraction", "--n=2.5e6");
    CHECK(n == 2500000LL, "2.5e6 is 2500000");
    GOOD("double", "--d=0.25");
    CHECK(d == 0.25, "double stored");
    GOOD("choice", "--colour=green");
    CHECK(choice == 1, "choice index stored");
    GOOD("flag", "--flag");
    CHECK(flag, "flag set");
    GOOD("repeatable list", "--item=a", "--item", "b");
    CHECK(list.len == 2 && strcmp(list.items[1], "b") == 0, "list keeps every value in order");

    BAD("not a number", "expected an integer, got 'abc'", "--n=abc");
    BAD("trailing garbage", "expected an integer", "--n=12x");
    BAD("fraction for an integer", "whole number", "--n=1.5");
    BAD("below the range", "from 1 to", "--n=0");
    BAD("negative", "from 1 to", "--n=-3");
    BAD("overflow", "out of range", "--n=99999999999999999999");
    BAD("empty value", "got ''", "--n=");
    BAD("missing value", "missing value", "--n");
    BAD("double out of range", "from 0 to 10", "--d=11");
    BAD("double not finite", "--d", "--d=inf");
    BAD("double nan", "--d", "--d=nan");
    BAD("unknown choice", "expected one of red, green", "--colour=blue");
    BAD("unknown option", "unknown option '--nope'", "--nope");
    BAD("flag with a value", "takes no value", "--flag=yes");
    BAD("stray argument", "unexpected argument 'stray'", "stray");
    BAD("single dash", "unexpected argument '-n'", "-n");
    BAD("given twice", "more than once", "--n=1", "--n=2");
    BAD("empty string", "expected a value", "--text=");

    char err[128];
    long long v;
    CHECK(opts_parse_int("  5", 1, 10, &v, err, sizeof err) == 0 && v == 5,
          "leading blanks are accepted by strtoll");
    CHECK(opts_parse_int("5 ", 1, 10, &v, err, sizeof err) == -1,
          "trailing blanks are refused");
    opts_list_free(&list);
    UNIT_EXIT();
}
