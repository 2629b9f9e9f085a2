/* cases/fetch/limits.c - see limits.h */
#include "fetch/limits.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "openfiles.h"

/*
 * Open files.  A connection is one socket, but a transfer run with
 * curl_easy_perform() also holds the socketpair of the multi handle libcurl
 * makes inside it: FDS_PER_EASY per thread that transfers at once (measured:
 * 100 threadpool workers hold 300 sockets).  The async driver's one multi
 * handle needs one socket per connection.  FD_RESERVE covers the harness's
 * pipes and libcurl's own, on top of the files already open (stdio, and
 * whatever the parent left open).  Past `ulimit -n`, connect() fails with
 * EMFILE and libcurl says "Couldn't connect to server", which blames a
 * healthy server: so the async driver caps its connections to fit, and the
 * modes that open one connection per thread refuse to start.  Which mode
 * does which is read from the harness's mode_table[]: its tasks run in
 * threads of this process (kind WORKER_THREAD), in the main thread's event
 * loop (event_loop), or one at a time here or in child processes of their
 * own (one transfer's files in this process).
 */
#define FD_RESERVE 32
#define FDS_PER_EASY 3

long long max_connections;

/* Tasks that run at once: every one (a worker each, or an event loop that
 * serves them all), the pool's workers, or one (seq). */
static long long tasks_at_once(const struct run_info *ri)
{
    const struct mode_info *mi = &mode_table[ri->mode];
    if (mi->worker_per_task)
        return ri->tasks;
    if (mi->kind == WORKER_NONE)
        return 1;
    return ri->workers < ri->tasks ? ri->workers : ri->tasks;
}

/* The option that sets how many tasks run at once, for a refusal. */
static const char *at_once_option(const struct run_info *ri, bool from_server)
{
    const struct mode_info *mi = &mode_table[ri->mode];
    if (!mi->worker_per_task && mi->kind != WORKER_NONE && ri->workers < ri->tasks)
        return "--workers";
    return ri->tasks_given ? "--tasks" : from_server ? "--requests" : "the URL list";
}

/* 0 when the run fits in the open-file limit (capping async), else 2
 * with a reason naming what to change. */
int fit_file_limit(const struct run_info *ri, bool from_server, char *err, size_t errlen)
{
    const struct mode_info *mi = &mode_table[ri->mode];
    long long at_once = tasks_at_once(ri);
    /* Connections whose files this process holds at once: every running
     * task's in threads or an event loop, else one transfer's. */
    long long here = mi->kind == WORKER_THREAD || mi->event_loop ? at_once : 1;
    long long open_now = files_open_now(), base = open_now + FD_RESERVE;
    struct open_files_fit f =
        fit_open_files(base, mi->event_loop ? 1 : FDS_PER_EASY, here);
    max_connections = at_once;
    if (f.fit == here)
        return 0;
    if (mi->event_loop && f.fit > 0) {
        max_connections = f.fit;   /* the rest wait their turn */
        return 0;
    }
    snprintf(err, errlen, "%s: %s mode keeps %lld connections open at once, which needs "
             "about %lld open files (%lld open already), but ulimit -n allows %lld (raise "
             "it with ulimit -n, or use --mode=async, fork or pool)", at_once_option(ri, from_server),
             mode_name(ri->mode), at_once, f.need, open_now, f.limit);
    return 2;
}

/*
 * The server's limit.  A bin/delayserver under a low ulimit -n serves fewer
 * connections at once (ulimit -n 64: 32) and queues the rest in its listen
 * backlog: 300 requests x 50 ms then take 0.6 s with ok true, and the run
 * times the server, not the mode.  It says its limit in every response
 * (SERVER_LIMIT_HEADER), so one HEAD request before the run learns it, and
 * a mode that would open more connections at once is refused.  With
 * --url/--urls nothing is asked before the run (the URLs may be anyone's),
 * but a limit read from the responses (counters[COUNTER_SERVER_LIMIT])
 * that the run exceeded is reported afterwards, on stderr and in the notes.
 */
long long server_max_connections = -1;

size_t read_limit_header(char *data, size_t size, size_t n, void *limit)
{
    size_t len = size * n, hlen = strlen(SERVER_LIMIT_HEADER);
    if (len > hlen && len < 64 && strncasecmp(data, SERVER_LIMIT_HEADER, hlen) == 0) {
        char value[64];
        memcpy(value, data + hlen, len - hlen);
        value[len - hlen] = '\0';
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (errno == 0 && v > 0 && end != value && *(end + strspn(end, " \r\n")) == '\0')
            *(long long *)limit = v;
    }
    return len;
}

void probe_server_limit(const char *server, long long timeout_ms, const char *no_proxy)
{
    CURL *h = curl_easy_init();
    if (h == NULL)
        return;
    size_t len = strlen(server);
    while (len > 0 && server[len - 1] == '/')
        len--;
    char url[2048];
    snprintf(url, sizeof url, "%.*s/delay/0", (int)len, server);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms < 2000 ? (long)timeout_ms : 2000L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, no_proxy);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, read_limit_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &server_max_connections);
    curl_easy_perform(h);   /* a failure leaves the limit unknown */
    curl_easy_cleanup(h);
}

/* Connections the run keeps open at once in its mode. */
long long connections_at_once(const struct run_info *ri)
{
    long long n = tasks_at_once(ri);
    if (mode_table[ri->mode].event_loop && max_connections < n)
        n = max_connections;
    return n;
}

/* 0, or 2 when the server would queue some of the run's connections. */
int fit_server_limit(const struct run_info *ri, char *err, size_t errlen)
{
    long long at_once = connections_at_once(ri);
    if (server_max_connections < 0 || at_once <= server_max_connections)
        return 0;
    const char *what = at_once_option(ri, true);
    snprintf(err, errlen, "%s: %s mode opens %lld connections at once, but the server "
             "serves at most %lld (its max-connections, lowered by a low ulimit -n): the run "
             "would time the server's queue; give %s=%lld or less, or restart "
             "bin/delayserver with a higher ulimit -n", what, mode_name(ri->mode), at_once,
             server_max_connections, what, server_max_connections);
    return 2;
}
