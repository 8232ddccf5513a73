// SPDX-License-Identifier: MIT
// Tests of retry(): attempt counting, permanent errors, and the backoff schedule.
#include "backend/resilience/retry.h"

#include <QElapsedTimer>
#include <QTest>
#include <limits>
#include <vector>

using colophon::Error;
using colophon::ErrorCode;
using colophon::Result;
using colophon::RetryPolicy;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(colophon::Error)

namespace {

// A sleeper that records the delays instead of sleeping.
struct RecordingSleeper
{
    std::vector<std::chrono::milliseconds> delays;
    colophon::Sleeper sleeper()
    {
        return [this](std::chrono::milliseconds d) { delays.push_back(d); };
    }
};

RetryPolicy policy(int maxAttempts)
{
    RetryPolicy p;
    p.maxAttempts = maxAttempts;
    return p;
}

} // namespace

class TestRetry final : public QObject
{
    Q_OBJECT

private slots:
    void honoursMaxAttempts_data()
    {
        QTest::addColumn<int>("maxAttempts");
        QTest::addColumn<int>("failuresBeforeSuccess");
        QTest::addColumn<int>("expectedCalls");
        QTest::addColumn<bool>("succeeds");
        QTest::newRow("first try") << 3 << 0 << 1 << true;
        QTest::newRow("second try") << 3 << 1 << 2 << true;
        QTest::newRow("last try") << 3 << 2 << 3 << true;
        QTest::newRow("exhausted") << 3 << 5 << 3 << false;
        QTest::newRow("single attempt") << 1 << 1 << 1 << false;
        QTest::newRow("zero means one") << 0 << 1 << 1 << false;
        QTest::newRow("five attempts") << 5 << 10 << 5 << false;
    }

    void honoursMaxAttempts()
    {
        QFETCH(int, maxAttempts);
        QFETCH(int, failuresBeforeSuccess);
        QFETCH(int, expectedCalls);
        QFETCH(bool, succeeds);
        RecordingSleeper sleeper;
        int calls = 0;
        const auto r = colophon::retry(
            policy(maxAttempts),
            [&]() -> Result<int> {
                ++calls;
                if (calls <= failuresBeforeSuccess)
                    return colophon::fail(
                        Error::unavailable(QStringLiteral("attempt %1 failed").arg(calls)));
                return calls;
            },
            sleeper.sleeper());
        QCOMPARE(calls, expectedCalls);
        QCOMPARE(r.has_value(), succeeds);
        if (succeeds)
            QCOMPARE(r.value(), expectedCalls);
        else // the last error is the one returned
            QCOMPARE(r.error().message, QStringLiteral("attempt %1 failed").arg(expectedCalls));
        QCOMPARE(int(sleeper.delays.size()), expectedCalls - 1);
    }

    void neverRetriesPermanentError_data()
    {
        QTest::addColumn<Error>("error");
        QTest::newRow("invalid input") << Error::invalid(QStringLiteral("bad"));
        QTest::newRow("not found") << Error::notFound(QStringLiteral("gone"));
        QTest::newRow("conflict") << Error::conflict(QStringLiteral("taken"));
        QTest::newRow("internal") << Error::internal(QStringLiteral("bug"));
    }

