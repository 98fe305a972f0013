// SPDX-License-Identifier: BSD-3-Clause
/*
 * jobslib-guard PARENT_PID [--control-fd FD] [--cgroup DIR] -- PROGRAM [ARGS...]
 *
 * Sits between runjob and a command task as the leader of the task's process group (runjob
 * makes it one before exec). It exists for one reason: nothing of a run may go on without the
 * runjob that holds its lock, or after the run ended. When runjob dies, even by SIGKILL, the
 * kernel sends the guard SIGUSR1 (PR_SET_PDEATHSIG) and the guard kills everything of the run.
 *
 * "Everything of the run" is more than the process group: a command may start daemons that
 * leave it (setsid, double fork). The guard is the child subreaper of the run
 * (PR_SET_CHILD_SUBREAPER): every orphan among its descendants, setsid or not, becomes its child
 * instead of init's. Killing the run SIGKILLs the group, then every child of the guard, reaps,
 * and repeats until none is left (a killed daemon's own children become the guard's in turn).
 * With --cgroup DIR (an empty cgroup v2 that runjob made for this run) the command starts in DIR
 * and the kill begins with DIR's cgroup.kill, which reaches every process in it at once; the
 * guard removes DIR when the run is over.
 *
 * A runjob that is alive but frozen (SIGSTOP, swapped out, in a debugger) cannot renew its lock
 * either, and once the lock expires another instance may take over. --control-fd FD is the read
 * end of a pipe from runjob carrying lines:
 *   "D <ms>\n"  the lock is proven for <ms> more milliseconds from now ("D -1": no deadline, e.g.
 *               a file lock). The guard is a dead-man switch: when the latest deadline passes
 *               without a newer line, or runjob closes the pipe while the command runs, it kills
 *               the run and itself.
 *   "K\n"       runjob's task.kill_grace is over: kill the run now and end as the command ended
 *               (SIGKILL). runjob cannot do this itself with a SIGKILL to the group: that would
 *               kill the guard first, and the daemons that left the group would go to init.
 * Other lines are ignored (room for more messages).
 *
 * Otherwise it is transparent: it runs PROGRAM, waits for it and ends the way PROGRAM ended
 * (same exit code, or the same signal), so runjob sees the command's own status. What PROGRAM
 * leaves running when it ends is killed before that.
 *
 * Exit codes of its own: 125 bad usage, 127 PROGRAM could not be executed (as a shell does).
 */
#define _GNU_SOURCE

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h> /* INT_MAX, PATH_MAX */
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

/* How long killing the run waits for SIGKILLed processes to be gone. Beyond it they are dying
 * anyway (a pending SIGKILL cannot be undone): a process stuck in the kernel (D state, a hung
 * NFS server) must not hold up the end of the run for ever. runjob's own fallback after "K"
 * (CommandTask) waits longer than this. */
#define KILL_WAIT_MS 500

/* Signals runjob sends to the whole group to stop the task; they are meant for the command. */
static const int stop_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
#define STOP_SIGNAL_COUNT (sizeof(stop_signals) / sizeof(stop_signals[0]))

/* Set by the SIGUSR1 handler (runjob died); the main loop acts on it. */
static volatile sig_atomic_t parent_died = 0;

static void on_parent_death(int sig)
{
    (void)sig;
    parent_died = 1;
}

/* Only interrupts ppoll(): SIGCHLD left at SIG_DFL is discarded without waking it. */
static void on_child(int sig)
{
    (void)sig;
}

/* What the guard knows about the run it kills. */
struct run {
    pid_t command;       /* PROGRAM's pid; 0 before the fork */
    int command_done;    /* PROGRAM was reaped; status is its wait status */
    int status;
    pid_t group;         /* the run's process group: the guard's pid */
    pid_t parent;        /* runjob */
    pid_t parent_group;  /* runjob's group when the guard started, for when runjob is gone */
    const char *cgroup;  /* --cgroup DIR, or NULL */
    sigset_t wait_mask;  /* the mask inside ppoll(): SIGCHLD and SIGUSR1 unblocked */
};

