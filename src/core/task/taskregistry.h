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
    /*! Makes a new instance of one task class. */
    using Factory = std::function<std::unique_ptr<BaseTask>()>;
    /*! One registered task class. */
    struct Entry
    {
        QString qualifiedName; ///< "helloworld.HelloWorld"
        QString taskName;      ///< name() of an instance
        Factory create;        ///< makes an instance for a run
    };

    /*!
     * Registers the task class \a T (default-constructible, derived from BaseTask) as
     * \a className; inside TaskPlugin::registerTasks() the plugin's name is put in front.
     */
    template<typename T>
    void add(const QString &className)
    {
        addFactory(className, [] { return std::unique_ptr<BaseTask>(new T); });
    }
    /*!
     * Registers a task made by \a factory, as add() does; for classes that need constructor
     * arguments. The factory is called once at once to learn the task's name(). A second
     * registration of the same name replaces the first.
     */
    void addFactory(const QString &className, const Factory &factory);

    /*! Directories searched for plugins, first match wins. */
    void setPluginPath(const QStringList &directories) { m_pluginPath = directories; }
    /*! The directories set by setPluginPath(). */
    QStringList pluginPath() const { return m_pluginPath; }

    /*!
     * The entry for a name as typed on the command line. Loads the plugin the name points to, or
     * every plugin on the path when the name has no dot and is not registered. Errors say which
     * name, what was searched and what exists.
     */
    Expected<Entry> resolve(const QString &name);
    /*! Every task registered so far, including those of plugins loaded by resolve(). */
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
