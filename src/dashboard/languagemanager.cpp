// SPDX-License-Identifier: BSD-3-Clause
#include "languagemanager.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace jobslib::dashboard {

LanguageManager::LanguageManager(QObject *parent)
    : QObject(parent)
{
}

LanguageManager::~LanguageManager()
{
    if (m_app)
        QCoreApplication::removeTranslator(m_app);
    if (m_qt)
        QCoreApplication::removeTranslator(m_qt);
}

QStringList LanguageManager::availableLanguages()
{
    QStringList out{QStringLiteral("en")};
    const QStringList files = QDir(QStringLiteral(":/i18n")).entryList({QStringLiteral("jobslib_*.qm")}, QDir::Files, QDir::Name);
    for (const QString &f : files)
        out << f.mid(8, f.size() - 11); // "jobslib_" ... ".qm"
    return out;
}

QString LanguageManager::nativeName(const QString &code)
{
    const QLocale locale(code);
    QString name = locale.nativeLanguageName();
    return name.isEmpty() ? code : name.left(1).toUpper() + name.mid(1);
}

void LanguageManager::setLanguage(const QString &code)
{
    m_choice = code;
    if (m_app) {
        QCoreApplication::removeTranslator(m_app);
        delete m_app;
        m_app = nullptr;
    }
    if (m_qt) {
        QCoreApplication::removeTranslator(m_qt);
        delete m_qt;
        m_qt = nullptr;
    }
    const QLocale locale = code.isEmpty() ? QLocale::system() : QLocale(code);
    m_effective = QStringLiteral("en");
    auto *app = new QTranslator(this);
    // QTranslator::load(locale, ...) walks the locale's UI languages ("de-AT" -> "de").
    if (app->load(locale, QStringLiteral("jobslib"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
        m_app = app;
        QCoreApplication::installTranslator(app);
        m_effective = QFileInfo(app->filePath()).baseName().mid(8);
    } else {
        delete app;
    }
    auto *qt = new QTranslator(this);
    if (m_effective != QLatin1String("en") && qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        m_qt = qt;
        QCoreApplication::installTranslator(qt);
    } else {
        delete qt;
    }
}

} // namespace jobslib::dashboard
