/*
 * openfiles.h - how many files a process may open (ulimit -n), for the
 * programs that open one socket per connection (fetch, the delay server).
 * Past the limit connect() and accept() fail with EMFILE, which looks like
 * a broken server: they size themselves with these instead.
 */
#ifndef GILBENCH_OPENFILES_H
#define GILBENCH_OPENFILES_H

#include <sys/resource.h>

/* The soft limit on open files (RLIMIT_NOFILE) after raising it towards
 * want, as far as the hard limit allows; unlimited is reported as 2^40.
 * -1 when getrlimit/setrlimit fail. */
long long open_files_limit(rlim_t want);

/* How many files this process has open now (inherited ones count against
 * the limit too), from /proc/self/fd; 3 (stdio) when /proc cannot tell. */
long long files_open_now(void);

/*
 * How many of `want` connections fit in ulimit -n when each holds per_conn
 * open files and the process needs `base` more beside them (the files open
 * now, a reserve for pipes and libraries: the caller's count).  The soft
 * limit is first raised towards need, as far as the hard limit allows.
 *   need   base + per_conn * want
 *   limit  open_files_limit(need): -1 when it cannot be read
 *   fit    want when all fit or the limit is unknown; else how many do,
 *          (limit - base) / per_conn, 0 when not even one
 * The caller decides what a partial fit means: refuse the run, or serve
 * fewer connections at once and say so.
 */
struct open_files_fit {
    long long need, limit, fit;
};
struct open_files_fit fit_open_files(long long base, long long per_conn, long long want);

#endif
