// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "metricsbackend.h"
#include "pointqueue.h"

#include <functional>

namespace jobslib {

/*!
 * What every network metrics backend does besides speaking its protocol: push() only queues
 * (the loop never waits on metrics); a sender delivers the queue in batches, one request at a
 * time, oldest first; failures are retried with exponential back-off and jitter; a point leaves
 * the queue only once delivered, refused for good by the server, or dropped by the queue's bound
 * (counted and logged once). With a spool file the queue survives a restart.
 *
 * Subclasses implement send() (one request) and describe their destination for the logs.
 */
class JOBSLIB_EXPORT BufferedMetricsBackend : public MetricsBackend
{
    Q_OBJECT
public:
    struct Settings
    {
        qint64 capacity = 100000;         ///< points kept while the server is unreachable
        int batchSize = 5000;             ///< points per request
        qint64 maxBatchBytes = 4 << 20;   ///< and bytes per request
        qint64 retryBaseMs = 100;         ///< first back-off; doubles with every failure
        qint64 retryMaxMs = 30000;        ///< back-off ceiling
        QString spoolPath;                ///< "" keeps the queue in memory only
    };

    /*! What one request achieved. */
    struct SendResult
    {
        enum class Outcome {
            Delivered, ///< every point stored
            Retry,     ///< try the same points again later (server down, overloaded, auth, missing database)
            Rejected,  ///< the server refuses these points for good: drop them
            TooLarge,  ///< send fewer points per request
        };
        Outcome outcome = Outcome::Delivered;
        QString error; ///< what went wrong, for the log (never a secret)
        QString hint;  ///< what the operator can do about it, "" if nothing in particular
        bool serious = false; ///< a configuration problem (credentials...): logged as critical
    };

    BufferedMetricsBackend(Context &context, const Settings &settings, QObject *parent = nullptr);
    ~BufferedMetricsBackend() override;

    void push(const QList<MetricPoint> &points) override;
    /*! Sends at once (no back-off); flushed() once the queue is empty, or at once if it is spooled and the server still fails. */
    void flush() override;
    MetricsDelivery delivery() const override;

    const PointQueue &queue() const { return m_queue; }
    const Settings &settings() const { return m_settings; }
    /*! The wait before the next attempt after `failures` failed ones in a row, without jitter. */
    static qint64 backoffMs(const Settings &settings, int failures);

protected:
    /*! Sends lines (a batch of `points` points, each line ending in '\n'); calls done exactly once. */
    virtual void send(const QByteArray &lines, int points, std::function<void(const SendResult &)> done) = 0;
    /*! "InfluxDB at http://db:8086 (database jobs)": where points go, for the logs. */
    virtual QString destination() const = 0;

private:
    void scheduleSend(qint64 delayMs);
    void sendNext();
    void onSent(int points, qint64 removedBefore, const SendResult &result);
    /*! Points that ever left the queue: acknowledged or dropped by the bound. */
    qint64 removedTotal() const { return m_acknowledged + m_queue.droppedTotal(); }
    void onFailure(const SendResult &result);
    void noteDropped(qint64 dropped);
    void finishFlushIfDone();

    Settings m_settings;
    PointQueue m_queue;
    int m_batchLimit;
    int m_timer = 0;
    bool m_inFlight = false;
    bool m_flushing = false;
    int m_failuresInRow = 0;
    qint64 m_acknowledged = 0;
    bool m_dropLogged = false;
    qint64 m_droppedAtLastSuccess = 0;
    MetricsDelivery m_stats;
    QString m_lastRejection;
    qint64 m_notFinite = 0;
};

} // namespace jobslib
