// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "app/backendregistry.h"
#include "app/context.h"
#include "config/config.h"

#include <QHash>
#include <QString>

#include <memory>

namespace jobslib::test {

/*!
 * A Config of the core options and the registry's backend options: defaults, no settings file, an
 * empty environment, and each of values (option name -> text) as given on the command line.
 * A value that does not load is fatal.
 */
jobslib::Config testConfig(const jobslib::BackendRegistry &registry, const QHash<QString, QString> &values = {});

/*! A Context over testConfig(registry, values) with the task name set. The registry must outlive it. */
std::unique_ptr<jobslib::Context> testContext(const jobslib::BackendRegistry &registry, const QHash<QString, QString> &values = {},
                                              const QString &taskName = QStringLiteral("t"));

} // namespace jobslib::test
