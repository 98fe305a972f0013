// SPDX-License-Identifier: BSD-3-Clause
// rundaemons FILE exit|stay|ignoreterm: a command task that leaves daemons behind, for
// tst_runcontainment. Every process it starts appends "NAME PID" to FILE:
//   double-fork   fork, setsid, fork: the classic daemon, a child of nobody in the run
//   setsid        `setsid sleep 300 &`: left the process group, still the command's child
//   adopted       its parent exited at once: an orphan, in a session of its own
//   late-fork     forked by "adopted" only once "adopted" was an orphan
//   orphan-ended  an orphan that ends by itself: somebody has to reap it
// Each daemon waits for ever. Once all of them have written their line, the command itself writes
// "main PID" and then exits 0 (exit), waits to be killed (stay), or waits ignoring SIGTERM
// (ignoreterm). Daemons have /dev/null as standard input and output, as real ones do.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

int g_file = -1;

void note(const char *name)
{
    char line[64];
    const int n = std::snprintf(line, sizeof(line), "%s %d\n", name, int(::getpid()));
    // O_APPEND and one write() per line: lines of concurrent writers never mix.
    if (::write(g_file, line, size_t(n)) != n)
        ::_exit(3);
}

void detachOutput()
{
    const int null = ::open("/dev/null", O_RDWR);
    if (null < 0)
        ::_exit(3);
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    if (null > STDERR_FILENO)
        ::close(null);
}

[[noreturn]] void holdForever()
{
    for (;;)
        ::pause();
}

/*! Blocks until every writer of the pipe is gone: with one writer, until that process died. */
void waitForEndOfFile(int fd)
{
    char c;
    ssize_t n;
    do {
        n = ::read(fd, &c, 1);
    } while (n > 0 || (n < 0 && errno == EINTR));
}

pid_t forkOrDie()
{
    const pid_t pid = ::fork();
    if (pid < 0) {
        std::perror("rundaemons: fork");
        ::_exit(3);
    }
    return pid;
}

/*! Forks a process whose parent exits at once; child() runs in it once it is an orphan. */
template<typename Child>
void forkOrphan(int readyWriter, Child child)
{
    const pid_t parent = forkOrDie();
    if (parent == 0) {
        int died[2];
        if (::pipe(died) != 0)
            ::_exit(3);
        if (forkOrDie() == 0) {
            ::close(died[1]);
            waitForEndOfFile(died[0]); // the parent below has exited
            ::close(died[0]);
            child(readyWriter);
            ::_exit(0);
        }
        ::_exit(0);
    }
    ::waitpid(parent, nullptr, 0);
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: rundaemons FILE exit|stay|ignoreterm\n");
        return 2;
    }
    const char *mode = argv[2];
    if (std::strcmp(mode, "exit") != 0 && std::strcmp(mode, "stay") != 0 && std::strcmp(mode, "ignoreterm") != 0) {
        std::fprintf(stderr, "rundaemons: unknown mode %s\n", mode);
        return 2;
    }
    if (std::strcmp(mode, "ignoreterm") == 0)
        std::signal(SIGTERM, SIG_IGN); // before any fork: the daemons reset it
    g_file = ::open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (g_file < 0) {
        std::perror("rundaemons: open");
        return 3;
    }
    // Every process started below holds the write end until it has written its line: the end of
    // file on the read end says all lines are there.
    int ready[2];
    if (::pipe(ready) != 0) {
        std::perror("rundaemons: pipe");
        return 3;
    }
    const int readyReader = ready[0];
    const int readyWriter = ready[1];
    auto daemonStart = [readyReader] {
        ::close(readyReader);
        std::signal(SIGTERM, SIG_DFL);
        detachOutput();
    };

    // double-fork: fork, setsid, fork; the middle one exits.
    if (const pid_t middle = forkOrDie(); middle == 0) {
        ::setsid();
        if (forkOrDie() == 0) {
            daemonStart();
            note("double-fork");
            ::close(readyWriter);
            holdForever();
        }
        ::_exit(0);
    } else {
        ::waitpid(middle, nullptr, 0);
    }

    // setsid: stays the command's child.
    if (forkOrDie() == 0) {
        daemonStart();
        ::setsid();
        note("setsid");
        ::close(readyWriter);
        holdForever();
    }

    // adopted, then late-fork once it is an orphan.
    forkOrphan(readyWriter, [&](int writer) {
        daemonStart();
        ::setsid();
        if (forkOrDie() == 0) {
            note("late-fork");
            ::close(writer);
            holdForever();
        }
        note("adopted");
        ::close(writer);
        holdForever();
    });

    // orphan-ended: ends on its own once it is an orphan.
    forkOrphan(readyWriter, [&](int writer) {
        daemonStart();
        note("orphan-ended");
        ::close(writer);
    });

    ::close(readyWriter);
    waitForEndOfFile(readyReader);
    note("main");
    if (std::strcmp(mode, "exit") == 0)
        return 0;
    holdForever();
}
