// SPDX-License-Identifier: BSD-3-Clause
#include "fileliveness.h"

#include "app/context.h"
#include "util/deferred.h"
#include "util/runtimepath.h"

#include <QFile>
#include <QSaveFile>

namespace jobslib {

FileLiveness::FileLiveness(Context &context, QObject *parent)
    : LivenessBackend(context, parent)
    , m_configuredPath(context.config().string(QStringLiteral("liveness.file.path")))
{
}

QString FileLiveness::path() const
{
    // Resolved on first use: the task name may be set after the backend was created.
    if (m_path.isEmpty())
        m_path = m_configuredPath.isEmpty() ? defaultRuntimeFile(context().taskName(), QStringLiteral(".liveness.json")) : m_configuredPath;
    return m_path;
}

void FileLiveness::write(const OwnerRecord &state)
{
    // QSaveFile writes a temporary file and renames it over the old one: atomic for readers.
    QSaveFile file(path());
    const QByteArray data = state.toJson() + '\n';
    bool ok = file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
    ok = ok && file.commit();
    if (!ok)
        file.cancelWriting();
    const QString error = ok ? QString() : QStringLiteral("cannot write liveness file '%1': %2").arg(path(), file.errorString());
    deferred(this, [this, ok, error] { Q_EMIT writeFinished(ok, error); });
}

void FileLiveness::read()
{
    QFile file(path());
    std::optional<OwnerRecord> state;
    QString error;
    if (!file.open(QIODevice::ReadOnly)) {
        error = QStringLiteral("cannot read liveness file '%1': %2").arg(path(), file.errorString());
    } else {
        const auto record = OwnerRecord::fromJson(file.readAll());
        // Every writer (Python's and ours) puts the time in; without it nothing can be checked.
        if (record && record->timestamp > 0)
            state = record.value();
        else
            error = QStringLiteral("cannot read liveness file '%1': not a liveness record").arg(path());
    }
    deferred(this, [this, state, error] { Q_EMIT readFinished(state, error); });
}

} // namespace jobslib
