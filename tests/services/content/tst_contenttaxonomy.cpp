// SPDX-License-Identifier: MIT
// Proves categories (a tree with move and delete rules), tags (counts,
// rename, merge) and typed relationships between items.
#include "tests/services/content/contentfixture.h"

using namespace contentfixture;

class TestContentTaxonomy final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    colophon::test::ManualClock m_clock;
    int m_files = 0;
    std::unique_ptr<Replica> m_r;
    Actor m_editor = actor(Role::Editor);
    Actor m_creator = actor(Role::Creator);
    Actor m_consumer = actor(Role::Consumer);

    ContentService &svc() { return *m_r->content; }

    QString category(const QString &name, const QString &parent = {})
    {
        auto c = svc().createCategory(m_editor, {name, {}, parent, std::nullopt});
        if (!c) {
            qWarning("createCategory: %s", qPrintable(why(c)));
            return {};
        }
        return c->id;
    }

    QString item(const QString &title, const QStringList &tags = {},
                 const QStringList &categories = {}, const Actor *who = nullptr)
    {
        ContentDraft d;
        d.title = title;
        d.tags = tags;
        d.categories = categories;
        auto c = svc().create(who ? *who : m_editor, d);
        if (!c) {
            qWarning("create: %s", qPrintable(why(c)));
            return {};
        }
        return c->id;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void init()
    {
        m_clock.set(1'750'000'000'000);
        m_r = Replica::open(m_dir.filePath(QStringLiteral("t%1.db").arg(m_files++)), m_clock);
        QVERIFY(m_r);
    }

    void cleanup() { m_r.reset(); }

    void categoriesFormATreeWithSlugsAndCounts()
    {
        const QString news = category(QStringLiteral("News"));
        const QString world = category(QStringLiteral("World News"), news);
        QVERIFY(!news.isEmpty() && !world.isEmpty());
        QVERIFY(!item(QStringLiteral("A"), {}, {world}).isEmpty());
        auto all = svc().categories(m_consumer);
        QVERIFY2(all, qPrintable(why(all)));
        QCOMPARE(all->size(), std::size_t(2));
        QCOMPARE(all->at(1).parentId, news);
        QCOMPARE(all->at(1).slug, QStringLiteral("world-news"));
        QCOMPARE(all->at(1).itemCount, 1);
        auto duplicate = svc().createCategory(
            m_editor, {QStringLiteral("Other"), {}, {}, QStringLiteral("news")});
        QCOMPARE(duplicate.error().code, ErrorCode::Conflict);
        QCOMPARE(svc()
                     .createCategory(m_creator, {QStringLiteral("Mine"), {}, {}, std::nullopt})
                     .error()
                     .code,
                 ErrorCode::PermissionDenied);
        QCOMPARE(svc().createCategory(m_editor, {QString(), {}, {}, std::nullopt}).error().field,
                 QStringLiteral("name"));
    }

    void aMoveCannotMakeACycle()
    {
        const QString a = category(QStringLiteral("A"));
        const QString b = category(QStringLiteral("B"), a);
        const QString c = category(QStringLiteral("C"), b);
        CategoryChange under;
        under.parentId = c;
        auto cycle = svc().updateCategory(m_editor, a, under);
        QCOMPARE(cycle.error().field, QStringLiteral("parentId"));
        under.parentId = a;
        QCOMPARE(svc().updateCategory(m_editor, a, under).error().field,
                 QStringLiteral("parentId"));
        CategoryChange toRoot;
        toRoot.parentId = QString();
        auto moved = svc().updateCategory(m_editor, c, toRoot);
        QVERIFY2(moved, qPrintable(why(moved)));
        QVERIFY(moved->parentId.isEmpty());
    }

    void deletingACategoryWithItemsNeedsATarget()
    {
        const QString old = category(QStringLiteral("Old"));
        const QString child = category(QStringLiteral("Child"), old);
        const QString target = category(QStringLiteral("Target"));
        const QString a = item(QStringLiteral("In old"), {}, {old});
        QVERIFY(!a.isEmpty());
        auto refused = svc().deleteCategory(m_editor, old, {});
        QCOMPARE(refused.error().code, ErrorCode::Conflict);
        QVERIFY(svc().deleteCategory(m_editor, old, target));
        QCOMPARE(svc().get(m_editor, a)->categories, QStringList{target});
        QVERIFY(svc().category(m_editor, child)->parentId.isEmpty()); // moved up
        QCOMPARE(svc().category(m_editor, old).error().code, ErrorCode::NotFound);
        // An empty category goes without a target.
        QVERIFY(svc().deleteCategory(m_editor, child, {}));
    }

    void tagsAreCountedRenamedAndMerged()
    {
        QVERIFY(
            !item(QStringLiteral("1"), {QStringLiteral("Qt"), QStringLiteral("c++")}).isEmpty());
        QVERIFY(!item(QStringLiteral("2"), {QStringLiteral("qt")}).isEmpty());
        QVERIFY(
            !item(QStringLiteral("3"), {QStringLiteral("Qt6"), QStringLiteral("qt")}).isEmpty());
        auto counts = svc().tags(m_editor);
        QVERIFY(counts);
        QCOMPARE(counts->front().tag, QStringLiteral("qt"));
        QCOMPARE(counts->front().count, 3);
        QCOMPARE(svc().tags(m_editor, QStringLiteral("qt"))->size(), std::size_t(2));

        auto renamed = svc().renameTag(m_editor, QStringLiteral("c++"), QStringLiteral("cpp"));
        QCOMPARE(renamed.value_or(-1), 1);
        auto merged = svc().mergeTags(m_editor, {QStringLiteral("qt6")}, QStringLiteral("qt"));
        QCOMPARE(merged.value_or(-1), 1);
        QStringList names;
        const auto after = svc().tags(m_editor);
        QVERIFY(after);
        for (const TagCount &t : *after) {
            names << QStringLiteral("%1:%2").arg(t.tag).arg(t.count);
        }
        QCOMPARE(names, (QStringList{"qt:3", "cpp:1"}));
        QCOMPARE(svc().renameTag(m_creator, QStringLiteral("qt"), QStringLiteral("x")).error().code,
                 ErrorCode::PermissionDenied);
        QCOMPARE(
            svc().mergeTags(m_editor, {QStringLiteral("qt")}, QStringLiteral("qt")).error().field,
            QStringLiteral("from"));
    }

    void relationsLinkLiveItemsAndVanishWithThem()
    {
        const QString a = item(QStringLiteral("Part one"));
        const QString b = item(QStringLiteral("Part two"));
        const QString c = item(QStringLiteral("Related"));
        QVERIFY(svc().link(m_editor, a, QStringLiteral("series"), b, 2));
        QVERIFY(svc().link(m_editor, a, QStringLiteral("related"), c));
        auto links = svc().relations(m_editor, a);
        QVERIFY2(links, qPrintable(why(links)));
        QCOMPARE(links->size(), std::size_t(2));
        auto incoming = svc().relations(m_editor, b);
        QCOMPARE(incoming->size(), std::size_t(1));
        QVERIFY(!incoming->front().outgoing);
        QCOMPARE(incoming->front().position, 2);

        QCOMPARE(svc().link(m_editor, a, QStringLiteral("sibling"), b).error().field,
                 QStringLiteral("kind"));
        QCOMPARE(svc().link(m_editor, a, QStringLiteral("related"), a).error().field,
                 QStringLiteral("to"));
        QVERIFY(svc().remove(m_editor, c));
        QCOMPARE(svc().relations(m_editor, a)->size(), std::size_t(1)); // the deleted one is gone
        QVERIFY(svc().unlink(m_editor, a, QStringLiteral("series"), b));
        QCOMPARE(svc().relations(m_editor, a)->size(), std::size_t(0));
        // A creator links only what they may edit.
        QCOMPARE(svc().link(m_creator, a, QStringLiteral("related"), b).error().code,
                 ErrorCode::NotFound); // another's draft is invisible to them
    }
};

QTEST_GUILESS_MAIN(TestContentTaxonomy)
#include "tst_contenttaxonomy.moc"
