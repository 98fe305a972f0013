// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "basetask.h"
#include "util/expected.h"

#include <QList>

#include <functional>
#include <memory>

namespace jobslib {

/*!
 * The task classes runjob can run: those an application registers itself and those of plugins
 * found on the plugin path. A task is named "<plugin>.<Class>" (or "<Class>" for an
 * application's own) or by its name().
 */
class JOBSLIB_EXPORT TaskRegistry
{
public:
    using Factory = std::function<std::unique_ptr<BaseTask>()>;
    struct Entry
    {
        QString qualifiedName; ///< "helloworld.HelloWorld"
        QString taskName;      ///< name() of an instance
        Factory create;
    };

    template<typename T>
    void add(const QString &className)
    {
        addFactory(className, [] { return std::unique_ptr<BaseTask>(new T); });
    }
    void addFactory(const QString &className, const Factory &factory);

    /*! Directories searched for plugins, first match wins. */
    void setPluginPath(const QStringList &directories) { m_pluginPath = directories; }
    QStringList pluginPath() const { return m_pluginPath; }

    /*!
     * The entry for a name as typed on the command line. Loads the plugin the name points to, or
     * every plugin on the path when the name has no dot and is not registered. Errors say which
     * name, what was searched and what exists.
     */
    Expected<Entry> resolve(const QString &name);
    QList<Entry> entries() const { return m_entries; }

private:
    Expected<bool> loadPlugin(const QString &file, const QString &pluginName);
    QStringList pluginFiles() const;
    QStringList m_pluginPath;
    QList<Entry> m_entries;
    QString m_loadingPlugin; ///< prefix for entries registered while a plugin loads
    QStringList m_loaded;
};

} // namespace jobslib
