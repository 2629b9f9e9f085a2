/*
 * fetch - download URLs with libcurl: the seeds' web scraping.
 *
 * What it shows
 *   Waiting work gains from threads even under a GIL, because a thread
 *   releases the GIL while it waits for the network.  An event loop gets the
 *   same gain in one thread.  A C extension that forgets to release the GIL
 *   around its blocking call turns threads back into a queue.
 *
 * Mirrors
 *   The seeds' scrape()/fetch_url(): requests.get() for each URL, first in a
 *   loop, then one threading.Thread per URL.  A task here is one URL.
 *
 * Expect on N cores (16 requests x 100 ms; ratio = seq time / mode time)
 *   seq 1.0 · threads ~16 · gil ~16 · interp ~16 · fork ~16 · async ~16
 *   pool, threadpool ~min(--workers, 16): give --workers=16
 *   gil --gil-io=hold ~1.0 · interp --gil-io=hold ~16
 *   The core count hardly matters: the tasks wait, they do not compute.
 *
 * Why
 *   A request spends nearly all its time waiting for the server, and a
 *   waiting thread or process needs no core.  In gil mode the transfer runs
 *   between GIL_BEGIN_ALLOW_THREADS and GIL_END_ALLOW_THREADS, as an
 *   extension does with Py_BEGIN_ALLOW_THREADS, so the waits overlap;
 *   --gil-io=hold keeps the GIL during the transfer, so they cannot, unless
 *   each task has a GIL of its own (interp, PEP 684): then holding it
 *   blocks no other task.  The async driver puts every transfer into
 *   one curl multi handle and polls all their sockets from one thread, as
 *   asyncio does.
 *
 * Checks
 *   Every response must be 2xx, complete (libcurl compares it with its
 *   Content-Length) and, for a URL ending in /bytes/N, exactly N bytes.  A
 *   refused connection, a timeout (--timeout-ms) or an HTTP error fails the
 *   run (exit 1); every failure is listed on stderr.  result = good
 *   responses, expected = tasks.
 *
 * Try
 *   bin/delayserver &    (prints its URL, e.g. http://127.0.0.1:40000)
 *   bin/fetch --server=http://127.0.0.1:40000 --mode=gil   (then --mode=seq)
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "checked.h"
#include "harness.h"
#include "openfiles.h"
#include "fetch/limits.h"
#include "fetch/urls.h"

static struct opt_list url_list;
static const char *urls_file;
static const char *server;
static long long requests = 16, delay_ms = 100, timeout_ms = 30000;
static int gil_io;                          /* index into gil_io_choices */
static bool verbose;
static const char *const gil_io_choices[] = {"release", "hold", NULL};

enum { OPT_URL, OPT_URLS, OPT_SERVER, OPT_REQUESTS, OPT_DELAY, OPT_TIMEOUT,
       OPT_GIL_IO, OPT_VERBOSE };
static struct opt_spec fetch_opts[] = {
    [OPT_URL] = {.name = "url", .type = OPT_LIST, .dest = &url_list, .metavar = "URL",
     .help = "fetch URL (repeatable); --tasks defaults to the number of URLs"},
    [OPT_URLS] = {.name = "urls", .type = OPT_STRING, .dest = &urls_file, .metavar = "FILE",
     .help = "fetch the URLs in FILE (UTF-8), one a line; # starts a comment"},
    [OPT_SERVER] = {.name = "server", .type = OPT_STRING, .dest = &server, .metavar = "URL",
     .help = "a bin/delayserver base URL: fetch --requests x URL/delay/--delay-ms "
             "(refused above its max-connections at once)"},
    [OPT_REQUESTS] = {.name = "requests", .type = OPT_INT, .dest = &requests, .metavar = "N",
     .min = 1, .max = 100000, .help = "with --server: how many requests (default 16)"},
    [OPT_DELAY] = {.name = "delay-ms", .type = OPT_INT, .dest = &delay_ms, .metavar = "MS",
     .min = 0, .max = 10000, .help = "with --server: server-side delay of each (default 100)"},
    [OPT_TIMEOUT] = {.name = "timeout-ms", .type = OPT_INT, .dest = &timeout_ms, .metavar = "MS",
     .min = 1, .max = 3600000, .help = "give up on a request after MS (default 30000)"},
    [OPT_GIL_IO] = {.name = "gil-io", .type = OPT_CHOICE, .dest = &gil_io, .metavar = "HOW",
     .choices = gil_io_choices,
     .help = "gil and interp modes: release the GIL during a transfer, or hold it "
             "(default release)"},
    [OPT_VERBOSE] = {.name = "verbose", .type = OPT_FLAG, .dest = &verbose,
     .help = "one line per response on stderr, as the seeds print"},
    {0},
};

