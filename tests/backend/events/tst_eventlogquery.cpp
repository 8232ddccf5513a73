// SPDX-License-Identifier: MIT
// Tests of EventLog::query: each filter alone and together, newest first,
// paging with the sequence cursor, limit clamping and refused input, over a
// real replica database.
#include "backend/events/eventlog.h"
#include "eventfixture.h"
#include "tests/support/testsupport.h"

#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using colophon::Database;
using colophon::ErrorCode;
using colophon::Event;
using colophon::EventLog;
using colophon::EventQuery;
using colophon::NewEvent;
using colophon::Result;
using colophon::Transaction;
using colophon::test::ManualClock;

namespace {

constexpr qint64 kStart = 1'700'000'000'000;

// What the seeded log holds, one row per event, oldest first.
struct Seed
{
    const char *type;
    const char *stream;
    const char *actor;
    qint64 atMs; // the wall clock (so the HLC physical time) when appended
};

const Seed kSeeds[] = {
    {"UserCreated", "user/ann", "", kStart},
    {"UserAuthenticated", "user/ann", "ann", kStart + 1000},
    {"ContentCreated", "content/a", "ann", kStart + 2000},
    {"ContentUpdated", "content/a", "ann", kStart + 3000},
    {"CategoryCreated", "category/news", "ann", kStart + 4000},
    {"ContentCreated", "content/b", "bob", kStart + 5000},
    {"ContentStatusChanged", "content/a", "bob", kStart + 6000},
    {"ContentPublished", "content/a", "bob", kStart + 6000},
    {"UserUpdated", "user/bob", "ann", kStart + 7000},
    {"ContentUpdated", "content/b", "bob", kStart + 8000},
    // Looks like the prefixes but is not: "contents/" sorts right after "content/".
    {"ContentishThing", "contents/x", "carl", kStart + 9000},
};
constexpr int kSeedCount = int(std::size(kSeeds));

QString describe(const colophon::Error &e)
{
    return QStringLiteral("%1: %2").arg(colophon::errorCodeName(e.code), e.message);
}

} // namespace

