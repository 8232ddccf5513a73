// SPDX-License-Identifier: MIT
// Proves that replicas and the server converge whatever the network and the
// clocks do: for each seed, editors and admins on four replicas make random
// offline changes to the same items (fields, bodies line by line, tags,
// workflow moves, deletions, links) and sync at random over a network that
// loses, duplicates and delays requests and answers, with skewed wall clocks
// that also step backwards. Once the network heals and everyone syncs, every
// replica's projections are row for row the server's, no event is pending,
// and every event the server took is in every log exactly once.
//
// A failing seed prints its row name; run just it again with
//   tst_syncsimulation converge:seed-<n>
// COLOPHON_SIM_SEEDS=<count> widens the run (default 300).

#include "tests/sync/syncfixture.h"

#include <QTest>

using namespace colophon;
using namespace syncfixture;

class SyncSimulation : public QObject
{
    Q_OBJECT

private slots:
    void converge_data();
    void converge();
    // Run after converge: the seeds together went through every hard case.
    void theSeedsExercisedEveryHardCase();

private:
    struct
    {
        int droppedRequests = 0, droppedAnswers = 0, duplicated = 0, heldBack = 0;
        int refused = 0, merged = 0, conflicts = 0, renamedSlugs = 0, corrected = 0;
    } m_seen;
};

namespace {

const QStringList kTags{QStringLiteral("news"),   QStringLiteral("howto"), QStringLiteral("qt"),
                        QStringLiteral("sqlite"), QStringLiteral("sync"),  QStringLiteral("local")};

QString pickOf(std::mt19937 &random, const QStringList &from)
{
    return from.at(std::uniform_int_distribution<qsizetype>(0, from.size() - 1)(random));
}

// One random change on a replica, through its content service. A change the
// service refuses (a move the workflow forbids) is simply not made.
void act(World &w, Replica &r, int step)
{
    std::mt19937 &rnd = w.random;
    ContentService &content = *r.node->content;
    const QStringList items = r.node->items();
    const int roll = std::uniform_int_distribution<>(0, 99)(rnd);
    if (items.isEmpty() || roll < 12) {
        ContentDraft draft;
        // Few titles, so replicas offline make the same slug.
        draft.title = QStringLiteral("Item %1 ☂").arg(step % 7);
        draft.body = QStringLiteral("one\ntwo\nthree\nfour\nfive\n");
        draft.tags = {pickOf(rnd, kTags)};
        (void)content.create(r.actor, draft);
        return;
    }
    const QString id = pickOf(rnd, items);
    auto current = content.get(r.actor, id);
    if (!current) {
        return;
    }
    ContentChange change;
    if (roll < 30) {
        change.title = QStringLiteral("Title %1.%2").arg(step).arg(roll);
    } else if (roll < 40) {
        change.description = QStringLiteral("About %1").arg(step);
    } else if (roll < 60) {
        QStringList lines = current->body.split(u'\n');
        const qsizetype at = std::uniform_int_distribution<qsizetype>(0, lines.size() - 1)(rnd);
        switch (std::uniform_int_distribution<>(0, 2)(rnd)) {
        case 0:
            lines[at] = QStringLiteral("line edited at %1").arg(step);
            break;
        case 1:
            lines.insert(at, QStringLiteral("line added at %1").arg(step));
            break;
        default:
            if (lines.size() > 2) {
                lines.removeAt(at);
            }
        }
        change.body = lines.join(u'\n');
    } else if (roll < 72) {
        QStringList tags = current->tags;
        const QString tag = pickOf(rnd, kTags);
        if (tags.contains(tag)) {
            tags.removeAll(tag);
        } else {
            tags << tag;
        }
        change.tags = tags;
    } else if (roll < 90) {
        static const ContentStatus moves[] = {ContentStatus::Draft, ContentStatus::Review,
                                              ContentStatus::Published, ContentStatus::Archived};
        change.status = moves[std::uniform_int_distribution<>(0, 3)(rnd)];
        change.comment = QStringLiteral("by the simulation");
    } else if (roll < 94) {
        (void)content.remove(r.actor, id);
        return;
    } else {
        const QString other = pickOf(rnd, items);
        if (other != id) {
            (void)content.link(r.actor, id, QStringLiteral("related"), other);
        }
        return;
    }
    (void)content.update(r.actor, id, change);
}

} // namespace

void SyncSimulation::converge_data()
{
    QTest::addColumn<unsigned>("seed");
    const int seeds = qEnvironmentVariableIsSet("COLOPHON_SIM_SEEDS")
                          ? qEnvironmentVariableIntValue("COLOPHON_SIM_SEEDS")
                          : 300;
    for (int s = 0; s < seeds; ++s) {
        QTest::addRow("seed-%d", s) << unsigned(s);
    }
}

