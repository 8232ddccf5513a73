// SPDX-License-Identifier: MIT
// UserService: admins' management of accounts, and a person's data export.
#include "backend/auth/passwordhasher.h"
#include "backend/auth/recoverycodes.h"
#include "backend/db/database.h"
#include "backend/events/eventlog.h"
#include "services/user/userservice.h"
#include "services/user/userstore.h"

namespace colophon {

namespace {

constexpr int kExportEventLimit = 100000;

Error lastAdmin()
{
    return Error::conflict(
        QStringLiteral("this is the last active admin: make another admin first"));
}

bool isActiveAdmin(const User &u)
{
    return u.role == Role::Admin && u.status == QLatin1String("active") && u.deletedAtMs == 0;
}

} // namespace

Result<StoredAccount> UserService::existingAccount(const QString &userId)
{
    auto account = m_store->accountById(userId);
    if (!account) {
        return fail(account.error());
    }
    if (!account->has_value()) {
        return fail(Error::notFound(QStringLiteral("no such user")));
    }
    return std::move(**account);
}

Result<int> UserService::revokeAll(Transaction &tx, const QString &userId, const QString &reason,
                                   qint64 nowMs, const QString &keepSessionId)
{
    auto live = m_store->liveSessions(userId, nowMs);
    if (!live) {
        return fail(live.error());
    }
    int revokedCount = 0;
    for (const Session &s : *live) {
        if (s.id == keepSessionId) {
            continue;
        }
        if (auto revoked = revoke(tx, userId, s.id, reason, nowMs); !revoked) {
            return fail(revoked.error());
        }
        ++revokedCount;
    }
    return revokedCount;
}

Result<UserPage> UserService::listUsers(const Actor &actor, const UserQuery &query)
{
    if (auto allowed = authorize(actor.role, Action::UserList); !allowed) {
        return fail(allowed.error());
    }
    if (!query.sortField.isEmpty() && !UserStore::sortFields().contains(query.sortField)) {
        return fail(Error::invalid(QStringLiteral("sort must be one of %1, optionally after -")
                                       .arg(UserStore::sortFields().join(QLatin1String(", "))),
                                   QStringLiteral("sort")));
    }
    if (!query.status.isEmpty() && !isUserStatus(query.status)) {
        return fail(Error::invalid(QStringLiteral("status must be active, inactive or suspended"),
                                   QStringLiteral("status")));
    }
    if (query.text.size() > 200) {
        return fail(
            Error::invalid(QStringLiteral("q is longer than 200 characters"), QStringLiteral("q")));
    }
    auto page = m_store->listUsers(query);
    if (!page) {
        return fail(page.error());
    }
    return UserPage{std::move(page->first), page->second};
}

Result<User> UserService::user(const Actor &actor, const QString &userId)
{
    if (auto allowed = authorize(actor.role, Action::UserRead); !allowed) {
        return fail(allowed.error());
    }
    auto account = existingAccount(userId);
    if (!account) {
        return fail(account.error());
    }
    return account->user;
}

Result<QHash<QString, QString>> UserService::displayNames(const Actor &actor,
                                                          const QStringList &userIds)
{
    if (auto allowed = authorize(actor.role, Action::UserReadNames); !allowed) {
        return fail(allowed.error());
    }
    if (userIds.size() > 1000) {
        return fail(
            Error::invalid(QStringLiteral("at most 1000 ids at a time"), QStringLiteral("ids")));
    }
    QHash<QString, QString> names;
    for (const QString &id : userIds) {
        if (id.isEmpty() || names.contains(id)) {
            continue;
        }
        auto account = m_store->accountById(id);
        if (!account) {
            return fail(account.error());
        }
        if (!account->has_value()) {
            continue;
        }
        const User &user = (*account)->user;
        const QString name = (user.firstName + QLatin1Char(' ') + user.lastName).trimmed();
        names.insert(id, user.deletedAtMs > 0 ? QStringLiteral("Deleted user")
                         : name.isEmpty()     ? user.email
                                              : name);
    }
    return names;
}

Result<User> UserService::updateUser(const Actor &actor, const QString &userId,
                                     const UserChange &change)
{
    if (auto allowed = authorize(actor.role, Action::UserUpdate); !allowed) {
        return fail(allowed.error());
    }
    nlohmann::json changed = nlohmann::json::object();
    std::optional<QString> first;
    std::optional<QString> last;
    if (change.firstName) {
        auto v = validName(*change.firstName, QStringLiteral("firstName"));
        if (!v) {
            return fail(v.error());
        }
        first = *v;
    }
    if (change.lastName) {
        auto v = validName(*change.lastName, QStringLiteral("lastName"));
        if (!v) {
            return fail(v.error());
        }
        last = *v;
    }
    if (change.status && !isUserStatus(*change.status)) {
        return fail(Error::invalid(QStringLiteral("status must be active, inactive or suspended"),
                                   QStringLiteral("status")));
    }
    const qint64 now = m_clock();
    return m_db.transact([&](Transaction &tx) -> Result<User> {
        auto account = existingAccount(userId);
        if (!account) {
            return fail(account.error());
        }
        User next = account->user;
        if (next.deletedAtMs > 0) {
            return fail(Error::conflict(QStringLiteral("a deleted account cannot be changed")));
        }
        if (change.expectedUpdatedAtMs && *change.expectedUpdatedAtMs != next.updatedAtMs) {
            return fail(Error{ErrorCode::PreconditionFailed,
                              QStringLiteral("the account changed since it was read"),
                              {}});
        }
        if (first && *first != next.firstName) {
            next.firstName = *first;
            changed["firstName"] = first->toStdString();
        }
        if (last && *last != next.lastName) {
            next.lastName = *last;
            changed["lastName"] = last->toStdString();
        }
        if (change.role && *change.role != next.role) {
            next.role = *change.role;
            changed["role"] = roleName(next.role).toStdString();
        }
        if (change.status && *change.status != next.status) {
            next.status = *change.status;
            changed["status"] = next.status.toStdString();
        }
        if (changed.empty()) {
            return next;
        }
        if (isActiveAdmin(account->user) && !isActiveAdmin(next)) {
            auto admins = m_store->countActiveAdmins(tx);
            if (!admins) {
                return fail(admins.error());
            }
            if (*admins <= 1) {
                return fail(lastAdmin());
            }
        }
        next.updatedAtMs = std::max(now, account->user.updatedAtMs + 1); // a new ETag
        if (auto stored = m_store->updateProfile(tx, next); !stored) {
            return fail(stored.error());
        }
        if (auto ev = appendUserEvent(tx, QStringLiteral("UserUpdated"), userId, actor.userId,
                                      {{"changes", changed}});
            !ev) {
            return fail(ev.error());
        }
        if (next.status != QLatin1String("active")) {
            if (auto revoked = revokeAll(tx, userId, QStringLiteral("account-") + next.status, now);
                !revoked) {
                return fail(revoked.error());
            }
        }
        return next;
    });
}

Result<void> UserService::deleteUser(const Actor &actor, const QString &userId)
{
    if (auto allowed = authorize(actor.role, Action::UserDelete); !allowed) {
        return fail(allowed.error());
    }
    const qint64 now = m_clock();
    // Nobody knows this password, so nothing signs in as the account again.
    auto unusable = m_hasher.hash(randomToken(32));
    if (!unusable) {
        return fail(unusable.error());
    }
    return m_db.transact([&](Transaction &tx) -> Result<void> {
        auto account = existingAccount(userId);
        if (!account) {
            return fail(account.error());
        }
        if (account->user.deletedAtMs > 0) {
            return fail(Error::notFound(QStringLiteral("no such user")));
        }
        if (isActiveAdmin(account->user)) {
            auto admins = m_store->countActiveAdmins(tx);
            if (!admins) {
                return fail(admins.error());
            }
            if (*admins <= 1) {
                return fail(lastAdmin());
            }
        }
        if (auto revoked = revokeAll(tx, userId, QStringLiteral("account-deleted"), now);
            !revoked) {
            return fail(revoked.error());
        }
        User placeholder = account->user;
        placeholder.email = QStringLiteral("deleted-%1@users.invalid").arg(userId);
        placeholder.firstName = QStringLiteral("Deleted");
        placeholder.lastName = QStringLiteral("user");
        placeholder.status = QStringLiteral("inactive");
        placeholder.preferences = UserPreferences{};
        placeholder.updatedAtMs = std::max(now, account->user.updatedAtMs + 1);
        placeholder.deletedAtMs = now;
        if (auto stored = m_store->anonymise(tx, placeholder, *unusable); !stored) {
            return stored;
        }
        // The account's own events held its names and email: erase them there too.
        auto redacted =
            m_log.redactStream(tx, QStringLiteral("user/") + userId, [](nlohmann::json &payload) {
                for (const char *key : {"email", "firstName", "lastName", "preferences"}) {
                    if (payload.contains(key)) {
                        payload[key] = "[erased]";
                    }
                    if (payload.contains("changes") && payload["changes"].is_object() &&
                        payload["changes"].contains(key)) {
                        payload["changes"][key] = "[erased]";
                    }
                }
            });
        if (!redacted) {
            return fail(redacted.error());
        }
        return appendUserEvent(tx, QStringLiteral("UserDeleted"), userId, actor.userId,
                               {{"anonymised", true}});
    });
}

Result<std::vector<Session>> UserService::userSessions(const Actor &actor, const QString &userId)
{
    if (auto allowed = authorize(actor.role, Action::UserRead); !allowed) {
        return fail(allowed.error());
    }
    if (auto account = existingAccount(userId); !account) {
        return fail(account.error());
    }
    return m_store->liveSessions(userId, m_clock());
}

Result<int> UserService::revokeUserSessions(const Actor &actor, const QString &userId)
{
    if (auto allowed = authorize(actor.role, Action::UserRevokeSessions); !allowed) {
        return fail(allowed.error());
    }
    if (auto account = existingAccount(userId); !account) {
        return fail(account.error());
    }
    const qint64 now = m_clock();
    return m_db.transact([&](Transaction &tx) {
        return revokeAll(tx, userId, QStringLiteral("revoked-by-admin"), now);
    });
}

Result<nlohmann::json> UserService::exportMe(const Actor &actor)
{
    if (auto allowed = authorize(actor.role, Action::UserReadSelf); !allowed) {
        return fail(allowed.error());
    }
    auto account = existingAccount(actor.userId);
    if (!account) {
        return fail(account.error());
    }
    auto sessions = m_store->allSessions(actor.userId);
    if (!sessions) {
        return fail(sessions.error());
    }
    auto mfa = mfaStatus(actor);
    if (!mfa) {
        return fail(mfa.error());
    }
    auto events = m_log.readInvolving(QStringLiteral("user/") + actor.userId, actor.userId,
                                      kExportEventLimit);
    if (!events) {
        return fail(events.error());
    }
    nlohmann::json sessionList = nlohmann::json::array();
    for (const Session &s : *sessions) {
        sessionList.push_back(s.toJson(actor.sessionId));
    }
    nlohmann::json eventList = nlohmann::json::array();
    for (const Event &e : *events) {
        eventList.push_back(e.toJson());
    }
    return nlohmann::json{{"exportedAt", isoTime(m_clock()).toStdString()},
                          {"user", account->user.toJson()},
                          {"sessions", std::move(sessionList)},
                          {"mfa", mfa->toJson()},
                          {"events", std::move(eventList)},
                          {"eventsTruncated", events->size() >= size_t(kExportEventLimit)}};
}

} // namespace colophon
