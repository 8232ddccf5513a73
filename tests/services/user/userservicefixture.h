// SPDX-License-Identifier: MIT
// The fixture of the user service's tests: a fresh migrated SQLite file per
// test function, a manual clock, cheap argon2 parameters, and a signed-in admin.
// A test class derives from it; its private slots run as Qt Test's init and cleanup.
#pragma once

#include "backend/auth/jwt.h"
#include "backend/auth/passwordhasher.h"
#include "backend/db/database.h"
#include "backend/db/migrations.h"
#include "backend/db/sqlquery.h"
#include "backend/events/eventlog.h"
#include "services/user/userservice.h"
#include "tests/support/testsupport.h"

#include <QTemporaryDir>
#include <QTest>
#include <memory>
#include <optional>
#include <vector>

using colophon::Actor;
using colophon::Argon2Params;
using colophon::ClientInfo;
using colophon::Database;
using colophon::Error;
using colophon::ErrorCode;
using colophon::Event;
using colophon::EventLog;
using colophon::JwtSigner;
using colophon::MigrationRegistry;
using colophon::NewUser;
using colophon::PasswordHasher;
using colophon::ProfileChange;
using colophon::queryValue;
using colophon::Result;
using colophon::Role;
using colophon::Session;
using colophon::TokenPair;
using colophon::User;
using colophon::UserService;
using colophon::UserSettings;
using colophon::test::ManualClock;

namespace userfixture {

inline const QString kAdminEmail = QStringLiteral("admin@example.org");
inline const QString kAdminPassword = QStringLiteral("admin-password-1");
inline const QString kPassword = QStringLiteral("correct horse battery");
inline const QString kNewPassword = QStringLiteral("staple battery horse");
inline const ClientInfo kClient{QStringLiteral("192.0.2.1"), QStringLiteral("tst_userservice")};

inline QString describe(const Error &e)
{
    return QStringLiteral("%1: %2 [%3]").arg(colophon::errorCodeName(e.code), e.message, e.field);
}

// The failure message of a result, empty when it holds a value (QVERIFY2 evaluates it anyway).
template <typename T> inline QString why(const Result<T> &r)
{
    return r ? QString() : describe(r.error());
}

inline NewUser person(const QString &email, Role role = Role::Consumer,
                      const QString &password = kPassword)
{
    return {email, password, QStringLiteral("Ada"), QStringLiteral("Lovelace"), role};
}

// JSON as text, for QCOMPARE.
inline QString jsonText(const nlohmann::json &j)
{
    return QString::fromStdString(j.dump());
}

// A string member of an event payload, empty when absent.
inline QString str(const nlohmann::json &j, const char *key)
{
    return QString::fromStdString(j.value(key, std::string()));
}

} // namespace userfixture

using namespace userfixture;

class UserServiceFixture : public QObject
{
    Q_OBJECT

protected:
    // The service with settings; by default a fresh key for TOTP secrets.
    void startService(UserSettings settings = testSettings())
    {
        m_service.reset();
        m_service = std::make_unique<UserService>(*m_db, *m_log, *m_hasher, *m_signer, settings,
                                                  [this] { return m_clock.nowMs(); });
    }

    // Every stored event of the type (all events when type is empty), in log order.
    std::vector<Event> events(const QString &type = {}) const
    {
        std::vector<Event> out;
        auto all = m_log->readAfter(0, 100000);
        if (!all) {
            qWarning("%s", qPrintable(describe(all.error())));
            return out;
        }
        for (Event &e : *all) {
            if (type.isEmpty() || e.type == type) {
                out.push_back(std::move(e));
            }
        }
        return out;
    }

    // The newest event of the type; an empty event (no type) when there is none.
    Event lastEvent(const QString &type) const
    {
        auto all = events(type);
        return all.empty() ? Event{} : all.back();
    }

