// SPDX-License-Identifier: MIT
// Proves argon2id hashing, verification, rehash detection and the password policy.
#include "backend/auth/passwordhasher.h"
#include "tests/support/serverprocess.h"

#include <QCoreApplication>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <sodium.h>
#include <thread>
#include <vector>

using namespace colophon;

namespace {
// The cheapest parameters libsodium allows, so the suite stays fast under ASan.
Argon2Params cheap()
{
    return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

QString commonListPath()
{
    return qEnvironmentVariable("COLOPHON_SOURCE_DIR") +
           QStringLiteral("/resources/auth/common-passwords.txt");
}
} // namespace

class TestPasswordHasher : public QObject
{
    Q_OBJECT

private slots:
    void hashesAndVerifies()
    {
        const PasswordHasher hasher(cheap());
        const auto hash = hasher.hash(QStringLiteral("correct horse battery staple"));
        QVERIFY(hash);
        QVERIFY2(hash->startsWith(QStringLiteral("$argon2id$v=19$m=")), qPrintable(*hash));
        QVERIFY(hasher.verify(QStringLiteral("correct horse battery staple"), *hash));
        QVERIFY(!hasher.verify(QStringLiteral("correct horse battery stapler"), *hash));
        QVERIFY(!hasher.verify(QString(), *hash));
    }

    void saltsEveryHash()
    {
        const PasswordHasher hasher(cheap());
        const auto a = hasher.hash(QStringLiteral("same password"));
        const auto b = hasher.hash(QStringLiteral("same password"));
        QVERIFY(a && b);
        QVERIFY(*a != *b);
        QVERIFY(hasher.verify(QStringLiteral("same password"), *b));
    }

    void handlesNonAsciiPasswords()
    {
        const PasswordHasher hasher(cheap());
        const QString pw = QStringLiteral("pässwörd-密码-🔑");
        const auto hash = hasher.hash(pw);
        QVERIFY(hash);
        QVERIFY(hasher.verify(pw, *hash));
        QVERIFY(!hasher.verify(QStringLiteral("passwort-密码-🔑"), *hash));
    }

    void malformedStoredHashIsFalse_data()
    {
        QTest::addColumn<QString>("stored");
        QTest::newRow("empty") << QString();
        QTest::newRow("plain text") << QStringLiteral("hunter2");
        QTest::newRow("bcrypt") << QStringLiteral(
            "$2b$12$abcdefghijklmnopqrstuuOQ4WgsmLp2U2vJMH1y5dbGVhxBYh7y");
        QTest::newRow("truncated") << QStringLiteral("$argon2id$v=19$m=8,t=1,p=1$");
        QTest::newRow("bad params")
            << QStringLiteral("$argon2id$v=19$m=x,t=y,p=z$c2FsdHNhbHQ$aGFzaGhhc2g");
        QTest::newRow("over long") << QStringLiteral("$argon2id$") + QString(500, QLatin1Char('a'));
        QTest::newRow("embedded nul")
            << QStringLiteral("$argon2id$v=19") + QChar(0) + QStringLiteral("x");
    }
    void malformedStoredHashIsFalse()
    {
        QFETCH(QString, stored);
        const PasswordHasher hasher(cheap());
        QVERIFY(!hasher.verify(QStringLiteral("hunter2"), stored));
        QVERIFY(hasher.needsRehash(stored));
    }

    void tamperedHashIsFalse()
    {
        const PasswordHasher hasher(cheap());
        QString hash = *hasher.hash(QStringLiteral("a good long password"));
        const qsizetype last = hash.size() - 2;
        hash[last] = hash[last] == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
        QVERIFY(!hasher.verify(QStringLiteral("a good long password"), hash));
    }

    void needsRehashWhenParamsChange()
    {
        const PasswordHasher weak(cheap());
        const PasswordHasher stronger(
            Argon2Params{crypto_pwhash_OPSLIMIT_MIN + 1, crypto_pwhash_MEMLIMIT_MIN * 2});
        const auto hash = weak.hash(QStringLiteral("a good long password"));
        QVERIFY(hash);
        QVERIFY(!weak.needsRehash(*hash));
        QVERIFY(stronger.needsRehash(*hash));
        // Verification does not depend on the hasher's own parameters.
        QVERIFY(stronger.verify(QStringLiteral("a good long password"), *hash));
    }

