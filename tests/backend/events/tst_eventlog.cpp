// SPDX-License-Identifier: MIT
// Tests of EventLog: atomic with projections, stamping, identity and clock across restarts.
#include "backend/events/eventlog.h"
#include "eventfixture.h"
#include "tests/support/testsupport.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QTest>
#include <stdexcept>

using colophon::Database;
using colophon::Error;
using colophon::ErrorCode;
using colophon::Event;
using colophon::EventLog;
using colophon::execSql;
using colophon::fail;
using colophon::Hlc;
using colophon::NewEvent;
using colophon::queryValue;
using colophon::Result;
using colophon::Transaction;
using colophon::UuidV7Generator;
using colophon::test::ManualClock;
using colophon::test::onOtherThread;

namespace {

QString describe(const Error &e)
{
    return QStringLiteral("%1: %2").arg(colophon::errorCodeName(e.code), e.message);
}

// The failure message of a result, empty when it holds a value (QVERIFY2 evaluates it anyway).
template <typename T> QString why(const Result<T> &r)
{
    return r ? QString() : describe(r.error());
}

qint64 countRows(Database &db, const QString &table)
{
    const auto n = queryValue(db.connection(), QStringLiteral("SELECT COUNT(*) FROM ") + table);
    return n ? n->toLongLong() : -1;
}

Result<void> project(Transaction &tx, const QString &stream, const QString &title)
{
    auto q =
        execSql(tx.db(), QStringLiteral("INSERT INTO projection (stream, title) VALUES (?, ?)"),
                {stream, title});
    if (!q) {
        return fail(q.error());
    }
    return {};
}

NewEvent created(const QString &stream, const QString &title)
{
    return NewEvent{QStringLiteral("ContentCreated"),
                    stream,
                    {{"title", title.toStdString()}, {"tags", {"a", "b"}}, {"n", 1}},
                    QStringLiteral("user-1"),
                    2};
}

} // namespace

