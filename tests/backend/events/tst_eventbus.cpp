// SPDX-License-Identifier: MIT
// Tests of EventBus: delivery after commit on the context's thread, durable exactly-once.
#include "backend/events/eventbus.h"
#include "backend/observability/logger.h"
#include "eventfixture.h"

#include <QMutex>
#include <QMutexLocker>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <memory>
#include <spdlog/sinks/ostream_sink.h>
#include <sstream>

using colophon::Database;
using colophon::Error;
using colophon::ErrorCode;
using colophon::Event;
using colophon::EventBus;
using colophon::EventLog;
using colophon::execSql;
using colophon::fail;
using colophon::Logger;
using colophon::NewEvent;
using colophon::queryValue;
using colophon::Result;
using colophon::Transaction;
using colophon::test::appendOne;
using colophon::test::effectSeqs;
using colophon::test::range;
using colophon::test::recordEffect;

namespace {

constexpr int kTimeoutMs = 10'000; // durable retries come every second

QString describe(const Error &e)
{
    return QStringLiteral("%1: %2").arg(colophon::errorCodeName(e.code), e.message);
}

// The failure message of a result, empty when it holds a value (QVERIFY2 evaluates it anyway).
template <typename T> QString why(const Result<T> &r)
{
    return r ? QString() : describe(r.error());
}

// What handlers saw, written from any thread.
class Received
{
public:
    void add(const Event &e, bool projectionVisible = true)
    {
        QMutexLocker lock(&m_mutex);
        m_seqs << e.localSeq;
        m_types << e.type;
        m_threads << QThread::currentThread();
        m_allVisible = m_allVisible && projectionVisible;
    }
    qsizetype count() const
    {
        QMutexLocker lock(&m_mutex);
        return m_seqs.size();
    }
    QList<qint64> seqs() const
    {
        QMutexLocker lock(&m_mutex);
        return m_seqs;
    }
    QStringList types() const
    {
        QMutexLocker lock(&m_mutex);
        return m_types;
    }
    QList<QThread *> threads() const
    {
        QMutexLocker lock(&m_mutex);
        return m_threads;
    }
    bool allVisible() const
    {
        QMutexLocker lock(&m_mutex);
        return m_allVisible;
    }

private:
    mutable QMutex m_mutex;
    QList<qint64> m_seqs;
    QStringList m_types;
    QList<QThread *> m_threads;
    bool m_allVisible = true;
};

// A running thread with a context object living in it. The thread's database connection is
// closed on that thread before it stops.
class Worker
{
public:
    explicit Worker(Database &db) : m_db(db)
    {
        context.moveToThread(&thread);
        thread.start();
    }
    ~Worker()
    {
        QMetaObject::invokeMethod(
            &context, [this] { m_db.closeThreadConnection(); }, Qt::BlockingQueuedConnection);
        thread.quit();
        thread.wait();
    }
    Worker(const Worker &) = delete;
    Worker &operator=(const Worker &) = delete;

    QThread thread;
    QObject context;

private:
    Database &m_db;
};

bool projectionHas(Database &db, const QString &stream)
{
    const auto n =
        queryValue(db.connection(),
                   QStringLiteral("SELECT COUNT(*) FROM projection WHERE stream = ?"), {stream});
    return n && n->toInt() == 1;
}

} // namespace

class TestEventBus final : public QObject
{
    Q_OBJECT

private:
    bool openReplica()
    {
        auto r = colophon::test::openReplica(m_path);
        if (!r) {
            qWarning("%s", qPrintable(describe(r.error())));
            return false;
        }
        m_db = std::move(r->db);
        m_log = std::move(r->log);
        return true;
    }

    void closeReplica()
    {
        m_log.reset();
        m_db.reset();
    }

    bool appendEvents(int n)
    {
        for (int i = 0; i < n; ++i) {
            const auto e = appendOne(*m_db, *m_log, QStringLiteral("E%1").arg(i + 1));
            if (!e) {
                qWarning("%s", qPrintable(describe(e.error())));
                return false;
            }
        }
        return true;
    }