class TestEventLogQuery final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_files = 0;
    ManualClock m_clock;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<EventLog> m_log;
    QList<qint64> m_seqs; // of kSeeds, in order

    // The seq numbers of the matching events (or {-1} and a warning on error).
    QList<qint64> seqs(const EventQuery &q)
    {
        const auto r = m_log->query(q);
        if (!r) {
            qWarning("query failed: %s", qPrintable(describe(r.error())));
            return {-1};
        }
        QList<qint64> out;
        for (const Event &e : *r) {
            out << e.localSeq;
        }
        return out;
    }

    // The seeded events' seqs, newest first, whose index passes keep.
    template <typename Keep> QList<qint64> expected(Keep keep) const
    {
        QList<qint64> out;
        for (int i = kSeedCount - 1; i >= 0; --i) {
            if (keep(kSeeds[i])) {
                out << m_seqs[i];
            }
        }
        return out;
    }

    Result<Event> append(const QString &type, const QString &stream, const QString &actor)
    {
        return m_db->transact([&](Transaction &tx) {
            return m_log->append(tx,
                                 NewEvent{type, stream, {{"by", actor.toStdString()}}, actor, 1});
        });
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void init()
    {
        m_clock.set(kStart);
        auto r = colophon::test::openReplica(
            m_dir.filePath(QStringLiteral("query-%1.db").arg(m_files++)),
            [this] { return m_clock.nowMs(); });
        QVERIFY2(r, r ? "" : qPrintable(describe(r.error())));
        m_db = std::move(r->db);
        m_log = std::move(r->log);
        m_seqs.clear();
        for (const Seed &s : kSeeds) {
            m_clock.set(s.atMs);
            const auto e =
                append(QLatin1String(s.type), QLatin1String(s.stream), QLatin1String(s.actor));
            QVERIFY2(e, e ? "" : qPrintable(describe(e.error())));
            m_seqs << e->localSeq;
        }
    }

    void cleanup()
    {
        m_log.reset();
        m_db.reset();
    }

    void withoutFiltersEveryEventComesNewestFirst()
    {
        QCOMPARE(seqs({}), expected([](const Seed &) { return true; }));
        const auto r = m_log->query({});
        QVERIFY(r);
        // Whole events, not just numbers.
        QCOMPARE(r->front().type, QStringLiteral("ContentishThing"));
        QCOMPARE(r->front().stream, QStringLiteral("contents/x"));
        QCOMPARE(r->front().actorId, QStringLiteral("carl"));
        QCOMPARE(r->front().payload.value("by", ""), std::string("carl"));
        QCOMPARE(r->front().hlc.physicalMs, kStart + 9000);
        QCOMPARE(r->back().actorId, QString());
    }

    void eachFilterAloneKeepsOnlyItsEvents()
    {
        EventQuery byTypes;
        byTypes.types = {QStringLiteral("ContentCreated"), QStringLiteral("UserUpdated")};
        QCOMPARE(seqs(byTypes), expected([](const Seed &s) {
                     return qstrcmp(s.type, "ContentCreated") == 0 ||
                            qstrcmp(s.type, "UserUpdated") == 0;
                 }));

        EventQuery byTypePrefix;
        byTypePrefix.typePrefix = QStringLiteral("Content");
        QCOMPARE(seqs(byTypePrefix), expected([](const Seed &s) {
                     return QLatin1String(s.type).startsWith(QLatin1String("Content"));
                 }));

        EventQuery byStream;
        byStream.stream = QStringLiteral("content/a");
        QCOMPARE(seqs(byStream),
                 expected([](const Seed &s) { return qstrcmp(s.stream, "content/a") == 0; }));
        QCOMPARE(seqs(byStream).size(), 4);

        EventQuery byStreamPrefix;
        byStreamPrefix.streamPrefix = QStringLiteral("content/");
        QCOMPARE(seqs(byStreamPrefix), expected([](const Seed &s) {
                     return QLatin1String(s.stream).startsWith(QLatin1String("content/"));
                 }));
        QVERIFY(!seqs(byStreamPrefix).contains(m_seqs.last())); // not "contents/x"

        EventQuery byActor;
        byActor.actorId = QStringLiteral("bob");
        QCOMPARE(seqs(byActor),
                 expected([](const Seed &s) { return qstrcmp(s.actor, "bob") == 0; }));

        EventQuery since;
        since.sinceMs = kStart + 6000; // inclusive
        QCOMPARE(seqs(since), expected([](const Seed &s) { return s.atMs >= kStart + 6000; }));

        EventQuery until;
        until.untilMs = kStart + 2000; // exclusive
        QCOMPARE(seqs(until), expected([](const Seed &s) { return s.atMs < kStart + 2000; }));
        QCOMPARE(seqs(until).size(), 2);
    }

    void filtersCombineAsAnd()
    {
        EventQuery q;
        q.streamPrefix = QStringLiteral("content/");
        q.actorId = QStringLiteral("bob");
        q.sinceMs = kStart + 5500;
        q.untilMs = kStart + 8000;
        q.types = {QStringLiteral("ContentStatusChanged"), QStringLiteral("ContentPublished"),
                   QStringLiteral("ContentUpdated")};
        QCOMPARE(seqs(q), (QList<qint64>{m_seqs[7], m_seqs[6]}));

        EventQuery none;
        none.stream = QStringLiteral("content/a");
        none.actorId = QStringLiteral("carl");
        QCOMPARE(seqs(none), QList<qint64>{});

        EventQuery window;
        window.typePrefix = QStringLiteral("Content");
        window.stream = QStringLiteral("content/b");
        window.sinceMs = kStart + 1;
        QCOMPARE(seqs(window), (QList<qint64>{m_seqs[9], m_seqs[5]}));
    }

    void pagingWithTheCursorGivesEveryEventOnceNewestFirst()
    {
        // More events than a page, on top of the seed.
        for (int i = 0; i < 37; ++i) {
            m_clock.advance(10);
            QVERIFY(append(QStringLiteral("ContentUpdated"), QStringLiteral("content/a"),
                           QStringLiteral("ann")));
        }
        for (const int pageSize : {1, 7, 10, 1000}) {
            EventQuery q;
            q.limit = pageSize;
            QList<qint64> all;
            int pages = 0;
            for (;;) {
                const QList<qint64> page = seqs(q);
                QVERIFY(!page.contains(-1));
                QVERIFY(page.size() <= pageSize);
                if (page.isEmpty()) {
                    break;
                }
                all += page;
                q.beforeSeq = page.last();
                QVERIFY(++pages < 100);
            }
            const qint64 total = m_log->count().value_or(-1);
            QCOMPARE(all.size(), total);
            QCOMPARE(QSet<qint64>(all.cbegin(), all.cend()).size(), all.size());
            for (int i = 1; i < all.size(); ++i) {
                QVERIFY(all[i - 1] > all[i]);
            }
        }

        // A filtered query pages the same way.
        EventQuery q;
        q.stream = QStringLiteral("content/a");
        q.limit = 5;
        QList<qint64> all;
        for (QList<qint64> page = seqs(q); !page.isEmpty(); page = seqs(q)) {
            all += page;
            q.beforeSeq = page.last();
        }
        QCOMPARE(all.size(), 4 + 37);
    }

    void theLimitIsClampedToOneToAThousand()
    {
        for (int i = 0; i < 1000; ++i) {
            m_clock.advance(1);
            QVERIFY(append(QStringLiteral("ContentUpdated"), QStringLiteral("content/b"),
                           QStringLiteral("bob")));
        }
        EventQuery q;
        q.limit = 5000;
        QCOMPARE(m_log->query(q).value_or(std::vector<Event>{}).size(), size_t(1000));
        q.limit = 3;
        QCOMPARE(m_log->query(q).value_or(std::vector<Event>{}).size(), size_t(3));
        for (const int tiny : {0, -1, -100}) {
            q.limit = tiny;
            const auto r = m_log->query(q);
            QVERIFY(r);
            QCOMPARE(r->size(), size_t(1));
        }
    }

    void invalidInputIsRefusedNamingTheField_data()
    {
        QTest::addColumn<qint64>("beforeSeq");
        QTest::addColumn<qint64>("sinceMs");
        QTest::addColumn<qint64>("untilMs");
        QTest::addColumn<QString>("field");
        QTest::newRow("negative cursor")
            << qint64(-1) << qint64(0) << qint64(0) << QStringLiteral("beforeSeq");
        QTest::newRow("negative since")
            << qint64(0) << qint64(-5) << qint64(0) << QStringLiteral("sinceMs");
        QTest::newRow("negative until")
            << qint64(0) << qint64(0) << qint64(-5) << QStringLiteral("untilMs");
        QTest::newRow("window ends before it begins")
            << qint64(0) << kStart + 5000 << kStart + 4000 << QStringLiteral("untilMs");
        QTest::newRow("empty window") << qint64(0) << kStart << kStart << QStringLiteral("untilMs");
    }

    void invalidInputIsRefusedNamingTheField()
    {
        QFETCH(qint64, beforeSeq);
        QFETCH(qint64, sinceMs);
        QFETCH(qint64, untilMs);
        QFETCH(QString, field);
        EventQuery q;
        q.beforeSeq = beforeSeq;
        q.sinceMs = sinceMs;
        q.untilMs = untilMs;
        const auto r = m_log->query(q);
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::InvalidInput);
        QCOMPARE(r.error().field, field);
    }

    void valuesAreBoundNotSpliced()
    {
        // Quotes, wildcards and SQL in a filter are only text to compare.
        QVERIFY(append(QStringLiteral("Odd"), QStringLiteral("content/it's %_"),
                       QStringLiteral("o'neil")));
        EventQuery q;
        q.stream = QStringLiteral("content/it's %_");
        QCOMPARE(seqs(q).size(), 1);
        q = {};
        q.streamPrefix = QStringLiteral("content/it's %");
        QCOMPARE(seqs(q).size(), 1);
        q = {};
        q.streamPrefix = QStringLiteral("%");
        QCOMPARE(seqs(q), QList<qint64>{});
        q = {};
        q.actorId = QStringLiteral("x' OR '1'='1");
        QCOMPARE(seqs(q), QList<qint64>{});
        q = {};
        q.types = {QStringLiteral("Odd'); DROP TABLE event_log; --")};
        QCOMPARE(seqs(q), QList<qint64>{});
        QCOMPARE(m_log->count().value_or(-1), qint64(kSeedCount + 1));
    }

    void aPrefixEndingInTheLastCodePointStillMatches()
    {
        const QString odd = QStringLiteral("tag/") + QString::fromUcs4(U"\U0010FFFF");
        QVERIFY(append(QStringLiteral("Odd"), odd + QStringLiteral("x"), QString()));
        EventQuery q;
        q.streamPrefix = odd;
        QCOMPARE(seqs(q).size(), 1);
        q.streamPrefix = QStringLiteral("tag/");
        QCOMPARE(seqs(q).size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestEventLogQuery)
#include "tst_eventlogquery.moc"
