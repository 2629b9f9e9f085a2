/*
 * together - start N copies of one command at once and wait for them all:
 * the machine's ceiling for N independent processes (the count groups'
 * `shell` rows), with no shell between the timer and the copies.
 *
 *   bin/together --copies=2 -- bin/count --mode=seq --tasks=1 --iterations=4e8
 *
 * A bash -c script that starts two processes costs ~11 ms more than one
 * process does (bash's own start-up and a fork of it); a row of 60 ms
 * against which threads are read then looks 10% slower than the machine is.
 * Here the copies are fork()+execvp() of this small program: a copy costs
 * what a seq row's own start costs.  Each copy is a tracked child
 * (harness_fork): it dies with this process, even of SIGKILL, and Ctrl-C
 * kills and reaps them all.  The copies' output is theirs (inherited).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "proc.h"

#define TOOL_NAME "together"

static long long copies = 2;

static struct opt_spec tool_opts[] = {
    {.name = "copies", .type = OPT_INT, .dest = &copies, .min = 1, .max = FORK_MAX_TASKS,
     .metavar = "N", .help = "how many copies of COMMAND to start at once (default 2)"},
    {0},
};

static void print_help(const void *ctx, struct opt_spec *const *tables)
{
    (void)ctx;
    printf("%s - start N copies of a command at once and wait for them all\n\n"
           "Usage: %s [OPTION]... -- COMMAND [ARG]...\n\n"
           "The machine's ceiling for N independent processes, timed without a shell\n"
           "in between.  Each copy runs with this program's stdin, stdout and stderr;\n"
           "each dies with it, and Ctrl-C stops and reaps them all.\n\nOptions:\n",
           TOOL_NAME, TOOL_NAME);
    opts_print_help(tables, 2);
    printf("\nExit status: 0 every copy exited 0; 1 a copy could not start or did not\n"
           "exit 0 (the first such copy is named on stderr); 2 bad usage.\n\n"
           "Try: %s --copies=2 -- bin/count --mode=seq --tasks=1\n", TOOL_NAME);
}

int main(int argc, char **argv)
{
    /* Our options end at the first "--"; the command follows it. */
    int dashes = 1;
    while (dashes < argc && strcmp(argv[dashes], "--") != 0)
        dashes++;
    struct opt_spec *tables[] = {tool_opts, opts_help_version};
    int done = harness_options(TOOL_NAME, dashes, argv, tables, 2, print_help, NULL);
    if (done >= 0)
        return done;
    if (dashes + 1 >= argc) {
        fprintf(stderr, "%s: no command: give it after '--'\nTry '%s --help'.\n",
                TOOL_NAME, TOOL_NAME);
        return 2;
    }
    char **command = argv + dashes + 1;

    proc_install_signal_handlers();
    pid_t pids[FORK_MAX_TASKS];
    int started = 0;
    char why[512] = "";
    for (; started < copies; started++) {
        pid_t pid = harness_fork();
        if (pid < 0) {
            snprintf(why, sizeof why, "copy %d could not start: fork: %s", started, strerror(errno));
            break;
        }
        if (pid == 0) {
            execvp(command[0], command);
            fprintf(stderr, "%s: cannot run '%s': %s\n", TOOL_NAME, command[0], strerror(errno));
            _exit(127);
        }
        pids[started] = pid;
    }
    /* A copy could not start: the others are stopped, then reaped below
     * (proc_reap waits for each once; its first words stay ours). */
    for (int i = 0; why[0] != '\0' && i < started; i++)
        kill(pids[i], SIGKILL);
    int bad = proc_reap(pids, started, "copy", why, sizeof why);
    if (bad > 0 || started < copies) {
        fprintf(stderr, "%s: %s\n", TOOL_NAME, why);
        return 1;
    }
    return 0;   /* nothing of ours on stdout: the copies' output is theirs */
}
