// SPDX-License-Identifier: BSD-3-Clause
/*
 * jobslib-guard PARENT_PID [--control-fd FD] -- PROGRAM [ARGS...]
 *
 * Sits between runjob and a command task as the leader of the task's process group (runjob
 * makes it one before exec). It exists for one reason: a task must never run on without the
 * runjob that holds its lock. When runjob dies, even by SIGKILL, the kernel sends the guard
 * SIGUSR1 (PR_SET_PDEATHSIG) and the guard SIGKILLs the whole group, grandchildren included.
 *
 * A runjob that is alive but frozen (SIGSTOP, swapped out, in a debugger) cannot renew its lock
 * either, and once the lock expires another instance may take over. --control-fd FD is the read
 * end of a pipe from runjob carrying lines "D <ms>\n": the lock is proven for <ms> more
 * milliseconds from now ("D -1": no deadline, e.g. a file lock). The guard is a dead-man switch:
 * when the latest deadline passes without a newer line, or runjob closes the pipe while the
 * command runs, it SIGKILLs the group. Other lines are ignored (room for more messages).
 *
 * Otherwise it is transparent: it runs PROGRAM, waits for it and ends the way PROGRAM ended
 * (same exit code, or the same signal), so runjob sees the command's own status.
 *
 * Exit codes of its own: 125 bad usage, 127 PROGRAM could not be executed (as a shell does).
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <limits.h> /* INT_MAX */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
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

/* Only interrupts ppoll(): SIGCHLD left at SIG_DFL is discarded without waking it. */
static void on_child(int sig)
{
    (void)sig;
}

/* write() and not stdio: the message is the last thing the guard does before it dies. */
static void kill_group_because(const char *why)
{
    static const char prefix[] = "jobslib-guard: ";
    static const char suffix[] = ": killing the task\n";
    ssize_t ignored = write(STDERR_FILENO, prefix, sizeof(prefix) - 1);
    ignored = write(STDERR_FILENO, why, strlen(why));
    ignored = write(STDERR_FILENO, suffix, sizeof(suffix) - 1);
    (void)ignored;
    kill_group();
}

static void usage(const char *message)
{
    fprintf(stderr, "jobslib-guard: %s\nusage: jobslib-guard PARENT_PID [--control-fd FD] -- PROGRAM [ARGS...]\n", message);
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

static int parse_fd(const char *text)
{
    char *end = NULL;
    errno = 0;
    const long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 0 || value > INT_MAX)
        return -1;
    return (int)value;
}

static void set_handler(int sig, void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    /* A stopped or continued command must not wake the wait loop for nothing. */
    sa.sa_flags = sig == SIGCHLD ? SA_NOCLDSTOP : 0;
    sigaction(sig, &sa, NULL);
}

/* CLOCK_BOOTTIME, not CLOCK_MONOTONIC: it goes on while the host is suspended, as the lock
 * server's TTL does, so a host waking from suspend finds its deadline passed. */
static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#define NO_DEADLINE (-1LL)

/* The control pipe: the absolute CLOCK_BOOTTIME deadline (ns) of the latest "D" line. */
struct control {
    int fd; /* -1: no --control-fd, the guard only watches for runjob's death */
    long long deadline;
    char line[64];
    size_t used;
    int overlong; /* discarding the rest of a line too long to be ours */
};

/* A "D <ms>" line: the deadline counts from now, when the guard learns it, not from when runjob
 * wrote it; the pipe's latency is runjob's margin to keep (it sends what is left minus slack). */
static void control_line(struct control *c, const char *line)
{
    if (line[0] != 'D' || line[1] != ' ')
        return;
    char *end = NULL;
    errno = 0;
    const long long ms = strtoll(line + 2, &end, 10);
    if (errno != 0 || end == line + 2 || *end != '\0') {
        fprintf(stderr, "jobslib-guard: ignoring a malformed control line\n");
        return;
    }
    /* Capped at a century ("never" in practice) so the nanoseconds cannot overflow. */
    const long long century_ms = 100LL * 365 * 24 * 3600 * 1000;
    if (ms == -1)
        c->deadline = NO_DEADLINE;
    else if (ms < 0) /* any other negative value: the lock is not proven at all any more */
        c->deadline = now_ns();
    else
        c->deadline = now_ns() + (ms < century_ms ? ms : century_ms) * 1000000LL;
}

