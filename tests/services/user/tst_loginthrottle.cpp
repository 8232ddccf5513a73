// SPDX-License-Identifier: MIT
// Proves the limits on failed sign-ins: the lock delays per account (known or
// not), the window per client address, their expiry, and that they hold
// across a restart of the service.
#include "backend/auth/totp.h"
#include "tests/services/user/userservicefixture.h"

using colophon::LoginFailures;
using colophon::LoginThrottle;
using colophon::ThrottleSettings;

namespace {

const ClientInfo kOtherClient{QStringLiteral("198.51.100.7"), QStringLiteral("elsewhere")};
const QString kWrong = QStringLiteral("wrong password!");

} // namespace

class TestLoginThrottle final : public UserServiceFixture
{
    Q_OBJECT

    // A wrong password; true when it was refused as wrong (not as locked).
    bool failOnce(const QString &email, const ClientInfo &client = kClient)
    {
        auto r = m_service->login(email, kWrong, client);
        return !r && r.error().code == ErrorCode::Unauthenticated;
    }

    // The seconds a RateLimited sign-in says to wait; -1 when it was not rate limited.
    int lockedFor(const QString &email, const QString &password = kPassword,
                  const ClientInfo &client = kClient)
    {
        auto r = m_service->login(email, password, client);
        if (r || r.error().code != ErrorCode::RateLimited) {
            return -1;
        }
        return r.error().retryAfterSeconds;
    }

private slots:
    void accountLocksGrowFromTheFifthFailureUpToTheMaximum()
    {
        LoginFailures f;
        qint64 now = 1'000'000;
        QList<qint64> locks;
        for (int i = 1; i <= 12; ++i) {
            f = LoginThrottle::afterAccountFailure(ThrottleSettings{}, f, now);
            locks << (f.lockedUntilMs > now ? (f.lockedUntilMs - now) / 1000 : 0);
            now = std::max(now, f.lockedUntilMs) + 1000; // the next try once the lock ends
        }
        QCOMPARE(locks, (QList<qint64>{0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900}));
    }

    void accountFailuresAreForgottenAfterAQuietWindow()
    {
        const ThrottleSettings s;
        LoginFailures f;
        qint64 now = 1'000'000;
        for (int i = 0; i < 4; ++i) {
            f = LoginThrottle::afterAccountFailure(s, f, now);
        }
        QCOMPARE(f.failures, 4);
        now += qint64(s.addressWindowSeconds) * 1000;
        f = LoginThrottle::afterAccountFailure(s, f, now);
        QCOMPARE(f.failures, 1);
        QCOMPARE(f.lockedUntilMs, qint64(0));
    }