class TestEventLog final : public QObject
{
    Q_OBJECT

private:
    bool openReplica()
    {
        auto r = colophon::test::openReplica(m_path, [this] { return m_clock.nowMs(); });
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

    QTemporaryDir m_dir;
    QString m_path;
    int m_files = 0;
    ManualClock m_clock;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<EventLog> m_log;

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void init()
    {
        m_clock.set(1'700'000'000'000);
        m_path = m_dir.filePath(QStringLiteral("log-%1.db").arg(m_files++));
        QVERIFY(openReplica());
    }

    void cleanup() { closeReplica(); }

    void appendCommitsTogetherWithTheProjection()
    {
        QList<qint64> notified;
        m_log->setCommittedListener([&](qint64 seq) { notified << seq; });
        qint64 seenByOthersInside = -1;
        const auto appended = m_db->transact([&](Transaction &tx) -> Result<Event> {
            auto e =
                m_log->append(tx, created(QStringLiteral("content/1"), QStringLiteral("Hello")));
            if (!e) {
                return e;
            }
            if (auto p = project(tx, QStringLiteral("content/1"), QStringLiteral("Hello")); !p) {
                return fail(p.error());
            }
            // Not visible to any other connection before the commit.
            seenByOthersInside =
                onOtherThread(*m_db, [&] { return countRows(*m_db, QStringLiteral("event_log")); });
            if (!notified.isEmpty()) {
                return fail(Error::internal(QStringLiteral("listener told before commit")));
            }
            return e;
        });
        QVERIFY2(appended, qPrintable(why(appended)));
        QCOMPARE(seenByOthersInside, qint64(0));
        QCOMPARE(notified, QList<qint64>{appended->localSeq});

        const auto visible = onOtherThread(*m_db, [&] {
            return std::pair(countRows(*m_db, QStringLiteral("event_log")),
                             countRows(*m_db, QStringLiteral("projection")));
        });
        QCOMPARE(visible.first, qint64(1));
        QCOMPARE(visible.second, qint64(1));
        QCOMPARE(m_log->count().value_or(-1), qint64(1));
        QCOMPARE(m_log->lastSeq().value_or(-1), appended->localSeq);
    }

    void failedTransactionStoresNeitherEventNorProjection_data()
    {
        QTest::addColumn<bool>("throws");
        QTest::newRow("error result") << false;
        QTest::newRow("exception") << true;
    }

    void failedTransactionStoresNeitherEventNorProjection()
    {
        QFETCH(bool, throws);
        QVERIFY(colophon::test::appendOne(*m_db, *m_log, QStringLiteral("Before")));
        int notified = 0;
        m_log->setCommittedListener([&](qint64) { ++notified; });

        auto failing = [&](Transaction &tx) -> Result<void> {
            if (auto p = project(tx, QStringLiteral("content/2"), QStringLiteral("Lost")); !p) {
                return p;
            }
            if (auto e =
                    m_log->append(tx, created(QStringLiteral("content/2"), QStringLiteral("Lost")));
                !e) {
                return fail(e.error());
            }
            if (throws) {
                throw std::runtime_error("handler broke");
            }
            return fail(Error::conflict(QStringLiteral("title taken")));
        };
        if (throws) {
            QVERIFY_THROWS_EXCEPTION(std::runtime_error, (void)m_db->transact(failing));
        } else {
            const auto r = m_db->transact(failing);
            QVERIFY(!r);
            QCOMPARE(r.error().code, ErrorCode::Conflict);
        }
        QCOMPARE(notified, 0);
        QCOMPARE(countRows(*m_db, QStringLiteral("projection")), qint64(0));
        QCOMPARE(m_log->count().value_or(-1), qint64(1));
        const auto events = m_log->readAfter(0, 10);
        QVERIFY(events);
        QCOMPARE(events->size(), size_t(1));
        QCOMPARE(events->front().type, QStringLiteral("Before"));
    }

    void eventsAreStampedWithSeqIdAndReplica()
    {
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        std::vector<Event> appended;
        for (int t = 0; t < 8; ++t) {
            // 1, 2 or 3 events per transaction.
            const auto r = m_db->transact([&](Transaction &tx) -> Result<void> {
                for (int i = 0; i <= t % 3; ++i) {
                    auto e = m_log->append(
                        tx,
                        created(QStringLiteral("content/%1").arg(t), QStringLiteral("t%1").arg(i)),
                        QStringLiteral("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
                    if (!e) {
                        return fail(e.error());
                    }
                    appended.push_back(*e);
                }
                return {};
            });
            QVERIFY2(r, qPrintable(why(r)));
            if (t % 2 == 0) {
                m_clock.advance(-5'000); // the wall clock misbehaving must not matter
            }
        }
        const qint64 after = QDateTime::currentMSecsSinceEpoch();

        const QString replica = m_log->replicaId();
        QVERIFY(!QUuid::fromString(replica).isNull());
        QCOMPARE(UuidV7Generator::version(QUuid::fromString(replica)), 7);
        const auto stored = m_log->readAfter(0, 100);
        QVERIFY(stored);
        QCOMPARE(stored->size(), appended.size());
        for (size_t i = 0; i < appended.size(); ++i) {
            const Event &e = appended[i];
            const Event &s = (*stored)[i];
            QCOMPARE(e.localSeq, qint64(i + 1));
            QCOMPARE(UuidV7Generator::version(e.id), 7);
            QCOMPARE(e.replicaId, replica);
            QCOMPARE(e.hlc.replica, replica);
            QVERIFY(e.recordedAtMs >= before && e.recordedAtMs <= after);
            if (i > 0) {
                const Event &p = appended[i - 1];
                QVERIFY(p.id.toRfc4122() < e.id.toRfc4122());
                QVERIFY(p.hlc < e.hlc);
            }
            // What was stored is what append returned.
            QCOMPARE(s.localSeq, e.localSeq);
            QCOMPARE(s.id, e.id);
            QCOMPARE(s.type, QStringLiteral("ContentCreated"));
            QCOMPARE(s.typeVersion, 2);
            QCOMPARE(s.stream, e.stream);
            QVERIFY2(s.payload == e.payload, s.payload.dump().c_str());
            QCOMPARE(s.actorId, QStringLiteral("user-1"));
            QCOMPARE(s.replicaId, replica);
            QCOMPARE(s.hlc, e.hlc);
            QVERIFY(!s.serverSeq.has_value());
            QCOMPARE(s.traceparent, e.traceparent);
            QCOMPARE(s.recordedAtMs, e.recordedAtMs);
            QVERIFY2(s.toJson() == e.toJson(), s.toJson().dump().c_str());
        }
    }

    void replicaIdIsStableAcrossReopen()
    {
        const QString first = m_log->replicaId();
        QVERIFY(!first.isEmpty());
        QVERIFY(colophon::test::appendOne(*m_db, *m_log, QStringLiteral("A")));
        closeReplica();

        QVERIFY(openReplica());
        QCOMPARE(m_log->replicaId(), first);
        QCOMPARE(countRows(*m_db, QStringLiteral("event_replica")), qint64(1));
        const auto e = colophon::test::appendOne(*m_db, *m_log, QStringLiteral("B"));
        QVERIFY(e);
        QCOMPARE(e->replicaId, first);

        // Another file is another replica.
        auto other = colophon::test::openReplica(
            m_dir.filePath(QStringLiteral("other-%1.db").arg(m_files++)));
        QVERIFY2(other, qPrintable(why(other)));
        QVERIFY(other->log->replicaId() != first);
    }

    void clockKeepsGrowingAfterReopenWithWallClockSetBack()
    {
        for (int i = 0; i < 5; ++i) {
            m_clock.advance(1000);
            QVERIFY(colophon::test::appendOne(*m_db, *m_log, QStringLiteral("Old%1").arg(i)));
        }
        const auto newestStored =
            queryValue(m_db->connection(), QStringLiteral("SELECT MAX(hlc) FROM event_log"));
        QVERIFY(newestStored);
        const auto newest = Hlc::parse(newestStored->toString());
        QVERIFY(newest);
        closeReplica();

        m_clock.advance(-86'400'000); // the machine restarts with its clock a day behind
        QVERIFY(openReplica());
        for (int i = 0; i < 3; ++i) {
            const auto e = colophon::test::appendOne(*m_db, *m_log, QStringLiteral("New%1").arg(i));
            QVERIFY2(e, qPrintable(why(e)));
            QVERIFY2(*newest < e->hlc,
                     qPrintable(e->hlc.toString() + QStringLiteral(" <= ") + newest->toString()));
            QVERIFY(newest->toString() < e->hlc.toString());
            QVERIFY(e->hlc.physicalMs >= newest->physicalMs);
        }
        // In log order, every stamp is after the one before it.
        const auto all = m_log->readAfter(0, 100);
        QVERIFY(all);
        QCOMPARE(all->size(), size_t(8));
        for (size_t i = 1; i < all->size(); ++i) {
            QVERIFY((*all)[i - 1].hlc < (*all)[i].hlc);
        }
    }

    void appendRejectsInvalidEvents_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("stream");
        QTest::addColumn<QByteArray>("payload");
        QTest::newRow("empty type") << QString() << QStringLiteral("s/1") << QByteArray("{}");
        QTest::newRow("empty stream") << QStringLiteral("T") << QString() << QByteArray("{}");
        QTest::newRow("array payload")
            << QStringLiteral("T") << QStringLiteral("s/1") << QByteArray("[1,2]");
        QTest::newRow("string payload")
            << QStringLiteral("T") << QStringLiteral("s/1") << QByteArray("\"x\"");
        QTest::newRow("number payload")
            << QStringLiteral("T") << QStringLiteral("s/1") << QByteArray("3");
        QTest::newRow("null payload")
            << QStringLiteral("T") << QStringLiteral("s/1") << QByteArray("null");
    }

    void appendRejectsInvalidEvents()
    {
        QFETCH(QString, type);
        QFETCH(QString, stream);
        QFETCH(QByteArray, payload);
        int notified = 0;
        m_log->setCommittedListener([&](qint64) { ++notified; });
        std::optional<Error> rejected;
        // The caller ignores the error and commits: still nothing is stored.
        const auto r = m_db->transact([&](Transaction &tx) -> Result<void> {
            const auto e = m_log->append(
                tx, NewEvent{type, stream, nlohmann::json::parse(payload.toStdString()), {}, 1});
            if (!e) {
                rejected = e.error();
            }
            return {};
        });
        QVERIFY(r);
        QVERIFY(rejected.has_value());
        QCOMPARE(rejected->code, ErrorCode::InvalidInput);
        QCOMPARE(m_log->count().value_or(-1), qint64(0));
        QCOMPARE(notified, 0);
    }

    void readAfterPagesInOrder()
    {
        constexpr int kEvents = 25;
        for (int i = 1; i <= kEvents; ++i) {
            QVERIFY(colophon::test::appendOne(*m_db, *m_log, QStringLiteral("E%1").arg(i),
                                              QStringLiteral("stream/%1").arg(i % 3)));
        }
        QList<qint64> seqs;
        QStringList types;
        QList<size_t> pageSizes;
        qint64 after = 0;
        for (int guard = 0; guard < 10; ++guard) {
            const auto page = m_log->readAfter(after, 10);
            QVERIFY2(page, qPrintable(why(page)));
            pageSizes << page->size();
            if (page->empty()) {
                break;
            }
            for (const Event &e : *page) {
                seqs << e.localSeq;
                types << e.type;
            }
            after = page->back().localSeq;
        }
        QCOMPARE(pageSizes, (QList<size_t>{10, 10, 5, 0}));
        QCOMPARE(seqs, colophon::test::range(1, kEvents));
        QCOMPARE(types.first(), QStringLiteral("E1"));
        QCOMPARE(types.last(), QStringLiteral("E25"));

        const auto middle = m_log->readAfter(7, 3);
        QVERIFY(middle);
        QCOMPARE(middle->size(), size_t(3));
        QCOMPARE(middle->front().localSeq, qint64(8));
        QCOMPARE(middle->back().localSeq, qint64(10));
        const auto past = m_log->readAfter(kEvents, 10);
        QVERIFY(past);
        QVERIFY(past->empty());
    }
};

QTEST_GUILESS_MAIN(TestEventLog)
#include "tst_eventlog.moc"
