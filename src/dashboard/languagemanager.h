// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QObject>
#include <QStringList>

class QTranslator;

namespace jobslib::dashboard {

/*!
 * The dashboard's language: the system locale's by default, or the one the operator picked
 * (remembered). Catalogs are compiled into the program (qt_add_translations, ":/i18n/"); Qt's
 * own strings (dialog buttons) come from the installed qtbase catalog when there is one.
 * Switching takes effect at once: widgets retranslate on QEvent::LanguageChange.
 */
class LanguageManager : public QObject
{
    Q_OBJECT
public:
    explicit LanguageManager(QObject *parent = nullptr);
    ~LanguageManager() override;

    /*! "" follows the system locale; else "en", "cs", "de". */
    void setLanguage(const QString &code);
    QString language() const { return m_choice; }
    /*! The language in effect ("en" when no catalog matched). */
    QString effectiveLanguage() const { return m_effective; }

    /*! The catalogs built in, "en" (the source language) first. */
    static QStringList availableLanguages();
    /*! The language's own name ("Čeština"). */
    static QString nativeName(const QString &code);

private:
    QString m_choice;
    QString m_effective = QStringLiteral("en");
    QTranslator *m_app = nullptr;
    QTranslator *m_qt = nullptr;
};

} // namespace jobslib::dashboard
