// SPDX-License-Identifier: BSD-3-Clause
#include "json.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace jobslib::consulsim {

Json::Json(bool b)
    : m_type(Type::Bool)
    , m_bool(b)
{
}

Json::Json(int i)
    : m_type(Type::Int)
    , m_int(i)
{
}

Json::Json(qint64 i)
    : m_type(Type::Int)
    , m_int(i)
{
}

Json::Json(quint64 u)
    : m_type(Type::UInt)
    , m_uint(u)
{
}

Json::Json(const QString &s)
    : m_type(Type::String)
    , m_string(s)
{
}

Json Json::array()
{
    Json j;
    j.m_type = Type::Array;
    return j;
}

Json Json::object()
{
    Json j;
    j.m_type = Type::Object;
    return j;
}

Json Json::bytes(const QByteArray &data)
{
    if (data.isEmpty())
        return Json();
    return Json(QString::fromLatin1(data.toBase64()));
}

Json Json::strings(const QStringList &list)
{
    Json j = array();
    for (const QString &s : list)
        j.append(s);
    return j;
}

Json Json::strings(const std::optional<QStringList> &list)
{
    return list ? strings(*list) : Json();
}

Json &Json::append(const Json &value)
{
    Q_ASSERT(m_type == Type::Array);
    m_values.push_back(value);
    return *this;
}

Json &Json::insert(const QString &key, const Json &value)
{
    Q_ASSERT(m_type == Type::Object);
    m_keys.append(key);
    m_values.push_back(value);
    return *this;
}

QByteArray Json::serialize(bool pretty) const
{
    QByteArray out;
    write(out, pretty, 0);
    if (pretty)
        out += '\n';
    return out;
}

void Json::write(QByteArray &out, bool pretty, int depth) const
{
    const auto newline = [&](int d) {
        if (!pretty)
            return;
        out += '\n';
        out += QByteArray(4 * d, ' ');
    };
    switch (m_type) {
    case Type::Null:
        out += "null";
        return;
    case Type::Bool:
        out += m_bool ? "true" : "false";
        return;
    case Type::Int:
        out += QByteArray::number(m_int);
        return;
    case Type::UInt:
        out += QByteArray::number(m_uint);
        return;
    case Type::String:
        out += goJsonString(m_string);
        return;
    case Type::Array:
        // MarshalIndent keeps empty arrays and objects on one line.
        if (m_values.empty()) {
            out += "[]";
            return;
        }
        out += '[';
        for (size_t i = 0; i < m_values.size(); ++i) {
            if (i > 0)
                out += ',';
            newline(depth + 1);
            m_values[i].write(out, pretty, depth + 1);
        }
        newline(depth);
        out += ']';
        return;
    case Type::Object:
        if (m_values.empty()) {
            out += "{}";
            return;
        }
        out += '{';
        for (size_t i = 0; i < m_values.size(); ++i) {
            if (i > 0)
                out += ',';
            newline(depth + 1);
            out += goJsonString(m_keys.at(int(i)));
            out += pretty ? ": " : ":";
            m_values[i].write(out, pretty, depth + 1);
        }
        newline(depth);
        out += '}';
        return;
    }
}

QByteArray goJsonString(const QString &s)
{
    static const char hex[] = "0123456789abcdef";
    QByteArray out = "\"";
    const QByteArray utf8 = s.toUtf8();
    for (int i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8.at(i));
        if (c >= 0x80) {
            // U+2028 and U+2029 are escaped by Go (they break JavaScript); other runes pass through.
            if (c == 0xe2 && i + 2 < utf8.size() && static_cast<unsigned char>(utf8.at(i + 1)) == 0x80
                && (static_cast<unsigned char>(utf8.at(i + 2)) == 0xa8 || static_cast<unsigned char>(utf8.at(i + 2)) == 0xa9)) {
                out += static_cast<unsigned char>(utf8.at(i + 2)) == 0xa8 ? "\\u2028" : "\\u2029";
                i += 2;
                continue;
            }
            out += char(c);
            continue;
        }
        switch (c) {
        case '"':
            out += "\\\"";
            continue;
        case '\\':
            out += "\\\\";
            continue;
        case '\n':
            out += "\\n";
            continue;
        case '\r':
            out += "\\r";
            continue;
        case '\t':
            out += "\\t";
            continue;
        default:
            break;
        }
        // Control characters and the HTML-sensitive <, >, & (json.Marshal's default escapeHTML).
        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xf];
            continue;
        }
        out += char(c);
    }
    out += '"';
    return out;
}

