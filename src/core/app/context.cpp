// SPDX-License-Identifier: BSD-3-Clause
#include "context.h"

#include "app/backendregistry.h"
#include "kv/kvstore.h"
#include "liveness/livenessbackend.h"
#include "lock/lockbackend.h"
#include "metrics/metricsbackend.h"
#include "util/clock.h"
#include "util/logcategories.h"

#include <QCoreApplication>
#include <QNetworkAccessManager>
#include <QThread>

#include <netdb.h>
#include <unistd.h>

namespace jobslib {

QString localFqdn()
{
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0)
        return QStringLiteral("localhost");
    // As Python's socket.getfqdn(): the canonical name of the host name, else the host name.
    addrinfo hints{};
    hints.ai_flags = AI_CANONNAME;
    hints.ai_family = AF_UNSPEC;
    addrinfo *res = nullptr;
    QString fqdn = QString::fromLocal8Bit(host);
    if (getaddrinfo(host, nullptr, &hints, &res) == 0 && res) {
        if (res->ai_canonname && *res->ai_canonname)
            fqdn = QString::fromLocal8Bit(res->ai_canonname);
        freeaddrinfo(res);
    }
    return fqdn;
}

Context::Context(const Config &config, const BackendRegistry &backends, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_backends(backends)
    , m_clock(std::make_unique<Clock>())
{
    m_fqdn = config.string(QStringLiteral("fqdn"));
    if (m_fqdn.isEmpty())
        m_fqdn = localFqdn();
}

Context::~Context()
{
    // Backends are children; delete them before the clock they may still reference.
    delete m_lock;
    delete m_liveness;
    delete m_metrics;
    // The store's requests run on the network manager, a child deleted after this body.
    m_kvStore.reset();
}

void Context::initialize()
{
}

QString Context::datacenter() const
{
    return m_config.string(QStringLiteral("datacenter"));
}

QString Context::instanceId() const
{
    return m_fqdn + QLatin1Char(':') + QString::number(QCoreApplication::applicationPid());
}

void Context::setClock(std::unique_ptr<Clock> clock)
{
    m_clock = std::move(clock);
}

QNetworkAccessManager *Context::network()
{
    if (!m_network)
        m_network = new QNetworkAccessManager(this);
    return m_network;
}

LockBackend *Context::lock()
{
    if (!m_lock)
        setLock(m_backends.createLock(*this));
    return m_lock;
}

LivenessBackend *Context::liveness()
{
    if (!m_liveness)
        setLiveness(m_backends.createLiveness(*this));
    return m_liveness;
}

MetricsBackend *Context::metrics()
{
    if (!m_metrics)
        setMetrics(m_backends.createMetrics(*this));
    return m_metrics;
}

KvStore *Context::kvStore()
{
    if (m_kvStoreMade)
        return m_kvStore.get();
    m_kvStoreMade = true;
    const QString backend = m_config.lockBackend();
    if (backend != QLatin1String("consul") && backend != QLatin1String("etcd"))
        return nullptr;
    Expected<std::shared_ptr<KvStore>> store = makeKvStore(network(), m_config, QStringLiteral("one_instance.") + backend);
    if (!store) {
        qCWarning(lcLock).noquote() << QStringLiteral("No key-value store beside the %1 lock (handover requests and the action log are off): %2")
                                           .arg(backend, store.error());
        return nullptr;
    }
    m_kvStore = store.value();
    return m_kvStore.get();
}

void Context::setKvStore(std::shared_ptr<KvStore> store)
{
    m_kvStore = std::move(store);
    m_kvStoreMade = true;
}

void Context::setLock(LockBackend *lock)
{
    delete m_lock;
    m_lock = lock;
    if (m_lock)
        m_lock->setParent(this);
}

void Context::setLiveness(LivenessBackend *liveness)
{
    delete m_liveness;
    m_liveness = liveness;
    if (m_liveness)
        m_liveness->setParent(this);
}

void Context::setMetrics(MetricsBackend *metrics)
{
    delete m_metrics;
    m_metrics = metrics;
    if (m_metrics)
        m_metrics->setParent(this);
}

bool Context::pushMetrics(const QVariantMap &metrics)
{
    QList<MetricPoint> points;
    for (auto it = metrics.cbegin(); it != metrics.cend(); ++it) {
        const QVariantMap m = it.value().toMap();
        bool ok = false;
        const double value = m.value(QStringLiteral("value")).toDouble(&ok);
        if (it.key().isEmpty() || !ok) {
            qCWarning(lcMetrics) << "Metric" << it.key() << "has no numeric \"value\"; nothing pushed";
            return false;
        }
        MetricPoint p;
        p.measurement = it.key();
        p.value = value;
        const QVariantMap tags = m.value(QStringLiteral("tags")).toMap();
        if (tags.contains(QStringLiteral("task"))) {
            qCWarning(lcMetrics) << "Tag 'task' is reserved; nothing pushed";
            return false;
        }
        for (auto t = tags.cbegin(); t != tags.cend(); ++t)
            p.tags.insert(t.key(), t.value().toString());
        points << p;
    }
    pushPoints(points);
    return true;
}

void Context::pushPoints(QList<MetricPoint> points)
{
    deliverPoints(std::move(points), true);
}

void Context::sendPoints(QList<MetricPoint> points)
{
    deliverPoints(std::move(points), false);
}

void Context::deliverPoints(QList<MetricPoint> points, bool toRegistry)
{
    // Python: every point of one push shares the push time, truncated to whole seconds.
    const qint64 ns = m_clock->utcNow().toSecsSinceEpoch() * 1000000000LL;
    for (MetricPoint &p : points) {
        if (!m_taskName.isEmpty())
            p.tags.insert(QStringLiteral("task"), m_taskName);
        if (!p.timestampNs)
            p.timestampNs = ns;
    }
    // Tasks push from their worker thread; backends live on this one.
    QMetaObject::invokeMethod(
        this,
        [this, points, toRegistry] {
            if (toRegistry) {
                for (const MetricPoint &p : points)
                    m_registry.set(p.measurement, p.tags, p.value);
            }
            if (MetricsBackend *m = metrics())
                m->push(points);
        },
        QThread::currentThread() == thread() ? Qt::DirectConnection : Qt::QueuedConnection);
}

} // namespace jobslib
