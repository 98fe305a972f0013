// SPDX-License-Identifier: BSD-3-Clause
/*
 * jobslib-guard PARENT_PID -- PROGRAM [ARGS...]
 *
 * Sits between runjob and a command task as the leader of the task's process group (runjob
 * makes it one before exec). It exists for one reason: a task must never run on without the
 * runjob that holds its lock. When runjob dies, even by SIGKILL, the kernel sends the guard
 * SIGUSR1 (PR_SET_PDEATHSIG) and the guard SIGKILLs the whole group, grandchildren included.
 *
 * Otherwise it is transparent: it runs PROGRAM, waits for it and ends the way PROGRAM ended
 * (same exit code, or the same signal), so runjob sees the command's own status.
 *
 * Exit codes of its own: 125 bad usage, 127 PROGRAM could not be executed (as a shell does).
 */
#define _GNU_SOURCE

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define GUARD_EXIT_USAGE 125
#define GUARD_EXIT_EXEC 127

/* Signals runjob sends to the whole group to stop the task; they are meant for the command. */
static const int stop_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
#define STOP_SIGNAL_COUNT (sizeof(stop_signals) / sizeof(stop_signals[0]))

static void kill_group(void)
{
    /* SIGKILL and not SIGTERM: runjob is gone, so nobody would wait out a grace period, and the
     * lock may already be somebody else's. This kills the guard too, which is fine. */
    kill(-getpgrp(), SIGKILL);
    _exit(GUARD_EXIT_EXEC); /* not reached unless kill() failed */
}

static void on_parent_death(int sig)
{
    (void)sig;
    kill_group();
}

static void usage(const char *message)
{
    fprintf(stderr, "jobslib-guard: %s\nusage: jobslib-guard PARENT_PID -- PROGRAM [ARGS...]\n", message);
    exit(GUARD_EXIT_USAGE);
}

static pid_t parse_pid(const char *text)
{
    char *end = NULL;
    errno = 0;
    const long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value <= 1 || (long)(pid_t)value != value)
        return 0;
    return (pid_t)value;
}

static void set_handler(int sig, void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* In the forked child, before exec: the command starts with a clean signal state, whatever
 * runjob and the guard had (ignored signals would otherwise survive exec). */
static void reset_signals(void)
{
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL); /* fails harmlessly for the real-time signals libc reserves */
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Dies of the same signal as the command, so runjob can tell "killed by signal N". */
static void die_like(int sig)
{
    /* The command may already have dumped core; a second core of the guard helps nobody. */
    const struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);

    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig); /* the signal does not kill (SIGCHLD, SIGCONT...) */
}

int main(int argc, char **argv)
{
    if (argc < 4)
        usage("missing arguments");
    const pid_t parent = parse_pid(argv[1]);
    if (parent == 0)
        usage("PARENT_PID must be a process id");
    if (strcmp(argv[2], "--") != 0)
        usage("expected '--' after PARENT_PID");
    char **command = argv + 3;

    /* runjob makes the guard a group leader; started any other way it makes itself one, since
     * killing "its" group must never hit whoever started it. */
    if (getpgrp() != getpid() && setpgid(0, 0) != 0) {
        fprintf(stderr, "jobslib-guard: cannot lead a process group: %s\n", strerror(errno));
        return GUARD_EXIT_USAGE;
    }

    /* The handler must be in place before the death signal is armed: with the default action
     * SIGUSR1 would kill only the guard and leave the command running. */
    set_handler(SIGUSR1, on_parent_death);
    /* Ignored SIGCHLD (inherited through exec) would make waitpid() lose the status. */
    set_handler(SIGCHLD, SIG_DFL);

    /* The stop signals are ignored so the guard outlives the command and can report its status.
     * They are also blocked: Linux keeps a blocked signal pending even while it is ignored, so a
     * stop signal sent to the group between fork() and the child's reset_signals() is not lost
     * but delivered to the command as soon as it unblocks. */
    sigset_t mask;
    sigemptyset(&mask);
    for (size_t i = 0; i < STOP_SIGNAL_COUNT; ++i) {
        set_handler(stop_signals[i], SIG_IGN);
        sigaddset(&mask, stop_signals[i]);
    }
    /* SIG_SETMASK rather than SIG_BLOCK: runjob's thread may have blocked SIGUSR1 or SIGCHLD. */
    sigprocmask(SIG_SETMASK, &mask, NULL);

    if (prctl(PR_SET_PDEATHSIG, SIGUSR1) != 0) {
        fprintf(stderr, "jobslib-guard: prctl(PR_SET_PDEATHSIG): %s\n", strerror(errno));
        return GUARD_EXIT_USAGE;
    }
    /* runjob may have died before the death signal was armed; then nobody sends it. */
    if (getppid() != parent)
        kill_group();

    const pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "jobslib-guard: fork: %s\n", strerror(errno));
        return GUARD_EXIT_EXEC;
    }
    if (child == 0) {
        reset_signals();
        execvp(command[0], command);
        fprintf(stderr, "jobslib-guard: cannot execute '%s': %s\n", command[0], strerror(errno));
        _exit(GUARD_EXIT_EXEC);
    }

    int status = 0;
    for (;;) {
        const pid_t r = waitpid(child, &status, 0);
        if (r == child)
            break;
        if (r < 0 && errno != EINTR) {
            fprintf(stderr, "jobslib-guard: waitpid: %s\n", strerror(errno));
            return GUARD_EXIT_EXEC;
        }
    }

    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        die_like(WTERMSIG(status));
    return GUARD_EXIT_EXEC; /* waitpid without WUNTRACED reports nothing else */
}