void SyncSimulation::converge()
{
    QFETCH(unsigned, seed);
    World w(seed);
    QVERIFY(w.server && w.sync);
    std::mt19937 &rnd = w.random;
    // Clocks up to 30 s apart, and in one seed of four a replica minutes
    // ahead (its events are re-stamped); the server's own clock is right.
    for (int i = 0; i < 4; ++i) {
        const qint64 skew = i == 3 && seed % 4 == 0
                                ? std::uniform_int_distribution<qint64>(90'000, 300'000)(rnd)
                                : std::uniform_int_distribution<qint64>(-30'000, 30'000)(rnd);
        Replica &r = w.add(i == 0 ? Role::Admin : Role::Editor, skew);
        QVERIFY(r.node);
    }
    w.network->faults = {0.1, 0.1, 0.05, 0.05};

    const int steps = 60;
    for (int step = 0; step < steps; ++step) {
        w.nowMs += std::uniform_int_distribution<qint64>(1, 400)(rnd);
        Replica &r = w.replicas[std::uniform_int_distribution<size_t>(0, 3)(rnd)];
        const int roll = std::uniform_int_distribution<>(0, 99)(rnd);
        if (roll < 25) {
            (void)r.engine->sync(); // may fail on the faulty network: it will again
        } else if (roll < 28) {
            // A wall clock steps back (an NTP correction).
            r.node->clock.offsetMs -= std::uniform_int_distribution<qint64>(1, 10'000)(rnd);
        } else if (roll < 32) {
            w.network->releaseOne();
        } else {
            act(w, r, step);
        }
    }

    // The network heals; late copies still arrive; everyone syncs until quiet.
    w.network->faults = {};
    w.network->releaseAll();
    for (int round = 0; round < 3; ++round) {
        for (Replica &r : w.replicas) {
            auto done = r.engine->sync();
            QVERIFY2(done, qPrintable(why(done)));
        }
    }

    const auto &net = w.network->counts;
    m_seen.droppedRequests += net.droppedRequests;
    m_seen.droppedAnswers += net.droppedAnswers;
    m_seen.duplicated += net.duplicated;
    m_seen.heldBack += net.heldBack;
    const auto countOf = [](Node &n, const QString &sql) {
        auto q = execSql(n.db->connection(), sql);
        return q && q->next() ? q->value(0).toInt() : -1;
    };
    m_seen.merged += countOf(*w.server, QStringLiteral("SELECT COUNT(*) FROM event_log WHERE "
                                                       "payload LIKE '%\"reason\":\"merged\"%'"));
    m_seen.renamedSlugs +=
        countOf(*w.server, QStringLiteral("SELECT COUNT(*) FROM event_log WHERE payload LIKE "
                                          "'%\"reason\":\"slug-taken\"%'"));
    m_seen.conflicts +=
        countOf(*w.server, QStringLiteral("SELECT COUNT(*) FROM content_conflicts"));
    for (Replica &r : w.replicas) {
        m_seen.refused += countOf(*r.node, QStringLiteral("SELECT COUNT(*) FROM event_log WHERE "
                                                          "rejected IS NOT NULL"));
        m_seen.corrected += r.node->log->clock().correction() != 0 ? 1 : 0;
    }

    const QStringList expected = w.server->projection();
    auto serverCount = w.server->log->count();
    QVERIFY(serverCount);
    for (size_t i = 0; i < w.replicas.size(); ++i) {
        Replica &r = w.replicas[i];
        auto pending = r.node->log->pendingCount();
        QVERIFY(pending);
        QCOMPARE(*pending, 0);
        const QStringList got = r.node->projection();
        if (got != expected) {
            for (const QString &row : expected) {
                if (!got.contains(row)) {
                    qWarning("replica %zu lacks: %s", i, qPrintable(row.left(300)));
                }
            }
            for (const QString &row : got) {
                if (!expected.contains(row)) {
                    qWarning("replica %zu has extra: %s", i, qPrintable(row.left(300)));
                }
            }
        }
        QCOMPARE(r.node->checksum(), w.server->checksum());
        // The protocol's own check agrees.
        auto verified = r.engine->verify();
        QVERIFY2(verified, qPrintable(why(verified)));
        QVERIFY(verified->comparable && verified->same);
        // Each event the server holds is here once; only this replica's
        // refused events (kept, with their reason) are here besides.
        auto held = execSql(r.node->db->connection(),
                            QStringLiteral("SELECT COUNT(*) FROM event_log WHERE rejected IS "
                                           "NULL AND (server_seq IS NULL OR server_seq > 0)"));
        QVERIFY(held && held->next());
        QCOMPARE(held->value(0).toLongLong(), *serverCount);
    }
}

void SyncSimulation::theSeedsExercisedEveryHardCase()
{
    qInfo("network: %d requests lost, %d answers lost, %d duplicated, %d held back; server: %d "
          "events refused, %d bodies merged, %d conflicts recorded, %d slugs renamed; %d clocks "
          "corrected",
          m_seen.droppedRequests, m_seen.droppedAnswers, m_seen.duplicated, m_seen.heldBack,
          m_seen.refused, m_seen.merged, m_seen.conflicts, m_seen.renamedSlugs, m_seen.corrected);
    QVERIFY(m_seen.droppedRequests > 0);
    QVERIFY(m_seen.droppedAnswers > 0);
    QVERIFY(m_seen.duplicated > 0);
    QVERIFY(m_seen.heldBack > 0);
    QVERIFY(m_seen.refused > 0);
    QVERIFY(m_seen.merged > 0);
    QVERIFY(m_seen.conflicts > 0);
    QVERIFY(m_seen.renamedSlugs > 0);
    QVERIFY(m_seen.corrected > 0);
}

QTEST_GUILESS_MAIN(SyncSimulation)
#include "tst_syncsimulation.moc"
