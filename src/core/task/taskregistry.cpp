// SPDX-License-Identifier: BSD-3-Clause
#include "taskregistry.h"

#include "taskplugin.h"

#include <QDir>
#include <QFileInfo>
#include <QPluginLoader>

namespace jobslib {

TaskPlugin::~TaskPlugin() = default;

void TaskRegistry::addFactory(const QString &className, const Factory &factory)
{
    Entry e;
    e.qualifiedName = m_loadingPlugin.isEmpty() ? className : m_loadingPlugin + QLatin1Char('.') + className;
    e.taskName = factory()->name();
    e.create = factory;
    m_entries.removeIf([&e](const Entry &old) { return old.qualifiedName == e.qualifiedName; });
    m_entries.append(e);
}

static QString pluginNameOf(const QString &file)
{
    QString base = QFileInfo(file).completeBaseName();
    if (base.startsWith(QLatin1String("lib")))
        base = base.mid(3);
    return base;
}

QStringList TaskRegistry::pluginFiles() const
{
    QStringList files;
    for (const QString &dir : m_pluginPath) {
        const auto infos = QDir(dir).entryInfoList({QStringLiteral("*.so")}, QDir::Files, QDir::Name);
        for (const QFileInfo &fi : infos)
            files << fi.absoluteFilePath();
    }
    return files;
}

Expected<bool> TaskRegistry::loadPlugin(const QString &file, const QString &pluginName)
{
    if (m_loaded.contains(file))
        return true;
    // Qt would print a warning of its own for an empty file; one clear error is enough.
    if (QFileInfo(file).size() == 0)
        return Expected<bool>::failure(QStringLiteral("cannot load plugin '%1': the file is empty, not a Qt plugin").arg(file));
    QPluginLoader loader(file);
    QObject *instance = loader.instance();
    if (!instance)
        return Expected<bool>::failure(QStringLiteral("cannot load plugin '%1': %2").arg(file, loader.errorString()));
    auto *plugin = qobject_cast<TaskPlugin *>(instance);
    if (!plugin)
        return Expected<bool>::failure(QStringLiteral("'%1' is a Qt plugin but not a jobslib task plugin (interface %2)")
                                           .arg(file, QStringLiteral(JOBSLIB_TASK_PLUGIN_IID)));
    m_loadingPlugin = pluginName;
    plugin->registerTasks(*this);
    m_loadingPlugin.clear();
    m_loaded << file;
    return true;
}

Expected<TaskRegistry::Entry> TaskRegistry::resolve(const QString &name)
{
    using R = Expected<Entry>;
    const auto byQualified = [this](const QString &n) -> const Entry * {
        for (const Entry &e : m_entries) {
            if (e.qualifiedName == n)
                return &e;
        }
        return nullptr;
    };
    if (const Entry *e = byQualified(name))
        return *e;
    const QString searched = m_pluginPath.isEmpty() ? QStringLiteral("(empty plugin path)") : m_pluginPath.join(QLatin1Char(':'));

    const auto dot = name.indexOf(QLatin1Char('.'));
    if (dot > 0) {
        const QString pluginName = name.left(dot);
        const QString className = name.mid(dot + 1);
        QString file;
        for (const QString &dir : m_pluginPath) {
            for (const QString &candidate : {QStringLiteral("lib%1.so").arg(pluginName), QStringLiteral("%1.so").arg(pluginName)}) {
                const QFileInfo fi(QDir(dir).filePath(candidate));
                if (file.isEmpty() && fi.exists())
                    file = fi.absoluteFilePath();
            }
        }
        if (file.isEmpty())
            return R::failure(QStringLiteral("task '%1': no plugin '%2' (lib%2.so) in the plugin path %3; set plugin_path or JOBSLIB_PLUGIN_PATH")
                                  .arg(name, pluginName, searched));
        const auto loaded = loadPlugin(file, pluginName);
        if (!loaded)
            return R::failure(QStringLiteral("task '%1': %2").arg(name, loaded.error()));
        if (const Entry *e = byQualified(name))
            return *e;
        QStringList provided;
        for (const Entry &e : std::as_const(m_entries)) {
            if (e.qualifiedName.startsWith(pluginName + QLatin1Char('.')))
                provided << e.qualifiedName;
        }
        return R::failure(QStringLiteral("task '%1': plugin '%2' has no task class '%3' (it provides: %4)")
                              .arg(name, file, className, provided.isEmpty() ? QStringLiteral("nothing") : provided.join(QStringLiteral(", "))));
    }

    // A bare name: a task name() or an application's class, possibly in any plugin.
    QStringList loadErrors;
    for (const QString &file : pluginFiles()) {
        const auto loaded = loadPlugin(file, pluginNameOf(file));
        if (!loaded)
            loadErrors << loaded.error();
    }
    QList<Entry> matches;
    for (const Entry &e : std::as_const(m_entries)) {
        if (e.taskName == name || e.qualifiedName.section(QLatin1Char('.'), -1) == name)
            matches << e;
    }
    if (matches.size() == 1)
        return matches.constFirst();
    QStringList all;
    for (const Entry &e : std::as_const(m_entries))
        all << e.qualifiedName;
    if (matches.size() > 1) {
        QStringList names;
        for (const Entry &e : std::as_const(matches))
            names << e.qualifiedName;
        return R::failure(QStringLiteral("task '%1' is ambiguous: %2; use the full name").arg(name, names.join(QStringLiteral(", "))));
    }
    QString msg = QStringLiteral("unknown task '%1' (built-in: check-liveness, lock-info, release-lock; plugin path %2 provides: %3)")
                      .arg(name, searched, all.isEmpty() ? QStringLiteral("nothing") : all.join(QStringLiteral(", ")));
    if (!loadErrors.isEmpty())
        msg += QStringLiteral("; ") + loadErrors.join(QStringLiteral("; "));
    return R::failure(msg);
}

} // namespace jobslib
