// SPDX-License-Identifier: MIT
// Tests of UuidV7Generator: RFC 9562 layout, strict order under any clock, the embedded timestamp.
#include "backend/events/uuidv7.h"
#include "tests/support/testsupport.h"

#include <QDateTime>
#include <QSet>
#include <QTest>
#include <functional>

using colophon::uuidText;
using colophon::UuidV7Generator;
using colophon::test::ManualClock;

namespace {

constexpr int kIds = 10'000;

enum class ClockKind { Advancing, Stalled, StepsBackOnce, AlwaysBackwards, Jittery };

// Moves clock as kind says, once per id generated.
std::function<void(int)> clockMover(ClockKind kind, ManualClock &clock)
{
    switch (kind) {
    case ClockKind::Advancing:
        return [&clock](int) { clock.advance(1); };
    case ClockKind::Stalled:
        return [](int) {};
    case ClockKind::StepsBackOnce:
        return [&clock](int i) {
            if (i == kIds / 2) {
                clock.advance(-3'600'000); // an NTP correction of an hour
            } else if (i % 100 == 0) {
                clock.advance(1);
            }
        };
    case ClockKind::AlwaysBackwards:
        return [&clock](int) { clock.advance(-1); };
    case ClockKind::Jittery:
        return [&clock](int i) { clock.advance((i * 7919) % 5 - 2); };
    }
    return {};
}

} // namespace

Q_DECLARE_METATYPE(ClockKind)

class TestUuidV7 final : public QObject
{
    Q_OBJECT

private slots:
    void versionIsSevenAndVariantIsRfc()
    {
        UuidV7Generator gen;
        for (int i = 0; i < 1000; ++i) {
            const QUuid id = gen.next();
            const QByteArray b = id.toRfc4122();
            QCOMPARE(b.size(), 16);
            QCOMPARE((static_cast<quint8>(b[6]) >> 4), 7);
            QCOMPARE((static_cast<quint8>(b[8]) >> 6), 0b10);
            QCOMPARE(UuidV7Generator::version(id), 7);
            QCOMPARE(id.variant(), QUuid::DCE);
            // The text form: version digit at 14, variant digit 8..b at 19.
            const QString text = uuidText(id);
            QCOMPARE(text.size(), 36);
            QCOMPARE(text.at(14), QLatin1Char('7'));
            QVERIFY2(QStringLiteral("89ab").contains(text.at(19)), qPrintable(text));
            QCOMPARE(text, text.toLower());
        }
    }

    void idsAreStrictlyIncreasing_data()
    {
        QTest::addColumn<ClockKind>("kind");
        QTest::newRow("advancing clock") << ClockKind::Advancing;
        QTest::newRow("stalled clock") << ClockKind::Stalled;
        QTest::newRow("clock steps back an hour") << ClockKind::StepsBackOnce;
        QTest::newRow("clock always going backwards") << ClockKind::AlwaysBackwards;
        QTest::newRow("jittery clock") << ClockKind::Jittery;
    }

    void idsAreStrictlyIncreasing()
    {
        QFETCH(ClockKind, kind);
        ManualClock clock;
        UuidV7Generator gen([&clock] { return clock.nowMs(); });
        const auto move = clockMover(kind, clock);

        QByteArray previousBytes;
        QString previousText;
        QSet<QUuid> seen;
        for (int i = 0; i < kIds; ++i) {
            const QUuid id = gen.next();
            move(i);
            const QByteArray bytes = id.toRfc4122();
            const QString text = uuidText(id);
            QCOMPARE(UuidV7Generator::version(id), 7);
            QCOMPARE((static_cast<quint8>(bytes[8]) >> 6), 0b10);
            if (i > 0) {
                QVERIFY2(previousBytes < bytes,
                         qPrintable(
                             QStringLiteral("id %1: %2 after %3").arg(i).arg(text, previousText)));
                QVERIFY2(previousText < text, qPrintable(text));
            }
            seen.insert(id);
            previousBytes = bytes;
            previousText = text;
        }
        QCOMPARE(seen.size(), kIds);
    }

    void timestampIsTheClocksMilliseconds_data()
    {
        QTest::addColumn<qint64>("ms");
        QTest::newRow("epoch") << qint64(0);
        QTest::newRow("one") << qint64(1);
        QTest::newRow("2023") << qint64(1'700'000'000'000);
        QTest::newRow("byte boundaries") << qint64(0x0102'0304'0506);
        QTest::newRow("largest 48-bit") << qint64(0xFFFF'FFFF'FFFF);
    }

    void timestampIsTheClocksMilliseconds()
    {
        QFETCH(qint64, ms);
        ManualClock clock(ms);
        UuidV7Generator gen([&clock] { return clock.nowMs(); });
        const QUuid id = gen.next();
        QCOMPARE(UuidV7Generator::timestampMs(id), ms);
        // The first 12 hex digits are the milliseconds.
        const QString hex = uuidText(id).remove(QLatin1Char('-')).left(12);
        QCOMPARE(hex.toLongLong(nullptr, 16), ms);
    }

    void timestampFollowsAnAdvancingClock()
    {
        ManualClock clock;
        UuidV7Generator gen([&clock] { return clock.nowMs(); });
        for (int step : {1, 10, 1000, 86'400'000}) {
            clock.advance(step);
            QCOMPARE(UuidV7Generator::timestampMs(gen.next()), clock.nowMs());
        }
    }

    void defaultClockIsTheWallClock()
    {
        UuidV7Generator gen;
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const QUuid id = gen.next();
        const qint64 after = QDateTime::currentMSecsSinceEpoch();
        const qint64 ms = UuidV7Generator::timestampMs(id);
        QVERIFY2(ms >= before && ms <= after,
                 qPrintable(QStringLiteral("%1 not in [%2, %3]").arg(ms).arg(before).arg(after)));
    }

    void generatorsDoNotCollide()
    {
        // Two generators on the same stalled clock (two replicas in the same millisecond).
        ManualClock clock;
        UuidV7Generator a([&clock] { return clock.nowMs(); });
        UuidV7Generator b([&clock] { return clock.nowMs(); });
        QSet<QUuid> ids;
        for (int i = 0; i < 2000; ++i) {
            ids.insert(a.next());
            ids.insert(b.next());
        }
        QCOMPARE(ids.size(), 4000);
    }
};

QTEST_GUILESS_MAIN(TestUuidV7)
#include "tst_uuidv7.moc"
