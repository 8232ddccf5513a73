// SPDX-License-Identifier: MIT
// isoTimeUtc() writes what QDateTime writes, across the range it computes
// itself and past its edges, where it hands over to QDateTime.
#include "backend/core/isotime.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QTest>

using namespace colophon;

class TestIsoTime : public QObject
{
    Q_OBJECT

private:
    static QByteArray qt(qint64 ms)
    {
        return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs).toUtf8();
    }

private slots:
    void matchesQDateTimeOnKnownInstants_data()
    {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("epoch") << qint64(0) << QByteArray("1970-01-01T00:00:00.000Z");
        QTest::newRow("leap day 2024")
            << QDateTime(QDate(2024, 2, 29), QTime(23, 59, 59, 999), Qt::UTC).toMSecsSinceEpoch()
            << QByteArray("2024-02-29T23:59:59.999Z");
        QTest::newRow("2000-03-01")
            << QDateTime(QDate(2000, 3, 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch()
            << QByteArray("2000-03-01T00:00:00.000Z");
        QTest::newRow("last ms of 9999")
            << qint64(253'402'300'799'999) << QByteArray("9999-12-31T23:59:59.999Z");
    }
    void matchesQDateTimeOnKnownInstants()
    {
        QFETCH(qint64, ms);
        QFETCH(QByteArray, expected);
        QCOMPARE(QByteArray::fromStdString(isoTimeUtc(ms)), expected);
        QCOMPARE(qt(ms), expected);
    }

    void matchesQDateTimeOnRandomInstants()
    {
        QRandomGenerator random(7);
        for (int i = 0; i < 200'000; ++i) {
            const qint64 ms = qint64(random.bounded(quint64(253'402'300'800'000)));
            QCOMPARE(QByteArray::fromStdString(isoTimeUtc(ms)), qt(ms));
        }
    }

    void handsOverOutsideItsRange()
    {
        for (const qint64 ms : {qint64(-1), qint64(-86'400'001), qint64(253'402'300'800'000)}) {
            QCOMPARE(QByteArray::fromStdString(isoTimeUtc(ms)), qt(ms));
        }
    }
};

QTEST_GUILESS_MAIN(TestIsoTime)
#include "tst_isotime.moc"
