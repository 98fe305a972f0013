// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// What every fuzz target shares: the invariant check, the Qt application, the input as Qt types.

#include <QByteArray>
#include <QCoreApplication>
#include <QList>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>

/*!
 * An invariant of the code under test. A failure aborts: libFuzzer saves the input as a crash,
 * the replay driver's test fails. Checks stay on in release builds (unlike Q_ASSERT).
 */
#define FUZZ_CHECK(condition)                                                                                        \
    do {                                                                                                             \
        if (!(condition))                                                                                            \
            ::fuzz::fail(__FILE__, __LINE__, #condition);                                                            \
    } while (false)

namespace fuzz {

[[noreturn]] inline void fail(const char *file, int line, const char *what)
{
    std::fprintf(stderr, "fuzz invariant violated at %s:%d: %s\n", file, line, what);
    std::fflush(stderr);
    std::abort();
}

/*!
 * A QCoreApplication for QObjects, deferred deletes and the network classes, made once and never
 * destroyed (a static pointer keeps it reachable, so LeakSanitizer does not report it). Qt's own
 * messages are dropped: a parser may log what it refuses, and millions of lines slow libFuzzer down.
 */
inline void ensureApplication()
{
    static QCoreApplication *app = [] {
        static int argc = 1;
        static char name[] = "jobslib-fuzz";
        static char *argv[] = {name, nullptr};
        qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &, const QString &message) {
            if (type == QtFatalMsg) {
                std::fprintf(stderr, "qFatal: %s\n", qPrintable(message));
                std::abort();
            }
        });
        return new QCoreApplication(argc, argv);
    }();
    (void)app;
}

/*! The input as a QByteArray (a copy: the parsers may keep it beyond the call). */
inline QByteArray bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

/*! Runs one input's checks; an exception escaping the code under test is a failure too. */
template<typename Body>
int run(Body &&body)
{
    try {
        body();
    } catch (const std::exception &e) {
        std::fprintf(stderr, "fuzz: exception escaped: %s\n", e.what());
        std::abort();
    } catch (...) {
        std::fprintf(stderr, "fuzz: exception escaped\n");
        std::abort();
    }
    return 0;
}

} // namespace fuzz