static void usage(const char *message)
{
    fprintf(stderr, "jobslib-guard: %s\nusage: jobslib-guard PARENT_PID [--control-fd FD] [--cgroup DIR] -- PROGRAM [ARGS...]\n",
            message);
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

/* --- Killing the run ------------------------------------------------------------------------ */

/* Reaps every child that has ended, without waiting; notes PROGRAM's status. Returns 0 when the
 * guard has no children left, 1 when some are still running. *reaped counts what was reaped. */
static int reap_ended(struct run *run, int *reaped)
{
    for (;;) {
        int status = 0;
        const pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            if (pid == run->command) {
                run->command_done = 1;
                run->status = status;
            }
            ++*reaped;
            continue;
        }
        if (pid == 0)
            return 1;
        if (errno == EINTR)
            continue;
        return 0; /* ECHILD */
    }
}

/* Writes a short text to a cgroup file; 0 on success, else -1 with errno set. */
static int write_cgroup_file(const char *dir, const char *file, const char *text)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    const int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    const ssize_t n = write(fd, text, strlen(text));
    const int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Calls kill(pid, SIGKILL) for every pid in a whitespace-separated list read from fd (a
 * /proc/.../children or a cgroup.procs file). Returns how many it signalled. */
static int kill_listed(int fd)
{
    char buf[4096];
    long long pid = 0;
    int digits = 0, killed = 0;
    for (;;) {
        const ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        /* A number cut by the end of a chunk goes on in the next one; the end of the file (or an
         * error) ends the last number. */
        for (ssize_t i = 0; i <= n; ++i) {
            if (i < n && isdigit((unsigned char)buf[i])) {
                if (digits++ < 10)
                    pid = pid * 10 + (buf[i] - '0');
                continue;
            }
            if (i == n && n > 0)
                break;
            if (digits > 0 && digits <= 10 && pid > 1 && pid <= INT_MAX && kill((pid_t)pid, SIGKILL) == 0)
                ++killed;
            pid = 0;
            digits = 0;
        }
        if (n <= 0)
            return killed;
    }
}

/* Without /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN): every process whose parent is the
 * guard, from /proc/N/stat. */
static int kill_children_by_scan(void)
{
    DIR *proc = opendir("/proc");
    if (!proc)
        return 0;
    const pid_t self = getpid();
    int killed = 0;
    struct dirent *entry;
    while ((entry = readdir(proc)) != NULL) {
        const pid_t pid = parse_pid(entry->d_name);
        if (pid == 0 || pid == self)
            continue;
        char path[64], stat[512];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        const int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        const ssize_t n = read(fd, stat, sizeof(stat) - 1);
        close(fd);
        if (n <= 0)
            continue;
        stat[n] = '\0';
        /* "pid (comm) state ppid ...": comm may hold anything, so look after the last ')'. */
        const char *close_paren = strrchr(stat, ')');
        int ppid = 0;
        char state = 0;
        if (close_paren && sscanf(close_paren + 1, " %c %d", &state, &ppid) == 2 && ppid == self && kill(pid, SIGKILL) == 0)
            ++killed;
    }
    closedir(proc);
    return killed;
}

/* SIGKILLs every child of the guard. A pid listed here stays the guard's child (and cannot be
 * reused) until the guard reaps it, so the kill never hits a stranger. */
static int kill_children(void)
{
    char path[64];
    /* The guard is single-threaded: its children (orphans it adopted included) are the main
     * thread's. */
    snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kill_children_by_scan();
    const int killed = kill_listed(fd);
    close(fd);
    return killed;
}

/* cgroup.kill (Linux 5.14) SIGKILLs everything in the cgroup at once, daemons whose parents are
 * still alive included. Without it: freeze the cgroup so nothing in it can fork, SIGKILL every
 * process it lists (the v2 freezer lets a fatal signal through), thaw. */