    qint64 eventCount() const
    {
        auto n = m_log->count();
        return n ? *n : -1;
    }

    qint64 accountRows(const QString &email)
    {
        auto n = queryValue(m_db->connection(),
                            QStringLiteral("SELECT COUNT(*) FROM user_accounts WHERE email = ?"),
                            {email});
        return n ? n->toLongLong() : -1;
    }

    // A sign-in without MFA: the token pair, or the error.
    Result<TokenPair> passwordLogin(const QString &email, const QString &password,
                                    const ClientInfo &client = kClient)
    {
        auto result = m_service->login(email, password, client);
        if (!result) {
            return fail(result.error());
        }
        if (!result->tokens) {
            return fail(Error::internal(QStringLiteral("unexpected MFA step")));
        }
        return *result->tokens;
    }

    // Signs in and resolves the access token, failing the test on any error.
    std::optional<std::pair<TokenPair, Actor>> signIn(const QString &email, const QString &password)
    {
        auto tokens = passwordLogin(email, password);
        if (!tokens) {
            qWarning("login: %s", qPrintable(describe(tokens.error())));
            return std::nullopt;
        }
        auto actor = m_service->authenticate(tokens->accessToken);
        if (!actor) {
            qWarning("authenticate: %s", qPrintable(describe(actor.error())));
            return std::nullopt;
        }
        return std::make_pair(*tokens, *actor);
    }

    // An account made by the admin, failing the test on any error.
    std::optional<User> makeUser(const QString &email, Role role = Role::Consumer)
    {
        auto user = m_service->createUser(m_admin, person(email, role));
        if (!user) {
            qWarning("createUser: %s", qPrintable(describe(user.error())));
            return std::nullopt;
        }
        return *user;
    }

    QTemporaryDir m_dir;
    int m_files = 0;
    ManualClock m_clock;
    std::unique_ptr<PasswordHasher> m_hasher;
    std::unique_ptr<JwtSigner> m_signer;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<EventLog> m_log;
    std::unique_ptr<UserService> m_service;
    User m_adminUser;
    Actor m_admin;

    static UserSettings testSettings()
    {
        UserSettings settings;
        settings.secretKey = JwtSigner::generateKey().left(32);
        return settings;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // Cheap argon2 parameters: the cost is the hasher's concern, not the service's.
        m_hasher =
            std::make_unique<PasswordHasher>(Argon2Params{1, 8 * 1024}, colophon::PasswordPolicy{},
                                             QSet<QString>{QStringLiteral("password123")});
        m_signer = std::make_unique<JwtSigner>(JwtSigner::generateKey());
    }

    void init()
    {
        m_clock.set(1'700'000'000'000);
        auto db = Database::openSqlite(m_dir.filePath(QStringLiteral("user-%1.db").arg(m_files++)));
        QVERIFY2(db, qPrintable(why(db)));
        m_db = std::move(*db);
        MigrationRegistry registry;
        EventLog::registerMigrations(registry);
        UserService::registerMigrations(registry);
        auto migrated = colophon::migrate(*m_db, registry);
        QVERIFY2(migrated, qPrintable(why(migrated)));
        auto log = EventLog::open(*m_db, [this] { return m_clock.nowMs(); });
        QVERIFY2(log, qPrintable(why(log)));
        m_log = std::move(*log);
        startService();

        // The first admin, made by the system as at bootstrap, then signed in.
        auto admin = m_service->createUser(Actor::system(),
                                           person(kAdminEmail, Role::Admin, kAdminPassword));
        QVERIFY2(admin, qPrintable(why(admin)));
        m_adminUser = *admin;
        auto signedIn = signIn(kAdminEmail, kAdminPassword);
        QVERIFY(signedIn);
        m_admin = signedIn->second;
        QCOMPARE(m_admin.role, Role::Admin);
    }

    void cleanup()
    {
        m_service.reset();
        m_log.reset();
        m_db.reset();
    }
};
