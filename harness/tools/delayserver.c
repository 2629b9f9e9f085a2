/*
 * delayserver - a local HTTP server to fetch from, so that labs and CI never
 * need the internet.  libmicrohttpd does the HTTP; this file only routes.
 *
 *   /delay/MS    200 after MS milliseconds (0 .. DELAY_MAX_MS)
 *   /bytes/N     200 with exactly N bytes of text (0 .. BYTES_MAX)
 *   /status/CODE that status (200 .. 599)
 *   anything else 404; a method other than GET or HEAD 405
 *
 * Design note.  The server must never be the bottleneck of a benchmark, so
 * no thread ever sleeps for a request.  One libmicrohttpd thread polls every
 * socket (epoll).  A /delay request is *suspended* (MHD_suspend_connection:
 * its socket leaves the poll set) and its deadline goes into a min-heap; one
 * timer thread sleeps until the earliest deadline and resumes the due
 * connections (MHD_resume_connection, which may be called from any thread);
 * libmicrohttpd then calls the handler again, which answers.  A thousand
 * delayed requests thus cost a thousand heap entries, not a thousand threads.
 *
 * Locks: timers.mutex protects the heap and `stopping`.  The handler takes
 * it and then libmicrohttpd's own lock (inside MHD_suspend_connection); the
 * timer thread never calls libmicrohttpd while it holds timers.mutex, so the
 * order is the same everywhere and cannot deadlock.
 *
 * Shutdown (SIGINT, SIGTERM, SIGHUP): `stopping` is set, so no request is
 * suspended any more; every suspended one is resumed and answered 503
 * (MHD_stop_daemon refuses to stop with suspended connections); the daemon
 * stops; the process re-raises the signal, as the house style asks.
 *
 * No orphan: the server dies with the process that started it.  A watchdog
 * thread checks every WATCH_MS that getppid() is still the parent it was
 * started by; once it is not (the parent ended and we were adopted), it
 * says so on stderr and sends us SIGTERM, so a bench killed with kill -9
 * does not leave it listening forever; it then stops as above.  Not
 * PR_SET_PDEATHSIG: that signal follows the *thread* that created us
 * (prctl(2)), so a server started from a Python worker thread died when
 * that thread ended, while its process still fetched from it.
 *
 * Open files: every connection is a socket.  When ulimit -n cannot hold
 * --max-connections, the default limit is lowered to fit (one line on
 * stderr says so; further clients wait in the listen backlog), and an
 * explicit --max-connections that cannot fit is refused, as is a ulimit -n
 * that leaves no connection beside FD_RESERVE.  A lowered limit makes the
 * server the bottleneck of any run with more requests at once, so it is
 * never only a stderr line: stdout's second line is max-connections=N and
 * every response carries MAX_CONNECTIONS_HEADER, from which bin/fetch
 * refuses such a run.
 */
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checked.h"
#include "harness.h"
#include "openfiles.h"
#include "delayserver/timers.h"

#define SERVER_NAME "delayserver"
#define DELAY_MAX_MS 10000LL
#define BYTES_MAX (64LL * 1024 * 1024)
#define CONNECTIONS_DEFAULT 4096LL
#define MAX_CONNECTIONS_HEADER "X-Gilbench-Max-Connections"
/* Sockets beyond the connections: the listener, epoll, the ITC pipe,
 * stdio and a margin. */
#define FD_RESERVE 32LL
#define WATCH_MS 100   /* how often the watchdog looks for its parent */

static bool verbose;

/* ------------------------------------------------------------ responses */

static long long max_conn;   /* the effective --max-connections (see main) */

/* Every response says how many connections the server serves at once, so
 * that bin/fetch can refuse a run that would time this server's queue. */
static void add_headers(struct MHD_Response *resp)
{
    char limit[32];
    snprintf(limit, sizeof limit, "%lld", max_conn);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
    MHD_add_response_header(resp, MAX_CONNECTIONS_HEADER, limit);
}

