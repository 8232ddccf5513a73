// SPDX-License-Identifier: MIT
// sha256Hex: the standard's test vectors, and the very digests Qt computes
// (body hashes already stored were made with QCryptographicHash).
#include "backend/core/sha256.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QTest>

using namespace colophon;

class TestSha256 : public QObject
{
    Q_OBJECT

private slots:
    void matchesTheStandardsVectors()
    {
        QCOMPARE(
            sha256Hex(QByteArrayView()),
            QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(
            sha256Hex(QByteArrayView("abc")),
            QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(
            sha256Hex(QByteArrayView("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            QStringLiteral("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    }

    void matchesQtForEveryLengthAroundTheBlockSizes()
    {
        QRandomGenerator random(7);
        for (int size = 0; size <= 2100; size += (size < 130 ? 1 : 97)) {
            QByteArray data(size, Qt::Uninitialized);
            for (char &c : data) {
                c = char(random.bounded(256));
            }
            QCOMPARE(sha256Hex(data),
                     QString::fromLatin1(
                         QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex()));
        }
    }
};

QTEST_GUILESS_MAIN(TestSha256)
#include "tst_sha256.moc"