    void theAddressWindowLocksAtTheTwentiethFailureUntilItEnds()
    {
        const ThrottleSettings s;
        LoginFailures f;
        const qint64 start = 5'000'000;
        for (int i = 0; i < 19; ++i) {
            f = LoginThrottle::afterAddressFailure(s, f, start + i * 1000);
        }
        QCOMPARE(f.lockedUntilMs, qint64(0));
        f = LoginThrottle::afterAddressFailure(s, f, start + 19'000);
        QCOMPARE(f.lockedUntilMs, start + qint64(s.addressWindowSeconds) * 1000);
        // A failure after the window starts a new one.
        f = LoginThrottle::afterAddressFailure(s, f, f.lockedUntilMs);
        QCOMPARE(f.failures, 1);
        QCOMPARE(f.lockedUntilMs, qint64(0));
    }

    void fiveWrongPasswordsLockTheAccountEvenForTheRightOne()
    {
        QVERIFY(makeUser(QStringLiteral("reader@example.org")));
        for (int i = 0; i < 5; ++i) {
            QVERIFY(failOnce(QStringLiteral("reader@example.org")));
        }
        QCOMPARE(lockedFor(QStringLiteral("reader@example.org")), 30);
        // From another address too: the lock is the account's.
        QCOMPARE(lockedFor(QStringLiteral("reader@example.org"), kPassword, kOtherClient), 30);
        m_clock.advance(10'000);
        QCOMPARE(lockedFor(QStringLiteral("reader@example.org")), 20);

        // Once it ends, the right password works and clears the count.
        m_clock.advance(20'000);
        QVERIFY(passwordLogin(QStringLiteral("reader@example.org"), kPassword));
        QVERIFY(failOnce(QStringLiteral("reader@example.org")));
        QCOMPARE(lockedFor(QStringLiteral("reader@example.org"), kWrong), -1);
    }

    void eachFailureAfterALockDoublesIt()
    {
        QVERIFY(makeUser(QStringLiteral("reader@example.org")));
        for (int i = 0; i < 5; ++i) {
            QVERIFY(failOnce(QStringLiteral("reader@example.org")));
        }
        m_clock.advance(30'000);
        QVERIFY(failOnce(QStringLiteral("reader@example.org")));
        QCOMPARE(lockedFor(QStringLiteral("reader@example.org")), 60);
        m_clock.advance(60'000);
        QVERIFY(failOnce(QStringLiteral("reader@example.org")));
        QCOMPARE(lockedFor(QStringLiteral("reader@example.org")), 120);
    }

    void anUnknownEmailIsLockedExactlyLikeAKnownOne()
    {
        QVERIFY(makeUser(QStringLiteral("known@example.org")));
        for (int i = 0; i < 5; ++i) {
            QVERIFY(failOnce(QStringLiteral("known@example.org")));
            QVERIFY(failOnce(QStringLiteral("nobody@example.org"), kOtherClient));
        }
        QCOMPARE(lockedFor(QStringLiteral("known@example.org")), 30);
        QCOMPARE(lockedFor(QStringLiteral("nobody@example.org"), kPassword, kOtherClient), 30);
    }

    void twentyFailuresFromOneAddressLockItForTheRestOfTheWindow()
    {
        QVERIFY(makeUser(QStringLiteral("reader@example.org")));
        // Spread over many accounts, so no account lock is reached.
        for (int i = 0; i < 20; ++i) {
            QVERIFY(failOnce(QStringLiteral("guess%1@example.org").arg(i)));
            m_clock.advance(1000);
        }
        const int wait = lockedFor(QStringLiteral("reader@example.org"));
        QCOMPARE(wait, 600 - 20);
        // Another address is not affected.
        QVERIFY(passwordLogin(QStringLiteral("reader@example.org"), kPassword, kOtherClient));
        m_clock.advance(qint64(wait) * 1000);
        QVERIFY(passwordLogin(QStringLiteral("reader@example.org"), kPassword));
    }

    void wrongMfaCodesCountAsFailedSignIns()
    {
        QVERIFY(makeUser(QStringLiteral("mfa@example.org"), Role::Creator));
        auto actor = signIn(QStringLiteral("mfa@example.org"), kPassword);
        QVERIFY(actor);
        auto enrolment = m_service->enrolTotp(actor->second);
        QVERIFY(enrolment);
        const QByteArray secret = *colophon::Totp::fromBase32(enrolment->secret);
        QVERIFY(m_service->confirmTotp(actor->second,
                                       colophon::Totp::code(secret, m_clock.nowMs() / 1000)));
        m_clock.advance(30'000);
        const QString right = colophon::Totp::code(secret, m_clock.nowMs() / 1000);
        const QString wrong =
            right == "999999" ? QStringLiteral("999998") : QStringLiteral("999999");
        for (int i = 0; i < 5; ++i) {
            auto step = m_service->login(QStringLiteral("mfa@example.org"), kPassword, kClient);
            QVERIFY2(step && !step->mfaToken.isEmpty(), qPrintable(why(step)));
            QVERIFY(!m_service->verifyMfa(step->mfaToken, wrong, kClient));
        }
        QCOMPARE(lockedFor(QStringLiteral("mfa@example.org")), 30);
    }

    void locksHoldAcrossARestartOfTheService()
    {
        QVERIFY(makeUser(QStringLiteral("reader@example.org")));
        for (int i = 0; i < 5; ++i) {
            QVERIFY(failOnce(QStringLiteral("reader@example.org")));
        }
        startService();
        QCOMPARE(lockedFor(QStringLiteral("reader@example.org")), 30);
    }

    void aZeroLimitSwitchesTheCounterOff()
    {
        UserSettings settings = testSettings();
        settings.throttle.accountFailures = 0;
        settings.throttle.addressFailures = 0;
        startService(settings);
        QVERIFY(makeUser(QStringLiteral("reader@example.org")));
        for (int i = 0; i < 25; ++i) {
            QVERIFY(failOnce(QStringLiteral("reader@example.org")));
        }
        QVERIFY(passwordLogin(QStringLiteral("reader@example.org"), kPassword));
    }
};

QTEST_GUILESS_MAIN(TestLoginThrottle)
#include "tst_loginthrottle.moc"