    void neverRetriesPermanentError()
    {
        QFETCH(Error, error);
        RecordingSleeper sleeper;
        int calls = 0;
        const auto r = colophon::retry(
            policy(5),
            [&]() -> Result<void> {
                ++calls;
                return colophon::fail(error);
            },
            sleeper.sleeper());
        QCOMPARE(calls, 1);
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().code, error.code);
        QVERIFY(sleeper.delays.empty());
    }

    void permanentErrorAfterTransientStopsAtOnce()
    {
        RecordingSleeper sleeper;
        int calls = 0;
        const auto r = colophon::retry(
            policy(5),
            [&]() -> Result<void> {
                ++calls;
                return colophon::fail(calls == 1 ? Error::unavailable(QStringLiteral("busy"))
                                                 : Error::notFound(QStringLiteral("gone")));
            },
            sleeper.sleeper());
        QCOMPARE(calls, 2);
        QCOMPARE(r.error().code, ErrorCode::NotFound);
        QCOMPARE(int(sleeper.delays.size()), 1);
    }

    void delaysGrowExponentiallyAndAreCapped()
    {
        RetryPolicy p;
        p.maxAttempts = 8;
        p.baseDelay = 1000ms;
        p.maxJitter = 0ms;
        p.maxDelay = 30'000ms;
        RecordingSleeper sleeper;
        colophon::retry(
            p, []() -> Result<void> { return colophon::fail(Error::unavailable({})); },
            sleeper.sleeper());
        const std::vector<std::chrono::milliseconds> expected{2000ms,  4000ms,  8000ms, 16000ms,
                                                              30000ms, 30000ms, 30000ms};
        QCOMPARE(sleeper.delays, expected);
    }

    void jitterStaysWithinBounds_data()
    {
        QTest::addColumn<int>("attempt");
        QTest::addColumn<qint64>("floor");
        QTest::newRow("after 1") << 1 << qint64(2000);
        QTest::newRow("after 2") << 2 << qint64(4000);
        QTest::newRow("after 4") << 4 << qint64(16000);
    }

    void jitterStaysWithinBounds()
    {
        QFETCH(int, attempt);
        QFETCH(qint64, floor);
        const RetryPolicy p; // the blueprint's 1000 * 2^attempt + random(0..100), max 30 s
        std::mt19937_64 rng(42);
        qint64 lowest = std::numeric_limits<qint64>::max();
        qint64 highest = 0;
        for (int i = 0; i < 2000; ++i) {
            const qint64 d = p.delayBefore(attempt, rng).count();
            QVERIFY2(d >= floor && d <= floor + 100, qPrintable(QString::number(d)));
            lowest = std::min(lowest, d);
            highest = std::max(highest, d);
        }
        // The jitter really varies across its range rather than being a constant.
        QVERIFY(lowest <= floor + 10);
        QVERIFY(highest >= floor + 90);
    }

    void jitteredDelayNeverExceedsMaxDelay()
    {
        const RetryPolicy p;
        std::mt19937_64 rng(7);
        for (int attempt = 5; attempt < 200; ++attempt)
            QVERIFY(p.delayBefore(attempt, rng) <= 30'000ms);
        QCOMPARE(p.delayBefore(100, rng), 30'000ms); // no overflow for large attempt numbers
    }

    void recordedSleepsFollowThePolicy()
    {
        RetryPolicy p;
        p.maxAttempts = 4;
        p.baseDelay = 10ms;
        p.maxJitter = 5ms;
        p.maxDelay = 1000ms;
        RecordingSleeper sleeper;
        colophon::retry(
            p, []() -> Result<int> { return colophon::fail(Error::unavailable({})); },
            sleeper.sleeper());
        QCOMPARE(int(sleeper.delays.size()), 3);
        for (int k = 1; k <= 3; ++k) {
            const auto d = sleeper.delays[std::size_t(k - 1)];
            const auto floor = 10ms * (1 << k);
            QVERIFY(d >= floor);
            QVERIFY(d <= floor + 5ms);
        }
    }

    void defaultSleeperReallySleeps()
    {
        RetryPolicy p;
        p.maxAttempts = 2;
        p.baseDelay = 5ms; // one 10-15 ms sleep
        p.maxJitter = 5ms;
        int calls = 0;
        QElapsedTimer timer;
        timer.start();
        const auto r = colophon::retry(p, [&]() -> Result<int> {
            if (++calls == 1)
                return colophon::fail(Error::unavailable({}));
            return calls;
        });
        QCOMPARE(r.value(), 2);
        QVERIFY(timer.elapsed() >= 10);
    }
};

QTEST_GUILESS_MAIN(TestRetry)
#include "tst_retry.moc"
