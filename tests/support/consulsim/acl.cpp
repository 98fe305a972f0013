// SPDX-License-Identifier: BSD-3-Clause
#include "acl.h"

#include <QJsonArray>
#include <QUuid>

namespace jobslib::consulsim {

namespace {

struct ResourceSpelling
{
    AclResource resource;
    const char *exact;
    const char *prefix;
};

constexpr ResourceSpelling Spellings[] = {
    {AclResource::Key, "key", "key_prefix"},
    {AclResource::Session, "session", "session_prefix"},
    {AclResource::Node, "node", "node_prefix"},
    {AclResource::Service, "service", "service_prefix"},
    {AclResource::Agent, "agent", "agent_prefix"},
};

std::optional<AclAccess> parseAccess(const QString &text)
{
    if (text == QLatin1String("write"))
        return AclAccess::Write;
    // "list" only matters with acl_enable_key_list_policy, which the simulator does not model.
    if (text == QLatin1String("read") || text == QLatin1String("list"))
        return AclAccess::Read;
    if (text == QLatin1String("deny"))
        return AclAccess::Deny;
    return std::nullopt;
}

QString accessName(AclAccess a)
{
    switch (a) {
    case AclAccess::Write:
        return QStringLiteral("write");
    case AclAccess::Read:
        return QStringLiteral("read");
    case AclAccess::Deny:
        break;
    }
    return QStringLiteral("deny");
}

// Go's %q for the plain names clients use.
QString goQuote(const QString &s)
{
    QString out = QStringLiteral("\"");
    for (const QChar c : s) {
        if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
            out += QLatin1Char('\\');
        out += c;
    }
    return out + QLatin1Char('"');
}

AclToken anonymousToken()
{
    AclToken t;
    t.secretId = Acl::anonymousSecret();
    t.accessorId = Acl::anonymousAccessor();
    t.description = QStringLiteral("Anonymous Token");
    return t;
}

} // namespace

std::optional<AclToken> AclToken::fromJson(const QJsonObject &object, QString *error)
{
    AclToken t;
    t.secretId = object.value(QStringLiteral("SecretID")).toString();
    if (t.secretId.isEmpty()) {
        *error = QStringLiteral("SecretID is required");
        return std::nullopt;
    }
    t.accessorId = object.value(QStringLiteral("AccessorID")).toString();
    if (t.accessorId.isEmpty())
        t.accessorId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.description = object.value(QStringLiteral("Description")).toString();
    if (object.contains(QStringLiteral("Policy"))) {
        const auto blanket = parseAccess(object.value(QStringLiteral("Policy")).toString());
        if (!blanket) {
            *error = QStringLiteral("Policy must be read, write or deny");
            return std::nullopt;
        }
        for (const ResourceSpelling &s : Spellings)
            t.rules.append({s.resource, QString(), true, *blanket});
    }
    const QJsonObject rules = object.value(QStringLiteral("Rules")).toObject();
    for (auto it = rules.constBegin(); it != rules.constEnd(); ++it) {
        const ResourceSpelling *spelling = nullptr;
        bool prefix = false;
        for (const ResourceSpelling &s : Spellings) {
            if (it.key() == QLatin1String(s.exact) || it.key() == QLatin1String(s.prefix)) {
                spelling = &s;
                prefix = it.key() == QLatin1String(s.prefix);
            }
        }
        if (!spelling) {
            *error = QStringLiteral("unsupported rule resource \"%1\"").arg(it.key());
            return std::nullopt;
        }
        const QJsonObject names = it.value().toObject();
        for (auto n = names.constBegin(); n != names.constEnd(); ++n) {
            // Both {"policy": "write"} (Consul's JSON rules) and a bare "write" are accepted.
            const QString text = n.value().isString() ? n.value().toString() : n.value().toObject().value(QStringLiteral("policy")).toString();
            const auto access = parseAccess(text);
            if (!access) {
                *error = QStringLiteral("invalid policy \"%1\" for %2 \"%3\"").arg(text, it.key(), n.key());
                return std::nullopt;
            }
            // An explicit rule replaces a blanket one for the same name.
            t.rules.removeIf([&](const Rule &r) { return r.resource == spelling->resource && r.name == n.key() && r.prefix == prefix; });
            t.rules.append({spelling->resource, n.key(), prefix, *access});
        }
    }
    return t;
}

QJsonObject AclToken::toJson() const
{
    QJsonObject rulesJson;
    for (const Rule &r : rules) {
        for (const ResourceSpelling &s : Spellings) {
            if (s.resource != r.resource)
                continue;
            const QString kind = QString::fromLatin1(r.prefix ? s.prefix : s.exact);
            QJsonObject names = rulesJson.value(kind).toObject();
            names.insert(r.name, QJsonObject{{QStringLiteral("policy"), accessName(r.access)}});
            rulesJson.insert(kind, names);
        }
    }
    return QJsonObject{{QStringLiteral("SecretID"), secretId},
                       {QStringLiteral("AccessorID"), accessorId},
                       {QStringLiteral("Description"), description},
                       {QStringLiteral("Management"), management},
                       {QStringLiteral("Rules"), rulesJson}};
}

void Acl::enable(const QString &masterToken)
{
    m_enabled = true;
    m_master = masterToken;
    resetTokens();
}

void Acl::resetTokens()
{
    m_tokens.clear();
    if (!m_enabled)
        return;
    AclToken master;
    master.secretId = m_master;
    master.accessorId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    master.description = QStringLiteral("Initial Management Token");
    master.management = true;
    m_tokens.insert(master.secretId, master);
    m_tokens.insert(anonymousSecret(), anonymousToken());
}

void Acl::setToken(const AclToken &token)
{
    AclToken t = token;
    if (t.secretId == anonymousSecret())
        t.accessorId = anonymousAccessor();
    m_tokens.insert(t.secretId, t);
}

bool Acl::removeToken(const QString &secretId)
{
    if (secretId == m_master)
        return false;
    if (secretId == anonymousSecret()) {
        m_tokens.insert(secretId, anonymousToken());
        return true;
    }
    return m_tokens.remove(secretId) > 0;
}

QList<AclToken> Acl::tokens() const
{
    return m_tokens.values();
}

const AclToken *Acl::resolve(const QString &secret, QString *error) const
{
    if (!m_enabled)
        return nullptr;
    const QString key = secret.isEmpty() ? anonymousSecret() : secret;
    const auto it = m_tokens.constFind(key);
    if (it == m_tokens.constEnd()) {
        *error = QStringLiteral("ACL not found");
        return nullptr;
    }
    return &it.value();
}

AclAccess Acl::access(const AclToken *token, AclResource resource, const QString &name) const
{
    if (!token)
        return AclAccess::Deny;
    if (token->management)
        return AclAccess::Write;
    const AclToken::Rule *best = nullptr;
    for (const AclToken::Rule &r : token->rules) {
        if (r.resource != resource)
            continue;
        if (!r.prefix && r.name == name)
            return r.access;
        if (r.prefix && name.startsWith(r.name) && (!best || r.name.size() > best->name.size()))
            best = &r;
    }
    return best ? best->access : AclAccess::Deny;
}

bool Acl::allowed(const AclToken *token, AclResource resource, const QString &name, AclAccess needed) const
{
    if (!m_enabled)
        return true;
    return int(access(token, resource, name)) >= int(needed);
}

bool Acl::allowedWritePrefix(const AclToken *token, const QString &prefix) const
{
    if (!m_enabled || (token && token->management))
        return true;
    if (!allowed(token, AclResource::Key, prefix, AclAccess::Write))
        return false;
    for (const AclToken::Rule &r : token->rules) {
        if (r.resource == AclResource::Key && r.name.startsWith(prefix) && r.access != AclAccess::Write)
            return false;
    }
    return true;
}

QString Acl::resourceName(AclResource resource)
{
    for (const ResourceSpelling &s : Spellings) {
        if (s.resource == resource)
            return QString::fromLatin1(s.exact);
    }
    return {};
}

QString Acl::deniedText(const AclToken *token, AclResource resource, const QString &name, AclAccess needed) const
{
    const QString permission = resourceName(resource) + QLatin1Char(':') + accessName(needed);
    if (!token || token->accessorId == anonymousAccessor()) {
        return QStringLiteral("Permission denied: anonymous token lacks permission '%1' on %2. The anonymous token is used "
                              "implicitly when a request does not specify a token.")
            .arg(permission, goQuote(name));
    }
    return QStringLiteral("Permission denied: token with AccessorID '%1' lacks permission '%2' on %3").arg(token->accessorId, permission, goQuote(name));
}

} // namespace jobslib::consulsim
