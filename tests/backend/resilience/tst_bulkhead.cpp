// SPDX-License-Identifier: MIT
// Tests of Bulkhead with real threads, coordinated by semaphores rather than sleeps.
#include "backend/resilience/bulkhead.h"

#include <QElapsedTimer>
#include <QTest>
#include <atomic>
#include <functional>
#include <optional>
#include <semaphore>
#include <stdexcept>
#include <thread>

using colophon::Bulkhead;
using colophon::Error;
using colophon::ErrorCode;
using colophon::Result;
using namespace std::chrono_literals;

namespace {

constexpr auto kPatience = 5s; // upper bound for waits that should end almost at once

// Polls pred until it holds or kPatience runs out.
bool eventually(const std::function<bool()> &pred)
{
    QElapsedTimer timer;
    timer.start();
    while (!pred()) {
        if (timer.elapsed() > std::chrono::milliseconds(kPatience).count())
            return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

// A call on its own thread that takes a slot and holds it until released.
class Holder final
{
public:
    explicit Holder(Bulkhead &bulkhead)
        : m_thread([this, &bulkhead] {
              m_result = bulkhead.execute([this]() -> Result<int> {
                  m_started.release();
                  if (!m_release.try_acquire_for(kPatience))
                      return colophon::fail(Error::internal(QStringLiteral("never released")));
                  return 1;
              });
          })
    {
    }
    ~Holder() { finish(); }

    bool waitStarted() { return m_started.try_acquire_for(kPatience); }
    void release() { m_release.release(); }
    // Releases the slot if still held and joins; the call's result.
    const std::optional<Result<int>> &finish()
    {
        if (m_thread.joinable()) {
            m_release.release();
            m_thread.join();
        }
        return m_result;
    }

private:
    std::binary_semaphore m_started{0};
    std::binary_semaphore m_release{0};
    std::optional<Result<int>> m_result;
    std::thread m_thread; // last: starts once the semaphores exist
};

Result<int> ok()
{
    return 1;
}

} // namespace

class TestBulkhead final : public QObject
{
    Q_OBJECT

private slots:
    void runsUpToMaxConcurrentCallsAtOnce()
    {
        Bulkhead bulkhead("search", 2, 0);
        std::counting_semaphore<2> inside{0};
        std::counting_semaphore<2> gate{0};
        std::optional<Result<int>> results[2];
        const auto call = [&](int i) {
            results[i] = bulkhead.execute([&]() -> Result<int> {
                inside.release();
                if (!gate.try_acquire_for(kPatience))
                    return colophon::fail(Error::internal(QStringLiteral("gate never opened")));
                return i;
            });
        };
        std::thread first(call, 0);
        std::thread second(call, 1);
        // Both calls are inside at the same time.
        const bool bothInside =
            inside.try_acquire_for(kPatience) && inside.try_acquire_for(kPatience);
        const int activeWhileFull = bulkhead.active();
        bool thirdRan = false;
        const auto third = bulkhead.execute([&]() -> Result<int> {
            thirdRan = true;
            return 3;
        });
        gate.release(2);
        first.join();
        second.join();

        QVERIFY(bothInside);
        QCOMPARE(activeWhileFull, 2);
        QVERIFY(!third.has_value());
        QVERIFY(!thirdRan);
        QCOMPARE(results[0]->value(), 0);
        QCOMPARE(results[1]->value(), 1);
        QCOMPARE(bulkhead.active(), 0);
    }

    void rejectsAtOncePastItsQueue()
    {
        Bulkhead bulkhead("sync", 1, 1);
        Holder holder(bulkhead);
        QVERIFY(holder.waitStarted());
        std::optional<Result<int>> queuedResult;
        std::thread queuedCall([&] { queuedResult = bulkhead.execute(ok); });
        const bool queued = eventually([&] { return bulkhead.queued() == 1; });

        bool ran = false;
        QElapsedTimer timer;
        timer.start();
        const auto rejected = bulkhead.execute([&]() -> Result<int> {
            ran = true;
            return 2;
        });
        const qint64 waited = timer.elapsed();
        holder.release();
        queuedCall.join();

        QVERIFY(queued);
        QVERIFY(!rejected.has_value());
        QCOMPARE(rejected.error().code, ErrorCode::Unavailable);
        QCOMPARE(rejected.error().message, QStringLiteral("bulkhead 'sync' is full"));
        QVERIFY(!ran);
        QVERIFY2(waited < 1000, qPrintable(QString::number(waited))); // maxWait is 30 s
        QVERIFY(queuedResult.has_value() && queuedResult->has_value());
        QCOMPARE(holder.finish()->value(), 1);
    }

    void queuedCallRunsWhenSlotFrees()
    {
        Bulkhead bulkhead("mail", 1, 2);
        Holder holder(bulkhead);
        QVERIFY(holder.waitStarted());
        std::atomic<bool> holderDone{false};
        std::atomic<bool> ranAfterHolder{false};
        std::atomic<bool> ran{false};
        std::optional<Result<int>> queuedResult;
        std::thread queuedCall([&] {
            queuedResult = bulkhead.execute([&]() -> Result<int> {
                ran = true;
                ranAfterHolder = holderDone.load();
                return 5;
            });
        });
        QVERIFY(eventually([&] { return bulkhead.queued() == 1; }));
        QVERIFY(!ran);
        QCOMPARE(bulkhead.active(), 1);

        holderDone = true;
        const auto held = holder.finish();
        queuedCall.join();

        QCOMPARE(held->value(), 1);
        QVERIFY(ran);
        QVERIFY(ranAfterHolder);
        QCOMPARE(queuedResult->value(), 5);
        QCOMPARE(bulkhead.active(), 0);
        QCOMPARE(bulkhead.queued(), 0);
    }

    void exceptionReleasesTheSlot()
    {
        Bulkhead bulkhead("cdn", 1, 0);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, bulkhead.execute([]() -> Result<int> {
            throw std::runtime_error("boom");
        }));
        QCOMPARE(bulkhead.active(), 0);
        const auto after = bulkhead.execute(ok);
        QVERIFY(after.has_value());
    }

    void exceptionHandsTheSlotToAQueuedCall()
    {
        Bulkhead bulkhead("cdn", 1, 1);
        std::binary_semaphore started{0};
        std::binary_semaphore release{0};
        bool threw = false;
        std::thread thrower([&] {
            try {
                bulkhead.execute([&]() -> Result<int> {
                    started.release();
                    (void)release.try_acquire_for(kPatience);
                    throw std::runtime_error("boom");
                });
            } catch (const std::runtime_error &) {
                threw = true;
            }
        });
        QVERIFY(started.try_acquire_for(kPatience));
        std::optional<Result<int>> queuedResult;
        std::thread queuedCall([&] { queuedResult = bulkhead.execute(ok); });
        const bool queued = eventually([&] { return bulkhead.queued() == 1; });
        release.release();
        thrower.join();
        queuedCall.join();

        QVERIFY(queued);
        QVERIFY(threw);
        QVERIFY(queuedResult.has_value() && queuedResult->has_value());
        QCOMPARE(bulkhead.active(), 0);
    }

    void queuedCallIsRejectedAfterMaxWait()
    {
        Bulkhead bulkhead("payments", 1, 1, 50ms);
        Holder holder(bulkhead);
        QVERIFY(holder.waitStarted());
        bool ran = false;
        QElapsedTimer timer;
        timer.start();
        const auto rejected = bulkhead.execute([&]() -> Result<int> {
            ran = true;
            return 2;
        });
        const qint64 waited = timer.elapsed();

        QVERIFY(!rejected.has_value());
        QCOMPARE(rejected.error().code, ErrorCode::Unavailable);
        QCOMPARE(rejected.error().message, QStringLiteral("bulkhead 'payments' is full"));
        QVERIFY(!ran);
        QVERIFY2(waited >= 45, qPrintable(QString::number(waited)));
        QCOMPARE(bulkhead.queued(), 0);
        QCOMPARE(bulkhead.active(), 1);
        QCOMPARE(holder.finish()->value(), 1);
        QCOMPARE(bulkhead.active(), 0);
    }

    void passesResultsAndErrorsThrough()
    {
        Bulkhead bulkhead("db", 2, 2);
        const auto value =
            bulkhead.execute([]() -> Result<QString> { return QStringLiteral("x"); });
        QCOMPARE(value.value(), QStringLiteral("x"));
        const auto error = bulkhead.execute(
            []() -> Result<void> { return colophon::fail(Error::notFound(QStringLiteral("no"))); });
        QCOMPARE(error.error().code, ErrorCode::NotFound);
        QCOMPARE(bulkhead.active(), 0);
    }

    void invalidLimitsAreRejected()
    {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Bulkhead("x", 0, 1));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Bulkhead("x", 1, -1));
    }
};

QTEST_GUILESS_MAIN(TestBulkhead)
#include "tst_bulkhead.moc"
