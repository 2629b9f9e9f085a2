/*
 * cases/fetch/limits.h - how many connections a fetch run may keep open at
 * once: the open-file limit (ulimit -n) and the delay server's own limit.
 * A run past either would time a queue, not the mode: it is refused
 * before it starts, or (async) capped to fit.  Set up before any task runs
 * (fetch_setup); read-only afterwards.
 */
#ifndef GILBENCH_FETCH_LIMITS_H
#define GILBENCH_FETCH_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

#include "harness.h"

#define SERVER_LIMIT_HEADER "X-Gilbench-Max-Connections:"

extern long long max_connections;          /* async: concurrent connections allowed */
extern long long server_max_connections;   /* -1: the server did not say */

/* 0 when the run fits in the open-file limit (capping async's
 * max_connections), else 2 with a reason naming what to change
 * (from_server: the tasks come from --requests). */
int fit_file_limit(const struct run_info *ri, bool from_server, char *err, size_t errlen);

/* A libcurl header callback: a SERVER_LIMIT_HEADER value into *limit. */
size_t read_limit_header(char *data, size_t size, size_t n, void *limit);

/* One HEAD request to the server to learn server_max_connections (left at
 * -1 when it does not say or cannot be reached). */
void probe_server_limit(const char *server, long long timeout_ms, const char *no_proxy);

/* Connections the run keeps open at once in its mode. */
long long connections_at_once(const struct run_info *ri);

/* 0, or 2 when the server would queue some of the run's connections. */
int fit_server_limit(const struct run_info *ri, char *err, size_t errlen);

#endif
