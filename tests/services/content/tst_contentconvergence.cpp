// SPDX-License-Identifier: MIT
// Proves that applying content events is idempotent and order-independent:
// two replicas edit the same items concurrently; the union of their events,
// shuffled and duplicated, gives identical projections in fresh databases,
// and equals what each replica holds once it has the other's events.
#include "services/content/contentprojection.h"
#include "tests/services/content/contentfixture.h"

#include <QRandomGenerator>
#include <algorithm>
#include <random>

using namespace contentfixture;

class TestContentConvergence final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    colophon::test::ManualClock m_clock;
    int m_files = 0;

    std::unique_ptr<Replica> fresh()
    {
        return Replica::open(m_dir.filePath(QStringLiteral("r%1.db").arg(m_files++)), m_clock);
    }

    static std::vector<Event> eventsOf(const Replica &r)
    {
        auto all = r.log->readAfter(0, 1'000'000);
        return all ? *all : std::vector<Event>{};
    }

    // Applies each event in its own transaction, as a pull would.
    static bool applyAll(Replica &r, const std::vector<Event> &events)
    {
        const ContentProjection projection;
        for (const Event &e : events) {
            auto ok = r.db->transact(
                [&](Transaction &tx) -> Result<void> { return projection.apply(tx, e); });
            if (!ok) {
                qWarning("apply %s: %s", qPrintable(e.type), qPrintable(describe(ok.error())));
                return false;
            }
        }
        return true;
    }

    static QString firstDifference(const QStringList &a, const QStringList &b)
    {
        for (int i = 0; i < std::max(a.size(), b.size()); ++i) {
            const QString x = a.value(i);
            const QString y = b.value(i);
            if (x != y) {
                return QStringLiteral("row %1:\n  %2\n  %3").arg(i).arg(x, y);
            }
        }
        return {};
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void shuffledDuplicatedEventsGiveIdenticalProjections()
    {
        auto one = fresh();
        auto two = fresh();
        QVERIFY(one && two);
        const Actor editor = actor(Role::Editor);
        const Actor creator = actor(Role::Creator);

        // Replica one creates categories and items; replica two receives them.
        auto alpha = one->content->createCategory(editor, {QStringLiteral("Alpha"), {}, {}, {}});
        auto beta = one->content->createCategory(editor, {QStringLiteral("Beta"), {}, {}, {}});
        QVERIFY(alpha && beta);
        QStringList ids;
        for (int i = 0; i < 12; ++i) {
            m_clock.advance(1000);
            ContentDraft draft;
            draft.title = QStringLiteral("Item %1 — Ünïcode").arg(i);
            draft.body = QStringLiteral("line one\nline two %1\n").arg(i);
            draft.tags = {QStringLiteral("alpha"), QStringLiteral("tag %1").arg(i % 3)};
            draft.metadata = {{"n", i}};
            if (i % 2 == 0) {
                draft.categories = {alpha->id};
            }
            auto item = one->content->create(i % 2 ? creator : editor, draft);
            QVERIFY2(item, qPrintable(why(item)));
            ids << item->id;
        }
        QVERIFY(applyAll(*two, eventsOf(*one)));
        const std::size_t sharedEvents = eventsOf(*one).size();

        // Both now edit the same items, neither seeing the other's changes.
        for (int i = 0; i < ids.size(); ++i) {
            m_clock.advance(500);
            ContentChange a;
            a.title = QStringLiteral("One's title %1").arg(i);
            a.tags = QStringList{QStringLiteral("alpha"), QStringLiteral("from-one")};
            if (i % 3 == 0) {
                a.status = ContentStatus::Published;
            }
            QVERIFY2(one->content->update(editor, ids[i], a), qPrintable(QString::number(i)));
            m_clock.advance(7);
            ContentChange b;
            b.description = QStringLiteral("Two's description %1").arg(i);
            b.title = i % 2 ? std::optional(QStringLiteral("Two's title %1").arg(i)) : std::nullopt;
            b.tags = QStringList{QStringLiteral("from-two")};
            b.metadata = nlohmann::json{{"n", i}, {"edited", true}};
            if (i % 4 == 1) {
                b.status = ContentStatus::Archived;
            }
            QVERIFY2(two->content->update(editor, ids[i], b), qPrintable(QString::number(i)));
        }
        // Concurrent category edits and links.
        CategoryChange rename;
        rename.name = QStringLiteral("Alpha renamed on two");
        QVERIFY(two->content->updateCategory(editor, alpha->id, rename));
        CategoryChange describe;
        describe.description = QStringLiteral("described on one");
        QVERIFY(one->content->updateCategory(editor, alpha->id, describe));
        ContentChange recategorise;
        recategorise.categories = QStringList{beta->id};
        QVERIFY(one->content->update(editor, ids[2], recategorise));
        recategorise.categories = QStringList{alpha->id, beta->id};
        QVERIFY(two->content->update(editor, ids[2], recategorise));
        QVERIFY(one->content->link(editor, ids[0], QStringLiteral("series"), ids[1], 1));
        m_clock.advance(3);
        QVERIFY(two->content->link(editor, ids[0], QStringLiteral("series"), ids[1], 5));
        QVERIFY(two->content->link(editor, ids[3], QStringLiteral("related"), ids[4]));
        QVERIFY(one->content->remove(editor, ids[5]));
        m_clock.advance(1);
        ContentChange late;
        late.body = QStringLiteral("an edit to an item the other side deleted");
        QVERIFY(two->content->update(editor, ids[5], late));

        std::vector<Event> all = eventsOf(*one);
        const std::vector<Event> fromTwo = eventsOf(*two);
        all.insert(all.end(), fromTwo.begin(), fromTwo.end());
        QVERIFY(all.size() > sharedEvents + 2 * std::size_t(ids.size()));

        // Each replica takes the other's new events.
        QVERIFY(applyAll(*one, fromTwo));
        const std::vector<Event> fromOne = eventsOf(*one);
        QVERIFY(applyAll(*two, {fromOne.begin() + long(sharedEvents), fromOne.end()}));

        // Fresh replicas take everything, shuffled, some twice.
        std::vector<std::unique_ptr<Replica>> others;
        for (unsigned seed : {1u, 2u, 3u}) {
            std::vector<Event> stream = all;
            std::mt19937 random(seed);
            for (std::size_t i = 0; i < all.size(); i += 3) {
                stream.push_back(all[random() % all.size()]);
            }
            std::shuffle(stream.begin(), stream.end(), random);
            auto r = fresh();
            QVERIFY(r);
            QVERIFY(applyAll(*r, stream));
            others.push_back(std::move(r));
        }
        const QStringList expected = others.front()->projection();
        QVERIFY(expected.size() > 50);
        for (const auto &r : others) {
            const QStringList got = r->projection();
            QVERIFY2(got == expected, qPrintable(firstDifference(expected, got)));
        }
        QVERIFY2(one->projection() == expected,
                 qPrintable(firstDifference(expected, one->projection())));
        QVERIFY2(two->projection() == expected,
                 qPrintable(firstDifference(expected, two->projection())));

        // And the merged state is what the stamps say: per field, the later edit.
        auto merged = others.front()->content->get(editor, ids[1]);
        QVERIFY2(merged, qPrintable(why(merged)));
        QCOMPARE(merged->title, QStringLiteral("Two's title 1"));
        QCOMPARE(merged->description, QStringLiteral("Two's description 1"));
        QVERIFY(!others.front()->content->get(editor, ids[5])); // the tombstone holds
        auto category = others.front()->content->category(editor, alpha->id);
        QCOMPARE(category->name, QStringLiteral("Alpha renamed on two"));
        QCOMPARE(category->description, QStringLiteral("described on one"));
        auto series = others.front()->content->relations(editor, ids[0]);
        QCOMPARE(series->size(), std::size_t(1));
        QCOMPARE(series->front().position, 5); // the later link wins
        auto kept = others.front()->content->get(editor, ids[0]);
        QCOMPARE(kept->title, QStringLiteral("One's title 0")); // two did not touch it
        // Sets merge by operation: two removed "alpha", which one kept; one's
        // concurrent addition of "from-one" survives two's edit, which never saw it.
        QCOMPARE(kept->tags, (QStringList{QStringLiteral("from-one"), QStringLiteral("from-two")}));
    }

    void applyingAnEventTwiceChangesNothing()
    {
        auto r = fresh();
        QVERIFY(r);
        const Actor editor = actor(Role::Editor);
        ContentDraft draft;
        draft.title = QStringLiteral("Once");
        draft.tags = {QStringLiteral("t")};
        auto item = r->content->create(editor, draft);
        QVERIFY(item);
        ContentChange change;
        change.title = QStringLiteral("Twice?");
        QVERIFY(r->content->update(editor, item->id, change));
        const QStringList before = r->projection();
        QVERIFY(applyAll(*r, eventsOf(*r)));
        QCOMPARE(r->projection(), before);
        QCOMPARE(r->content->get(editor, item->id)->version, 2);
    }
};

QTEST_GUILESS_MAIN(TestContentConvergence)
#include "tst_contentconvergence.moc"
