// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "jobslib_export.h"
#include "taskresult.h"

#include <QCommandLineOption>
#include <QObject>
#include <QStringList>

#include <atomic>
#include <stdexcept>

class QCommandLineParser;
class QThread;

namespace jobslib {

class Config;
class Context;
class OptionTable;

/*! Thrown from task() to fail the run with a message (any std::exception works too). */
class JOBSLIB_EXPORT TaskError : public std::runtime_error
{
public:
    /*! A failure whose what() is \a message; runjob logs it as the run's error. */
    explicit TaskError(const QString &message);
};

/*!
 * What users subclass, as Python's BaseTask: name(), description(), arguments(), initialize()
 * and task(). task() is synchronous and runs on a worker thread, so the event loop keeps the
 * lock renewed meanwhile. It succeeds by returning and fails by throwing. A long task should
 * check isCancellationRequested() now and then and return early when it is set (the lock was
 * lost, or runjob is stopping).
 *
 * The runner drives a task through start() and the finished() signal; CommandTask overrides
 * those to run an external process instead of a thread.
 */
class JOBSLIB_EXPORT BaseTask : public QObject
{
    Q_OBJECT
public:
    /*! Tasks are created by the TaskRegistry's factory, without a parent. */
    explicit BaseTask(QObject *parent = nullptr);
    ~BaseTask() override;

    /*! The `task` tag of metrics and the name in "NAME task failed". Python's default is "". */
    virtual QString name() const;
    /*! One line shown by `runjob TASK --help` after the task name; empty by default. */
    virtual QString description() const;
    /*! Task-specific command line options; they appear in `runjob TASK --help`. */
    virtual QList<QCommandLineOption> arguments() const;
    /*! Settings of the task's own ([task.NAME] options and the like) added to the option table. */
    virtual void declareOptions(OptionTable &table) const;
    /*! Hook after the context exists and the command line is parsed, before the first run. */
    virtual void initialize();
    /*! The work. Runs on a worker thread. Return = succeeded; throw = failed. */
    virtual void task() = 0;

    // Available to task() and initialize().
    /*! The running instance's context: settings, lock, liveness, metrics. Valid from initialize() on. */
    Context &context() const;
    /*! Shortcut for context().config(). */
    const Config &config() const;
    /*! The value of the task option \a name from arguments(); empty when not given or before attach(). */
    QString argument(const QString &name) const;
    /*! Whether the task option \a name was given on the command line. */
    bool isArgumentSet(const QString &name) const;
    /*! The positional arguments after the task name (`runjob TASK a b` gives a, b). */
    QStringList positionalArguments() const;
    /*!
     * The run should stop: the runner asked it to, or the lock deadline (setLockDeadline()) has
     * passed. Safe to call from the worker thread; the deadline makes it true by itself, without
     * the main thread having to notice, so a task stops in time even when runjob's event loop
     * does not run.
     */
    bool isCancellationRequested() const;
    /*! The lock deadline set by setLockDeadline() has passed. Thread-safe. */
    bool isLockDeadlinePassed() const;
    /*! How many ms the lock is still proven for: -1 without a deadline, 0 once it passed. Thread-safe. */
    qint64 lockRemainingMs() const;
    /*! The fencing token of the lock held for this run; pass it to whatever the task writes. */
    quint64 fencingToken() const { return m_fencingToken.load(); }
    /*! Python's extend_lock(): asks the lock backend to renew now (it renews by itself anyway). */
    void extendLock();

    // Driven by the runner.
    /*! Gives the task its context and the parsed command line; called once, before initialize(). */
    void attach(Context *context, const QCommandLineParser *parser);
    /*! Set by the runner before each run to the token of the lock it holds (0: no lock). */
    void setFencingToken(quint64 token) { m_fencingToken = token; }
    /*! The value of setLockDeadline() and lockRemainingMs() that means "no deadline". */
    static constexpr qint64 NoLockDeadline = -1;
    /*!
     * The lock is proven for this many more ms; -1 (NoLockDeadline): no deadline. Called by the
     * runner when the lock backend renews, and with -1 before each start() (start() keeps the
     * deadline it finds, so the runner may set the run's first one right before it). Other
     * negative values count as 0: the deadline has already passed.
     */
    virtual void setLockDeadline(qint64 remainingMs);
    /*! Starts one run; ends with exactly one finished(). Default: task() on a worker thread. */
    virtual void start();
    /*! Asks the run to stop (cancellation flag; SIGTERM for a command). */
    virtual void requestStop();
    /*!
     * The grace is over: end the run now if that is possible (SIGKILL for a command). Returns
     * false when the run cannot be forced (a C++ task's thread), so the runner has to self-fence.
     */
    virtual bool forceStop();
    /*!
     * Whether a run is killed by itself as soon as its lock deadline passes, even while runjob is
     * frozen (a command under jobslib-guard). Otherwise it may run for the kill grace after the
     * lock is found lost, and the lease backend finds that out the kill grace earlier
     * (LockBackend::setTaskStopMs()). Default: false (a C++ task's thread).
     */
    virtual bool isKilledAtLockDeadline() const;
    /*! Between start() (beginRun()) and finished(). */
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    /*! The run ended, exactly once per start(): succeeded, failed (with the error) or stopped. */
    void finished(const jobslib::TaskResult &result);

protected:
    /*! For subclasses that override start(): call first (marks the run started, clears cancellation). */
    void beginRun();
    /*! For subclasses that override start(): emit finished() through this. */
    void finish(const TaskResult &result);

private:
    Context *m_context = nullptr;
    const QCommandLineParser *m_parser = nullptr;
    std::atomic<bool> m_cancel{false};
    std::atomic<quint64> m_fencingToken{0};
    /// The lock deadline on CLOCK_BOOTTIME (ns), or NoLockDeadline.
    /// Atomic: the worker thread reads it through isCancellationRequested().
    std::atomic<qint64> m_lockDeadlineNs{NoLockDeadline};
    QThread *m_thread = nullptr;
    bool m_running = false;
};

} // namespace jobslib
