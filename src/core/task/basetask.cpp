// SPDX-License-Identifier: BSD-3-Clause
#include "basetask.h"

#include "app/context.h"
#include "lock/lockbackend.h"

#include <QCommandLineParser>
#include <QMetaObject>
#include <QThread>

#include <memory>

#include <time.h>

namespace jobslib {

/*! CLOCK_BOOTTIME, as the runner's clock and jobslib-guard: it counts time spent suspended. */
static qint64 boottimeNs()
{
    timespec ts{};
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return qint64(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

TaskError::TaskError(const QString &message)
    : std::runtime_error(message.toStdString())
{
}

BaseTask::BaseTask(QObject *parent)
    : QObject(parent)
{
}

BaseTask::~BaseTask()
{
    if (m_thread && m_thread->isRunning()) {
        // Only reached when runjob exits while a C++ task ignores cancellation; the process is
        // about to end, so detach instead of blocking the exit.
        m_thread->setParent(nullptr);
        m_thread = nullptr;
    }
}

QString BaseTask::name() const
{
    return {};
}

QString BaseTask::description() const
{
    return {};
}

QList<QCommandLineOption> BaseTask::arguments() const
{
    return {};
}

void BaseTask::declareOptions(OptionTable &) const
{
}

void BaseTask::initialize()
{
}

Context &BaseTask::context() const
{
    Q_ASSERT(m_context);
    return *m_context;
}

const Config &BaseTask::config() const
{
    return context().config();
}

QString BaseTask::argument(const QString &name) const
{
    return m_parser ? m_parser->value(name) : QString();
}

bool BaseTask::isArgumentSet(const QString &name) const
{
    return m_parser && m_parser->isSet(name);
}

QStringList BaseTask::positionalArguments() const
{
    if (!m_parser)
        return {};
    QStringList args = m_parser->positionalArguments();
    if (!args.isEmpty())
        args.removeFirst(); // the task name itself
    return args;
}

void BaseTask::extendLock()
{
    // May be called from the worker thread: the lock lives on the context's thread.
    QMetaObject::invokeMethod(
        &context(),
        [ctx = m_context] {
            if (LockBackend *lock = ctx->lock())
                lock->refresh();
        },
        Qt::QueuedConnection);
}

bool BaseTask::isCancellationRequested() const
{
    return m_cancel.load() || isLockDeadlinePassed();
}

void BaseTask::setLockDeadline(qint64 remainingMs)
{
    if (remainingMs == NoLockDeadline) {
        m_lockDeadlineNs = NoLockDeadline;
        return;
    }
    // Absolute, so the worker thread compares with a fixed point; capped at a century, which is
    // "no deadline" in practice, so the nanoseconds cannot overflow.
    constexpr qint64 Century = qint64(100) * 365 * 24 * 3600 * 1000;
    const qint64 ms = qBound<qint64>(0, remainingMs, Century);
    m_lockDeadlineNs = boottimeNs() + ms * 1000 * 1000;
}

bool BaseTask::isLockDeadlinePassed() const
{
    const qint64 deadline = m_lockDeadlineNs.load();
    return deadline != NoLockDeadline && boottimeNs() >= deadline;
}

qint64 BaseTask::lockRemainingMs() const
{
    const qint64 deadline = m_lockDeadlineNs.load();
    if (deadline == NoLockDeadline)
        return NoLockDeadline;
    // Rounded down: whoever is told this must not believe in more time than there is.
    return qMax<qint64>(deadline - boottimeNs(), 0) / (1000 * 1000);
}

void BaseTask::attach(Context *context, const QCommandLineParser *parser)
{
    m_context = context;
    m_parser = parser;
}

void BaseTask::start()
{
    beginRun();
    auto result = std::make_shared<TaskResult>();
    m_thread = QThread::create([this, result] {
        try {
            task();
            result->succeeded = true;
        } catch (const std::exception &e) {
            result->error = QString::fromUtf8(e.what());
        } catch (...) {
            result->error = QStringLiteral("unknown exception");
        }
    });
    m_thread->setObjectName(QStringLiteral("jobslib-task"));
    QThread *thread = m_thread;
    connect(thread, &QThread::finished, this, [this, thread, result] {
        thread->deleteLater();
        if (m_thread == thread)
            m_thread = nullptr;
        finish(*result);
    });
    thread->start();
}

void BaseTask::requestStop()
{
    m_cancel = true;
}

bool BaseTask::forceStop()
{
    return false;
}

bool BaseTask::isKilledAtLockDeadline() const
{
    return false;
}

void BaseTask::beginRun()
{
    Q_ASSERT(!m_running);
    // The lock deadline stays: the runner sets it for this run right before start().
    m_cancel = false;
    m_running = true;
}

void BaseTask::finish(const TaskResult &result)
{
    m_running = false;
    Q_EMIT finished(result);
}

} // namespace jobslib