static enum MHD_Result answer_text(struct MHD_Connection *conn, unsigned code,
                                   const char *fmt, long long arg)
{
    char body[128];
    int len = snprintf(body, sizeof body, fmt, arg);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer((size_t)len, body, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return MHD_NO;
    add_headers(resp);
    enum MHD_Result rc = MHD_queue_response(conn, code, resp);
    MHD_destroy_response(resp);
    if (verbose)
        fprintf(stderr, "%s: %u %s", SERVER_NAME, code, body);
    return rc;
}

/* /bytes/N body: a fixed pattern, so a client can check what it got. */
static ssize_t fill_bytes(void *cls, uint64_t pos, char *buf, size_t max)
{
    uint64_t total = *(uint64_t *)cls;
    if (pos >= total)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = total - pos < max ? (size_t)(total - pos) : max;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)('a' + (pos + i) % 26);
    return (ssize_t)n;
}

static enum MHD_Result answer_bytes(struct MHD_Connection *conn, long long n)
{
    uint64_t *size = malloc(sizeof *size);
    if (size == NULL)
        return MHD_NO;
    *size = (uint64_t)n;
    struct MHD_Response *resp =
        MHD_create_response_from_callback(*size, (size_t)64 * 1024, fill_bytes, size, free);
    if (resp == NULL) {
        free(size);
        return MHD_NO;
    }
    add_headers(resp);
    enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    if (verbose)
        fprintf(stderr, "%s: 200 %lld bytes\n", SERVER_NAME, n);
    return rc;
}

/* Parse the number after prefix in url; -1 when url is not prefix + digits. */
static long long route_number(const char *url, const char *prefix, long long max)
{
    size_t plen = strlen(prefix);
    if (strncmp(url, prefix, plen) != 0 || url[plen] < '0' || url[plen] > '9')
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(url + plen, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return -1;
    return v > max ? max + 1 : v;   /* max + 1: "above the cap" */
}

static enum MHD_Result start_delay(struct MHD_Connection *conn,
                                   struct request *r, long long ms)
{
    r->delay_ms = ms;
    if (ms == 0)
        return answer_text(conn, MHD_HTTP_OK, "delayed %lld ms\n", ms);
    pthread_mutex_lock(&timers.mutex);
    if (timers.stopping) {
        pthread_mutex_unlock(&timers.mutex);
        return answer_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "stopping (%lld)\n", 0);
    }
    struct timer t = {.due = now_s() + (double)ms / 1000.0, .req = r};
    r->conn = conn;
    r->state = REQ_SUSPENDED;
    MHD_suspend_connection(conn);
    bool earliest = timers.len == 0 || t.due < timers.heap[0].due;
    heap_push(t);
    if (earliest)
        pthread_cond_signal(&timers.cond);
    pthread_mutex_unlock(&timers.mutex);
    return MHD_YES;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
                              const char *url, const char *method,
                              const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls)
{
    (void)cls; (void)version; (void)upload_data; (void)upload_data_size;
    struct request *r = *req_cls;
    if (r == NULL) {
        r = calloc(1, sizeof *r);
        if (r == NULL)
            return MHD_NO;
        *req_cls = r;
    }
    if (r->state == REQ_RESUMED) {
        if (r->cancelled)
            return answer_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
                               "stopping before the delay of %lld ms ended\n", r->delay_ms);
        return answer_text(conn, MHD_HTTP_OK, "delayed %lld ms\n", r->delay_ms);
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return answer_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD (%lld)\n", 405);

    long long v;
    if ((v = route_number(url, "/delay/", DELAY_MAX_MS)) >= 0)
        return v > DELAY_MAX_MS
                   ? answer_text(conn, MHD_HTTP_BAD_REQUEST, "delay above the cap of %lld ms\n", DELAY_MAX_MS)
                   : start_delay(conn, r, v);
    if ((v = route_number(url, "/bytes/", BYTES_MAX)) >= 0)
        return v > BYTES_MAX
                   ? answer_text(conn, MHD_HTTP_BAD_REQUEST, "size above the cap of %lld bytes\n", BYTES_MAX)
                   : answer_bytes(conn, v);
    if ((v = route_number(url, "/status/", 599)) >= 200 && v <= 599)
        return answer_text(conn, (unsigned)v, "status %lld\n", v);
    return answer_text(conn, MHD_HTTP_NOT_FOUND, "no such page (%lld)\n", 404);
}