static void kill_cgroup(const char *dir)
{
    if (write_cgroup_file(dir, "cgroup.kill", "1") == 0 || errno != ENOENT)
        return;
    if (write_cgroup_file(dir, "cgroup.freeze", "1") != 0)
        return;
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) < (int)sizeof(path)) {
        for (int round = 0; round < 100; ++round) {
            const int fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                break;
            const int killed = kill_listed(fd);
            close(fd);
            if (killed == 0)
                break;
            /* Killed processes stay listed until they are gone: no need to hurry. */
            const struct timespec pause = {0, 1000000};
            nanosleep(&pause, NULL);
        }
    }
    write_cgroup_file(dir, "cgroup.freeze", "0");
}

/* Leaves the run's process group for runjob's (same session), so that one kill() can reach the
 * whole group without killing the guard before it has killed the rest. */
static int leave_group(const struct run *run)
{
    if (getpgrp() != run->group)
        return 1; /* left before */
    pid_t target = getppid() == run->parent ? getpgid(run->parent) : -1;
    if (target <= 0)
        target = run->parent_group; /* runjob is gone; its group may live on */
    return target > 0 && target != run->group && setpgid(0, target) == 0;
}

/* Kills everything of the run but the guard: the cgroup, the process group, then every child of
 * the guard round after round (a killed child's children become the guard's), reaping all of
 * them, until the guard has no child left or KILL_WAIT_MS passed. Notes PROGRAM's status if it
 * is reaped here. Returns 1 when the guard is still in the run's group (it could not leave it):
 * then only a kill of the group that includes the guard reaches a member that is none of its
 * descendants. */
static int kill_run(struct run *run)
{
    if (run->cgroup)
        kill_cgroup(run->cgroup);
    const int left = leave_group(run);
    if (left)
        kill(-run->group, SIGKILL);

    const long long deadline = now_ns() + KILL_WAIT_MS * 1000000LL;
    for (;;) {
        const int killed = kill_children();
        int reaped = 0;
        if (!reap_ended(run, &reaped))
            break; /* no child left */
        const long long remaining = deadline - now_ns();
        if (reaped > 0 && remaining > 0)
            continue; /* their children may be the guard's now */
        if (remaining <= 0) {
            fprintf(stderr, "jobslib-guard: processes of the task are still ending after %d ms: not waiting for them\n", KILL_WAIT_MS);
            break;
        }
        /* SIGCHLD (unblocked only here) says a killed child is gone. Should the list have missed
         * a child (it changed while it was read), look again soon. */
        const long long wait = killed > 0 ? remaining : (remaining < 10000000LL ? remaining : 10000000LL);
        const struct timespec timeout = {(time_t)(wait / 1000000000LL), (long)(wait % 1000000000LL)};
        ppoll(NULL, 0, &timeout, &run->wait_mask);
    }

    /* Empty now, unless something outside the guard's reach joined it: runjob removes it then. */
    if (run->cgroup)
        rmdir(run->cgroup);
    return !left;
}

/* Kills everything of the run and then the guard itself, by SIGKILL as runjob expects. */
static void kill_run_and_die(struct run *run)
{
    if (kill_run(run))
        kill(-run->group, SIGKILL); /* the rest of the group, the guard included */
    kill(getpid(), SIGKILL);
    _exit(GUARD_EXIT_EXEC); /* not reached unless kill() failed */
}

/* write() and not stdio: the message is the last thing the guard does before it dies. */
static void kill_run_because(struct run *run, const char *why)
{
    static const char prefix[] = "jobslib-guard: ";
    static const char suffix[] = ": killing the task\n";
    ssize_t ignored = write(STDERR_FILENO, prefix, sizeof(prefix) - 1);
    ignored = write(STDERR_FILENO, why, strlen(why));
    ignored = write(STDERR_FILENO, suffix, sizeof(suffix) - 1);
    (void)ignored;
    kill_run_and_die(run);
}

/* --- The control pipe ----------------------------------------------------------------------- */

#define NO_DEADLINE (-1LL)

