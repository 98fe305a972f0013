// SPDX-License-Identifier: BSD-3-Clause
#include "signalwatcher.h"

#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace jobslib {

namespace {
int s_fds[2] = {-1, -1};

void handler(int signo)
{
    const int saved = errno;
    const unsigned char byte = static_cast<unsigned char>(signo);
    // Async-signal-safe: a write to a non-blocking socket; a full socket drops the signal,
    // which cannot matter since hundreds would already be queued.
    [[maybe_unused]] const auto n = ::write(s_fds[0], &byte, 1);
    errno = saved;
}
} // namespace

SignalWatcher::SignalWatcher(QObject *parent)
    : QObject(parent)
{
    Q_ASSERT_X(s_fds[0] < 0, "SignalWatcher", "only one SignalWatcher per process");
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, s_fds) != 0)
        qFatal("SignalWatcher: socketpair failed");
    m_notifier = new QSocketNotifier(s_fds[1], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &SignalWatcher::readSignals);
}

SignalWatcher::~SignalWatcher()
{
    for (const int signo : std::as_const(m_watched))
        std::signal(signo, SIG_DFL);
    delete m_notifier;
    ::close(s_fds[0]);
    ::close(s_fds[1]);
    s_fds[0] = s_fds[1] = -1;
}

void SignalWatcher::watch(int signalNumber)
{
    struct sigaction sa = {};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(signalNumber, &sa, nullptr);
    m_watched << signalNumber;
}

void SignalWatcher::readSignals()
{
    unsigned char buf[64];
    for (;;) {
        const auto n = ::read(s_fds[1], buf, sizeof buf);
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; ++i)
            Q_EMIT received(buf[i]);
    }
}

} // namespace jobslib
