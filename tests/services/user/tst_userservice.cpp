// SPDX-License-Identifier: MIT
// Proves UserService's rules (accounts, sign-in, tokens, sessions) and the events each writes.
#include "tests/services/user/userservicefixture.h"

class TestUserService final : public UserServiceFixture
{
    Q_OBJECT

private slots:
    // --- accounts ---

    void createUserWritesTheAccountAndOneSecretFreeEvent()
    {
        const qint64 before = eventCount();
        const QString password = QStringLiteral("a rather secret passphrase");
        auto user = m_service->createUser(
            m_admin, person(QStringLiteral("Writer@Example.org"), Role::Creator, password));
        QVERIFY2(user, qPrintable(why(user)));
        QCOMPARE(user->email, QStringLiteral("writer@example.org"));
        QCOMPARE(user->role, Role::Creator);
        QCOMPARE(accountRows(QStringLiteral("writer@example.org")), qint64(1));
        QCOMPARE(
            queryValue(m_db->connection(), QStringLiteral("SELECT COUNT(*) FROM user_accounts"))
                .value_or(QVariant(-1))
                .toLongLong(),
            qint64(2));

        QCOMPARE(eventCount(), before + 1);
        const auto created = events(QStringLiteral("UserCreated"));
        QCOMPARE(created.size(), std::size_t(2)); // the admin's and this one
        const Event &e = created[1];
        QCOMPARE(e.stream, QStringLiteral("user/") + user->id);
        QCOMPARE(e.actorId, m_adminUser.id);
        QCOMPARE(str(e.payload, "id"), user->id);
        QCOMPARE(str(e.payload, "email"), QStringLiteral("writer@example.org"));
        QCOMPARE(str(e.payload, "role"), QStringLiteral("creator"));

        const QString payload = QString::fromStdString(e.payload.dump());
        QVERIFY2(!payload.contains(QStringLiteral("$argon2")), qPrintable(payload));
        QVERIFY2(!payload.contains(password), qPrintable(payload));
        QVERIFY2(!payload.contains(QStringLiteral("password"), Qt::CaseInsensitive),
                 qPrintable(payload));
        QVERIFY2(!payload.contains(QStringLiteral("hash"), Qt::CaseInsensitive),
                 qPrintable(payload));
        // Nor anywhere else in the stored event.
        const QString whole = QString::fromStdString(e.toJson().dump());
        QVERIFY(!whole.contains(QStringLiteral("$argon2")));
        QVERIFY(!whole.contains(password));
    }

    void createUserIsRefusedToNonAdmins_data()
    {
        QTest::addColumn<Role>("role");
        QTest::newRow("editor") << Role::Editor;
        QTest::newRow("creator") << Role::Creator;
        QTest::newRow("consumer") << Role::Consumer;
    }

    void createUserIsRefusedToNonAdmins()
    {
        QFETCH(Role, role);
        auto actorUser = makeUser(QStringLiteral("actor@example.org"), role);
        QVERIFY(actorUser);
        auto actor = signIn(QStringLiteral("actor@example.org"), kPassword);
        QVERIFY(actor);
        QCOMPARE(actor->second.role, role);
        const qint64 before = eventCount();

        auto made = m_service->createUser(
            actor->second, person(QStringLiteral("new@example.org"), Role::Consumer));
        QVERIFY(!made);
        QCOMPARE(made.error().code, ErrorCode::PermissionDenied);
        QCOMPARE(accountRows(QStringLiteral("new@example.org")), qint64(0));
        QCOMPARE(eventCount(), before);
    }

    void registerUserGivesTheConfiguredRole_data()
    {
        QTest::addColumn<Role>("configured");
        QTest::addColumn<Role>("asked");
        QTest::newRow("consumer, asked admin") << Role::Consumer << Role::Admin;
        QTest::newRow("consumer, asked editor") << Role::Consumer << Role::Editor;
        QTest::newRow("creator, asked admin") << Role::Creator << Role::Admin;
        QTest::newRow("creator, asked consumer") << Role::Creator << Role::Consumer;
    }

