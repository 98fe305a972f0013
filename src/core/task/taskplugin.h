// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "taskregistry.h"

#include <QtPlugin>

namespace jobslib {

/*!
 * The interface a task plugin implements. A plugin is a shared library built with
 * jobslib_add_task_plugin(); runjob finds it on the plugin path by its file name, so
 * `runjob helloworld.HelloWorld` loads helloworld (libhelloworld.so) and asks it for HelloWorld.
 *
 * \code
 * class HelloWorldPlugin : public QObject, public jobslib::TaskPlugin {
 *     Q_OBJECT
 *     Q_PLUGIN_METADATA(IID JOBSLIB_TASK_PLUGIN_IID)
 *     Q_INTERFACES(jobslib::TaskPlugin)
 * public:
 *     void registerTasks(jobslib::TaskRegistry &registry) override
 *     { registry.add<HelloWorld>(QStringLiteral("HelloWorld")); }
 * };
 * \endcode
 */
class JOBSLIB_EXPORT TaskPlugin
{
public:
    virtual ~TaskPlugin();
    /*! Called once when runjob loads the plugin: add each task class to \a registry. */
    virtual void registerTasks(TaskRegistry &registry) = 0;
};

} // namespace jobslib

/*!
 * \file taskplugin.h
 * The plugin interface and its interface id.
 */

/*! The interface id for Q_PLUGIN_METADATA(IID ...) of a task plugin; it changes when the interface does. */
#define JOBSLIB_TASK_PLUGIN_IID "org.jobslib.TaskPlugin/1.0"
Q_DECLARE_INTERFACE(jobslib::TaskPlugin, JOBSLIB_TASK_PLUGIN_IID)
