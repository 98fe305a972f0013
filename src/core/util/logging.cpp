// SPDX-License-Identifier: BSD-3-Clause
#include "logging.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QMutex>
#include <QThread>

#include <cstdio>
#include <ctime>

namespace jobslib {

namespace {
LogSettings s_settings;
QMutex s_mutex;

int pythonLevel(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return 10;
    case QtInfoMsg:
        return 20;
    case QtWarningMsg:
        return 30;
    case QtCriticalMsg:
        return 40;
    case QtFatalMsg:
        return 50;
    }
    return 20;
}

QString levelName(int level)
{
    if (level >= 50)
        return QStringLiteral("CRITICAL");
    if (level >= 40)
        return QStringLiteral("ERROR");
    if (level >= 30)
        return QStringLiteral("WARNING");
    if (level >= 20)
        return QStringLiteral("INFO");
    return QStringLiteral("DEBUG");
}

int thresholdFor(const LogSettings &s, const QString &category)
{
    // The longest matching logger name wins, as Python's logger hierarchy.
    int best = -1;
    int level = s.level;
    for (auto it = s.categoryLevels.cbegin(); it != s.categoryLevels.cend(); ++it) {
        if ((category == it.key() || category.startsWith(it.key() + QLatin1Char('.'))) && it.key().size() > best) {
            best = int(it.key().size());
            level = it.value();
        }
    }
    return level;
}

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QString category = context.category && qstrcmp(context.category, "default") != 0 ? QString::fromLatin1(context.category)
                                                                                             : QStringLiteral("jobslib");
    const int level = pythonLevel(type);
    QMutexLocker locker(&s_mutex);
    if (level >= thresholdFor(s_settings, category)) {
        const QByteArray line = formatLogLine(s_settings, category, level, message, QDateTime::currentMSecsSinceEpoch()).toLocal8Bit() + '\n';
        std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
        std::fflush(stderr);
    }
    if (type == QtFatalMsg)
        std::abort();
}
} // namespace

std::optional<int> LogSettings::levelFromName(const QString &name)
{
    const QString n = name.trimmed().toUpper();
    if (n == QLatin1String("DEBUG"))
        return 10;
    if (n == QLatin1String("INFO"))
        return 20;
    if (n == QLatin1String("WARNING") || n == QLatin1String("WARN"))
        return 30;
    if (n == QLatin1String("ERROR"))
        return 40;
    if (n == QLatin1String("CRITICAL") || n == QLatin1String("FATAL"))
        return 50;
    if (n == QLatin1String("NOTSET"))
        return 0;
    bool ok = false;
    const int v = n.toInt(&ok);
    if (ok)
        return v;
    return std::nullopt;
}


QString formatLogLine(const LogSettings &settings, const QString &category, int level, const QString &message, qint64 epochMs)
{
    const QString &fmt = settings.format;
    QString out;
    out.reserve(fmt.size() + message.size() + 32);
    for (qsizetype i = 0; i < fmt.size(); ++i) {
        const QChar c = fmt.at(i);
        if (c != QLatin1Char('%') || i + 1 >= fmt.size()) {
            out += c;
            continue;
        }
        if (fmt.at(i + 1) == QLatin1Char('%')) { // "%%" is a literal percent sign, as in Python
            out += QLatin1Char('%');
            ++i;
            continue;
        }
        const auto close = fmt.indexOf(QLatin1Char(')'), i + 2);
        if (fmt.at(i + 1) != QLatin1Char('(') || close < 0) {
            out += c;
            continue;
        }
        // %(key)[flags][width][.precision]conversion, the subset of printf Python formats use.
        const QString key = fmt.mid(i + 2, close - i - 2);
        qsizetype j = close + 1;
        bool left = false;
        bool zero = false;
        while (j < fmt.size() && (fmt.at(j) == QLatin1Char('-') || fmt.at(j) == QLatin1Char('0'))) {
            left |= fmt.at(j) == QLatin1Char('-');
            zero |= fmt.at(j) == QLatin1Char('0');
            ++j;
        }
        // Width and precision are capped: the format comes from the settings, and "%(message)999999999s"
        // must not make every log line a gigabyte (or overflow the int). Python's own formats use 1-2 digits.
        static constexpr int MaxWidth = 1000;
        const auto number = [&fmt, &j] {
            int n = 0;
            while (j < fmt.size() && fmt.at(j).isDigit())
                n = qMin(n * 10 + fmt.at(j++).digitValue(), MaxWidth);
            return n;
        };
        int width = number();
        int precision = -1;
        if (j < fmt.size() && fmt.at(j) == QLatin1Char('.')) {
            ++j;
            precision = number();
        }
        const QChar conversion = j < fmt.size() ? fmt.at(j) : QLatin1Char('s');
        QString value;
        if (key == QLatin1String("asctime")) {
            const std::time_t t = std::time_t(epochMs / 1000);
            std::tm tm{};
            localtime_r(&t, &tm);
            char buf[128];
            const size_t n = std::strftime(buf, sizeof buf, settings.dateFormat.toLocal8Bit().constData(), &tm);
            value = QString::fromLocal8Bit(buf, qsizetype(n));
        } else if (key == QLatin1String("name")) {
            value = category;
        } else if (key == QLatin1String("levelname")) {
            value = levelName(level);
        } else if (key == QLatin1String("levelno")) {
            value = QString::number(level);
        } else if (key == QLatin1String("message")) {
            value = message;
        } else if (key == QLatin1String("process")) {
            value = QString::number(QCoreApplication::applicationPid());
        } else if (key == QLatin1String("thread")) {
            value = QString::number(quintptr(QThread::currentThreadId()));
        } else if (key == QLatin1String("created")) {
            value = QString::number(double(epochMs) / 1000.0, 'f', precision >= 0 ? precision : 6);
        } else if (key == QLatin1String("msecs")) {
            value = QString::number(epochMs % 1000);
        } else {
            // Python would fail on an unknown key; a log line is better shown than lost.
            value = fmt.mid(i, j + 1 - i);
            width = 0;
        }
        if (conversion == QLatin1Char('s') && precision >= 0)
            value.truncate(precision);
        if (value.size() < width) {
            if (left)
                value = value.leftJustified(width);
            else
                value = value.rightJustified(width, zero && conversion != QLatin1Char('s') ? QLatin1Char('0') : QLatin1Char(' '));
        }
        out += value;
        i = j;
    }
    return out;
}

void installLogHandler(const LogSettings &settings)
{
    {
        QMutexLocker locker(&s_mutex);
        s_settings = settings;
    }
    qInstallMessageHandler(handler);
}

} // namespace jobslib
