// SPDX-License-Identifier: BSD-3-Clause
// jobslib-consul-sim: the Consul simulator as a program, for manual runs, tests in other
// processes and the dashboard demo. Prints "listening on 127.0.0.1:PORT" once ready.
#include "consulsimulator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

using jobslib::consulsim::ConsulSimulator;

namespace {

int g_signalFd[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    // Only async-signal-safe calls here; the event loop does the rest.
    [[maybe_unused]] const auto n = ::write(g_signalFd[1], &c, 1);
}

bool parseNumber(const QString &text, double *out)
{
    bool ok = false;
    *out = text.toDouble(&ok);
    return ok;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("jobslib-consul-sim"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("A Consul HTTP API simulator (sessions, KV locks, blocking queries, TTL checks, ACLs, "
                                                    "fault controls under /_sim/)."));
    parser.addHelpOption();
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Port to listen on (0 = a free port)."), QStringLiteral("N"),
                                  QStringLiteral("8500"));
    const QCommandLineOption bind(QStringLiteral("bind"), QStringLiteral("Address to listen on."), QStringLiteral("ADDRESS"),
                                  QStringLiteral("127.0.0.1"));
    const QCommandLineOption dc(QStringLiteral("datacenter"), QStringLiteral("The datacenter's name."), QStringLiteral("NAME"),
                                QStringLiteral("dc1"));
    const QCommandLineOption node(QStringLiteral("node"), QStringLiteral("The agent's node name (default: the host name)."), QStringLiteral("NAME"));
    const QCommandLineOption multiplier(QStringLiteral("ttl-multiplier"), QStringLiteral("Sessions expire after TTL x this (Consul: 2)."),
                                        QStringLiteral("X"), QStringLiteral("2.0"));
    const QCommandLineOption acl(QStringLiteral("acl-token"), QStringLiteral("Enable ACLs (default deny) with this management token."),
                                 QStringLiteral("MASTER"));
    const QCommandLineOption lockDelayCap(QStringLiteral("lock-delay-cap"), QStringLiteral("Maximum lock-delay in seconds (Consul: 60)."),
                                          QStringLiteral("S"), QStringLiteral("60"));
    const QCommandLineOption ttlMin(QStringLiteral("session-ttl-min"), QStringLiteral("Smallest session TTL in seconds (Consul: 10)."),
                                    QStringLiteral("S"), QStringLiteral("10"));
    const QCommandLineOption checkUpdate(QStringLiteral("check-update-interval"),
                                         QStringLiteral("Seconds before an output-only check change reaches /v1/health (Consul: 300; 0 = at once)."),
                                         QStringLiteral("S"), QStringLiteral("300"));
    const QCommandLineOption rpcPrefix(QStringLiteral("rpc-error-prefix"),
                                       QStringLiteral("Prefix server errors with \"rpc error making call: \", as a client agent does."));
    const QCommandLineOption verbose(QStringLiteral("verbose"), QStringLiteral("Log every request to stderr."));
    parser.addOptions({port, bind, dc, node, multiplier, acl, lockDelayCap, ttlMin, checkUpdate, rpcPrefix, verbose});
    parser.process(app);

    ConsulSimulator::Options options;
    bool ok = false;
    const uint portValue = parser.value(port).toUInt(&ok);
    if (!ok || portValue > 65535) {
        std::fprintf(stderr, "jobslib-consul-sim: --port must be 0..65535\n");
        return 2;
    }
    options.port = quint16(portValue);
    if (!options.bindAddress.setAddress(parser.value(bind))) {
        std::fprintf(stderr, "jobslib-consul-sim: --bind needs an IP address\n");
        return 2;
    }
    options.datacenter = parser.value(dc);
    options.nodeName = parser.value(node);
    double number = 0;
    if (!parseNumber(parser.value(multiplier), &number) || number <= 0) {
        std::fprintf(stderr, "jobslib-consul-sim: --ttl-multiplier must be a positive number\n");
        return 2;
    }
    options.ttlMultiplier = number;
    if (!parseNumber(parser.value(lockDelayCap), &number) || number < 0) {
        std::fprintf(stderr, "jobslib-consul-sim: --lock-delay-cap must be a number of seconds\n");
        return 2;
    }
    options.lockDelayCapMs = qint64(number * 1000);
    if (!parseNumber(parser.value(ttlMin), &number) || number < 0) {
        std::fprintf(stderr, "jobslib-consul-sim: --session-ttl-min must be a number of seconds\n");
        return 2;
    }
    options.sessionTtlMinMs = qint64(number * 1000);
    if (!parseNumber(parser.value(checkUpdate), &number) || number < 0) {
        std::fprintf(stderr, "jobslib-consul-sim: --check-update-interval must be a number of seconds\n");
        return 2;
    }
    options.checkUpdateIntervalMs = qint64(number * 1000);
    options.aclMasterToken = parser.value(acl);
    options.rpcErrorPrefix = parser.isSet(rpcPrefix);

    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalFd) != 0) {
        std::perror("jobslib-consul-sim: socketpair");
        return 1;
    }
    QSocketNotifier notifier(g_signalFd[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [] {
        char c = 0;
        [[maybe_unused]] const auto n = ::read(g_signalFd[0], &c, 1);
        QCoreApplication::quit();
    });
    struct sigaction sa{};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    ConsulSimulator sim(options);
    QString error;
    if (!sim.start(&error)) {
        std::fprintf(stderr, "jobslib-consul-sim: cannot listen on %s:%u: %s\n", qPrintable(parser.value(bind)), portValue, qPrintable(error));
        return 1;
    }
    if (parser.isSet(verbose)) {
        QObject::connect(sim.faults(), &jobslib::consulsim::FaultInjector::requestFinished, &app, [](const jobslib::consulsim::LoggedRequest &r) {
            const QString query = r.rawQuery.isEmpty() ? QString() : QLatin1Char('?') + QString::fromUtf8(r.rawQuery);
            std::fprintf(stderr, "%8lld ms  %s %s%s -> %d%s\n", static_cast<long long>(r.atMs), qPrintable(r.method), qPrintable(r.path),
                         qPrintable(query), r.status, r.fault.isEmpty() ? "" : qPrintable(QStringLiteral(" (") + r.fault + QLatin1Char(')')));
        });
    }
    std::printf("listening on %s\n", qPrintable(sim.address()));
    std::fflush(stdout);
    const int rc = QCoreApplication::exec();
    sim.stop();
    return rc;
}