    void presetsAreLibsodiums()
    {
        QCOMPARE(Argon2Params::interactive().opsLimit,
                 (unsigned long long)crypto_pwhash_OPSLIMIT_INTERACTIVE);
        QCOMPARE(Argon2Params::interactive().memLimit,
                 std::size_t(crypto_pwhash_MEMLIMIT_INTERACTIVE));
        QCOMPARE(Argon2Params::moderate().opsLimit,
                 (unsigned long long)crypto_pwhash_OPSLIMIT_MODERATE);
        QCOMPARE(Argon2Params::moderate().memLimit, std::size_t(crypto_pwhash_MEMLIMIT_MODERATE));
    }

    void dummyHashIsARealHashOfAnUnknownPassword()
    {
        const PasswordHasher hasher(cheap());
        const QString &dummy = hasher.dummyHash();
        QVERIFY(dummy.startsWith(QStringLiteral("$argon2id$")));
        QVERIFY(!hasher.needsRehash(dummy));
        QVERIFY(!hasher.verify(QString(), dummy));
        QVERIFY(!hasher.verify(QStringLiteral("password"), dummy));
        QCOMPARE(&hasher.dummyHash(), &dummy); // made once
        QVERIFY(PasswordHasher(cheap()).dummyHash() != dummy);
    }

    // Four threads hash and verify at once, with 32 MiB per argon2id run: the
    // process's peak (VmHWM), which already holds the one run made before
    // them, does not grow by another run.
    void runsTakeTurnsSoThePeakHoldsOneRunsMemory()
    {
        constexpr std::size_t kRun = std::size_t(32) * 1024 * 1024;
        const PasswordHasher hasher({1, kRun});
        const auto stored = hasher.hash(QStringLiteral("a password to verify"));
        QVERIFY(stored);
        const qint64 self = QCoreApplication::applicationPid();
        const qint64 startKiB = test::peakResidentKiB(self);
        QVERIFY(startKiB > qint64(kRun / 1024));
        std::atomic<int> hashed{0};
        std::atomic<int> verified{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < 4; ++i) {
            threads.emplace_back([&, i] {
                if (i % 2 == 0) {
                    hashed += hasher.hash(QStringLiteral("another password %1").arg(i)) ? 1 : 0;
                } else {
                    verified += hasher.verify(QStringLiteral("a password to verify"), *stored);
                }
            });
        }
        for (std::thread &t : threads) {
            t.join();
        }
        QCOMPARE(hashed.load(), 2);
        QCOMPARE(verified.load(), 2);
        const qint64 grownKiB = test::peakResidentKiB(self) - startKiB;
        // One run is 32768 KiB: a second at once would add as much again.
        QVERIFY2(grownKiB < 16 * 1024,
                 qPrintable(QStringLiteral("the peak grew by %1 KiB").arg(grownKiB)));
    }

    void policyRejects_data()
    {
        QTest::addColumn<QString>("password");
        QTest::addColumn<QString>("email");
        QTest::newRow("empty") << QString() << QString();
        QTest::newRow("nine chars") << QStringLiteral("abcdefgh9") << QString();
        QTest::newRow("surrogate pairs count once") << QStringLiteral("🔑🔑🔑🔑🔑🔑🔑🔑🔑") << QString();
        QTest::newRow("too long") << QString(1025, QLatin1Char('x')) << QString();
        QTest::newRow("common") << QStringLiteral("qwertyuiop") << QString();
        QTest::newRow("common, other case") << QStringLiteral("PassWord123") << QString();
        QTest::newRow("email") << QStringLiteral("jane.doe@example.org")
                               << QStringLiteral("jane.doe@example.org");
        QTest::newRow("email, other case")
            << QStringLiteral("Jane.Doe@Example.org") << QStringLiteral("jane.doe@example.org");
        QTest::newRow("local part")
            << QStringLiteral("jane.doe.writer") << QStringLiteral("Jane.Doe.Writer@example.org");
    }
    void policyRejects()
    {
        QFETCH(QString, password);
        QFETCH(QString, email);
        const PasswordHasher hasher(cheap(), PasswordPolicy{},
                                    {QStringLiteral("qwertyuiop"), QStringLiteral("Password123")});
        const auto r = hasher.checkPolicy(password, email);
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::InvalidInput);
        QCOMPARE(r.error().field, QStringLiteral("password"));
        QVERIFY(!r.error().message.isEmpty());
    }