    // An event and its projection row, committed together.
    Result<Event> createContent(const QString &stream)
    {
        return m_db->transact([&](Transaction &tx) -> Result<Event> {
            auto e = m_log->append(
                tx, NewEvent{QStringLiteral("Created"), stream, nlohmann::json::object(), {}, 1});
            if (!e) {
                return e;
            }
            auto q = execSql(
                tx.db(), QStringLiteral("INSERT INTO projection (stream, title) VALUES (?, 't')"),
                {stream});
            if (!q) {
                return fail(q.error());
            }
            return e;
        });
    }

    QTemporaryDir m_dir;
    QString m_path;
    int m_files = 0;
    std::ostringstream m_logText;
    std::unique_ptr<Logger> m_logger;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<EventLog> m_log;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_logger = std::make_unique<Logger>(
            "tst_eventbus", std::make_shared<spdlog::sinks::ostream_sink_mt>(m_logText));
    }

    void init()
    {
        m_logText.str({});
        m_path = m_dir.filePath(QStringLiteral("bus-%1.db").arg(m_files++));
        QVERIFY(openReplica());
    }

    void cleanup() { closeReplica(); }

    void plainSubscriberGetsCommittedEventsInOrderOnItsThread()
    {
        Received got;
        Worker worker(*m_db);
        EventBus bus(*m_db, *m_log, *m_logger);
        bus.subscribe(QStringLiteral("plain"), &worker.context, [&](const Event &e) {
            // Whatever the event's transaction wrote is committed by the time it arrives.
            got.add(e, e.type != QLatin1String("Created") || projectionHas(*m_db, e.stream));
        });

        bool deliveredInside = true;
        const auto first = m_db->transact([&](Transaction &tx) -> Result<void> {
            auto e = m_log->append(tx, NewEvent{QStringLiteral("Created"),
                                                QStringLiteral("c/1"),
                                                nlohmann::json::object(),
                                                {},
                                                1});
            if (!e) {
                return fail(e.error());
            }
            auto q = execSql(
                tx.db(),
                QStringLiteral("INSERT INTO projection (stream, title) VALUES ('c/1', 't')"));
            if (!q) {
                return fail(q.error());
            }
            // Give the bus every chance to deliver early.
            deliveredInside = QTest::qWaitFor([&] { return got.count() > 0; }, 200);
            return {};
        });
        QVERIFY2(first, qPrintable(why(first)));
        QVERIFY(!deliveredInside);
        QTRY_COMPARE_WITH_TIMEOUT(got.count(), 1, kTimeoutMs);

        // Three in one transaction, then one more, then a second projection change.
        QVERIFY(m_db->transact([&](Transaction &tx) -> Result<void> {
            for (int i = 2; i <= 4; ++i) {
                auto e = m_log->append(tx, NewEvent{QStringLiteral("E%1").arg(i),
                                                    QStringLiteral("s"),
                                                    nlohmann::json::object(),
                                                    {},
                                                    1});
                if (!e) {
                    return fail(e.error());
                }
            }
            return {};
        }));
        QVERIFY(appendOne(*m_db, *m_log, QStringLiteral("E5")));
        QVERIFY(createContent(QStringLiteral("c/2")));

        QTRY_COMPARE_WITH_TIMEOUT(got.count(), 6, kTimeoutMs);
        QCOMPARE(got.seqs(), range(1, 6));
        QCOMPARE(got.types(), (QStringList{QStringLiteral("Created"), QStringLiteral("E2"),
                                           QStringLiteral("E3"), QStringLiteral("E4"),
                                           QStringLiteral("E5"), QStringLiteral("Created")}));
        QVERIFY(got.allVisible());
        for (QThread *t : got.threads()) {
            QCOMPARE(t, &worker.thread);
        }
        QVERIFY(&worker.thread != QThread::currentThread());
    }

    void plainSubscriberGetsNothingFromARolledBackTransaction()
    {
        Received got;
        Worker worker(*m_db);
        EventBus bus(*m_db, *m_log, *m_logger);
        bus.subscribe(QStringLiteral("plain"), &worker.context,
                      [&](const Event &e) { got.add(e); });

        const auto rolledBack = m_db->transact([&](Transaction &tx) -> Result<void> {
            auto e = m_log->append(tx, NewEvent{QStringLiteral("RolledBack"),
                                                QStringLiteral("s"),
                                                nlohmann::json::object(),
                                                {},
                                                1});
            if (!e) {
                return fail(e.error());
            }
            return fail(Error::conflict(QStringLiteral("changed my mind")));
        });
        QVERIFY(!rolledBack);
        // Delivery is in order: once the next committed event is in, an earlier one would be too.
        QVERIFY(appendOne(*m_db, *m_log, QStringLiteral("Committed")));
        QTRY_COMPARE_WITH_TIMEOUT(got.count(), 1, kTimeoutMs);
        QCOMPARE(got.types(), QStringList{QStringLiteral("Committed")});
        QCOMPARE(m_log->count().value_or(-1), qint64(1));
    }

    void plainSubscriberSeesOnlyLaterEventsUntilUnsubscribed()
    {
        QVERIFY(appendEvents(3)); // before it subscribes: not for it
        Received got;
        Received barrier;
        QObject context;
        EventBus bus(*m_db, *m_log, *m_logger);
        const int id =
            bus.subscribe(QStringLiteral("plain"), &context, [&](const Event &e) { got.add(e); });
        bus.subscribe(QStringLiteral("barrier"), &context, [&](const Event &e) { barrier.add(e); });

        QVERIFY(appendOne(*m_db, *m_log, QStringLiteral("Seen")));
        QTRY_COMPARE_WITH_TIMEOUT(barrier.count(), 1, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(got.count(), 1, kTimeoutMs);
        bus.unsubscribe(id);
        QVERIFY(appendOne(*m_db, *m_log, QStringLiteral("Unseen")));
        QTRY_COMPARE_WITH_TIMEOUT(barrier.count(), 2, kTimeoutMs);
        QCOMPARE(got.types(), QStringList{QStringLiteral("Seen")});
        QCOMPARE(got.seqs(), QList<qint64>{4});
        QCOMPARE(got.threads(), QList<QThread *>{QThread::currentThread()});
    }

    void durableSubscriberResumesFromItsCheckpointAfterAFailure()
    {
        constexpr int kEvents = 10;
        QVERIFY(appendEvents(kEvents));
        QObject context;
        EventBus bus(*m_db, *m_log, *m_logger);
        QList<qint64> attempts;
        int failures = 0;
        int duplicates = 0;
        bus.subscribeDurable(
            QStringLiteral("projector"), &context,
            [&](Transaction &tx, const Event &e) -> Result<void> {
                attempts << e.localSeq;
                // The effect is written first, so a failure must undo it.
                if (auto done = recordEffect(tx, QStringLiteral("projector"), e); !done) {
                    duplicates += done.error().code == ErrorCode::Conflict;
                    return done;
                }
                if (e.localSeq == 5 && failures == 0) {
                    ++failures;
                    return fail(Error::unavailable(QStringLiteral("index offline")));
                }
                return {};
            });
        bus.start();

        QTRY_COMPARE_WITH_TIMEOUT(failures, 1, kTimeoutMs);
        // The retry waits on a timer of this thread, so nothing moves while we look.
        QCOMPARE(bus.checkpoint(QStringLiteral("projector")).value_or(-1), qint64(4));
        QCOMPARE(effectSeqs(*m_db, QStringLiteral("projector")), range(1, 4));

        QTRY_COMPARE_WITH_TIMEOUT(effectSeqs(*m_db, QStringLiteral("projector")), range(1, kEvents),
                                  kTimeoutMs);
        QCOMPARE(bus.checkpoint(QStringLiteral("projector")).value_or(-1), qint64(kEvents));
        QCOMPARE(attempts, range(1, 5) + range(5, kEvents)); // only the failed one twice
        QCOMPARE(duplicates, 0);
        QVERIFY2(QString::fromStdString(m_logText.str()).contains(QLatin1String("index offline")),
                 m_logText.str().c_str());
    }

    void durableSubscriberReplaysFromCheckpointAtStartThenFollows()
    {
        QVERIFY(appendEvents(6));
        QVERIFY(
            execSql(m_db->connection(),
                    QStringLiteral("INSERT INTO event_checkpoints (subscriber, seq, updated_at) "
                                   "VALUES ('indexer', 3, 0)")));
        Received got;
        Worker worker(*m_db);
        EventBus bus(*m_db, *m_log, *m_logger);
        QCOMPARE(bus.checkpoint(QStringLiteral("indexer")).value_or(-1), qint64(3));
        QCOMPARE(bus.checkpoint(QStringLiteral("nobody")).value_or(-1), qint64(0));
        bus.subscribeDurable(QStringLiteral("indexer"), &worker.context,
                             [&](Transaction &tx, const Event &e) -> Result<void> {
                                 got.add(e);
                                 return recordEffect(tx, QStringLiteral("indexer"), e);
                             });

        // Nothing before start(), not even for a new commit.
        QVERIFY(appendOne(*m_db, *m_log, QStringLiteral("E7")));
        QVERIFY(!QTest::qWaitFor([&] { return got.count() > 0; }, 200));

        bus.start();
        QTRY_COMPARE_WITH_TIMEOUT(got.count(), 4, kTimeoutMs);
        QCOMPARE(got.seqs(), range(4, 7));
        QVERIFY(appendOne(*m_db, *m_log, QStringLiteral("E8")));
        QTRY_COMPARE_WITH_TIMEOUT(got.count(), 5, kTimeoutMs);
        QCOMPARE(got.seqs(), range(4, 8));
        for (QThread *t : got.threads()) {
            QCOMPARE(t, &worker.thread);
        }
        QTRY_COMPARE_WITH_TIMEOUT(bus.checkpoint(QStringLiteral("indexer")).value_or(-1), qint64(8),
                                  kTimeoutMs);
        const auto stored = queryValue(
            m_db->connection(),
            QStringLiteral("SELECT seq FROM event_checkpoints WHERE subscriber = 'indexer'"));
        QVERIFY(stored);
        QCOMPARE(stored->toLongLong(), qint64(8));
        QCOMPARE(effectSeqs(*m_db, QStringLiteral("indexer")), range(4, 8));
    }

    void newBusAfterKilledDeliveryAppliesEachEventOnce_data()
    {
        QTest::addColumn<QString>("how");
        QTest::addColumn<qint64>("checkpointAtRestart");
        QTest::newRow("destroyed with deliveries queued") << QStringLiteral("queued") << qint64(0);
        QTest::newRow("destroyed while its handler fails")
            << QStringLiteral("failing") << qint64(4);
        QTest::newRow("destroyed inside its handler") << QStringLiteral("inside") << qint64(5);
    }

    void newBusAfterKilledDeliveryAppliesEachEventOnce()
    {
        QFETCH(QString, how);
        QFETCH(qint64, checkpointAtRestart);
        constexpr int kEvents = 10;
        const QString name = QStringLiteral("mailer");
        QVERIFY(appendEvents(kEvents));
        QObject context;
        int failures = 0;
        int duplicates = 0;

        auto first = std::make_unique<EventBus>(*m_db, *m_log, *m_logger);
        first->subscribeDurable(
            name, &context, [&](Transaction &tx, const Event &e) -> Result<void> {
                if (auto done = recordEffect(tx, name, e); !done) {
                    duplicates += done.error().code == ErrorCode::Conflict;
                    return done;
                }
                if (e.localSeq == 5 && how == QLatin1String("failing")) {
                    ++failures;
                    return fail(Error::unavailable(QStringLiteral("smtp down")));
                }
                if (e.localSeq == 5 && how == QLatin1String("inside")) {
                    first.reset(); // the bus goes away mid-delivery
                }
                return {};
            });
        first->start();
        if (how == QLatin1String("failing")) {
            QTRY_COMPARE_WITH_TIMEOUT(failures, 1, kTimeoutMs);
        } else if (how == QLatin1String("inside")) {
            QTRY_VERIFY_WITH_TIMEOUT(!first, kTimeoutMs);
        }
        first.reset();
        // Whatever the first bus had queued or timed is now a no-op.
        // (A failed delivery's retry timer is due after a second: wait that out too.)
        const int settleMs = how == QLatin1String("failing") ? 1500 : 100;
        QVERIFY(!QTest::qWaitFor(
            [&] { return effectSeqs(*m_db, name).size() > checkpointAtRestart; }, settleMs));
        QCOMPARE(effectSeqs(*m_db, name), range(1, checkpointAtRestart));

        Received got;
        EventBus second(*m_db, *m_log, *m_logger);
        QCOMPARE(second.checkpoint(name).value_or(-1), checkpointAtRestart);
        second.subscribeDurable(name, &context,
                                [&](Transaction &tx, const Event &e) -> Result<void> {
                                    got.add(e);
                                    if (auto done = recordEffect(tx, name, e); !done) {
                                        duplicates += done.error().code == ErrorCode::Conflict;
                                        return done;
                                    }
                                    return {};
                                });
        second.start();
        QTRY_COMPARE_WITH_TIMEOUT(second.checkpoint(name).value_or(-1), qint64(kEvents),
                                  kTimeoutMs);
        QCOMPARE(got.seqs(), range(checkpointAtRestart + 1, kEvents));
        QCOMPARE(effectSeqs(*m_db, name), range(1, kEvents));
        QCOMPARE(duplicates, 0);
    }

    void crashInsideHandlerLosesAndDoublesNothing()
    {
        constexpr int kEvents = 10;
        constexpr int kCrashAt = 6;
        const QString name = QStringLiteral("crashy");
        QVERIFY(appendEvents(kEvents));
        closeReplica();

        QProcess helper;
        helper.setProcessChannelMode(QProcess::MergedChannels);
        helper.start(QStringLiteral(COLOPHON_EVENTBUS_CRASHER),
                     {m_path, name, QString::number(kCrashAt)});
        QVERIFY2(helper.waitForFinished(30'000), qPrintable(helper.errorString()));
        const QByteArray output = helper.readAll();
        QCOMPARE(helper.exitStatus(), QProcess::NormalExit);
        QVERIFY2(helper.exitCode() == 9, qPrintable(QStringLiteral("exit code %1: %2")
                                                        .arg(helper.exitCode())
                                                        .arg(QString::fromLocal8Bit(output))));

        // Restart: the crashed event's effect was never committed, nor was its checkpoint.
        QVERIFY(openReplica());
        QCOMPARE(effectSeqs(*m_db, name), range(1, kCrashAt - 1));
        QObject context;
        Received got;
        int duplicates = 0;
        EventBus bus(*m_db, *m_log, *m_logger);
        QCOMPARE(bus.checkpoint(name).value_or(-1), qint64(kCrashAt - 1));
        bus.subscribeDurable(name, &context, [&](Transaction &tx, const Event &e) -> Result<void> {
            got.add(e);
            if (auto done = recordEffect(tx, name, e); !done) {
                duplicates += done.error().code == ErrorCode::Conflict;
                return done;
            }
            return {};
        });
        bus.start();
        QTRY_COMPARE_WITH_TIMEOUT(bus.checkpoint(name).value_or(-1), qint64(kEvents), kTimeoutMs);
        QCOMPARE(got.seqs(), range(kCrashAt, kEvents));
        QCOMPARE(effectSeqs(*m_db, name), range(1, kEvents));
        QCOMPARE(duplicates, 0);
        const auto integrity =
            queryValue(m_db->connection(), QStringLiteral("PRAGMA integrity_check"));
        QVERIFY(integrity);
        QCOMPARE(integrity->toString(), QStringLiteral("ok"));
    }
};

QTEST_GUILESS_MAIN(TestEventBus)
#include "tst_eventbus.moc"
