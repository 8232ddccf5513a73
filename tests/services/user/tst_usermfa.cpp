// SPDX-License-Identifier: MIT
// Proves TOTP enrolment, the code step of sign-in, recovery codes, replay
// refusal, disabling and the admin's reset, at UserService's C++ API.
#include "backend/auth/recoverycodes.h"
#include "backend/auth/totp.h"
#include "tests/services/user/userservicefixture.h"

using colophon::LoginResult;
using colophon::Totp;

class TestUserMfa final : public UserServiceFixture
{
    Q_OBJECT

    struct Enrolled
    {
        QByteArray secret;
        QStringList recoveryCodes;
    };

    QString codeNow(const QByteArray &secret) const
    {
        return Totp::code(secret, m_clock.nowMs() / 1000);
    }

    // Enrols and confirms TOTP for the actor; the secret and recovery codes.
    std::optional<Enrolled> enableMfa(const Actor &actor)
    {
        auto enrolment = m_service->enrolTotp(actor);
        if (!enrolment) {
            qWarning("enrolTotp: %s", qPrintable(why(enrolment)));
            return std::nullopt;
        }
        auto secret = Totp::fromBase32(enrolment->secret);
        if (!secret) {
            qWarning("the secret is not base32: %s", qPrintable(enrolment->secret));
            return std::nullopt;
        }
        auto codes = m_service->confirmTotp(actor, codeNow(*secret));
        if (!codes) {
            qWarning("confirmTotp: %s", qPrintable(why(codes)));
            return std::nullopt;
        }
        // The step used to confirm cannot be used again: move to the next one.
        m_clock.advance(30'000);
        return Enrolled{*secret, *codes};
    }

    // A creator with MFA enabled, signed out.
    std::optional<Enrolled> mfaCreator(const QString &email = QStringLiteral("mfa@example.org"))
    {
        if (!makeUser(email, Role::Creator)) {
            return std::nullopt;
        }
        auto signedIn = signIn(email, kPassword);
        if (!signedIn) {
            return std::nullopt;
        }
        return enableMfa(signedIn->second);
    }

    // The mfaToken of a right password, or empty (with a warning).
    QString passwordStep(const QString &email)
    {
        auto result = m_service->login(email, kPassword, kClient);
        if (!result || result->tokens || result->mfaToken.isEmpty()) {
            qWarning("expected an MFA step: %s",
                     result ? "tokens were issued" : qPrintable(why(result)));
            return {};
        }
        return result->mfaToken;
    }

    // Both steps of sign-in for mfa@example.org, then on to the next time
    // step; the acting user, or nullopt (with a warning).
    std::optional<Actor> signInWithCode(const Enrolled &enrolled)
    {
        auto tokens = m_service->verifyMfa(passwordStep(QStringLiteral("mfa@example.org")),
                                           codeNow(enrolled.secret), kClient);
        auto actor = tokens ? m_service->authenticate(tokens->accessToken) : Result<Actor>();
        if (!tokens || !actor) {
            qWarning("sign-in with a code: %s", qPrintable(tokens ? why(actor) : why(tokens)));
            return std::nullopt;
        }
        m_clock.advance(30'000);
        return *actor;
    }

    qint64 rows(const QString &sql)
    {
        return queryValue(m_db->connection(), sql).value_or(QVariant(-1)).toLongLong();
    }

private slots:
    void enrolmentGivesABase32SecretAnOtpauthUriAndAQrCode()
    {
        auto user = makeUser(QStringLiteral("mfa@example.org"), Role::Creator);
        QVERIFY(user);
        auto actor = signIn(QStringLiteral("mfa@example.org"), kPassword);
        QVERIFY(actor);
        auto enrolment = m_service->enrolTotp(actor->second);
        QVERIFY2(enrolment, qPrintable(why(enrolment)));
        const auto secret = Totp::fromBase32(enrolment->secret);
        QVERIFY(secret);
        QCOMPARE(secret->size(), 20);
        QVERIFY2(enrolment->otpauthUri.startsWith(QStringLiteral("otpauth://totp/Colophon:")),
                 qPrintable(enrolment->otpauthUri));
        QVERIFY(enrolment->otpauthUri.contains(QStringLiteral("secret=") + enrolment->secret));
        QVERIFY(enrolment->otpauthUri.contains(QStringLiteral(":mfa@example.org?")));
        QVERIFY(enrolment->qrSvg.contains(QStringLiteral("<svg")));

        // Not enabled until confirmed; the secret is stored sealed, not as given.
        auto status = m_service->mfaStatus(actor->second);
        QVERIFY(status);
        QVERIFY(status->totpPending);
        QVERIFY(!status->totpEnabled);
        QVERIFY(!m_service->me(actor->second)->mfaEnabled);
        auto stored = queryValue(m_db->connection(),
                                 QStringLiteral("SELECT secret FROM user_totp WHERE user_id = ?"),
                                 {user->id});
        QVERIFY(stored);
        QVERIFY(!stored->toString().contains(enrolment->secret));
        QVERIFY(!stored->toString().isEmpty());
    }

    void confirmingWithAWrongCodeChangesNothing()
    {
        QVERIFY(makeUser(QStringLiteral("mfa@example.org"), Role::Creator));
        auto actor = signIn(QStringLiteral("mfa@example.org"), kPassword);
        QVERIFY(actor);
        auto enrolment = m_service->enrolTotp(actor->second);
        QVERIFY(enrolment);
        const qint64 before = eventCount();
        const QString wrong = codeNow(*Totp::fromBase32(enrolment->secret)) == "000000"
                                  ? QStringLiteral("111111")
                                  : QStringLiteral("000000");
        auto refused = m_service->confirmTotp(actor->second, wrong);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::InvalidInput);
        QCOMPARE(refused.error().field, QStringLiteral("code"));
        QCOMPARE(eventCount(), before);
        QVERIFY(m_service->mfaStatus(actor->second)->totpPending);
        QCOMPARE(rows(QStringLiteral("SELECT COUNT(*) FROM user_recovery_codes")), qint64(0));
    }

    void confirmingEnablesMfaAndAnswersTenRecoveryCodesStoredOnlyAsHashes()
    {
        QVERIFY(makeUser(QStringLiteral("mfa@example.org"), Role::Creator));
        auto actor = signIn(QStringLiteral("mfa@example.org"), kPassword);
        QVERIFY(actor);
        auto enrolled = enableMfa(actor->second);
        QVERIFY(enrolled);
        QCOMPARE(enrolled->recoveryCodes.size(), 10);
        QCOMPARE(
            QSet<QString>(enrolled->recoveryCodes.begin(), enrolled->recoveryCodes.end()).size(),
            10);
        QVERIFY(m_service->me(actor->second)->mfaEnabled);
        auto status = m_service->mfaStatus(actor->second);
        QVERIFY(status->totpEnabled);
        QCOMPARE(status->recoveryCodesLeft, 10);

        QCOMPARE(rows(QStringLiteral("SELECT COUNT(*) FROM user_recovery_codes")), qint64(10));
        for (const QString &code : enrolled->recoveryCodes) {
            auto plain = queryValue(
                m_db->connection(),
                QStringLiteral("SELECT COUNT(*) FROM user_recovery_codes WHERE code_hash = ?"),
                {code});
            QCOMPARE(plain->toLongLong(), qint64(0));
        }
        const Event e = lastEvent(QStringLiteral("UserUpdated"));
        QCOMPARE(jsonText(e.payload["changes"]), QStringLiteral(R"({"mfaEnabled":true})"));
        // A second enrolment is refused while one is enabled.
        auto again = m_service->enrolTotp(actor->second);
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::Conflict);
    }