QString goJsonKind(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return QStringLiteral("string");
    case QJsonValue::Double:
        return QStringLiteral("number");
    case QJsonValue::Bool:
        return QStringLiteral("bool");
    case QJsonValue::Array:
        return QStringLiteral("array");
    case QJsonValue::Object:
        return QStringLiteral("object");
    default:
        return QStringLiteral("null");
    }
}

namespace {

// Go's quoteChar for syntax errors: 'x', with ' and " escaped as Go does.
QString quoteChar(char c)
{
    if (c == '\'')
        return QStringLiteral("'\\''");
    if (c == '"')
        return QStringLiteral("'\"'");
    switch (c) {
    case '\n':
        return QStringLiteral("'\\n'");
    case '\r':
        return QStringLiteral("'\\r'");
    case '\t':
        return QStringLiteral("'\\t'");
    default:
        break;
    }
    if (static_cast<unsigned char>(c) < 0x20)
        return QStringLiteral("'\\x%1'").arg(int(static_cast<unsigned char>(c)), 2, 16, QLatin1Char('0'));
    return QLatin1Char('\'') + QString(QLatin1Char(c)) + QLatin1Char('\'');
}

/*!
 * A syntax check of the first JSON value in the input with encoding/json's scanner messages, so
 * a malformed body is reported as Consul reports it. Qt's parser gives neither Go's texts nor
 * reliable positions.
 */
class GoScanner
{
public:
    explicit GoScanner(const QByteArray &in)
        : m_in(in)
    {
    }

    /*! Empty when the first value is well formed; *end is where it ends. */
    QString check(int *end)
    {
        skipSpace();
        value();
        *end = m_pos;
        return m_error;
    }

private:
    bool atEnd() const { return m_pos >= m_in.size(); }
    char peek() const { return m_in.at(m_pos); }
    void skipSpace()
    {
        while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\r' || peek() == '\n'))
            ++m_pos;
    }
    bool fail(const QString &context)
    {
        if (m_error.isEmpty())
            m_error = atEnd() ? QStringLiteral("unexpected EOF") : QStringLiteral("invalid character %1 %2").arg(quoteChar(peek()), context);
        return false;
    }

    bool value()
    {
        if (atEnd())
            return fail({});
        const char c = peek();
        if (c == '{')
            return object();
        if (c == '[')
            return array();
        if (c == '"')
            return string();
        if (c == '-' || (c >= '0' && c <= '9'))
            return number();
        if (c == 't')
            return literal("true");
        if (c == 'f')
            return literal("false");
        if (c == 'n')
            return literal("null");
        return fail(QStringLiteral("looking for beginning of value"));
    }

    bool object()
    {
        ++m_pos;
        skipSpace();
        if (!atEnd() && peek() == '}') {
            ++m_pos;
            return true;
        }
        for (;;) {
            if (atEnd() || peek() != '"')
                return fail(QStringLiteral("looking for beginning of object key string"));
            if (!string())
                return false;
            skipSpace();
            if (atEnd() || peek() != ':')
                return fail(QStringLiteral("after object key"));
            ++m_pos;
            skipSpace();
            if (!value())
                return false;
            skipSpace();
            if (atEnd())
                return fail({});
            if (peek() == '}') {
                ++m_pos;
                return true;
            }
            if (peek() != ',')
                return fail(QStringLiteral("after object key:value pair"));
            ++m_pos;
            skipSpace();
        }
    }

    bool array()
    {
        ++m_pos;
        skipSpace();
        if (!atEnd() && peek() == ']') {
            ++m_pos;
            return true;
        }
        for (;;) {
            if (!value())
                return false;
            skipSpace();
            if (atEnd())
                return fail({});
            if (peek() == ']') {
                ++m_pos;
                return true;
            }
            if (peek() != ',')
                return fail(QStringLiteral("after array element"));
            ++m_pos;
            skipSpace();
        }
    }

    bool string()
    {
        ++m_pos;
        while (!atEnd()) {
            const char c = peek();
            if (c == '"') {
                ++m_pos;
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20)
                return fail(QStringLiteral("in string literal"));
            if (c == '\\') {
                ++m_pos;
                if (atEnd())
                    return fail({});
                const char e = peek();
                if (e == 'u') {
                    for (int i = 0; i < 4; ++i) {
                        ++m_pos;
                        if (atEnd())
                            return fail({});
                        if (!isxdigit(static_cast<unsigned char>(peek())))
                            return fail(QStringLiteral("in \\u hexadecimal character escape"));
                    }
                } else if (!QByteArrayView("\"\\/bfnrt").contains(e)) {
                    return fail(QStringLiteral("in string escape code"));
                }
            }
            ++m_pos;
        }
        return fail({});
    }

