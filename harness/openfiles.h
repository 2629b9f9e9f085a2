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

#endif
