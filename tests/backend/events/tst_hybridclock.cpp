// SPDX-License-Identifier: MIT
// Tests of HybridClock and Hlc: monotonic despite the wall clock, merging, text form, order.
#include "backend/events/hybridclock.h"
#include "tests/support/testsupport.h"

#include <QTest>

using colophon::Hlc;
using colophon::HybridClock;
using colophon::test::ManualClock;

namespace {

QString text(const Hlc &h)
{
    return h.toString();
}

int sign(int v)
{
    return (v > 0) - (v < 0);
}

int sign(std::strong_ordering o)
{
    return o < 0 ? -1 : (o > 0 ? 1 : 0);
}

} // namespace

Q_DECLARE_METATYPE(Hlc)

class TestHybridClock final : public QObject
{
    Q_OBJECT

private slots:
    void nowIsStrictlyIncreasing_data()
    {
        QTest::addColumn<qint64>("step"); // how the wall clock moves between stamps
        QTest::newRow("advancing") << qint64(1);
        QTest::newRow("stalled") << qint64(0);
        QTest::newRow("going backwards") << qint64(-1);
        QTest::newRow("set back an hour each time") << qint64(-3'600'000);
    }

    void nowIsStrictlyIncreasing()
    {
        QFETCH(qint64, step);
        ManualClock wall;
        HybridClock clock(QStringLiteral("replica-a"), [&wall] { return wall.nowMs(); });
        Hlc previous = clock.now();
        QCOMPARE(previous.physicalMs, wall.nowMs());
        QCOMPARE(previous.replica, QStringLiteral("replica-a"));
        for (int i = 0; i < 1000; ++i) {
            wall.advance(step);
            const Hlc h = clock.now();
            QVERIFY2(previous < h,
                     qPrintable(text(h) + QStringLiteral(" after ") + text(previous)));
            QVERIFY(text(previous) < text(h));
            QVERIFY(h.physicalMs >= previous.physicalMs); // never earlier in time
            QCOMPARE(clock.last(), h);
            previous = h;
        }
    }

