// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include "optionspec.h"

#include <QList>

namespace jobslib {

/*!
 * The table of every option jobslib knows: the core ones, those of each backend, and whatever a
 * task plugin or application declares. Applications extend configuration by adding to it.
 */
class JOBSLIB_EXPORT OptionTable
{
public:
    /*! The top-level options of Python jobslib's Config plus jobslib's own (task, plugin path...). */
    static OptionTable core();

    /*! Adds an option; a later declaration of the same name replaces the earlier one. */
    void add(const OptionSpec &spec);
    /*! The option called \a name, or nullptr; the pointer is valid until the table is changed. */
    const OptionSpec *find(const QString &name) const;
    /*! Every option in the order of their first declaration. */
    const QList<OptionSpec> &options() const { return m_options; }
    /*! Every section name used ("" for the top level). */
    QStringList sections() const;
    /*! The option an environment variable sets, or nullptr. */
    const OptionSpec *findByEnv(const QString &envName) const;

private:
    QList<OptionSpec> m_options;
};

} // namespace jobslib