static void request_done(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls; (void)conn; (void)why;
    struct request *r = *req_cls;
    if (r && r->cancelled)
        atomic_fetch_sub(&cancelled_pending, 1);
    free(r);
    *req_cls = NULL;
}

/* ------------------------------------------------------------ options */

static long long port = 0;

static struct opt_spec server_opts[] = {
    {.name = "port", .type = OPT_INT, .dest = &port, .metavar = "PORT", .min = 0,
     .max = 65535, .help = "TCP port on 127.0.0.1; 0 picks a free one (default 0)"},
    {.name = "max-connections", .type = OPT_INT, .dest = &max_conn, .metavar = "N",
     .min = 1, .max = 1000000, .help = "concurrent connections served (default 4096)"},
    {.name = "verbose", .type = OPT_FLAG, .dest = &verbose,
     .help = "log every answer on stderr"},
    {0},
};

static void print_help(const void *ctx, struct opt_spec *const *tables)
{
    (void)ctx;
    printf("%s - a local HTTP server with slow and sized pages, for bin/fetch\n\n"
           "Usage: %s [OPTION]...\n\n"
           "Binds 127.0.0.1 only.  The first line on stdout is the base URL,\n"
           "http://127.0.0.1:PORT; the second is max-connections=N, the connections\n"
           "it serves at once (every response also carries it, in the header\n"
           "%s, which bin/fetch checks).  Diagnostics go to stderr.  Routes:\n"
           "  /delay/MS     200 after MS milliseconds (0 to %lld)\n"
           "  /bytes/N      200 with N bytes of text (0 to %lld)\n"
           "  /status/CODE  that status code (200 to 599)\n"
           "  anything else 404\n\nOptions:\n",
           SERVER_NAME, SERVER_NAME, MAX_CONNECTIONS_HEADER, DELAY_MAX_MS, BYTES_MAX);
    opts_print_help(tables, 2);
    printf("\nStops cleanly on SIGINT, SIGTERM or SIGHUP (answering waiting requests 503),\n"
           "and when the process (not the thread) that started it ends: it never outlives it.\n"
           "Under a low ulimit -n the default --max-connections is lowered to fit.\n"
           "Exit status: killed by that signal after a clean stop; 1 cannot serve or cannot\n"
           "write the URL (nobody reading it: SIGPIPE, 141); 2 bad usage (an explicit\n"
           "--max-connections above ulimit -n too, or ulimit -n below %lld).\n\n"
           "Try: %s --port=8080   then   curl http://127.0.0.1:8080/delay/500\n",
           FD_RESERVE + 1, SERVER_NAME);
}

/* ------------------------------------------------------------ main */


/* Fit max_conn into ulimit -n: 0, or 2 after saying why on stderr. */
static int fit_max_connections(bool given)
{
    struct open_files_fit f = fit_open_files(FD_RESERVE, 1, max_conn);
    if (f.fit == max_conn)
        return 0;
    if (given) {
        fprintf(stderr, "%s: --max-connections=%lld needs %lld open files, but ulimit -n "
                "allows %lld (raise it, or give a smaller --max-connections)\n",
                SERVER_NAME, max_conn, f.need, f.limit);
        return 2;
    }
    if (f.fit == 0) {   /* not even one connection beside the reserve */
        fprintf(stderr, "%s: ulimit -n %lld is too low for the delay server (it needs at "
                "least %lld open files; raise it with ulimit -n)\n",
                SERVER_NAME, f.limit, FD_RESERVE + 1);
        return 2;
    }
    max_conn = f.fit;
    fprintf(stderr, "%s: ulimit -n allows %lld open files: serving at most %lld "
            "connections at once (more wait in the backlog)\n", SERVER_NAME, f.limit, max_conn);
    return 0;
}