/* The control pipe: the absolute CLOCK_BOOTTIME deadline (ns) of the latest "D" line. */
struct control {
    int fd; /* -1: no --control-fd, the guard only watches for runjob's death */
    long long deadline;
    int kill_requested; /* a "K" line came */
    char line[64];
    size_t used;
    int overlong; /* discarding the rest of a line too long to be ours */
};

/* A "D <ms>" line: the deadline counts from now, when the guard learns it, not from when runjob
 * wrote it; the pipe's latency is runjob's margin to keep (it sends what is left minus slack). */
static void control_line(struct control *c, const char *line)
{
    if (strcmp(line, "K") == 0) {
        c->kill_requested = 1;
        return;
    }
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

/* --- Running the command -------------------------------------------------------------------- */

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
    struct run run;
    memset(&run, 0, sizeof(run));
    run.parent = parse_pid(argv[1]);
    if (run.parent == 0)
        usage("PARENT_PID must be a process id");
    int next = 2;
    struct control control = {.fd = -1, .deadline = NO_DEADLINE, .kill_requested = 0, .used = 0, .overlong = 0};
    int have_control = 0;
    while (next < argc && (strcmp(argv[next], "--control-fd") == 0 || strcmp(argv[next], "--cgroup") == 0)) {
        if (strcmp(argv[next], "--control-fd") == 0) {
            if (have_control || next + 1 >= argc || (control.fd = parse_fd(argv[next + 1])) < 0)
                usage("--control-fd needs a file descriptor");
            have_control = 1;
            /* It must be a pipe from runjob and nothing that happens to be open: a dead-man
             * switch fed from the wrong file would never fire or fire at random. */
            struct stat st;
            if (fstat(control.fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
                fprintf(stderr, "jobslib-guard: --control-fd %d is not a pipe\n", control.fd);
                return GUARD_EXIT_USAGE;
            }
            /* The command has no business with runjob's pipe. */
            fcntl(control.fd, F_SETFD, FD_CLOEXEC);
        } else {
            if (run.cgroup || next + 1 >= argc || argv[next + 1][0] != '/')
                usage("--cgroup needs an absolute directory");
            run.cgroup = argv[next + 1];
        }
        next += 2;
    }
    if (next >= argc - 1 || strcmp(argv[next], "--") != 0)
        usage("expected '--' after PARENT_PID [--control-fd FD] [--cgroup DIR]");
    char **command = argv + next + 1;

    /* runjob makes the guard a group leader; started any other way it makes itself one, since
     * killing "its" group must never hit whoever started it. */
    if (getpgrp() != getpid() && setpgid(0, 0) != 0) {
        fprintf(stderr, "jobslib-guard: cannot lead a process group: %s\n", strerror(errno));
        return GUARD_EXIT_USAGE;
    }
    run.group = getpgrp();
    run.parent_group = getpgid(run.parent);

    /* Where the command joins the run's cgroup, opened before the fork so that the child only
     * has to write to it. Without it the run goes on as if there were no --cgroup. */
    int cgroup_procs = -1;
    if (run.cgroup) {
        char path[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s/cgroup.procs", run.cgroup) < (int)sizeof(path))
            cgroup_procs = open(path, O_WRONLY | O_CLOEXEC);
        if (cgroup_procs < 0) {
            fprintf(stderr, "jobslib-guard: cannot use the cgroup %s: %s\n", run.cgroup, strerror(errno));
            run.cgroup = NULL;
        }
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
    /* SIGCHLD and SIGUSR1 are unblocked only inside ppoll(): a child that ends, or runjob dying,
     * between a check and ppoll() then interrupts ppoll() instead of being missed until the next
     * timeout, and the handlers never interrupt anything else. */
    run.wait_mask = mask;
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGUSR1);
    /* SIG_SETMASK rather than SIG_BLOCK: runjob's thread may have blocked SIGUSR1 or SIGCHLD. */
    sigprocmask(SIG_SETMASK, &mask, NULL);

    /* Orphans among the run's processes, daemons that called setsid() included, become the
     * guard's children rather than init's, so the guard can still find and kill them. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        fprintf(stderr, "jobslib-guard: prctl(PR_SET_CHILD_SUBREAPER): %s\n", strerror(errno));
        return GUARD_EXIT_USAGE;
    }
    if (prctl(PR_SET_PDEATHSIG, SIGUSR1) != 0) {
        fprintf(stderr, "jobslib-guard: prctl(PR_SET_PDEATHSIG): %s\n", strerror(errno));
        return GUARD_EXIT_USAGE;
    }
    /* runjob may have died before the death signal was armed; then nobody sends it. */
    if (getppid() != run.parent)
        kill_run_and_die(&run);

    run.command = fork();
    if (run.command < 0) {
        fprintf(stderr, "jobslib-guard: fork: %s\n", strerror(errno));
        return GUARD_EXIT_EXEC;
    }
    if (run.command == 0) {
        reset_signals();
        /* "0": the writer itself. Everything the command starts is born in the cgroup. */
        if (cgroup_procs >= 0 && write(cgroup_procs, "0", 1) != 1)
            fprintf(stderr, "jobslib-guard: cannot move the task into the cgroup %s: %s\n", run.cgroup, strerror(errno));
        execvp(command[0], command);
        fprintf(stderr, "jobslib-guard: cannot execute '%s': %s\n", command[0], strerror(errno));
        _exit(GUARD_EXIT_EXEC);
    }
    if (cgroup_procs >= 0)
        close(cgroup_procs);

    int killed = 0; /* kill_run() was called */
    for (;;) {
        /* As the subreaper the guard reaps every orphan that ends, not only the command. */
        int reaped = 0;
        reap_ended(&run, &reaped);
        if (run.command_done)
            break;
        if (parent_died)
            kill_run_and_die(&run); /* silently: runjob is gone, nobody waits for the message */
        if (control.kill_requested) {
            /* PROGRAM dies here too; the guard then ends as it did, with SIGKILL. */
            kill_run(&run);
            killed = 1;
            break;
        }

        struct pollfd pfd = {.fd = control.fd, .events = POLLIN, .revents = 0};
        struct timespec timeout;
        const struct timespec *ptimeout = NULL; /* no deadline: only SIGCHLD or a line wakes us */
        if (control.fd >= 0 && control.deadline != NO_DEADLINE) {
            const long long left = control.deadline - now_ns();
            if (left <= 0)
                kill_run_because(&run, "the lock was not renewed in time (runjob unresponsive)");
            timeout.tv_sec = (time_t)(left / 1000000000LL);
            timeout.tv_nsec = (long)(left % 1000000000LL);
            ptimeout = &timeout;
        }
        /* Without --control-fd this polls nothing and is a plain wait for SIGCHLD (or SIGUSR1). */
        const int ready = ppoll(&pfd, control.fd >= 0 ? 1 : 0, ptimeout, &run.wait_mask);
        if (ready < 0 && errno != EINTR) {
            /* Without ppoll() the deadline cannot be kept: fail safe. */
            fprintf(stderr, "jobslib-guard: ppoll: %s\n", strerror(errno));
            kill_run_and_die(&run);
        }
        /* POLLHUP or POLLERR without POLLIN: read() reports the end of file or the error. */
        if (ready > 0 && pfd.revents != 0 && control_read(&control) == 0)
            kill_run_because(&run, "runjob is gone");
    }

    /* The command is over. Whatever it left running in the background, in its group or not,
     * would go on without the lock, and runjob may be unable to kill it right now (frozen): kill
     * it all. If a member of the group is out of the guard's reach, runjob kills the group when
     * it sees the end of the run. */
    if (!killed)
        kill_run(&run);
    if (!run.command_done) /* "K": the command outlived KILL_WAIT_MS after its SIGKILL */
        die_like(SIGKILL);

    if (WIFEXITED(run.status))
        return WEXITSTATUS(run.status);
    if (WIFSIGNALED(run.status))
        die_like(WTERMSIG(run.status));
    return GUARD_EXIT_EXEC; /* waitpid without WUNTRACED reports nothing else */
}