/* Built once by fetch_prepare, before any task runs; read-only afterwards. */
static struct opt_list urls;                /* task i fetches urls.items[i % urls.len] */
static char no_proxy[1024];
static pthread_key_t handle_key;            /* each thread's reused easy handle */
static bool server_queued;                  /* the run exceeded the server's limit */

/* What a task hands back, in struct task_result. */
enum { COUNTER_HTTP_STATUS, COUNTER_CURL_CODE, COUNTER_SERVER_LIMIT };
enum { SECONDS_LATENCY };

/* ------------------------------------------------------------ the URL list */

static int build_urls(char *err, size_t errlen)
{
    bool listed = fetch_opts[OPT_URL].seen || fetch_opts[OPT_URLS].seen;
    if (server && listed)
        return snprintf(err, errlen, "--server: give either --server or --url/--urls"), 2;
    if (!server && (fetch_opts[OPT_REQUESTS].seen || fetch_opts[OPT_DELAY].seen))
        return snprintf(err, errlen, "--requests and --delay-ms need --server=URL"), 2;
    if (!server && !listed)
        return snprintf(err, errlen, "no URLs: give --server=URL (start bin/delayserver), "
                        "--url=URL or --urls=FILE"), 2;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < url_list.len; i++)
        rc = urls_add(&urls, url_list.items[i], "--url", err, errlen);
    if (rc == 0 && urls_file)
        rc = urls_read_file(&urls, urls_file, err, errlen);
    if (rc == 0 && server) {
        if ((rc = urls_check(server, "--server", err, errlen)) != 0)
            return rc;
        size_t len = strlen(server);
        while (len > 0 && server[len - 1] == '/')
            len--;
        char url[2048];
        snprintf(url, sizeof url, "%.*s/delay/%lld", (int)len, server, delay_ms);
        for (long long i = 0; rc == 0 && i < requests; i++)
            rc = urls_add(&urls, url, "--server", err, errlen);
    }
    return rc;
}

/* ------------------------------------------------------------ prepare */

static int fetch_prepare(struct run_info *ri, char *err, size_t errlen)
{
    if (fetch_opts[OPT_GIL_IO].seen && ri->mode != MODE_GIL && ri->mode != MODE_INTERP)
        return snprintf(err, errlen, "--gil-io needs --mode=gil or --mode=interp"), 2;
    int rc = build_urls(err, errlen);
    if (rc != 0)
        return rc;
    if (!ri->tasks_given) {
        if (urls.len > 100000)
            return snprintf(err, errlen, "%zu URLs: at most 100000", urls.len), 2;
        ri->tasks = (int)urls.len;
    }
    return 0;
}

/* Once the harness settled tasks and workers: what needs them. */
static int fetch_setup(struct run_info *ri, char *err, size_t errlen)
{
    int rc;
    const char *env = getenv("no_proxy") ? getenv("no_proxy") : getenv("NO_PROXY");
    snprintf(no_proxy, sizeof no_proxy, "%s%s127.0.0.1,localhost,::1",
             env ? env : "", env && *env ? "," : "");
    if ((rc = fit_file_limit(ri, server != NULL, err, errlen)) != 0)
        return rc;

    /* Before any thread exists and before any fork, as libcurl requires. */
    CURLcode cc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (cc != CURLE_OK) {   /* not a usage error: exit 1 */
        fprintf(stderr, "fetch: curl_global_init: %s\n", curl_easy_strerror(cc));
        exit(1);
    }
    CHECK_PTHREAD(pthread_key_create(&handle_key, curl_easy_cleanup));
    if (server)
        probe_server_limit(server, timeout_ms, no_proxy);
    return fit_server_limit(ri, err, errlen);
}