/* The watchdog (see the design note): arg is the parent's pid.  Signals
 * are blocked here as in every thread; main's sigwait() takes the SIGTERM. */
static void *watch_parent(void *arg)
{
    pid_t parent = (pid_t)(intptr_t)arg;
    while (getppid() == parent)
        nanosleep(&(struct timespec){.tv_nsec = WATCH_MS * 1000000L}, NULL);
    fprintf(stderr, "%s: the process that started it (pid %ld) has ended: stopping\n",
            SERVER_NAME, (long)parent);
    kill(getpid(), SIGTERM);
    return NULL;
}

/* Die with the parent process, not with the thread that started us.  A
 * parent that died before this ran leaves us adopted: stopped at once. */
static void exit_with_parent(pid_t parent)
{
    if (parent <= 1)
        return;   /* started by init, or a container's first process */
    pthread_t t;
    Pthread_create(&t, NULL, watch_parent, (void *)(intptr_t)parent);
    CHECK_PTHREAD(pthread_detach(t));
}

int main(int argc, char **argv)
{
    pid_t parent = getppid();   /* first: before it can end */
    struct opt_spec *tables[] = {server_opts, opts_help_version};
    max_conn = CONNECTIONS_DEFAULT;
    int done = harness_options(SERVER_NAME, argc, argv, tables, 2, print_help, NULL);
    if (done >= 0)
        return done;

    /* Signals are taken by sigwait() in this thread only: block them before
     * any thread starts, so every thread inherits the mask. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (fit_max_connections(server_opts[1].seen) != 0)
        return 2;
    exit_with_parent(parent);   /* blocked: sigwait() below takes its SIGTERM */

    pthread_condattr_t ca;
    CHECK_PTHREAD(pthread_condattr_init(&ca));
    CHECK_PTHREAD(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC));
    Pthread_cond_init(&timers.cond, &ca);
    CHECK_PTHREAD(pthread_condattr_destroy(&ca));
    Pthread_mutex_init(&timers.mutex, NULL);
    pthread_t timer_thread;
    Pthread_create(&timer_thread, NULL, timer_main, NULL);

    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
            MHD_USE_ERROR_LOG,
        (uint16_t)port, NULL, NULL, handle, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)max_conn,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)4096,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
        MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL,
        MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "%s: cannot listen on 127.0.0.1:%lld (in use, or no "
                "permission); try --port=0\n", SERVER_NAME, port);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    /* One write for both lines: a reader that stops after the URL (read,
     * head -n 1) then cannot make the second line fail with EPIPE. */
    printf("http://127.0.0.1:%u\nmax-connections=%lld\n",
           info ? (unsigned)info->port : (unsigned)port, max_conn);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        int write_err = errno;
        MHD_stop_daemon(d);
        if (write_err == EPIPE)   /* nobody reads the URL: stop as a pipeline does */
            report_reader_gone();
        fprintf(stderr, "%s: cannot write the URL to stdout: %s\n", SERVER_NAME,
                strerror(write_err));
        return 1;
    }

    int sig = 0;
    while (sigwait(&stop_signals, &sig) != 0)
        ;
    pthread_mutex_lock(&timers.mutex);
    timers.stopping = true;
    pthread_cond_signal(&timers.cond);
    pthread_mutex_unlock(&timers.mutex);
    pthread_join(timer_thread, NULL);   /* it resumed every suspended request */
    /* Let the resumed requests get their 503 (for at most a second) before
     * MHD_stop_daemon closes every connection. */
    MHD_socket listener = MHD_quiesce_daemon(d);   /* now ours to close */
    for (int i = 0; i < 100 && atomic_load(&cancelled_pending) > 0; i++)
        nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
    MHD_stop_daemon(d);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    free(timers.heap);
    if (verbose)
        fprintf(stderr, "%s: stopped on signal %d\n", SERVER_NAME, sig);

    signal(sig, SIG_DFL);
    pthread_sigmask(SIG_UNBLOCK, &stop_signals, NULL);
    raise(sig);
    return 1;
}