    void nowCatchesUpWhenTheWallClockReturns()
    {
        ManualClock wall;
        HybridClock clock(QStringLiteral("r"), [&wall] { return wall.nowMs(); });
        const Hlc first = clock.now();
        wall.advance(-10'000);
        const Hlc stepped = clock.now();
        QCOMPARE(stepped.physicalMs, first.physicalMs); // holds its time, counts on
        QCOMPARE(stepped.counter, first.counter + 1);
        wall.set(first.physicalMs + 5);
        const Hlc caughtUp = clock.now();
        QCOMPARE(caughtUp.physicalMs, first.physicalMs + 5); // physical time again
        QCOMPARE(caughtUp.counter, 0u);
        QVERIFY(stepped < caughtUp);
    }

    void updateWithRemoteAheadReturnsStampAfterIt()
    {
        ManualClock wall(1'000'000);
        HybridClock clock(QStringLiteral("local"), [&wall] { return wall.nowMs(); });
        const Hlc local = clock.now();
        const Hlc remote{wall.nowMs() + 60'000, 7, QStringLiteral("remote")};

        const Hlc merged = clock.update(remote);
        QVERIFY(remote < merged);
        QVERIFY(local < merged);
        QCOMPARE(merged.physicalMs, remote.physicalMs);
        QCOMPARE(merged.counter, remote.counter + 1);
        QCOMPARE(merged.replica, QStringLiteral("local"));
        // Later local stamps stay after the remote, though the wall clock is still behind it.
        const Hlc next = clock.now();
        QVERIFY(merged < next);
        QVERIFY(remote < next);
    }

    void updateWithRemoteAheadOnSameTimeTakesTheLargerCounter()
    {
        ManualClock wall(5'000);
        HybridClock clock(QStringLiteral("b"), [&wall] { return wall.nowMs(); });
        for (int i = 0; i < 3; ++i) {
            clock.now(); // 5000 with counter 0, 1, 2
        }
        wall.set(4'000);
        const Hlc remote{5'000, 10, QStringLiteral("a")};
        const Hlc merged = clock.update(remote);
        QCOMPARE(merged.physicalMs, qint64(5'000));
        QCOMPARE(merged.counter, 11u);
        QVERIFY(remote < merged);
    }

    void updateWithRemoteBehindKeepsIncreasing()
    {
        ManualClock wall(2'000'000);
        HybridClock clock(QStringLiteral("local"), [&wall] { return wall.nowMs(); });
        Hlc previous = clock.now();
        const Hlc remote{1'000'000, 99, QStringLiteral("zzz")}; // far behind, larger replica id
        for (int i = 0; i < 10; ++i) {
            const Hlc merged = clock.update(remote);
            QVERIFY2(previous < merged,
                     qPrintable(text(merged) + QStringLiteral(" after ") + text(previous)));
            QVERIFY(remote < merged);
            previous = merged;
        }
        // The wall clock moving on is taken up again.
        wall.advance(10);
        const Hlc later = clock.update(remote);
        QCOMPARE(later.physicalMs, wall.nowMs());
        QCOMPARE(later.counter, 0u);
        QVERIFY(previous < later);
    }

    void stringRoundTrips_data()
    {
        QTest::addColumn<Hlc>("hlc");
        QTest::newRow("zero") << Hlc{0, 0, QStringLiteral("r")};
        QTest::newRow("typical") << Hlc{1'700'000'000'123, 42, QStringLiteral("replica-a")};
        QTest::newRow("uuid replica")
            << Hlc{1'700'000'000'000, 1, QStringLiteral("01890a5d-ac96-774b-bcce-b302099a8057")};
        QTest::newRow("largest counter") << Hlc{1, 4'294'967'295u, QStringLiteral("r")};
        QTest::newRow("16-digit ms") << Hlc{9'999'999'999'999'999, 0, QStringLiteral("r")};
    }

    void stringRoundTrips()
    {
        QFETCH(Hlc, hlc);
        const QString s = hlc.toString();
        QCOMPARE(s, QStringLiteral("%1-%2-%3")
                        .arg(hlc.physicalMs, 16, 10, QLatin1Char('0'))
                        .arg(hlc.counter, 10, 10, QLatin1Char('0'))
                        .arg(hlc.replica));
        QCOMPARE(s.indexOf(QLatin1Char('-')), 16);
        QCOMPARE(s.indexOf(QLatin1Char('-'), 17), 27);
        const auto parsed = Hlc::parse(s);
        QVERIFY2(parsed.has_value(), qPrintable(s));
        QCOMPARE(*parsed, hlc);
        QCOMPARE(parsed->toString(), s);
    }

    void textOrderEqualsStampOrder_data()
    {
        QTest::addColumn<Hlc>("a");
        QTest::addColumn<Hlc>("b");
        const QString r = QStringLiteral("r");
        QTest::newRow("ms, digit count differs") << Hlc{999, 5, r} << Hlc{1000, 0, r};
        QTest::newRow("ms, same digits")
            << Hlc{1'700'000'000'001, 9, r} << Hlc{1'700'000'000'002, 0, r};
        QTest::newRow("counter 9 vs 10") << Hlc{5, 9, r} << Hlc{5, 10, r};
        QTest::newRow("counter beats replica")
            << Hlc{5, 1, QStringLiteral("z")} << Hlc{5, 2, QStringLiteral("a")};
        QTest::newRow("replica tie-break")
            << Hlc{5, 1, QStringLiteral("a")} << Hlc{5, 1, QStringLiteral("b")};
        QTest::newRow("replica prefix")
            << Hlc{5, 1, QStringLiteral("a")} << Hlc{5, 1, QStringLiteral("ab")};
        QTest::newRow("uuid replicas")
            << Hlc{5, 1, QStringLiteral("01890a5d-ac96-774b-bcce-b302099a8057")}
            << Hlc{5, 1, QStringLiteral("01890a5d-ac96-774b-bcce-b302099a8058")};
        QTest::newRow("equal") << Hlc{5, 1, r} << Hlc{5, 1, r};
        QTest::newRow("counter max vs next ms") << Hlc{5, 4'294'967'295u, r} << Hlc{6, 0, r};
    }

    void textOrderEqualsStampOrder()
    {
        QFETCH(Hlc, a);
        QFETCH(Hlc, b);
        const int byStamp = sign(a <=> b);
        QCOMPARE(sign(a.toString().compare(b.toString())), byStamp);
        QCOMPARE(sign(b.toString().compare(a.toString())), -byStamp);
        QCOMPARE(sign(b <=> a), -byStamp);
        QCOMPARE(a == b, byStamp == 0);
    }

    void parseRejectsMalformed_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << QString();
        QTest::newRow("garbage") << QStringLiteral("not a stamp");
        QTest::newRow("no replica") << QStringLiteral("0001700000000000-0000000000-");
        QTest::newRow("no counter") << QStringLiteral("0001700000000000-r");
        QTest::newRow("short ms") << QStringLiteral("1700000000000-0000000000-r");
        QTest::newRow("short counter") << QStringLiteral("0001700000000000-0-r");
        QTest::newRow("long counter") << QStringLiteral("0001700000000000-00000000001-r");
        QTest::newRow("letters in ms") << QStringLiteral("000170000000000x-0000000000-r");
        QTest::newRow("letters in counter") << QStringLiteral("0001700000000000-00000000x0-r");
        QTest::newRow("counter over 32 bits") << QStringLiteral("0001700000000000-9999999999-r");
        QTest::newRow("underscores") << QStringLiteral("0001700000000000_0000000000_r");
        QTest::newRow("leading dash") << QStringLiteral("-001700000000000-0000000000-r");
        QTest::newRow("plus sign in ms") << QStringLiteral("+001700000000000-0000000000-r");
        QTest::newRow("plus sign in counter") << QStringLiteral("0001700000000000-+000000001-r");
        QTest::newRow("space in ms") << QStringLiteral(" 001700000000000-0000000000-r");
        QTest::newRow("space in counter") << QStringLiteral("0001700000000000-000000001 -r");
    }

    void parseRejectsMalformed()
    {
        QFETCH(QString, text);
        const auto parsed = Hlc::parse(text);
        QVERIFY2(!parsed.has_value(), qPrintable(QStringLiteral("accepted as ") +
                                                 (parsed ? parsed->toString() : QString())));
    }
};

QTEST_GUILESS_MAIN(TestHybridClock)
#include "tst_hybridclock.moc"