    void signInWithMfaNeedsTheCodeStep()
    {
        auto enrolled = mfaCreator();
        QVERIFY(enrolled);
        const qint64 sessionsBefore = rows(QStringLiteral("SELECT COUNT(*) FROM user_sessions"));
        const QString token = passwordStep(QStringLiteral("mfa@example.org"));
        QVERIFY(!token.isEmpty());
        // A right password alone opens no session.
        QCOMPARE(rows(QStringLiteral("SELECT COUNT(*) FROM user_sessions")), sessionsBefore);

        auto tokens = m_service->verifyMfa(token, codeNow(enrolled->secret), kClient);
        QVERIFY2(tokens, qPrintable(why(tokens)));
        auto actor = m_service->authenticate(tokens->accessToken);
        QVERIFY2(actor, qPrintable(why(actor)));
        QCOMPARE(actor->role, Role::Creator);
        const Event e = lastEvent(QStringLiteral("UserAuthenticated"));
        QCOMPARE(str(e.payload, "method"), QStringLiteral("password+totp"));
        // The MFA token is single-use.
        auto again = m_service->verifyMfa(token, codeNow(enrolled->secret), kClient);
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::Unauthenticated);
    }

    void aCodeCannotBeReplayedInsideItsWindow()
    {
        auto enrolled = mfaCreator();
        QVERIFY(enrolled);
        const QString code = codeNow(enrolled->secret);
        QVERIFY(
            m_service->verifyMfa(passwordStep(QStringLiteral("mfa@example.org")), code, kClient));
        // Ten seconds later the same code is still inside its window, but used.
        m_clock.advance(10'000);
        const QString token = passwordStep(QStringLiteral("mfa@example.org"));
        auto replay = m_service->verifyMfa(token, code, kClient);
        QVERIFY(!replay);
        QCOMPARE(replay.error().code, ErrorCode::Unauthenticated);
        // The next step's code works on the same challenge.
        m_clock.advance(30'000);
        auto next = m_service->verifyMfa(token, codeNow(enrolled->secret), kClient);
        QVERIFY2(next, qPrintable(why(next)));
    }

    void aRecoveryCodeWorksInPlaceOfTheCodeOnce()
    {
        auto enrolled = mfaCreator();
        QVERIFY(enrolled);
        // Typed in upper case with spaces, as people copy them.
        const QString typed = enrolled->recoveryCodes.first().toUpper().replace(u'-', u' ');
        auto tokens =
            m_service->verifyMfa(passwordStep(QStringLiteral("mfa@example.org")), typed, kClient);
        QVERIFY2(tokens, qPrintable(why(tokens)));
        QCOMPARE(str(lastEvent(QStringLiteral("UserAuthenticated")).payload, "method"),
                 QStringLiteral("password+recovery-code"));
        auto actor = m_service->authenticate(tokens->accessToken);
        QCOMPARE(m_service->mfaStatus(*actor)->recoveryCodesLeft, 9);

        auto reused = m_service->verifyMfa(passwordStep(QStringLiteral("mfa@example.org")),
                                           enrolled->recoveryCodes.first(), kClient);
        QVERIFY(!reused);
        QCOMPARE(reused.error().code, ErrorCode::Unauthenticated);
    }

    void wrongCodesEndTheChallengeAfterFiveAttempts()
    {
        auto enrolled = mfaCreator();
        QVERIFY(enrolled);
        const QString token = passwordStep(QStringLiteral("mfa@example.org"));
        const QString right = codeNow(enrolled->secret);
        const QString wrong =
            right == "123456" ? QStringLiteral("654321") : QStringLiteral("123456");
        for (int i = 0; i < 5; ++i) {
            auto refused = m_service->verifyMfa(token, wrong, kClient);
            QVERIFY(!refused);
            QVERIFY2(refused.error().code == ErrorCode::Unauthenticated ||
                         refused.error().code == ErrorCode::RateLimited,
                     qPrintable(why(refused)));
        }
        // The challenge is gone; the right code no longer helps.
        m_clock.advance(3'600'000);
        auto late = m_service->verifyMfa(token, codeNow(enrolled->secret), kClient);
        QVERIFY(!late);
        QCOMPARE(late.error().code, ErrorCode::Unauthenticated);
    }

    void theCodeStepExpires()
    {
        auto enrolled = mfaCreator();
        QVERIFY(enrolled);
        const QString token = passwordStep(QStringLiteral("mfa@example.org"));
        m_clock.advance(UserSettings{}.mfaChallengeSeconds * 1000 + 1);
        auto expired = m_service->verifyMfa(token, codeNow(enrolled->secret), kClient);
        QVERIFY(!expired);
        QCOMPARE(expired.error().code, ErrorCode::Unauthenticated);
    }

    void disablingNeedsThePasswordAndACode()
    {
        auto enrolled = mfaCreator();
        QVERIFY(enrolled);
        auto signedIn = signInWithCode(*enrolled);
        QVERIFY(signedIn);
        const Actor actor = *signedIn;

        auto wrongPassword = m_service->disableTotp(actor, QStringLiteral("not the password"),
                                                    codeNow(enrolled->secret));
        QVERIFY(!wrongPassword);
        QCOMPARE(wrongPassword.error().field, QStringLiteral("password"));
        auto noCode = m_service->disableTotp(actor, kPassword, QStringLiteral("000000"));
        QVERIFY(!noCode);
        QCOMPARE(noCode.error().field, QStringLiteral("code"));
        QVERIFY(m_service->mfaStatus(actor)->totpEnabled);

        auto disabled = m_service->disableTotp(actor, kPassword, codeNow(enrolled->secret));
        QVERIFY2(disabled, qPrintable(why(disabled)));
        QVERIFY(!m_service->mfaStatus(actor)->totpEnabled);
        QCOMPARE(rows(QStringLiteral("SELECT COUNT(*) FROM user_recovery_codes")), qint64(0));
        // A password alone signs in again.
        QVERIFY(passwordLogin(QStringLiteral("mfa@example.org"), kPassword));
    }

    void regeneratingRecoveryCodesNeedsACurrentCodeAndRetiresTheOldOnes()
    {
        auto enrolled = mfaCreator();
        QVERIFY(enrolled);
        auto signedIn = signInWithCode(*enrolled);
        QVERIFY(signedIn);
        const Actor actor = *signedIn;
        auto byRecovery = m_service->regenerateRecoveryCodes(actor, enrolled->recoveryCodes[1]);
        QVERIFY(!byRecovery);
        auto fresh = m_service->regenerateRecoveryCodes(actor, codeNow(enrolled->secret));
        QVERIFY2(fresh, qPrintable(why(fresh)));
        QCOMPARE(fresh->size(), 10);
        auto old = m_service->verifyMfa(passwordStep(QStringLiteral("mfa@example.org")),
                                        enrolled->recoveryCodes[2], kClient);
        QVERIFY(!old);
        QVERIFY(m_service->verifyMfa(passwordStep(QStringLiteral("mfa@example.org")),
                                     fresh->first(), kClient));
    }

    void onlyAnAdminResetsAnotherUsersMfa()
    {
        auto enrolled = mfaCreator();
        QVERIFY(enrolled);
        QVERIFY(makeUser(QStringLiteral("editor@example.org"), Role::Editor));
        auto editor = signIn(QStringLiteral("editor@example.org"), kPassword);
        QVERIFY(editor);
        colophon::UserQuery query;
        query.text = QStringLiteral("mfa@");
        auto target = m_service->listUsers(m_admin, query);
        QVERIFY(target);
        QCOMPARE(target->items.size(), std::size_t(1));
        const QString id = target->items.front().id;

        auto refused = m_service->resetMfa(editor->second, id);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::PermissionDenied);
        QVERIFY(m_service->user(m_admin, id)->mfaEnabled);

        QVERIFY(m_service->resetMfa(m_admin, id));
        QVERIFY(!m_service->user(m_admin, id)->mfaEnabled);
        const Event e = lastEvent(QStringLiteral("UserUpdated"));
        QCOMPARE(e.actorId, m_adminUser.id);
        QCOMPARE(str(e.payload, "reason"), QStringLiteral("reset-by-admin"));
        QVERIFY(passwordLogin(QStringLiteral("mfa@example.org"), kPassword));
    }

    void resettingAnAccountWithoutMfaChangesNothing()
    {
        auto user = makeUser(QStringLiteral("plain@example.org"), Role::Creator);
        QVERIFY(user);
        const qint64 before = eventCount();
        QVERIFY(m_service->resetMfa(m_admin, user->id));
        QCOMPARE(eventCount(), before);
    }

    void aResetBetweenPasswordAndCodeSendsThePersonBackToThePassword()
    {
        auto enrolled = mfaCreator();
        QVERIFY(enrolled);
        const QString token = passwordStep(QStringLiteral("mfa@example.org"));
        colophon::UserQuery query;
        query.text = QStringLiteral("mfa@");
        QVERIFY(m_service->resetMfa(m_admin, m_service->listUsers(m_admin, query)->items[0].id));
        auto refused = m_service->verifyMfa(token, codeNow(enrolled->secret), kClient);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::Unauthenticated);
    }

    void noEventCarriesTheSecretOrARecoveryCode()
    {
        auto enrolled = mfaCreator();
        QVERIFY(enrolled);
        QVERIFY(m_service->verifyMfa(passwordStep(QStringLiteral("mfa@example.org")),
                                     enrolled->recoveryCodes.first(), kClient));
        const QString secret = Totp::toBase32(enrolled->secret);
        for (const Event &e : events()) {
            const QString text = QString::fromStdString(e.toJson().dump());
            QVERIFY2(!text.contains(secret), qPrintable(text));
            for (const QString &code : enrolled->recoveryCodes) {
                QVERIFY2(!text.contains(code), qPrintable(text));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestUserMfa)
#include "tst_usermfa.moc"
