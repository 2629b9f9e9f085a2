/* openfiles.c - see openfiles.h. */
#include "openfiles.h"

#include <dirent.h>
#include <stddef.h>

long long open_files_limit(rlim_t want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || getrlimit(RLIMIT_NOFILE, &rl) != 0)
            return -1;
    }
    return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t)1 << 40
               ? (long long)1 << 40 : (long long)rl.rlim_cur;
}

long long files_open_now(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return 3;
    long long n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n > 0 ? n - 1 : 3;   /* not the one opendir() holds */
}

struct open_files_fit fit_open_files(long long base, long long per_conn, long long want)
{
    struct open_files_fit f = {.need = base + per_conn * want, .fit = want};
    f.limit = open_files_limit((rlim_t)f.need);
    if (f.limit >= 0 && f.limit < f.need)
        f.fit = f.limit > base ? (f.limit - base) / per_conn : 0;
    return f;
}
