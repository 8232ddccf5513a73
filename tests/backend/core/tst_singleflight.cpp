// SPDX-License-Identifier: MIT
// SingleFlight: one job at a time on its own thread; a start while one runs
// does nothing; wait() and the destructor return only once it has ended.
#include "backend/core/singleflight.h"

#include <QTest>
#include <QThread>
#include <atomic>
#include <future>

using colophon::SingleFlight;

class TestSingleFlight final : public QObject
{
    Q_OBJECT

private slots:
    void aStartWhileAJobRunsDoesNothing()
    {
        SingleFlight flight;
        std::promise<void> release;
        std::shared_future<void> released = release.get_future().share();
        std::atomic<int> runs{0};
        QVERIFY(flight.start([&] {
            ++runs;
            released.wait();
        }));
        QVERIFY(!flight.start([&] { ++runs; }));
        release.set_value();
        flight.wait();
        QCOMPARE(runs.load(), 1);
        // Once it has ended, the next one runs.
        QVERIFY(flight.start([&] { ++runs; }));
        flight.wait();
        QCOMPARE(runs.load(), 2);
    }

    void theOwnerWaitsForItsJob()
    {
        std::atomic<bool> ended{false};
        {
            SingleFlight flight;
            QVERIFY(flight.start([&] {
                QThread::msleep(50);
                ended = true;
            }));
        }
        QVERIFY(ended);
    }
};

QTEST_GUILESS_MAIN(TestSingleFlight)
#include "tst_singleflight.moc"
