// SPDX-License-Identifier: MIT
// Tests of CircuitBreaker: opening, rejecting, half-open trials, slow and permanent outcomes.
#include "backend/resilience/circuitbreaker.h"
#include "tests/support/testsupport.h"

#include <QTest>
#include <stdexcept>

using colophon::CircuitBreaker;
using colophon::CircuitBreakerSettings;
using colophon::Error;
using colophon::ErrorCode;
using colophon::Result;
using colophon::test::ManualClock;
using namespace std::chrono_literals;

namespace {

CircuitBreakerSettings settings()
{
    CircuitBreakerSettings s;
    s.name = "users";
    s.errorThresholdPercentage = 50;
    s.volumeThreshold = 10;
    s.rollingWindow = 10s;
    s.timeout = 3s;
    s.resetTimeout = 30s;
    return s;
}

CircuitBreaker::Clock clockOf(const ManualClock &clock)
{
    return [&clock] {
        return std::chrono::steady_clock::time_point(std::chrono::milliseconds(clock.nowMs()));
    };
}

Result<int> succeed()
{
    return 1;
}
Result<int> failTransient()
{
    return colophon::fail(Error::unavailable(QStringLiteral("down")));
}

// Drives the breaker into Open with volumeThreshold failing calls.
void trip(CircuitBreaker &breaker)
{
    for (int i = 0; i < breaker.settings().volumeThreshold; ++i)
        breaker.recordFailure();
}

} // namespace

class TestCircuitBreaker final : public QObject
{
    Q_OBJECT

private slots:
    void opensAtThresholdOnlyAboveVolume_data()
    {
        QTest::addColumn<int>("successes");
        QTest::addColumn<int>("failures");
        QTest::addColumn<bool>("failuresFirst");
        QTest::addColumn<bool>("open");
        QTest::newRow("9 failures, below volume") << 0 << 9 << false << false;
        QTest::newRow("10 failures") << 0 << 10 << false << true;
        QTest::newRow("5 of 10 failed (50%)") << 5 << 5 << false << true;
        QTest::newRow("5 of 10 failed, failures first") << 5 << 5 << true << true;
        QTest::newRow("4 of 10 failed (40%)") << 6 << 4 << false << false;
        QTest::newRow("4 of 9 failed (44%), below volume") << 5 << 4 << false << false;
        QTest::newRow("30 successes, no failure") << 30 << 0 << false << false;
    }

    void opensAtThresholdOnlyAboveVolume()
    {
        QFETCH(int, successes);
        QFETCH(int, failures);
        QFETCH(bool, failuresFirst);
        QFETCH(bool, open);
        ManualClock clock;
        CircuitBreaker breaker(settings(), clockOf(clock));
        const auto record = [&](int count, bool ok) {
            for (int i = 0; i < count; ++i) {
                QVERIFY(breaker.allowRequest());
                ok ? breaker.recordSuccess(10ms) : breaker.recordFailure();
                clock.advance(10);
            }
        };
        if (failuresFirst) {
            record(failures, false);
            record(successes, true);
        } else {
            record(successes, true);
            record(failures, false);
        }
        QCOMPARE(breaker.state(),
                 open ? CircuitBreaker::State::Open : CircuitBreaker::State::Closed);
        QCOMPARE(breaker.allowRequest(), !open);
    }

