// SPDX-License-Identifier: BSD-3-Clause
#include "config/inifile.h"

#include <QTest>

using namespace jobslib;

class TestIniFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parses_data();
    void parses();
    void rejects_data();
    void rejects();
};

// Entries are compared as "section|key|value|line".
static QStringList flatten(const QList<IniEntry> &entries)
{
    QStringList out;
    for (const IniEntry &e : entries)
        out << QStringLiteral("%1|%2|%3|%4").arg(e.section, e.key, e.value).arg(e.line);
    return out;
}

void TestIniFile::parses_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("empty") << QByteArray() << QStringList();
    QTest::newRow("blank lines only") << QByteArray("\n  \n\t\n") << QStringList();
    QTest::newRow("top level") << QByteArray("run_once = 1\nsleep_interval=5\n")
                               << QStringList{QStringLiteral("|run_once|1|1"), QStringLiteral("|sleep_interval|5|2")};
    QTest::newRow("hash and semicolon comments")
        << QByteArray("# a comment\n; another\n  # indented comment\nkeep_lock = yes\n")
        << QStringList{QStringLiteral("|keep_lock|yes|4")};
    QTest::newRow("sections") << QByteArray("run_once = 1\n[one_instance]\nbackend = file\n\n[one_instance.file]\npath = /tmp/x.lock\n")
                              << QStringList{QStringLiteral("|run_once|1|1"), QStringLiteral("one_instance|backend|file|3"),
                                             QStringLiteral("one_instance.file|path|/tmp/x.lock|6")};
    QTest::newRow("section name trimmed and lower-cased")
        << QByteArray("[ ONE_Instance ]\nbackend = dummy\n") << QStringList{QStringLiteral("one_instance|backend|dummy|2")};
    QTest::newRow("python upper-case keys") << QByteArray("RUN_ONCE = 1\nSleep_Interval = 3\n")
                                            << QStringList{QStringLiteral("|run_once|1|1"), QStringLiteral("|sleep_interval|3|2")};
    QTest::newRow("double quotes removed") << QByteArray("task.command = \"sh -c 'x'\"\n")
                                           << QStringList{QStringLiteral("|task.command|sh -c 'x'|1")};
    QTest::newRow("inner quotes kept") << QByteArray("command = a \"b c\" d\n") << QStringList{QStringLiteral("|command|a \"b c\" d|1")};
    QTest::newRow("lone quote kept") << QByteArray("x = \"\n") << QStringList{QStringLiteral("|x|\"|1")};
    QTest::newRow("empty quoted value") << QByteArray("x = \"\"\n") << QStringList{QStringLiteral("|x||1")};
    QTest::newRow("empty value") << QByteArray("x =\n") << QStringList{QStringLiteral("|x||1")};
    QTest::newRow("value with equals sign") << QByteArray("x = a=b\n") << QStringList{QStringLiteral("|x|a=b|1")};
    QTest::newRow("value whitespace trimmed") << QByteArray("  x   =   spaced value   \n")
                                              << QStringList{QStringLiteral("|x|spaced value|1")};
    QTest::newRow("crlf line ends") << QByteArray("a = 1\r\n[s]\r\nb = 2\r\n")
                                    << QStringList{QStringLiteral("|a|1|1"), QStringLiteral("s|b|2|3")};
    QTest::newRow("no newline at the end") << QByteArray("a = 1") << QStringList{QStringLiteral("|a|1|1")};
    QTest::newRow("same key in two sections") << QByteArray("[a]\npath = 1\n[b]\npath = 2\n")
                                              << QStringList{QStringLiteral("a|path|1|2"), QStringLiteral("b|path|2|4")};
    QTest::newRow("utf-8 byte order mark") << QByteArray("\xef\xbb\xbfrun_once = 1\n") << QStringList{QStringLiteral("|run_once|1|1")};
    QTest::newRow("utf-8 value") << QByteArray("fqdn = h\xc3\xa9st\n") << QStringList{QStringLiteral("|fqdn|h\u00e9st|1")};
    QTest::newRow("json value") << QByteArray("dict_config = {\"root\": {\"level\": \"DEBUG\"}}\n")
                                << QStringList{QStringLiteral("|dict_config|{\"root\": {\"level\": \"DEBUG\"}}|1")};
}

void TestIniFile::parses()
{
    QFETCH(QByteArray, text);
    QFETCH(QStringList, expected);
    const auto result = parseIni(text);
    QVERIFY2(result.ok(), qPrintable(result.error()));
    QCOMPARE(flatten(result.value()), expected);
}

void TestIniFile::rejects_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("fragments");

    QTest::newRow("duplicate key") << QByteArray("run_once = 1\n# c\nrun_once = 0\n")
                                   << QStringList{QStringLiteral("line 3:"), QStringLiteral("'run_once' is set twice")};
    QTest::newRow("duplicate key, other case") << QByteArray("run_once = 1\nRUN_ONCE = 0\n")
                                               << QStringList{QStringLiteral("line 2:"), QStringLiteral("'run_once' is set twice")};
    QTest::newRow("duplicate key in a reopened section")
        << QByteArray("[s]\nk = 1\n[t]\nk = 1\n[s]\nk = 2\n") << QStringList{QStringLiteral("line 6:"), QStringLiteral("'s.k' is set twice")};
    QTest::newRow("missing closing bracket") << QByteArray("a = 1\n[one_instance\nbackend = file\n")
                                             << QStringList{QStringLiteral("line 2:"), QStringLiteral("lacks the closing ']'"),
                                                            QStringLiteral("[one_instance")};
    QTest::newRow("empty section name") << QByteArray("[]\n") << QStringList{QStringLiteral("line 1:"), QStringLiteral("invalid section name")};
    QTest::newRow("bad section name") << QByteArray("\n[a b]\n") << QStringList{QStringLiteral("line 2:"), QStringLiteral("invalid section name 'a b'")};
    QTest::newRow("line without equals sign") << QByteArray("a = 1\nb = 2\nsleep_interval 5\n")
                                              << QStringList{QStringLiteral("line 3:"), QStringLiteral("expected 'key = value' or '[section]'"),
                                                             QStringLiteral("sleep_interval 5")};
    QTest::newRow("line starting with equals sign") << QByteArray("= 5\n") << QStringList{QStringLiteral("line 1:"), QStringLiteral("expected 'key = value'")};
    QTest::newRow("bad key") << QByteArray("a b = 5\n") << QStringList{QStringLiteral("line 1:"), QStringLiteral("invalid key 'a b'")};
    QTest::newRow("invalid utf-8") << QByteArray("a = 1\nfqdn = h\xe9st\n") << QStringList{QStringLiteral("not valid UTF-8")};
    QTest::newRow("truncated utf-8 sequence") << QByteArray("a = \xc3") << QStringList{QStringLiteral("not valid UTF-8")};
}

void TestIniFile::rejects()
{
    QFETCH(QByteArray, text);
    QFETCH(QStringList, fragments);
    const auto result = parseIni(text);
    QVERIFY(!result.ok());
    for (const QString &f : fragments)
        QVERIFY2(result.error().contains(f), qPrintable(QStringLiteral("'%1' not in: %2").arg(f, result.error())));
}

QTEST_GUILESS_MAIN(TestIniFile)
#include "tst_inifile.moc"
