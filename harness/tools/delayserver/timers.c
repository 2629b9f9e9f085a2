/* harness/tools/delayserver/timers.c - see timers.h */
#include "delayserver/timers.h"

#include <time.h>

#include "checked.h"
#include "clock.h"

struct timers timers;
atomic_int cancelled_pending;

/* ------------------------------------------------------------ the heap */

static void heap_swap(size_t a, size_t b)
{
    struct timer t = timers.heap[a];
    timers.heap[a] = timers.heap[b];
    timers.heap[b] = t;
}

void heap_push(struct timer t)
{
    if (timers.len == timers.cap) {
        size_t cap = timers.cap ? 2 * timers.cap : 256;
        timers.heap = Realloc(timers.heap, cap * sizeof *timers.heap);
        timers.cap = cap;
    }
    size_t i = timers.len++;
    timers.heap[i] = t;
    for (; i > 0 && timers.heap[(i - 1) / 2].due > timers.heap[i].due; i = (i - 1) / 2)
        heap_swap(i, (i - 1) / 2);
}

static struct request *heap_pop(void)
{
    struct request *top = timers.heap[0].req;
    timers.heap[0] = timers.heap[--timers.len];
    for (size_t i = 0, m;; i = m) {
        size_t l = 2 * i + 1, r = l + 1;
        m = i;
        if (l < timers.len && timers.heap[l].due < timers.heap[m].due)
            m = l;
        if (r < timers.len && timers.heap[r].due < timers.heap[m].due)
            m = r;
        if (m == i)
            return top;
        heap_swap(i, m);
    }
}

/* ------------------------------------------------------------ timer thread */

/* Resume a batch outside timers.mutex (see "Locks" above). */
static void resume_batch(struct request **batch, size_t n)
{
    for (size_t i = 0; i < n; i++)
        MHD_resume_connection(batch[i]->conn);
}

void *timer_main(void *unused)
{
    (void)unused;
    struct request *batch[256];
    pthread_mutex_lock(&timers.mutex);
    for (;;) {
        size_t n = 0;
        double now = now_s();
        while (timers.len > 0 && n < 256 &&
               (timers.stopping || timers.heap[0].due <= now)) {
            struct request *r = heap_pop();
            r->state = REQ_RESUMED;
            r->cancelled = timers.stopping;
            if (r->cancelled)
                atomic_fetch_add(&cancelled_pending, 1);
            batch[n++] = r;
        }
        if (n > 0) {
            pthread_mutex_unlock(&timers.mutex);
            resume_batch(batch, n);
            pthread_mutex_lock(&timers.mutex);
            continue;
        }
        if (timers.stopping)
            break;
        if (timers.len == 0) {
            pthread_cond_wait(&timers.cond, &timers.mutex);
        } else {
            double due = timers.heap[0].due;
            struct timespec ts = {.tv_sec = (time_t)due,
                                  .tv_nsec = (long)((due - (double)(time_t)due) * 1e9)};
            pthread_cond_timedwait(&timers.cond, &timers.mutex, &ts);
        }
    }
    pthread_mutex_unlock(&timers.mutex);
    return NULL;
}