/* ------------------------------------------------------------ one transfer */

struct transfer {
    CURL *handle;
    long long bytes;
    double start;
    long long server_limit;   /* its SERVER_LIMIT_HEADER; -1 when none */
    char error[CURL_ERROR_SIZE];
};

static size_t count_bytes(char *data, size_t size, size_t n, void *transfer)
{
    (void)data;
    ((struct transfer *)transfer)->bytes += (long long)(size * n);
    return size * n;
}

static void setup_transfer(struct transfer *t, const char *url)
{
    CURL *h = t->handle;
    t->bytes = 0;
    t->server_limit = -1;
    t->error[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);     /* threads: no SIGALRM */
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, no_proxy);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "gilbench-fetch/" GILBENCH_VERSION);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, count_bytes);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, read_limit_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t->server_limit);
}

/* curl's text for a failed transfer, with what the OS said beside it when
 * curl saw an OS error ("Couldn't connect to server (connect: Network is
 * unreachable)": a loopback that is down, a firewall); curl's own long text
 * ("Failed to connect to HOST port N after 0 ms: ...") gives way to its
 * short one when both do not fit, so the OS error is never cut off. */
static void describe_failure(char *buf, size_t len, CURLcode cc, const char *error,
                             long os_errno)
{
    const char *text = error[0] ? error : curl_easy_strerror(cc);
    if (os_errno == 0) {
        snprintf(buf, len, "%.*s", (int)len - 1, text);
        return;
    }
    char os[80];
    snprintf(os, sizeof os, " (%s%s)", cc == CURLE_COULDNT_CONNECT ? "connect: " : "",
             strerror((int)os_errno));
    if (strlen(text) + strlen(os) >= len)
        text = curl_easy_strerror(cc);
    snprintf(buf, len, "%.*s%s", (int)(len - 1 - strlen(os)), text, os);
}

/* Judge a finished transfer and fill out. */
static void finish_transfer(struct transfer *t, CURLcode cc, const char *url,
                            struct task_result *out)
{
    long status = 0;
    curl_easy_getinfo(t->handle, CURLINFO_RESPONSE_CODE, &status);
    long long want = urls_bytes_size(url);
    out->value = t->bytes;
    out->counters[COUNTER_HTTP_STATUS] = status;
    out->counters[COUNTER_CURL_CODE] = cc;
    out->counters[COUNTER_SERVER_LIMIT] = t->server_limit;
    out->seconds[SECONDS_LATENCY] = now_s() - t->start;
    out->failed = 1;
    long os_errno = 0;
    curl_easy_getinfo(t->handle, CURLINFO_OS_ERRNO, &os_errno);
    if (cc != CURLE_OK && (os_errno == EMFILE || os_errno == ENFILE))
        snprintf(out->message, sizeof out->message, "no socket: %s (ulimit -n), not the "
                 "server's fault", strerror((int)os_errno));
    else if (cc != CURLE_OK)
        describe_failure(out->message, sizeof out->message, cc, t->error, os_errno);
    else if (status < 200 || status > 299)
        snprintf(out->message, sizeof out->message, "HTTP status %ld", status);
    else if (want >= 0 && t->bytes != want)
        snprintf(out->message, sizeof out->message, "got %lld bytes, /bytes/ asked for %lld",
                 t->bytes, want);
    else
        out->failed = 0;
}

/* The seeds' "Fetched URL with status: 200", as one write so lines never tear. */
static void say_fetched(const char *url, const struct task_result *r)
{
    char line[1200];
    int n = snprintf(line, sizeof line, "fetched %.1000s: %s %lld bytes in %.3f s\n", url,
                     r->failed ? r->message : "ok,", (long long)r->value,
                     r->seconds[SECONDS_LATENCY]);
    if (write(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1) < 0)
        return;   /* a closed stderr must not fail the fetch */
}

/* ------------------------------------------------------------ the task */