    bool digits()
    {
        if (atEnd())
            return fail({});
        if (peek() < '0' || peek() > '9')
            return fail(QStringLiteral("in numeric literal"));
        while (!atEnd() && peek() >= '0' && peek() <= '9')
            ++m_pos;
        return true;
    }

    bool number()
    {
        if (peek() == '-')
            ++m_pos;
        if (atEnd())
            return fail({});
        if (peek() == '0')
            ++m_pos;
        else if (!digits())
            return false;
        if (!atEnd() && peek() == '.') {
            ++m_pos;
            if (!digits())
                return false;
        }
        if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
            ++m_pos;
            if (!atEnd() && (peek() == '+' || peek() == '-'))
                ++m_pos;
            if (!digits())
                return false;
        }
        return true;
    }

    bool literal(const char *word)
    {
        const QByteArray w(word);
        for (int i = 0; i < w.size(); ++i, ++m_pos) {
            if (atEnd())
                return fail({});
            if (peek() != w.at(i))
                return fail(QStringLiteral("in literal %1 (expecting %2)").arg(QString::fromLatin1(w), quoteChar(w.at(i))));
        }
        return true;
    }

    const QByteArray &m_in;
    int m_pos = 0;
    QString m_error;
};

} // namespace

std::optional<JsonBody> JsonBody::parse(const QByteArray &body, const QString &goType, QString *error)
{
    if (body.trimmed().isEmpty()) {
        *error = QStringLiteral("EOF");
        return std::nullopt;
    }
    int end = 0;
    const QString syntax = GoScanner(body).check(&end);
    if (!syntax.isEmpty()) {
        *error = syntax;
        return std::nullopt;
    }
    // json.Decoder reads the first value and leaves the rest alone.
    const QByteArray first = body.left(end).trimmed();
    if (first.startsWith('{')) {
        JsonBody b;
        b.m_object = QJsonDocument::fromJson(first).object();
        b.m_goType = goType;
        return b;
    }
    if (first == "null") {
        JsonBody b; // null into a struct is a no-op in Go
        b.m_goType = goType;
        return b;
    }
    const QJsonValue v = QJsonDocument::fromJson("[" + first + "]").array().at(0);
    *error = QStringLiteral("json: cannot unmarshal %1 into Go value of type %2").arg(goJsonKind(v), goType);
    return std::nullopt;
}

bool JsonBody::contains(const QString &field) const
{
    return !value(field).isUndefined();
}

QJsonValue JsonBody::value(const QString &field) const
{
    const auto exact = m_object.constFind(field);
    if (exact != m_object.constEnd())
        return exact.value();
    for (auto it = m_object.constBegin(); it != m_object.constEnd(); ++it) {
        if (it.key().compare(field, Qt::CaseInsensitive) == 0)
            return it.value();
    }
    return QJsonValue(QJsonValue::Undefined);
}

QString JsonBody::typeError(const QString &field, const QJsonValue &v, const QString &goFieldType) const
{
    const QString owner = m_goType.section(QLatin1Char('.'), -1);
    return QStringLiteral("json: cannot unmarshal %1 into Go struct field %2.%3 of type %4").arg(goJsonKind(v), owner, field, goFieldType);
}

bool JsonBody::readString(const QString &field, QString *out, QString *error) const
{
    const QJsonValue v = value(field);
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isString()) {
        *error = typeError(field, v, QStringLiteral("string"));
        return false;
    }
    *out = v.toString();
    return true;
}

bool JsonBody::readStringList(const QString &field, std::optional<QStringList> *out, QString *error) const
{
    const QJsonValue v = value(field);
    if (v.isUndefined())
        return true;
    if (v.isNull()) {
        out->reset();
        return true;
    }
    if (!v.isArray()) {
        *error = typeError(field, v, QStringLiteral("[]string"));
        return false;
    }
    QStringList list;
    const QJsonArray arr = v.toArray();
    for (const QJsonValue &item : arr) {
        if (!item.isString()) {
            *error = typeError(field, item, QStringLiteral("string"));
            return false;
        }
        list.append(item.toString());
    }
    *out = list;
    return true;
}

bool JsonBody::readBool(const QString &field, bool *out, QString *error) const
{
    const QJsonValue v = value(field);
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isBool()) {
        *error = typeError(field, v, QStringLiteral("bool"));
        return false;
    }
    *out = v.toBool();
    return true;
}

QStringList JsonBody::unknownFields(const QStringList &known) const
{
    QStringList unknown;
    for (auto it = m_object.constBegin(); it != m_object.constEnd(); ++it) {
        if (!known.contains(it.key(), Qt::CaseInsensitive))
            unknown.append(it.key());
    }
    return unknown;
}

} // namespace jobslib::consulsim
