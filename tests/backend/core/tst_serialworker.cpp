// SPDX-License-Identifier: MIT
// Proves SerialWorker: jobs run one at a time, in order, on its own thread;
// a throwing job does not stop the queue; destruction runs what was queued,
// then the exit hook on the worker's thread.
#include "backend/core/serialworker.h"

#include <QTest>
#include <atomic>
#include <thread>
#include <vector>

using namespace colophon;

class TestSerialWorker : public QObject
{
    Q_OBJECT

private slots:
    void runsJobsInOrderOneAtATimeOnItsOwnThread()
    {
        std::vector<int> order; // touched by the worker only, read after it ended
        std::atomic<int> running{0};
        std::atomic<int> mostAtOnce{0};
        std::thread::id workerThread;
        {
            SerialWorker worker;
            for (int i = 0; i < 50; ++i) {
                worker.submit([&, i] {
                    const int now = ++running;
                    mostAtOnce = std::max(mostAtOnce.load(), now);
                    workerThread = std::this_thread::get_id();
                    order.push_back(i);
                    std::this_thread::yield();
                    --running;
                });
            }
        } // the destructor runs all fifty
        QCOMPARE(int(order.size()), 50);
        for (int i = 0; i < 50; ++i) {
            QCOMPARE(order[std::size_t(i)], i);
        }
        QCOMPARE(mostAtOnce.load(), 1);
        QVERIFY(workerThread != std::this_thread::get_id());
    }

    void aThrowingJobLeavesTheQueueRunning()
    {
        std::atomic<int> ran{0};
        {
            SerialWorker worker;
            worker.submit([] { throw std::runtime_error("a job that fails"); });
            worker.submit([&] { ++ran; });
        }
        QCOMPARE(ran.load(), 1);
    }

    void theExitHookRunsLastOnTheWorkersThread()
    {
        std::thread::id jobThread;
        std::thread::id hookThread;
        bool jobBeforeHook = false;
        bool jobRan = false;
        {
            SerialWorker worker([&] {
                hookThread = std::this_thread::get_id();
                jobBeforeHook = jobRan;
            });
            worker.submit([&] {
                jobThread = std::this_thread::get_id();
                jobRan = true;
            });
        }
        QVERIFY(jobBeforeHook);
        QCOMPARE(hookThread, jobThread);
        QVERIFY(hookThread != std::this_thread::get_id());
    }
};

QTEST_GUILESS_MAIN(TestSerialWorker)
#include "tst_serialworker.moc"