static void fetch_task(const struct task_ctx *ctx, struct task_result *out)
{
    /* One handle per thread, reused by the next task on the same thread (seq,
     * pool, threadpool), like a requests.Session: its connections stay open. */
    struct transfer t = {.handle = pthread_getspecific(handle_key)};
    if (t.handle == NULL) {
        t.handle = curl_easy_init();
        if (t.handle == NULL) {
            out->failed = 1;
            snprintf(out->message, sizeof out->message, "curl_easy_init failed");
            return;
        }
        CHECK_PTHREAD(pthread_setspecific(handle_key, t.handle));
    }
    const char *url = urls.items[(size_t)ctx->index % urls.len];
    setup_transfer(&t, url);
    CURLcode cc;
    t.start = now_s();
    if (gil_io == 0) {
        GIL_BEGIN_ALLOW_THREADS(ctx->ts);
        cc = curl_easy_perform(t.handle);
        GIL_END_ALLOW_THREADS;
    } else {
        cc = curl_easy_perform(t.handle);   /* the careless extension */
    }
    finish_transfer(&t, cc, url, out);
    if (verbose) {
        GIL_BEGIN_ALLOW_THREADS(ctx->ts);
        say_fetched(url, out);
        GIL_END_ALLOW_THREADS;
    }
}

/* ------------------------------------------------------------ async */

/* asyncio.gather over every URL: one multi handle, one thread, one poll. */
static int fetch_run_async(struct run_info *ri, struct task_result *results)
{
    int n = ri->tasks;
    struct transfer *t = Calloc((size_t)n, sizeof *t);
    CURLM *multi = curl_multi_init();
    int rc = multi == NULL;
    if (rc == 0 && max_connections < n)   /* the others queue inside libcurl */
        curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)max_connections);
    for (int i = 0; rc == 0 && i < n; i++) {
        if ((t[i].handle = curl_easy_init()) == NULL) {
            rc = 1;
            break;
        }
        setup_transfer(&t[i], urls.items[(size_t)i % urls.len]);
        curl_easy_setopt(t[i].handle, CURLOPT_PRIVATE, &t[i]);
        t[i].start = now_s();
        curl_multi_add_handle(multi, t[i].handle);
    }
    /* A transfer the loop never finishes (libcurl broke down) fails. */
    for (int i = 0; i < n; i++) {
        results[i].failed = 1;
        snprintf(results[i].message, sizeof results[i].message, "never finished");
    }
    int running = 1, done = 0;
    while (rc == 0 && done < n) {
        CURLMcode mc = curl_multi_perform(multi, &running);
        if (mc == CURLM_OK && running > 0)
            mc = curl_multi_poll(multi, NULL, 0, 1000, NULL);
        if (mc != CURLM_OK) {
            snprintf(ri->failure, sizeof ri->failure, "curl multi: %s",
                     curl_multi_strerror(mc));
            rc = 1;
        }
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            struct transfer *done_t;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&done_t);
            int i = (int)(done_t - t);
            const char *url = urls.items[(size_t)i % urls.len];
            finish_transfer(done_t, msg->data.result, url, &results[i]);
            results[i].task_index = i;
            if (verbose)
                say_fetched(url, &results[i]);
            done++;
        }
        if (running == 0)
            break;   /* every transfer has ended; any left unreported failed */
    }
    for (int i = 0; i < n && t[i].handle; i++) {
        curl_multi_remove_handle(multi, t[i].handle);
        curl_easy_cleanup(t[i].handle);
    }
    if (rc != 0 && ri->failure[0] == '\0')
        snprintf(ri->failure, sizeof ri->failure, "cannot set up libcurl transfers");
    curl_multi_cleanup(multi);
    free(t);
    return rc;
}

/* ------------------------------------------------------------ check, report */

static void fetch_check(const struct run_info *ri, const struct task_result *res,
                        struct verdict *v)
{
    int failures = 0;
    for (int i = 0; i < ri->tasks; i++) {
        if (!res[i].failed)
            continue;
        if (failures++ < 20)
            fprintf(stderr, "fetch: failed: %s: %s\n",
                    urls.items[(size_t)i % urls.len], res[i].message);
    }
    if (failures > 20)
        fprintf(stderr, "fetch: failed: ... and %d more\n", failures - 20);
    for (int i = 0; i < ri->tasks; i++) {
        long long limit = res[i].counters[COUNTER_SERVER_LIMIT];
        if (limit > 0 && (server_max_connections < 0 || limit < server_max_connections))
            server_max_connections = limit;
    }
    long long at_once = connections_at_once(ri);
    server_queued = server_max_connections > 0 && at_once > server_max_connections;
    if (server_queued)
        fprintf(stderr, "fetch: warning: %s mode opened %lld connections at once, but the "
                "server serves at most %lld: this run timed the server's queue, not the "
                "mode (fetch fewer URLs at once, or restart bin/delayserver with a higher "
                "ulimit -n)\n", mode_name(ri->mode), at_once, server_max_connections);
    v->expected = ri->tasks;
    v->result = ri->tasks - failures;
    v->ok = failures == 0;
}