    void failuresOutsideRollingWindowAreForgotten()
    {
        ManualClock clock;
        CircuitBreaker breaker(settings(), clockOf(clock));
        for (int i = 0; i < 9; ++i)
            breaker.recordFailure();
        clock.advance(10'000); // the nine failures leave the 10 s window
        breaker.recordFailure();
        QCOMPARE(breaker.state(), CircuitBreaker::State::Closed);
        for (int i = 0; i < 9; ++i)
            breaker.recordFailure();
        QCOMPARE(breaker.state(), CircuitBreaker::State::Open);
    }

    void openCircuitRejectsCallsUntilResetTimeout()
    {
        ManualClock clock;
        CircuitBreaker breaker(settings(), clockOf(clock));
        trip(breaker);
        QCOMPARE(breaker.state(), CircuitBreaker::State::Open);

        int calls = 0;
        const auto counted = [&]() -> Result<int> {
            ++calls;
            return 1;
        };
        clock.advance(29'999);
        const auto rejected = breaker.execute(counted);
        QVERIFY(!rejected.has_value());
        QCOMPARE(rejected.error().code, ErrorCode::Unavailable);
        QCOMPARE(rejected.error().message, QStringLiteral("circuit 'users' is open"));
        QVERIFY(rejected.error().isTransient());
        QCOMPARE(calls, 0);
        QCOMPARE(breaker.state(), CircuitBreaker::State::Open);

        clock.advance(1);
        QCOMPARE(breaker.state(), CircuitBreaker::State::HalfOpen);
    }

    void halfOpenLetsExactlyOneTrialThrough()
    {
        ManualClock clock;
        CircuitBreaker breaker(settings(), clockOf(clock));
        trip(breaker);
        clock.advance(30'000);
        QCOMPARE(breaker.state(), CircuitBreaker::State::HalfOpen);
        QVERIFY(breaker.allowRequest());
        QVERIFY(!breaker.allowRequest());
        QVERIFY(!breaker.allowRequest());
        QCOMPARE(breaker.state(), CircuitBreaker::State::HalfOpen);
    }

    void trialOutcomeClosesOrReopens_data()
    {
        QTest::addColumn<bool>("trialSucceeds");
        QTest::newRow("success closes") << true;
        QTest::newRow("failure re-opens") << false;
    }

    void trialOutcomeClosesOrReopens()
    {
        QFETCH(bool, trialSucceeds);
        ManualClock clock;
        CircuitBreaker breaker(settings(), clockOf(clock));
        trip(breaker);
        clock.advance(30'000);

        const auto trial = breaker.execute(trialSucceeds ? succeed : failTransient);
        QCOMPARE(trial.has_value(), trialSucceeds);

        if (trialSucceeds) {
            QCOMPARE(breaker.state(), CircuitBreaker::State::Closed);
            // The window was cleared: nine new failures are below the volume threshold.
            for (int i = 0; i < 9; ++i)
                breaker.recordFailure();
            QCOMPARE(breaker.state(), CircuitBreaker::State::Closed);
            QVERIFY(breaker.allowRequest());
        } else {
            QCOMPARE(breaker.state(), CircuitBreaker::State::Open);
            QVERIFY(!breaker.allowRequest());
            clock.advance(29'999); // another full resetTimeout, counted from the re-opening
            QCOMPARE(breaker.state(), CircuitBreaker::State::Open);
            clock.advance(1);
            QCOMPARE(breaker.state(), CircuitBreaker::State::HalfOpen);
            QVERIFY(breaker.allowRequest());
        }
    }

    void slowSuccessCountsAsFailure()
    {
        ManualClock clock;
        CircuitBreakerSettings s = settings();
        s.rollingWindow = 60s; // room for ten slow calls
        CircuitBreaker breaker(s, clockOf(clock));
        const auto slow = [&]() -> Result<int> {
            clock.advance(3'001);
            return 7;
        };
        for (int i = 0; i < 9; ++i) {
            const auto r = breaker.execute(slow);
            QCOMPARE(r.value(), 7); // the caller still gets its value
        }
        QCOMPARE(breaker.state(), CircuitBreaker::State::Closed);
        breaker.recordSuccess(3'001ms);
        QCOMPARE(breaker.state(), CircuitBreaker::State::Open);
    }

    void successAtTimeoutIsStillASuccess()
    {
        ManualClock clock;
        CircuitBreaker breaker(settings(), clockOf(clock));
        for (int i = 0; i < 20; ++i)
            breaker.recordSuccess(3'000ms);
        QCOMPARE(breaker.state(), CircuitBreaker::State::Closed);
    }

    void slowTrialReopens()
    {
        ManualClock clock;
        CircuitBreaker breaker(settings(), clockOf(clock));
        trip(breaker);
        clock.advance(30'000);
        QVERIFY(breaker.allowRequest());
        breaker.recordSuccess(5s);
        QCOMPARE(breaker.state(), CircuitBreaker::State::Open);
    }

    void permanentErrorsDoNotTripIt()
    {
        ManualClock clock;
        CircuitBreaker breaker(settings(), clockOf(clock));
        const auto notFound = []() -> Result<int> {
            return colophon::fail(Error::notFound(QStringLiteral("no such user")));
        };
        for (int i = 0; i < 50; ++i) {
            const auto r = breaker.execute(notFound);
            QVERIFY(!r.has_value());
            QCOMPARE(r.error().code, ErrorCode::NotFound);
        }
        QCOMPARE(breaker.state(), CircuitBreaker::State::Closed);
    }

    void transientErrorsThroughExecuteTripIt()
    {
        ManualClock clock;
        CircuitBreaker breaker(settings(), clockOf(clock));
        for (int i = 0; i < 10; ++i)
            QCOMPARE(breaker.execute(failTransient).error().message, QStringLiteral("down"));
        QCOMPARE(breaker.state(), CircuitBreaker::State::Open);
        QCOMPARE(breaker.execute(failTransient).error().message,
                 QStringLiteral("circuit 'users' is open"));
    }

    void exceptionCountsAsFailureAndReleasesTrial()
    {
        ManualClock clock;
        CircuitBreaker breaker(settings(), clockOf(clock));
        trip(breaker);
        clock.advance(30'000);
        const auto throws = []() -> Result<int> { throw std::runtime_error("boom"); };
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, breaker.execute(throws));
        QCOMPARE(breaker.state(), CircuitBreaker::State::Open);
    }

    void fallbackUsedWhenRejectedOrFailing_data()
    {
        QTest::addColumn<bool>("open");
        QTest::addColumn<bool>("callFails");
        QTest::addColumn<int>("expected");
        QTest::addColumn<int>("calls");
        QTest::newRow("closed, call succeeds") << false << false << 1 << 1;
        QTest::newRow("closed, call fails") << false << true << -1 << 1;
        QTest::newRow("open, rejected") << true << false << -1 << 0;
    }

    void fallbackUsedWhenRejectedOrFailing()
    {
        QFETCH(bool, open);
        QFETCH(bool, callFails);
        QFETCH(int, expected);
        QFETCH(int, calls);
        ManualClock clock;
        CircuitBreaker breaker(settings(), clockOf(clock));
        if (open)
            trip(breaker);
        int made = 0;
        const auto call = [&]() -> Result<int> {
            ++made;
            return callFails ? failTransient() : succeed();
        };
        const auto r = breaker.execute(call, [] { return -1; });
        QVERIFY(r.has_value());
        QCOMPARE(r.value(), expected);
        QCOMPARE(made, calls);
    }

    void fallbackNotUsedForPermanentErrors()
    {
        CircuitBreaker breaker(settings());
        const auto r = breaker.execute(
            []() -> Result<int> { return colophon::fail(Error::invalid(QStringLiteral("bad"))); },
            []() -> Result<int> { return -1; });
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().code, ErrorCode::InvalidInput);
    }

    void worksWithVoidResults()
    {
        CircuitBreaker breaker(settings());
        const auto r = breaker.execute([]() -> Result<void> { return {}; });
        QVERIFY(r.has_value());
        QCOMPARE(breaker.state(), CircuitBreaker::State::Closed);
    }
};

QTEST_GUILESS_MAIN(TestCircuitBreaker)
#include "tst_circuitbreaker.moc"
