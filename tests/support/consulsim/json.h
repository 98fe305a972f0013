// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace jobslib::consulsim {

/*!
 * A JSON value written the way Go's encoding/json writes Consul's structs: object fields in
 * declaration order (QJsonObject would sort them), unsigned 64-bit integers exactly (KV flags
 * such as 16210313421097356768 do not fit in QJsonValue), HTML-escaping of <, > and &, and
 * MarshalIndent's layout for ?pretty.
 */
class Json
{
public:
    enum class Type { Null, Bool, Int, UInt, String, Array, Object };

    Json() = default;
    Json(bool b); // NOLINT: implicit on purpose, values read like literals at call sites
    Json(int i);
    Json(qint64 i);
    Json(quint64 u);
    Json(const QString &s);
    // A string literal would otherwise silently become a bool.
    Json(const char *) = delete;

    static Json array();
    static Json object();
    /*! A []byte field: base64, or null when empty (Consul stores an empty value as nil). */
    static Json bytes(const QByteArray &data);
    static Json strings(const QStringList &list);
    /*! nullopt becomes null (a nil Go slice), an empty list becomes []. */
    static Json strings(const std::optional<QStringList> &list);

    Type type() const { return m_type; }
    bool isNull() const { return m_type == Type::Null; }

    /*! Appends to an array. */
    Json &append(const Json &value);
    /*! Adds a field to an object, keeping the order of insertion. */
    Json &insert(const QString &key, const Json &value);
    int size() const { return int(m_values.size()); }

    /*! Compact like json.Marshal, or json.MarshalIndent(v, "", "    ") plus a newline. */
    QByteArray serialize(bool pretty = false) const;

private:
    void write(QByteArray &out, bool pretty, int depth) const;

    Type m_type = Type::Null;
    bool m_bool = false;
    qint64 m_int = 0;
    quint64 m_uint = 0;
    QString m_string;
    QStringList m_keys;
    std::vector<Json> m_values;
};

/*! Go's encoding of a string, quotes included. */
QByteArray goJsonString(const QString &s);

/*!
 * A JSON request body decoded as Consul's Go handlers decode it: field names match
 * case-insensitively, only the first JSON value counts (json.Decoder), and errors read like
 * Go's ("Request decode failed: json: cannot unmarshal number into Go struct field ...").
 */
class JsonBody
{
public:
    /*! Parses body, which must hold an object for goType; else *error holds the decode error. */
    static std::optional<JsonBody> parse(const QByteArray &body, const QString &goType, QString *error);

    bool contains(const QString &field) const;
    /*! The field's value, matched case-insensitively (exact spelling preferred); Undefined if absent. */
    QJsonValue value(const QString &field) const;
    /*! A string field: absent or null leaves *out unchanged; another type sets *error. */
    bool readString(const QString &field, QString *out, QString *error) const;
    /*! A []string field: absent leaves *out, null makes it nullopt, other types set *error. */
    bool readStringList(const QString &field, std::optional<QStringList> *out, QString *error) const;
    /*! A bool field. */
    bool readBool(const QString &field, bool *out, QString *error) const;
    /*! The fields not in known (case-insensitive), for the decoders that disallow unknown fields. */
    QStringList unknownFields(const QStringList &known) const;
    const QJsonObject &object() const { return m_object; }
    /*! Go's "json: cannot unmarshal <kind> into Go struct field <Type>.<Field> of type <goType>". */
    QString typeError(const QString &field, const QJsonValue &value, const QString &goFieldType) const;

private:
    QJsonObject m_object;
    QString m_goType;
};

/*! The JSON kind Go names in type errors: "string", "number", "bool", "array", "object". */
QString goJsonKind(const QJsonValue &value);

} // namespace jobslib::consulsim
