// SPDX-License-Identifier: BSD-3-Clause
#pragma once

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

#include <optional>

namespace jobslib::consulsim {

enum class AclAccess { Deny = 0, Read = 1, Write = 2 };
enum class AclResource { Key, Session, Node, Service, Agent };

/*!
 * A token with a policy in Consul's rule language (JSON form): per resource, exact rules and
 * prefix rules, e.g. {"key_prefix": {"jobs/": {"policy": "write"}}, "session_prefix": {"":
 * {"policy": "write"}}}, or the shortcut "Policy": "read" | "write" for every resource. An
 * exact rule beats a prefix rule, the longest prefix wins, and no rule means deny (the
 * simulator runs ACLs with default policy deny).
 */
struct AclToken
{
    struct Rule
    {
        AclResource resource = AclResource::Key;
        QString name;
        bool prefix = true;
        AclAccess access = AclAccess::Deny;
    };

    QString secretId;
    QString accessorId;
    QString description;
    bool management = false;
    QList<Rule> rules;

    /*! Parses {"SecretID", "AccessorID", "Description", "Policy", "Rules": {...}}; false with *error. */
    static std::optional<AclToken> fromJson(const QJsonObject &object, QString *error);
    QJsonObject toJson() const;
};

/*!
 * Token resolution and authorization (acl/, agent/consul/acl.go) with Consul's error texts:
 * "ACL not found" for an unknown token, "Permission denied: ..." naming the token's accessor
 * (or the anonymous token), the permission and the resource.
 */
class Acl
{
public:
    /*! The well-known accessor of the anonymous token. */
    static QString anonymousAccessor() { return QStringLiteral("00000000-0000-0000-0000-000000000002"); }
    /*! The secret under which the control API edits the anonymous token's policy. */
    static QString anonymousSecret() { return QStringLiteral("anonymous"); }

    /*! ACLs on, default deny, with a management token. */
    void enable(const QString &masterToken);
    bool isEnabled() const { return m_enabled; }
    QString masterToken() const { return m_master; }

    /*! Adds or replaces a token (by SecretID). */
    void setToken(const AclToken &token);
    bool removeToken(const QString &secretId);
    QList<AclToken> tokens() const;
    /*! Back to the master token alone and an anonymous token without rights. */
    void resetTokens();

    /*! A request's identity: a token, or the anonymous one; *error is "ACL not found" for unknown secrets. */
    const AclToken *resolve(const QString &secret, QString *error) const;
    bool allowed(const AclToken *token, AclResource resource, const QString &name, AclAccess access) const;
    /*! KeyWritePrefix: write on the prefix and nothing below it denying write. */
    bool allowedWritePrefix(const AclToken *token, const QString &prefix) const;
    /*! The 403 text for a refusal. */
    QString deniedText(const AclToken *token, AclResource resource, const QString &name, AclAccess access) const;

    static QString resourceName(AclResource resource);

private:
    AclAccess access(const AclToken *token, AclResource resource, const QString &name) const;

    bool m_enabled = false;
    QString m_master;
    QMap<QString, AclToken> m_tokens; // by secret
};

} // namespace jobslib::consulsim
