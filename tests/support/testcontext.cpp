// SPDX-License-Identifier: BSD-3-Clause
#include "testcontext.h"

#include "config/configloader.h"

#include <QProcessEnvironment>

namespace jobslib::test {

jobslib::Config testConfig(const jobslib::BackendRegistry &registry, const QHash<QString, QString> &values)
{
    OptionTable table = OptionTable::core();
    registry.declareOptions(table);
    ConfigLoader loader(table);
    loader.setEnvironment(QProcessEnvironment());
    for (auto it = values.cbegin(); it != values.cend(); ++it)
        loader.setCliValue(it.key(), CliValue{it.value(), QStringLiteral("--test")});
    const Expected<Config> config = loader.load();
    if (!config)
        qFatal("config: %s", qPrintable(config.error()));
    return config.value();
}

std::unique_ptr<jobslib::Context> testContext(const jobslib::BackendRegistry &registry, const QHash<QString, QString> &values,
                                              const QString &taskName)
{
    auto context = std::make_unique<Context>(testConfig(registry, values), registry);
    context->setTaskName(taskName);
    return context;
}

} // namespace jobslib::test