    void registerUserGivesTheConfiguredRole()
    {
        QFETCH(Role, configured);
        QFETCH(Role, asked);
        UserSettings settings;
        settings.selfRegisteredRole = configured;
        startService(settings);

        auto user = m_service->registerUser(person(QStringLiteral("self@example.org"), asked));
        QVERIFY2(user, qPrintable(why(user)));
        QCOMPARE(user->role, configured);
        auto signedIn = signIn(QStringLiteral("self@example.org"), kPassword);
        QVERIFY(signedIn);
        QCOMPARE(signedIn->second.role, configured);
        const Event e = lastEvent(QStringLiteral("UserCreated"));
        QCOMPARE(e.stream, QStringLiteral("user/") + user->id);
        QCOMPARE(str(e.payload, "role"), colophon::roleName(configured));
    }

    void registerUserIsRefusedWhenRegistrationIsClosed()
    {
        UserSettings settings;
        settings.openRegistration = false;
        startService(settings);
        const qint64 before = eventCount();

        auto user = m_service->registerUser(person(QStringLiteral("self@example.org")));
        QVERIFY(!user);
        QCOMPARE(user.error().code, ErrorCode::PermissionDenied);
        QCOMPARE(accountRows(QStringLiteral("self@example.org")), qint64(0));
        QCOMPARE(eventCount(), before);
    }

    void duplicateEmailInAnyCaseIsAConflict_data()
    {
        QTest::addColumn<QString>("second");
        QTest::newRow("same") << QStringLiteral("dup@example.org");
        QTest::newRow("upper case") << QStringLiteral("DUP@EXAMPLE.ORG");
        QTest::newRow("mixed case, padded") << QStringLiteral("  Dup@Example.Org ");
    }

