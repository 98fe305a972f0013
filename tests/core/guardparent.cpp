// SPDX-License-Identifier: BSD-3-Clause
// guardparent GUARD FILE [DEADLINE_MS]: plays runjob for tst_commandtask. It starts GUARD as the
// leader of a new process group running a shell that writes its background child's pid and its
// own pid to FILE, then waits for the test to kill it with SIGKILL, the way runjob might die.
//
// With DEADLINE_MS it also plays a runjob that freezes: GUARD gets a control pipe as its fd 3
// (--control-fd 3) carrying one "D DEADLINE_MS" line and never another, and the test stops this
// process with SIGSTOP. It keeps the write end open: to the guard it is alive, just silent.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <cerrno>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        std::fprintf(stderr, "usage: guardparent GUARD FILE [DEADLINE_MS]\n");
        return 2;
    }
    const bool control = argc == 4;
    int fds[2] = {-1, -1};
    if (control) {
        if (::pipe(fds) != 0) {
            std::perror("guardparent: pipe");
            return 1;
        }
        // Written before the guard exists: it finds the line whenever it first looks.
        const std::string line = std::string("D ") + argv[3] + "\n";
        if (::write(fds[1], line.data(), line.size()) != ssize_t(line.size())) {
            std::perror("guardparent: write");
            return 1;
        }
    }

    const std::string parent = std::to_string(::getpid());
    const pid_t child = ::fork();
    if (child < 0) {
        std::perror("guardparent: fork");
        return 1;
    }
    if (child == 0) {
        ::setpgid(0, 0);
        std::vector<const char *> args{argv[1], parent.c_str()};
        if (control) {
            // Only the guard's fd 3 stays: the write end must be the parent's alone, or the
            // guard would never see the end of file.
            ::close(fds[1]);
            if (fds[0] != 3) {
                ::dup2(fds[0], 3);
                ::close(fds[0]);
            }
            args.insert(args.end(), {"--control-fd", "3"});
        }
        const char *script = "sleep 300 & echo $! > \"$1\"; echo $$ >> \"$1\"; sleep 300";
        args.insert(args.end(), {"--", "sh", "-c", script, "sh", argv[2], nullptr});
        ::execv(argv[1], const_cast<char *const *>(args.data()));
        std::fprintf(stderr, "guardparent: cannot execute %s: %s\n", argv[1], std::strerror(errno));
        ::_exit(127);
    }
    ::setpgid(child, child);
    if (control)
        ::close(fds[0]);
    for (;;)
        ::pause();
}