/* Reads what ppoll() said is there: one read() never blocks then. Returns 0 at end of file. */
static int control_read(struct control *c)
{
    char buf[256];
    const ssize_t n = read(c->fd, buf, sizeof(buf));
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 1 : 0; /* an unreadable pipe is as good as gone */
    if (n == 0)
        return 0;
    for (ssize_t i = 0; i < n; ++i) {
        if (buf[i] == '\n') {
            c->line[c->used] = '\0';
            if (!c->overlong)
                control_line(c, c->line);
            c->used = 0;
            c->overlong = 0;
        } else if (c->used + 1 < sizeof(c->line)) {
            c->line[c->used++] = buf[i];
        } else {
            c->overlong = 1;
        }
    }
    return 1;
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
    int next = 2;
    struct control control = {.fd = -1, .deadline = NO_DEADLINE, .used = 0, .overlong = 0};
    if (strcmp(argv[next], "--control-fd") == 0) {
        if (next + 1 >= argc || (control.fd = parse_fd(argv[next + 1])) < 0)
            usage("--control-fd needs a file descriptor");
        next += 2;
        /* It must be a pipe from runjob and nothing that happens to be open: a dead-man switch
         * fed from the wrong file would never fire or fire at random. */
        struct stat st;
        if (fstat(control.fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
            fprintf(stderr, "jobslib-guard: --control-fd %d is not a pipe\n", control.fd);
            return GUARD_EXIT_USAGE;
        }
        /* The command has no business with runjob's pipe. */
        fcntl(control.fd, F_SETFD, FD_CLOEXEC);
    }
    if (next >= argc - 1 || strcmp(argv[next], "--") != 0)
        usage("expected '--' after PARENT_PID [--control-fd FD]");
    char **command = argv + next + 1;

    /* runjob makes the guard a group leader; started any other way it makes itself one, since
     * killing "its" group must never hit whoever started it. */
    if (getpgrp() != getpid() && setpgid(0, 0) != 0) {
        fprintf(stderr, "jobslib-guard: cannot lead a process group: %s\n", strerror(errno));
        return GUARD_EXIT_USAGE;
    }

    /* The handler must be in place before the death signal is armed: with the default action
     * SIGUSR1 would kill only the guard and leave the command running. */
    set_handler(SIGUSR1, on_parent_death);
    /* A handler, not SIG_DFL: ignored SIGCHLD (inherited through exec) would make waitpid() lose
     * the status, and a SIGCHLD without a handler would not interrupt ppoll(). */
    set_handler(SIGCHLD, on_child);

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
    /* The wait loop unblocks SIGCHLD only inside ppoll(): a child that ends between waitpid()
     * and ppoll() then interrupts ppoll() instead of being missed until the next timeout. */
    sigset_t wait_mask = mask;
    sigaddset(&mask, SIGCHLD);
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
        const pid_t r = waitpid(child, &status, WNOHANG);
        if (r == child)
            break;
        if (r < 0 && errno != EINTR) {
            fprintf(stderr, "jobslib-guard: waitpid: %s\n", strerror(errno));
            return GUARD_EXIT_EXEC;
        }

        struct pollfd pfd = {.fd = control.fd, .events = POLLIN, .revents = 0};
        struct timespec timeout;
        const struct timespec *ptimeout = NULL; /* no deadline: only SIGCHLD or a line wakes us */
        if (control.fd >= 0 && control.deadline != NO_DEADLINE) {
            const long long left = control.deadline - now_ns();
            if (left <= 0)
                kill_group_because("the lock was not renewed in time (runjob unresponsive)");
            timeout.tv_sec = (time_t)(left / 1000000000LL);
            timeout.tv_nsec = (long)(left % 1000000000LL);
            ptimeout = &timeout;
        }
        /* Without --control-fd this polls nothing and is a plain wait for SIGCHLD (or SIGUSR1). */
        const int ready = ppoll(&pfd, control.fd >= 0 ? 1 : 0, ptimeout, &wait_mask);
        if (ready < 0 && errno != EINTR) {
            /* Without ppoll() the deadline cannot be kept: fail safe. */
            fprintf(stderr, "jobslib-guard: ppoll: %s\n", strerror(errno));
            kill_group();
        }
        /* POLLHUP or POLLERR without POLLIN: read() reports the end of file or the error. */
        if (ready > 0 && pfd.revents != 0 && control_read(&control) == 0)
            kill_group_because("runjob is gone");
    }

    /* The command is over. Whatever it left running in the background would go on without the
     * lock, and runjob may be unable to kill it right now (frozen): leave the group for runjob's
     * and kill what remains of it. If that is impossible, runjob kills the group when it sees
     * the end of the run. */
    const pid_t group = getpgrp();
    const pid_t parent_group = getpgid(parent);
    if (parent_group > 0 && parent_group != group && setpgid(0, parent_group) == 0)
        kill(-group, SIGKILL);

    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        die_like(WTERMSIG(status));
    return GUARD_EXIT_EXEC; /* waitpid without WUNTRACED reports nothing else */
}