static void fetch_report(const struct run_info *ri, const struct task_result *res,
                         struct report *r)
{
    int n = ri->tasks, failures = 0;
    long long bytes = 0;
    double *lat = Calloc((size_t)n, sizeof *lat);
    for (int i = 0; i < n; i++) {
        failures += res[i].failed != 0;
        bytes += res[i].value;
        lat[i] = res[i].seconds[SECONDS_LATENCY];
    }
    stats_sort(lat, (size_t)n);
    double median = stats_median(lat, (size_t)n);
    report_int(r, "requests", NULL, n);
    report_int(r, "failures", NULL, failures);
    report_int(r, "bytes", NULL, bytes);
    report_num(r, "latency_median_s", "latency median", median, "s");
    report_num(r, "latency_max_s", "latency max", lat[n - 1], "s");
    if (ri->mode == MODE_GIL || ri->mode == MODE_INTERP)
        report_str(r, "gil_io", "gil during I/O", gil_io_choices[gil_io]);
    free(lat);
}

static void fetch_describe(const struct run_info *ri, struct report *r)
{
    report_note(r, "each task fetches one URL of %zu (%s%s), timeout %lld ms",
                urls.len, urls.items[0], urls.len > 1 ? ", ..." : "", timeout_ms);
    if (ri->mode == MODE_GIL || ri->mode == MODE_INTERP)
        report_note(r, "the %s is %s during each transfer",
                    ri->mode == MODE_INTERP ? "task's own GIL" : "GIL",
                    gil_io == 0 ? "released" : "HELD");
    if (ri->mode == MODE_ASYNC) {
        if (max_connections < ri->tasks)
            report_note(r, "at most %lld connections at once: ulimit -n allows no more "
                        "(the other requests wait their turn)", max_connections);
        report_int(r, "max_connections", "max connections", max_connections);
    }
    if (server_queued)
        report_note(r, "WARNING: the server serves at most %lld connections at once and "
                    "this run opened %lld: it timed the server's queue",
                    server_max_connections, connections_at_once(ri));
    if (server_max_connections > 0)
        report_int(r, "server_max_connections", "server max connections",
                   server_max_connections);
    report_int(r, "urls", NULL, (long long)urls.len);
    report_int(r, "timeout_ms", "timeout ms", timeout_ms);
}

static void fetch_cleanup(struct run_info *ri)
{
    (void)ri;
    CURL *h = pthread_getspecific(handle_key);   /* seq mode: the main thread's */
    if (h)
        curl_easy_cleanup(h);   /* the key's destructor runs at thread exit only */
    pthread_key_delete(handle_key);
    curl_global_cleanup();
    for (size_t i = 0; i < urls.len; i++)
        free((void *)urls.items[i]);
    opts_list_free(&urls);
    opts_list_free(&url_list);
}

static const struct case_def fetch_case = {
    .name = "fetch",
    .purpose = "download URLs with libcurl: threads, processes and an event loop vs the GIL",
    .try_example = "fetch --server=http://127.0.0.1:PORT --mode=gil  (start bin/delayserver first)",
    .modes = MODES_CPU | MODE_BIT(MODE_ASYNC),
    .default_tasks = 16,
    .opts = fetch_opts,
    .prepare = fetch_prepare,
    .setup = fetch_setup,
    .task = fetch_task,
    .run_async = fetch_run_async,
    .check = fetch_check,
    .report = fetch_report,
    .describe = fetch_describe,
    .cleanup = fetch_cleanup,
};

int main(int argc, char **argv)
{
    return harness_main(&fetch_case, argc, argv);
}