    void duplicateEmailInAnyCaseIsAConflict()
    {
        QFETCH(QString, second);
        QVERIFY(makeUser(QStringLiteral("dup@example.org")));
        const qint64 before = eventCount();

        auto again = m_service->createUser(m_admin, person(second, Role::Editor));
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::Conflict);
        auto registered = m_service->registerUser(person(second));
        QVERIFY(!registered);
        QCOMPARE(registered.error().code, ErrorCode::Conflict);
        QCOMPARE(accountRows(QStringLiteral("dup@example.org")), qint64(1));
        QCOMPARE(eventCount(), before);
    }

    // --- sign-in ---

    void loginAppendsUserAuthenticatedWithTheSession()
    {
        auto user = makeUser(QStringLiteral("reader@example.org"));
        QVERIFY(user);
        const qint64 before = eventCount();

        auto signedIn = signIn(QStringLiteral("Reader@Example.org"), kPassword);
        QVERIFY(signedIn);
        QCOMPARE(eventCount(), before + 1);
        const Event e = lastEvent(QStringLiteral("UserAuthenticated"));
        QCOMPARE(e.stream, QStringLiteral("user/") + user->id);
        QCOMPARE(e.actorId, user->id);
        QVERIFY(!signedIn->second.sessionId.isEmpty());
        QCOMPARE(str(e.payload, "sessionId"), signedIn->second.sessionId);
        const QString payload = QString::fromStdString(e.toJson().dump());
        QVERIFY(!payload.contains(kPassword));
        QVERIFY(!payload.contains(signedIn->first.refreshToken));
        QVERIFY(!payload.contains(signedIn->first.accessToken));
    }

    void loginFailsAlikeForAWrongPasswordAndAnUnknownEmail_data()
    {
        QTest::addColumn<QString>("email");
        QTest::addColumn<QString>("password");
        QTest::newRow("unknown email") << QStringLiteral("nobody@example.org") << kPassword;
        QTest::newRow("not an email") << QStringLiteral("not an email") << kPassword;
        QTest::newRow("empty password") << QStringLiteral("reader@example.org") << QString();
        QTest::newRow("password in other case")
            << QStringLiteral("reader@example.org") << kPassword.toUpper();
    }

    void loginFailsAlikeForAWrongPasswordAndAnUnknownEmail()
    {
        QFETCH(QString, email);
        QFETCH(QString, password);
        QVERIFY(makeUser(QStringLiteral("reader@example.org")));
        const qint64 before = eventCount();

        auto wrong =
            passwordLogin(QStringLiteral("reader@example.org"), QStringLiteral("wrong-pw-123"));
        QVERIFY(!wrong);
        QCOMPARE(wrong.error().code, ErrorCode::Unauthenticated);
        auto other = passwordLogin(email, password);
        QVERIFY(!other);
        QCOMPARE(other.error().code, wrong.error().code);
        QCOMPARE(other.error().message, wrong.error().message);
        QCOMPARE(other.error().field, wrong.error().field);
        QCOMPARE(eventCount(), before);
    }

    void inactiveAccountCannotLogIn_data()
    {
        QTest::addColumn<QString>("status");
        QTest::newRow("inactive") << QStringLiteral("inactive");
        QTest::newRow("suspended") << QStringLiteral("suspended");
    }
    void inactiveAccountCannotLogIn()
    {
        QFETCH(QString, status);
        auto user = makeUser(QStringLiteral("idle@example.org"), Role::Creator);
        QVERIFY(user);
        auto before = passwordLogin(QStringLiteral("idle@example.org"), kPassword);
        QVERIFY(before);
        // No API changes a status yet (admin user management is still to
        // come), so the test sets it in the table, as an admin action will.
        QVERIFY(colophon::execSql(
            m_db->connection(), QStringLiteral("UPDATE user_accounts SET status = ? WHERE id = ?"),
            {status, user->id}));
        auto refused = passwordLogin(QStringLiteral("idle@example.org"), kPassword);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::PermissionDenied);
        // A token issued before the change stops working at once.
        QCOMPARE(m_service->authenticate(before->accessToken).error().code,
                 ErrorCode::Unauthenticated);
        QCOMPARE(m_service->refresh(before->refreshToken, kClient).error().code,
                 ErrorCode::Unauthenticated);
    }

    void loginRehashesAPasswordMadeWithOlderParameters()
    {
        auto user = makeUser(QStringLiteral("old@example.org"), Role::Creator);
        QVERIFY(user);
        auto storedHash = [&] {
            auto v = queryValue(
                m_db->connection(),
                QStringLiteral("SELECT password_hash FROM user_accounts WHERE id = ?"), {user->id});
            return v ? v->toString() : QString();
        };
        const QString before = storedHash();
        // The server now runs with a higher cost.
        PasswordHasher stronger(Argon2Params{2, 16 * 1024}, colophon::PasswordPolicy{}, {});
        QVERIFY(stronger.needsRehash(before));
        UserService upgraded(*m_db, *m_log, stronger, *m_signer, UserSettings{},
                             [this] { return m_clock.nowMs(); });
        QVERIFY(upgraded.login(QStringLiteral("old@example.org"), kPassword, kClient));
        const QString after = storedHash();
        QVERIFY(after != before);
        QVERIFY(!stronger.needsRehash(after));
        QVERIFY(stronger.verify(kPassword, after));
        // A wrong password changes nothing.
        QVERIFY(!upgraded.login(QStringLiteral("old@example.org"),
                                QStringLiteral("not the password at all"), kClient));
        QCOMPARE(storedHash(), after);
    }

    // --- access tokens ---

    void authenticateGivesTheAccountsRoleAndSession()
    {
        auto user = makeUser(QStringLiteral("ed@example.org"), Role::Editor);
        QVERIFY(user);
        auto first = passwordLogin(QStringLiteral("ed@example.org"), kPassword);
        auto second = passwordLogin(QStringLiteral("ed@example.org"), kPassword);
        QVERIFY2(first && second, qPrintable(why(first) + why(second)));

        auto a = m_service->authenticate(first->accessToken);
        auto b = m_service->authenticate(second->accessToken);
        QVERIFY2(a && b, qPrintable(why(a) + why(b)));
        QCOMPARE(a->userId, user->id);
        QCOMPARE(a->role, Role::Editor);
        QCOMPARE(b->userId, user->id);
        QVERIFY(!a->sessionId.isEmpty());
        QVERIFY(a->sessionId != b->sessionId);
        auto live = m_service->sessions(*a);
        QVERIFY2(live, qPrintable(why(live)));
        QCOMPARE(live->size(), std::size_t(2));
        QCOMPARE(live->at(0).id, a->sessionId);
        QCOMPARE(live->at(1).id, b->sessionId);
    }

    void authenticateRefusesAfterLogout()
    {
        QVERIFY(makeUser(QStringLiteral("reader@example.org")));
        auto kept = signIn(QStringLiteral("reader@example.org"), kPassword);
        auto gone = signIn(QStringLiteral("reader@example.org"), kPassword);
        QVERIFY(kept && gone);

        auto out = m_service->logout(gone->second);
        QVERIFY2(out, qPrintable(why(out)));
        auto refused = m_service->authenticate(gone->first.accessToken);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::Unauthenticated);
        auto refreshed = m_service->refresh(gone->first.refreshToken, kClient);
        QVERIFY(!refreshed);
        QCOMPARE(refreshed.error().code, ErrorCode::Unauthenticated);
        // Only that session ended.
        QVERIFY(m_service->authenticate(kept->first.accessToken));
        const Event e = lastEvent(QStringLiteral("UserSessionRevoked"));
        QCOMPARE(str(e.payload, "sessionId"), gone->second.sessionId);
        QCOMPARE(str(e.payload, "reason"), QStringLiteral("logout"));
    }

    void authenticateRefusesAnExpiredAccessToken_data()
    {
        QTest::addColumn<qint64>("afterMs");
        QTest::addColumn<bool>("valid");
        const qint64 life = UserSettings{}.accessTokenSeconds * 1000;
        QTest::newRow("at once") << qint64(0) << true;
        QTest::newRow("a second before expiry") << life - 1000 << true;
        QTest::newRow("at expiry") << life << false;
        QTest::newRow("an hour later") << life + 3'600'000 << false;
    }

    void authenticateRefusesAnExpiredAccessToken()
    {
        QFETCH(qint64, afterMs);
        QFETCH(bool, valid);
        QVERIFY(makeUser(QStringLiteral("reader@example.org")));
        auto tokens = passwordLogin(QStringLiteral("reader@example.org"), kPassword);
        QVERIFY2(tokens, qPrintable(why(tokens)));
        QCOMPARE(tokens->expiresIn, UserSettings{}.accessTokenSeconds);

        m_clock.advance(afterMs);
        auto actor = m_service->authenticate(tokens->accessToken);
        QCOMPARE(bool(actor), valid);
        if (!valid) {
            QCOMPARE(actor.error().code, ErrorCode::Unauthenticated);
            // The session itself is still live: a refresh gives a working token.
            auto renewed = m_service->refresh(tokens->refreshToken, kClient);
            QVERIFY2(renewed, qPrintable(why(renewed)));
            QVERIFY(m_service->authenticate(renewed->accessToken));
        }
    }

    void authenticateRefusesATokenFromAnotherSigner()
    {
        auto user = makeUser(QStringLiteral("reader@example.org"));
        QVERIFY(user);
        auto signedIn = signIn(QStringLiteral("reader@example.org"), kPassword);
        QVERIFY(signedIn);

        // The same claims, for a live session, signed with another key.
        const JwtSigner stranger(JwtSigner::generateKey());
        colophon::JwtClaims claims;
        claims.subject = user->id;
        claims.role = QStringLiteral("admin");
        claims.sessionId = signedIn->second.sessionId;
        claims.tokenId = QStringLiteral("forged");
        claims.issuedAt = m_clock.nowMs() / 1000;
        claims.expiresAt = claims.issuedAt + 600;
        auto forged = m_service->authenticate(stranger.sign(claims));
        QVERIFY(!forged);
        QCOMPARE(forged.error().code, ErrorCode::Unauthenticated);
        // The real signer's token for the same claims is honoured, with the account's role.
        auto genuine = m_service->authenticate(m_signer->sign(claims));
        QVERIFY2(genuine, qPrintable(why(genuine)));
        QCOMPARE(genuine->role, Role::Consumer);
    }

    // --- refresh tokens ---

    void refreshRotatesTheRefreshToken()
    {
        QVERIFY(makeUser(QStringLiteral("reader@example.org")));
        auto signedIn = signIn(QStringLiteral("reader@example.org"), kPassword);
        QVERIFY(signedIn);
        const TokenPair first = signedIn->first;

        m_clock.advance(1000);
        auto second = m_service->refresh(first.refreshToken, kClient);
        QVERIFY2(second, qPrintable(why(second)));
        QVERIFY(second->refreshToken != first.refreshToken);
        QVERIFY(second->accessToken != first.accessToken);
        auto actor = m_service->authenticate(second->accessToken);
        QVERIFY2(actor, qPrintable(why(actor)));
        QCOMPARE(actor->sessionId, signedIn->second.sessionId);

        // The new one works once.
        m_clock.advance(1000);
        auto third = m_service->refresh(second->refreshToken, kClient);
        QVERIFY2(third, qPrintable(why(third)));
        QVERIFY(third->refreshToken != second->refreshToken);
        // The used ones are refused.
        auto again = m_service->refresh(second->refreshToken, kClient);
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::Unauthenticated);
        auto oldest = m_service->refresh(first.refreshToken, kClient);
        QVERIFY(!oldest);
        QCOMPARE(oldest.error().code, ErrorCode::Unauthenticated);
        // An unknown token too.
        auto unknown = m_service->refresh(QStringLiteral("not-a-token"), kClient);
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().code, ErrorCode::Unauthenticated);
    }

    void reusingARefreshTokenRevokesItsSession()
    {
        auto user = makeUser(QStringLiteral("reader@example.org"));
        QVERIFY(user);
        auto victim = signIn(QStringLiteral("reader@example.org"), kPassword);
        auto other = signIn(QStringLiteral("reader@example.org"), kPassword);
        QVERIFY(victim && other);
        auto rotated = m_service->refresh(victim->first.refreshToken, kClient);
        QVERIFY2(rotated, qPrintable(why(rotated)));
        QVERIFY(m_service->authenticate(rotated->accessToken));

        // Someone presents the used token again.
        auto reused = m_service->refresh(victim->first.refreshToken, kClient);
        QVERIFY(!reused);
        QCOMPARE(reused.error().code, ErrorCode::Unauthenticated);

        // The whole session is gone: its current tokens stop working.
        auto access = m_service->authenticate(rotated->accessToken);
        QVERIFY(!access);
        QCOMPARE(access.error().code, ErrorCode::Unauthenticated);
        auto refresh = m_service->refresh(rotated->refreshToken, kClient);
        QVERIFY(!refresh);
        QCOMPARE(refresh.error().code, ErrorCode::Unauthenticated);
        // The user's other session is untouched.
        QVERIFY(m_service->authenticate(other->first.accessToken));

        const auto revoked = events(QStringLiteral("UserSessionRevoked"));
        QCOMPARE(revoked.size(), std::size_t(1));
        QCOMPARE(revoked[0].stream, QStringLiteral("user/") + user->id);
        QCOMPARE(str(revoked[0].payload, "sessionId"), victim->second.sessionId);
        QCOMPARE(str(revoked[0].payload, "reason"), QStringLiteral("refresh-token-reuse"));
    }

    void refreshIsRefusedPastTheSessionsExpiry_data()
    {
        QTest::addColumn<qint64>("afterMs");
        QTest::addColumn<bool>("valid");
        const qint64 life = UserSettings{}.refreshTokenSeconds * 1000;
        QTest::newRow("a second before expiry") << life - 1000 << true;
        QTest::newRow("at expiry") << life << false;
        QTest::newRow("a day later") << life + 86'400'000 << false;
    }

    void refreshIsRefusedPastTheSessionsExpiry()
    {
        QFETCH(qint64, afterMs);
        QFETCH(bool, valid);
        QVERIFY(makeUser(QStringLiteral("reader@example.org")));
        auto tokens = passwordLogin(QStringLiteral("reader@example.org"), kPassword);
        QVERIFY2(tokens, qPrintable(why(tokens)));

        m_clock.advance(afterMs);
        auto renewed = m_service->refresh(tokens->refreshToken, kClient);
        QVERIFY2(bool(renewed) == valid, qPrintable(why(renewed)));
        if (!valid) {
            QCOMPARE(renewed.error().code, ErrorCode::Unauthenticated);
        }
    }

    void aRotatedRefreshTokenDoesNotOutliveItsSession()
    {
        QVERIFY(makeUser(QStringLiteral("reader@example.org")));
        auto tokens = passwordLogin(QStringLiteral("reader@example.org"), kPassword);
        QVERIFY2(tokens, qPrintable(why(tokens)));
        const qint64 life = UserSettings{}.refreshTokenSeconds * 1000;

        // Rotated a day before the session ends, the new token is dated a full term ahead...
        m_clock.advance(life - 86'400'000);
        auto renewed = m_service->refresh(tokens->refreshToken, kClient);
        QVERIFY2(renewed, qPrintable(why(renewed)));
        // ...but the session's end still bounds it.
        m_clock.advance(2 * 86'400'000);
        auto late = m_service->refresh(renewed->refreshToken, kClient);
        QVERIFY(!late);
        QCOMPARE(late.error().code, ErrorCode::Unauthenticated);
    }

    // --- passwords ---

    void changePasswordWithAWrongCurrentPasswordChangesNothing()
    {
        QVERIFY(makeUser(QStringLiteral("reader@example.org")));
        auto signedIn = signIn(QStringLiteral("reader@example.org"), kPassword);
        QVERIFY(signedIn);
        const qint64 before = eventCount();

        auto changed = m_service->changePassword(signedIn->second,
                                                 QStringLiteral("not-the-password"), kNewPassword);
        QVERIFY(!changed);
        QCOMPARE(changed.error().code, ErrorCode::Unauthenticated);
        QCOMPARE(eventCount(), before);
        QVERIFY(m_service->authenticate(signedIn->first.accessToken));
        QVERIFY(signIn(QStringLiteral("reader@example.org"), kPassword));
        QVERIFY(!passwordLogin(QStringLiteral("reader@example.org"), kNewPassword));
    }

    void changePasswordKeepsTheCallersSessionAndRevokesTheOthers()
    {
        auto user = makeUser(QStringLiteral("reader@example.org"));
        QVERIFY(user);
        auto caller = signIn(QStringLiteral("reader@example.org"), kPassword);
        auto laptop = signIn(QStringLiteral("reader@example.org"), kPassword);
        auto phone = signIn(QStringLiteral("reader@example.org"), kPassword);
        auto bystander = makeUser(QStringLiteral("other@example.org"));
        QVERIFY(caller && laptop && phone && bystander);
        auto bystanderIn = signIn(QStringLiteral("other@example.org"), kPassword);
        QVERIFY(bystanderIn);

        auto changed = m_service->changePassword(caller->second, kPassword, kNewPassword);
        QVERIFY2(changed, qPrintable(why(changed)));

        QVERIFY(m_service->authenticate(caller->first.accessToken));
        for (const auto *gone : {&*laptop, &*phone}) {
            auto access = m_service->authenticate(gone->first.accessToken);
            QVERIFY(!access);
            QCOMPARE(access.error().code, ErrorCode::Unauthenticated);
            QVERIFY(!m_service->refresh(gone->first.refreshToken, kClient));
        }
        QVERIFY(m_service->authenticate(bystanderIn->first.accessToken));
        auto live = m_service->sessions(caller->second);
        QVERIFY2(live, qPrintable(why(live)));
        QCOMPARE(live->size(), std::size_t(1));
        QCOMPARE(live->at(0).id, caller->second.sessionId);

        QVERIFY(signIn(QStringLiteral("reader@example.org"), kNewPassword));
        auto old = passwordLogin(QStringLiteral("reader@example.org"), kPassword);
        QVERIFY(!old);
        QCOMPARE(old.error().code, ErrorCode::Unauthenticated);

        const auto updated = events(QStringLiteral("UserUpdated"));
        QCOMPARE(updated.size(), std::size_t(1));
        QCOMPARE(updated[0].stream, QStringLiteral("user/") + user->id);
        const QString payload = QString::fromStdString(updated[0].toJson().dump());
        QVERIFY2(!payload.contains(kNewPassword), qPrintable(payload));
        QVERIFY2(!payload.contains(kPassword), qPrintable(payload));
        QVERIFY2(!payload.contains(QStringLiteral("$argon2")), qPrintable(payload));
    }

    void changePasswordEnforcesThePolicy_data()
    {
        QTest::addColumn<QString>("newPassword");
        QTest::newRow("too short") << QStringLiteral("short");
        QTest::newRow("common") << QStringLiteral("Password123");
        QTest::newRow("the email") << QStringLiteral("reader@example.org");
        QTest::newRow("the email in capitals") << QStringLiteral("READER@EXAMPLE.ORG");
    }

    void changePasswordEnforcesThePolicy()
    {
        QFETCH(QString, newPassword);
        QVERIFY(makeUser(QStringLiteral("reader@example.org")));
        auto caller = signIn(QStringLiteral("reader@example.org"), kPassword);
        auto other = signIn(QStringLiteral("reader@example.org"), kPassword);
        QVERIFY(caller && other);
        const qint64 before = eventCount();

        auto changed = m_service->changePassword(caller->second, kPassword, newPassword);
        QVERIFY(!changed);
        QCOMPARE(changed.error().code, ErrorCode::InvalidInput);
        QCOMPARE(changed.error().field, QStringLiteral("password"));
        QCOMPARE(eventCount(), before);
        QVERIFY(m_service->authenticate(other->first.accessToken));
        QVERIFY(signIn(QStringLiteral("reader@example.org"), kPassword));
    }

    // --- profile ---

    void updateMeRefusesAnInvalidTimezoneAndChangesNothing_data()
    {
        QTest::addColumn<QString>("json");
        QTest::newRow("unknown zone") << QStringLiteral(R"({"timezone": "Mars/Olympus_Mons"})");
        QTest::newRow("empty") << QStringLiteral(R"({"timezone": ""})");
        QTest::newRow("not a string") << QStringLiteral(R"({"timezone": 42})");
        QTest::newRow("after a valid field")
            << QStringLiteral(R"({"language": "fr", "timezone": "Europe/Nowhere"})");
    }

    void updateMeRefusesAnInvalidTimezoneAndChangesNothing()
    {
        QFETCH(QString, json);
        QVERIFY(makeUser(QStringLiteral("reader@example.org")));
        auto signedIn = signIn(QStringLiteral("reader@example.org"), kPassword);
        QVERIFY(signedIn);
        const Actor &actor = signedIn->second;
        auto before = m_service->me(actor);
        QVERIFY2(before, qPrintable(why(before)));
        const qint64 events = eventCount();

        m_clock.advance(1000);
        ProfileChange change;
        change.firstName = QStringLiteral("Augusta");
        change.preferences = nlohmann::json::parse(json.toStdString());
        auto updated = m_service->updateMe(actor, change);
        QVERIFY(!updated);
        QCOMPARE(updated.error().code, ErrorCode::InvalidInput);
        QCOMPARE(updated.error().field, QStringLiteral("preferences.timezone"));

        QCOMPARE(eventCount(), events);
        auto after = m_service->me(actor);
        QVERIFY2(after, qPrintable(why(after)));
        QCOMPARE(jsonText(after->toJson()), jsonText(before->toJson()));
    }

    void updateMeAppendsUserUpdatedWithTheChanges()
    {
        auto user = makeUser(QStringLiteral("reader@example.org"));
        QVERIFY(user);
        auto signedIn = signIn(QStringLiteral("reader@example.org"), kPassword);
        QVERIFY(signedIn);
        const qint64 before = eventCount();

        m_clock.advance(5000);
        ProfileChange change;
        change.firstName = QStringLiteral("  Augusta ");
        change.preferences = nlohmann::json{{"timezone", "Europe/Paris"}};
        auto updated = m_service->updateMe(signedIn->second, change);
        QVERIFY2(updated, qPrintable(why(updated)));
        QCOMPARE(updated->firstName, QStringLiteral("Augusta"));
        QCOMPARE(updated->lastName, QStringLiteral("Lovelace"));
        QCOMPARE(updated->preferences.timezone, QStringLiteral("Europe/Paris"));
        QCOMPARE(updated->updatedAtMs, m_clock.nowMs());

        auto stored = m_service->me(signedIn->second);
        QVERIFY2(stored, qPrintable(why(stored)));
        QCOMPARE(jsonText(stored->toJson()), jsonText(updated->toJson()));

        QCOMPARE(eventCount(), before + 1);
        const Event e = lastEvent(QStringLiteral("UserUpdated"));
        QCOMPARE(e.stream, QStringLiteral("user/") + user->id);
        QCOMPARE(e.actorId, user->id);
        const nlohmann::json &changes = e.payload.at("changes");
        QCOMPARE(str(changes, "firstName"), QStringLiteral("Augusta"));
        QVERIFY2(!changes.contains("lastName"), changes.dump().c_str());
        QCOMPARE(str(changes.at("preferences"), "timezone"), QStringLiteral("Europe/Paris"));

        // Nothing to change: no event.
        auto same = m_service->updateMe(signedIn->second, ProfileChange{});
        QVERIFY2(same, qPrintable(why(same)));
        QCOMPARE(eventCount(), before + 1);
    }

    // --- sessions ---

    void sessionsListsOnlyLiveSessions()
    {
        QVERIFY(makeUser(QStringLiteral("reader@example.org")));
        QVERIFY(makeUser(QStringLiteral("other@example.org")));
        const qint64 day = 86'400'000;
        auto oldest = signIn(QStringLiteral("reader@example.org"), kPassword);
        m_clock.advance(10 * day);
        auto current = signIn(QStringLiteral("reader@example.org"), kPassword);
        auto loggedOut = signIn(QStringLiteral("reader@example.org"), kPassword);
        auto revoked = signIn(QStringLiteral("reader@example.org"), kPassword);
        auto someoneElse = signIn(QStringLiteral("other@example.org"), kPassword);
        QVERIFY(oldest && current && loggedOut && revoked && someoneElse);

        auto all = m_service->sessions(current->second);
        QVERIFY2(all, qPrintable(why(all)));
        QCOMPARE(all->size(), std::size_t(4));

        QVERIFY(m_service->logout(loggedOut->second));
        QVERIFY(m_service->revokeSession(current->second, revoked->second.sessionId));
        m_clock.advance(UserSettings{}.refreshTokenSeconds * 1000 - 10 * day); // oldest expires

        auto live = m_service->sessions(current->second);
        QVERIFY2(live, qPrintable(why(live)));
        QCOMPARE(live->size(), std::size_t(1));
        const Session &s = live->at(0);
        QCOMPARE(s.id, current->second.sessionId);
        QCOMPARE(s.userId, current->second.userId);
        QCOMPARE(s.address, kClient.address);
        QCOMPARE(s.userAgent, kClient.userAgent);
    }

    void revokingAnotherUsersSessionIsNotFound()
    {
        QVERIFY(makeUser(QStringLiteral("alice@example.org")));
        QVERIFY(makeUser(QStringLiteral("bob@example.org")));
        auto alice = signIn(QStringLiteral("alice@example.org"), kPassword);
        auto bob = signIn(QStringLiteral("bob@example.org"), kPassword);
        QVERIFY(alice && bob);
        const qint64 before = eventCount();

        auto theirs = m_service->revokeSession(alice->second, bob->second.sessionId);
        QVERIFY(!theirs);
        QCOMPARE(theirs.error().code, ErrorCode::NotFound);
        // Indistinguishable from a session that does not exist.
        auto none = m_service->revokeSession(alice->second, QStringLiteral("no-such-session"));
        QVERIFY(!none);
        QCOMPARE(none.error().code, theirs.error().code);
        QCOMPARE(none.error().message, theirs.error().message);

        QCOMPARE(eventCount(), before);
        auto stillBob = m_service->authenticate(bob->first.accessToken);
        QVERIFY2(stillBob, qPrintable(why(stillBob)));
        QCOMPARE(stillBob->sessionId, bob->second.sessionId);
        QVERIFY(m_service->refresh(bob->first.refreshToken, kClient));
    }

    // --- the invariant across a whole flow ---

    void noEventCarriesASecret()
    {
        QVERIFY(makeUser(QStringLiteral("reader@example.org")));
        auto signedIn = signIn(QStringLiteral("reader@example.org"), kPassword);
        QVERIFY(signedIn);
        auto renewed = m_service->refresh(signedIn->first.refreshToken, kClient);
        QVERIFY2(renewed, qPrintable(why(renewed)));
        QVERIFY(!m_service->refresh(signedIn->first.refreshToken, kClient)); // reuse
        auto again = signIn(QStringLiteral("reader@example.org"), kPassword);
        QVERIFY(again);
        QVERIFY(m_service->changePassword(again->second, kPassword, kNewPassword));
        QVERIFY(m_service->logout(again->second));

        const QStringList secrets{kPassword,
                                  kNewPassword,
                                  kAdminPassword,
                                  QStringLiteral("$argon2"),
                                  signedIn->first.accessToken,
                                  signedIn->first.refreshToken,
                                  renewed->accessToken,
                                  renewed->refreshToken,
                                  again->first.accessToken,
                                  again->first.refreshToken};
        const auto all = events();
        QVERIFY(all.size() >= 8);
        for (const Event &e : all) {
            const QString stored = QString::fromStdString(e.toJson().dump());
            for (const QString &secret : secrets) {
                QVERIFY2(!stored.contains(secret),
                         qPrintable(e.type + QStringLiteral(": ") + stored));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestUserService)
#include "tst_userservice.moc"