    void policyAccepts_data()
    {
        QTest::addColumn<QString>("password");
        QTest::addColumn<QString>("email");
        QTest::newRow("ten chars") << QStringLiteral("abcdefgh10") << QString();
        QTest::newRow("max length") << QString(1024, QLatin1Char('x')) << QString();
        QTest::newRow("passphrase")
            << QStringLiteral("correct horse battery staple") << QStringLiteral("jane@example.org");
        QTest::newRow("contains local part")
            << QStringLiteral("jane.doe.writer!") << QStringLiteral("jane.doe.writer@example.org");
        QTest::newRow("ten code points") << QStringLiteral("🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑") << QString();
    }
    void policyAccepts()
    {
        QFETCH(QString, password);
        QFETCH(QString, email);
        const PasswordHasher hasher(cheap(), PasswordPolicy{}, {QStringLiteral("qwertyuiop")});
        const auto r = hasher.checkPolicy(password, email);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    }

    void customPolicyBounds()
    {
        const PasswordHasher hasher(cheap(), PasswordPolicy{4, 8});
        QVERIFY(hasher.checkPolicy(QStringLiteral("abcd")));
        QVERIFY(hasher.checkPolicy(QStringLiteral("abcdefgh")));
        QVERIFY(!hasher.checkPolicy(QStringLiteral("abc")));
        QVERIFY(!hasher.checkPolicy(QStringLiteral("abcdefghi")));
    }

    void shippedCommonListLoads()
    {
        const auto list = PasswordHasher::loadCommonPasswords(commonListPath());
        QVERIFY2(list, qPrintable(list ? QString() : list.error().message));
        QVERIFY2(list->size() >= 1000, qPrintable(QString::number(list->size())));
        for (const char *p :
             {"123456", "password", "qwerty", "iloveyou", "password1", "password123", "qwertyuiop",
              "1234567890", "letmein", "trustno1", "monkey", "dragon"})
            QVERIFY2(list->contains(QString::fromLatin1(p)), p);
        for (const QString &entry : *list) {
            QCOMPARE(entry, entry.toLower());
            QVERIFY(!entry.startsWith(QLatin1Char('#')));
            QVERIFY(!entry.trimmed().isEmpty());
        }
    }

    void shippedCommonListRejects_data()
    {
        QTest::addColumn<QString>("password");
        QTest::newRow("password1") << QStringLiteral("password1");
        QTest::newRow("Password123") << QStringLiteral("Password123");
        QTest::newRow("qwerty123") << QStringLiteral("QWERTY123");
        QTest::newRow("iloveyou123") << QStringLiteral("iloveyou123");
        QTest::newRow("1q2w3e4r5t") << QStringLiteral("1q2w3e4r5t");
        QTest::newRow("p@ssw0rd") << QStringLiteral("P@ssw0rd");
        QTest::newRow("welcome123") << QStringLiteral("Welcome123");
    }
    void shippedCommonListRejects()
    {
        QFETCH(QString, password);
        auto list = PasswordHasher::loadCommonPasswords(commonListPath());
        QVERIFY(list);
        // A short minimum so the common-list rule, not the length rule, decides.
        const PasswordHasher hasher(cheap(), PasswordPolicy{6, 1024}, *list);
        const auto r = hasher.checkPolicy(password);
        QVERIFY(!r);
        QCOMPARE(r.error().field, QStringLiteral("password"));
        QVERIFY2(r.error().message.contains(QStringLiteral("common")),
                 qPrintable(r.error().message));
        QVERIFY(hasher.checkPolicy(QStringLiteral("plum-tractor-47-orbit")));
    }

    void commonListParsing()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("list.txt"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# a comment\n\nHunter2\n  Spaced  \r\n#not-a-password\nsecret\n");
        f.close();
        const auto list = PasswordHasher::loadCommonPasswords(path);
        QVERIFY(list);
        QCOMPARE(*list, (QSet<QString>{QStringLiteral("hunter2"), QStringLiteral("spaced"),
                                       QStringLiteral("secret")}));
        QVERIFY(!PasswordHasher::loadCommonPasswords(dir.filePath(QStringLiteral("missing.txt"))));
    }
};

QTEST_APPLESS_MAIN(TestPasswordHasher)
#include "tst_passwordhasher.moc"
