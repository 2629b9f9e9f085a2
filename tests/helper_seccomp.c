/*
 * helper_seccomp - run a command under the seccomp filter of an old
 * container runtime (Docker before 20.10.10, libseccomp before 2.5.2), which
 * did not know clone3 and answered it EPERM: with glibc >= 2.34, whose
 * pthread_create and posix_spawn try clone3 first and fall back to clone only
 * on ENOSYS, no thread starts and no process spawned that way does (fork()
 * still works: it calls clone).  moby#42680.  For tests/cli_probes.sh.
 *
 *   helper_seccomp CMD [ARG]...
 *
 * Exit status: CMD's (it is exec'd); 77 when a filter cannot be installed
 * here (the reason on stderr: the test skips); 2 bad usage; 127 CMD not run.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#if defined(__x86_64__)
#define HELPER_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define HELPER_ARCH AUDIT_ARCH_AARCH64
#endif

int main(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "helper_seccomp: usage: helper_seccomp CMD [ARG]...\n");
        return 2;
    }
#if !defined(HELPER_ARCH) || !defined(__NR_clone3)
    fprintf(stderr, "helper_seccomp: this architecture is not handled (x86_64, aarch64)\n");
    return 77;
#else
    struct sock_filter code[] = {
        /* Another architecture's system call numbers: allowed. */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, HELPER_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        fprintf(stderr, "helper_seccomp: prctl(PR_SET_NO_NEW_PRIVS): %s\n", strerror(errno));
        return 77;
    }
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) {
        fprintf(stderr, "helper_seccomp: prctl(PR_SET_SECCOMP): %s\n", strerror(errno));
        return 77;
    }
    execvp(argv[1], argv + 1);
    fprintf(stderr, "helper_seccomp: %s: %s\n", argv[1], strerror(errno));
    return 127;
#endif
}
