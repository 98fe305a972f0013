// SPDX-License-Identifier: BSD-3-Clause
// guardparent GUARD FILE: plays runjob for tst_commandtask. It starts GUARD as the leader of a
// new process group running a shell that writes its background child's pid and its own pid to
// FILE, then waits until the test kills it with SIGKILL, the way runjob might die.
#include <cstdio>
#include <cstring>
#include <string>

#include <cerrno>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: guardparent GUARD FILE\n");
        return 2;
    }
    const std::string parent = std::to_string(::getpid());
    const pid_t child = ::fork();
    if (child < 0) {
        std::perror("guardparent: fork");
        return 1;
    }
    if (child == 0) {
        ::setpgid(0, 0);
        const char *script = "sleep 300 & echo $! > \"$1\"; echo $$ >> \"$1\"; sleep 300";
        const char *args[] = {argv[1], parent.c_str(), "--", "sh", "-c", script, "sh", argv[2], nullptr};
        ::execv(argv[1], const_cast<char *const *>(args));
        std::fprintf(stderr, "guardparent: cannot execute %s: %s\n", argv[1], std::strerror(errno));
        ::_exit(127);
    }
    ::setpgid(child, child);
    for (;;)
        ::pause();
}
