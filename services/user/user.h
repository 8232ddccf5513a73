// SPDX-License-Identifier: MIT
// The user service's values: the blueprint's User and UserPreferences, the
// acting user, sessions and tokens, with their validation and JSON forms.
#pragma once

#include "backend/auth/permissions.h"
#include "backend/core/error.h"

#include <QString>
#include <nlohmann/json.hpp>
#include <optional>

namespace colophon {

struct UserPreferences
{
    QString language = QStringLiteral("en");
    QString timezone = QStringLiteral("UTC"); // an IANA name
    bool emailNotifications = true;
    bool pushNotifications = false;

    nlohmann::json toJson() const;
    // Applies the fields present in j onto this; errors name "preferences.<field>".
    Result<void> merge(const nlohmann::json &j);
    // What the store holds, validated when it was written: read without the
    // time-zone lookup, which scans the zone database.
    static UserPreferences fromStored(const nlohmann::json &j);
};

struct User
{
    QString id;
    QString email; // normalised: trimmed, lower case
    QString firstName;
    QString lastName;
    Role role = Role::Consumer;
    QString status = QStringLiteral("active"); // active, inactive, suspended
    UserPreferences preferences;
    qint64 createdAtMs = 0;
    qint64 updatedAtMs = 0;
    bool mfaEnabled = false; // a confirmed TOTP authenticator
    qint64 deletedAtMs = 0;  // set when the account was deleted (anonymised)

    // The API form; never carries the password hash.
    nlohmann::json toJson() const;
};

// An admin's listing of accounts.
struct UserQuery
{
    std::optional<Role> role;
    QString status;    // empty: any
    QString text;      // substring of email, first or last name
    QString sortField; // email, firstName, lastName, role, status, createdAt, updatedAt
    bool descending = false;
    bool includeDeleted = false;
    int limit = 20;
    qint64 offset = 0;
};

// Who is acting: resolved from an access token (or the system, for bootstrap).
struct Actor
{
    QString userId;
    Role role = Role::Consumer;
    QString sessionId;
    static Actor system() { return {QString(), Role::Admin, QString()}; }
};

struct ClientInfo
{
    QString address;
    QString userAgent;
};

struct TokenPair
{
    QString accessToken;
    QString refreshToken;
    qint64 expiresIn = 0; // seconds
    nlohmann::json toJson() const;
};

struct Session
{
    QString id;
    QString userId;
    QString address;
    QString userAgent;
    qint64 createdAtMs = 0;
    qint64 lastUsedAtMs = 0;
    qint64 expiresAtMs = 0;
    nlohmann::json toJson(const QString &currentSessionId) const;
};

// The statuses an account can have.
bool isUserStatus(const QString &status);

QString isoTime(qint64 ms);
// Trimmed, lower case; InvalidInput naming "email" when it is not an address.
Result<QString> normaliseEmail(const QString &email);
// A person's name: 1..100 characters, no control characters.
Result<QString> validName(const QString &name, const QString &field);

} // namespace colophon
