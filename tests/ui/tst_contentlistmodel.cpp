// SPDX-License-Identifier: MIT
// The content list's model over a real replica of 1,000 items: it fetches
// only the pages asked for, shows what the service's listing says under
// every filter and sortable column, drops answers to an older query, and
// shows committed changes.
#include "tests/ui/uifixture.h"
#include "ui/content/contentlistmodel.h"

#include <QSignalSpy>

using namespace colophon;
using namespace colophon::test;

namespace {

constexpr int kItems = 1000;

// Reads every row the way a view scrolling to the end would, then the ids.
QStringList idsOf(UiReplica &replica, ContentListModel &model)
{
    for (int row = 0; row < model.rowCount(); row += ContentListModel::kPageSize) {
        model.data(model.index(row, ContentListModel::Title));
        replica.settle();
    }
    QStringList ids;
    for (int row = 0; row < model.rowCount(); ++row) {
        auto item = model.itemAt(row);
        ids << (item ? item->id : QStringLiteral("(not loaded)"));
    }
    return ids;
}

QStringList serviceIds(UiReplica &replica, const Actor &actor, ContentQuery query)
{
    query.limit = kItems + 10;
    query.offset = 0;
    auto page = replica.content().list(actor, query);
    if (!page) {
        qWarning("list failed: %s", qPrintable(page.error().message));
        return {QStringLiteral("(failed)")};
    }
    QStringList ids;
    for (const ContentItem &item : page->items) {
        ids << item.id;
    }
    return ids;
}

ContentQuery window(int limit, qint64 offset = 0)
{
    ContentQuery query;
    query.limit = limit;
    query.offset = offset;
    return query;
}

} // namespace

class TestContentListModel : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<UiReplica> m_replica;
    Actor m_editor;
    QString m_news;
    QString m_sport;

private slots:
    void initTestCase()
    {
        m_replica = std::make_unique<UiReplica>();
        m_editor = m_replica->signInAs(Role::Editor);
        auto news =
            m_replica->content().createCategory(m_editor, {QStringLiteral("News"), {}, {}, {}});
        auto sport =
            m_replica->content().createCategory(m_editor, {QStringLiteral("Sport"), {}, {}, {}});
        QVERIFY(news && sport);
        m_news = news->id;
        m_sport = sport->id;
        std::vector<ContentDraft> drafts;
        const ContentType types[] = {ContentType::Article, ContentType::Video, ContentType::Gallery,
                                     ContentType::Podcast};
        const char *const words[] = {"Harbour", "Mountain", "river", "City", "orchard"};
        for (int i = 0; i < kItems; ++i) {
            ContentDraft draft;
            draft.title = QStringLiteral("%1 notes %2").arg(QLatin1String(words[i % 5])).arg(i);
            draft.type = types[i % 4];
            draft.categories = {i % 3 == 0 ? m_news : m_sport};
            draft.tags = {i % 10 == 0 ? QStringLiteral("featured") : QStringLiteral("plain")};
            drafts.push_back(draft);
        }
        auto imported = m_replica->content().importItems(m_editor, drafts);
        QVERIFY(imported);
        QCOMPARE(imported->imported, kItems);
        // Some published, some archived, so status filters and sorts differ.
        auto page = m_replica->content().list(m_editor, window(120));
        QVERIFY(page);
        for (int i = 0; i < 120; ++i) {
            ContentChange change;
            change.status = i % 3 == 0 ? ContentStatus::Archived : ContentStatus::Published;
            QVERIFY(m_replica->content().update(m_editor, page->items[i].id, change));
        }
        // The seeding's events reach the gateway before any model exists.
        QTest::qWait(500);
        QVERIFY(m_replica->settle());
    }

    void cleanupTestCase() { m_replica.reset(); }

    void rowCountIsTheServicesTotalAndOnlyTouchedPagesAreFetched()
    {
        ContentListModel model(m_replica->gateway());
        QSignalSpy loaded(&model, &ContentListModel::loaded);
        QVERIFY(loaded.wait(10000) || loaded.count() == 1);
        auto page = m_replica->content().list(m_editor, window(1));
        QVERIFY(page);
        QCOMPARE(model.total(), page->total);
        QCOMPARE(model.rowCount(), kItems);
        QCOMPARE(model.pagesFetched(), 1);

        // Row 0 is on the first page; row 950 on the tenth, fetched when read.
        QCOMPARE(model.data(model.index(0, ContentListModel::Title)).toString(),
                 page->items.front().title);
        QCOMPARE(model.data(model.index(950, ContentListModel::Title)).toString(),
                 QStringLiteral("…"));
        QVERIFY(!model.itemAt(950));
        QVERIFY(m_replica->settle());
        QCOMPARE(model.pagesFetched(), 2);
        QCOMPARE(model.pagesCached(), 2);
        auto row950 = m_replica->content().list(m_editor, window(1, 950));
        QVERIFY(row950);
        QCOMPARE(model.itemAt(950)->id, row950->items.front().id);
        QCOMPARE(model.data(model.index(950, ContentListModel::Title)).toString(),
                 row950->items.front().title);
        // Reading around row 950 asks nothing more.
        model.data(model.index(999, ContentListModel::Updated));
        model.data(model.index(901, ContentListModel::Status));
        QVERIFY(m_replica->settle());
        QCOMPARE(model.pagesFetched(), 2);
    }

    void columnsShowTheItemsFields()
    {
        ContentListModel model(m_replica->gateway());
        QTRY_VERIFY(model.itemAt(0).has_value());
        QVERIFY(m_replica->settle());
        const ContentItem item = *model.itemAt(0);
        const auto cell = [&](int column, int role = Qt::DisplayRole) {
            return model.data(model.index(0, column), role);
        };
        QCOMPARE(cell(ContentListModel::Title).toString(), item.title);
        QCOMPARE(cell(ContentListModel::Type).toString(), ContentListModel::typeText(item.type));
        QCOMPARE(cell(ContentListModel::Status).toString(),
                 ContentListModel::statusText(item.status));
        QVERIFY(cell(ContentListModel::Status, Qt::DecorationRole).canConvert<QIcon>());
        QCOMPARE(cell(ContentListModel::Author).toString(), QStringLiteral("You"));
        QTRY_VERIFY(cell(ContentListModel::Categories).toString() == QStringLiteral("News") ||
                    cell(ContentListModel::Categories).toString() == QStringLiteral("Sport"));
        QCOMPARE(
            cell(ContentListModel::Updated, Qt::ToolTipRole).toString(),
            QDateTime::fromMSecsSinceEpoch(item.updatedAtMs).toUTC().toString(Qt::ISODateWithMs));
        QCOMPARE(cell(ContentListModel::Title, ContentListModel::IdRole).toString(), item.id);
    }

    void rowsFollowTheServiceUnderEachFilterAndSort()
    {
        ContentListModel model(m_replica->gateway());
        std::vector<std::pair<const char *, ContentQuery>> filters;
        filters.push_back({"everything", {}});
        ContentQuery published;
        published.status = ContentStatus::Published;
        filters.push_back({"published", published});
        ContentQuery videos;
        videos.type = ContentType::Video;
        filters.push_back({"videos", videos});
        ContentQuery news;
        news.categoryId = m_news;
        filters.push_back({"news", news});
        ContentQuery featured;
        featured.tag = QStringLiteral("featured");
        filters.push_back({"featured", featured});
        ContentQuery harbour;
        harbour.text = QStringLiteral("harbour");
        filters.push_back({"harbour", harbour});
        ContentQuery combined;
        combined.status = ContentStatus::Draft;
        combined.type = ContentType::Article;
        combined.categoryId = m_sport;
        combined.text = QStringLiteral("notes 1");
        filters.push_back({"combined", combined});

        for (const auto &[name, filter] : filters) {
            model.setQuery(filter);
            for (int column = 0; column < ContentListModel::ColumnCount; ++column) {
                if (!ContentListModel::isSortable(column)) {
                    continue;
                }
                for (Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
                    model.sort(column, order);
                    QVERIFY(m_replica->settle());
                    ContentQuery expected = filter;
                    expected.sortField = ContentListModel::sortField(column);
                    expected.descending = order == Qt::DescendingOrder;
                    const QStringList want = serviceIds(*m_replica, m_editor, expected);
                    QVERIFY2(!want.isEmpty(), name);
                    const QStringList got = idsOf(*m_replica, model);
                    QVERIFY2(got == want, qPrintable(QStringLiteral("%1 by %2 %3")
                                                         .arg(QLatin1String(name))
                                                         .arg(column)
                                                         .arg(order)));
                }
            }
        }
    }

    void columnsWithoutAServiceSortAreNotSortable()
    {
        ContentListModel model(m_replica->gateway());
        QVERIFY(m_replica->settle());
        const int fetched = model.pagesFetched();
        model.sort(ContentListModel::Author, Qt::AscendingOrder);
        model.sort(ContentListModel::Categories, Qt::DescendingOrder);
        QCOMPARE(model.sortColumn(), int(ContentListModel::Updated));
        QCOMPARE(model.pagesFetched(), fetched);
        QVERIFY(model.headerData(ContentListModel::Author, Qt::Horizontal, Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("cannot be sorted")));
        QVERIFY(model.headerData(ContentListModel::Title, Qt::Horizontal, Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("sort by title")));
    }

    void scrollingFetchesEachPageOnceAndTheCacheStaysBounded()
    {
        ContentListModel model(m_replica->gateway());
        model.setMaxCachedPages(3);
        QVERIFY(m_replica->settle());
        for (int row = 0; row < model.rowCount(); row += ContentListModel::kPageSize) {
            model.data(model.index(row, 0));
            QVERIFY(m_replica->settle());
            QVERIFY(model.itemAt(row).has_value());
            QVERIFY(model.pagesCached() <= 3);
        }
        QCOMPARE(model.pagesFetched(), kItems / ContentListModel::kPageSize);
        // The first pages were evicted as the view moved away: read again.
        QVERIFY(!model.itemAt(0).has_value());
        model.data(model.index(0, 0));
        QVERIFY(m_replica->settle());
        QVERIFY(model.itemAt(0).has_value());
        QCOMPARE(model.pagesFetched(), kItems / ContentListModel::kPageSize + 1);
    }

    void answersToAnOlderQueryAreDropped()
    {
        ContentListModel model(m_replica->gateway());
        QVERIFY(m_replica->settle());
        QSignalSpy loaded(&model, &ContentListModel::loaded);
        ContentQuery archived;
        archived.status = ContentStatus::Archived;
        ContentQuery drafts;
        drafts.status = ContentStatus::Draft;
        const int before = model.pagesFetched();
        model.setQuery(archived);
        model.setQuery(drafts); // before the archived answer arrives
        QVERIFY(m_replica->settle());
        QCOMPARE(model.pagesFetched(), before + 2);
        QCOMPARE(loaded.count(), 1);
        auto expected = m_replica->content().list(m_editor, drafts);
        QVERIFY(expected);
        QCOMPARE(model.total(), expected->total);
        for (int row = 0; row < std::min(model.rowCount(), 100); ++row) {
            QCOMPARE(model.itemAt(row)->status, ContentStatus::Draft);
        }
    }

    void aCommittedChangeShowsUp()
    {
        ContentListModel model(m_replica->gateway());
        QVERIFY(m_replica->settle());
        const qint64 total = model.total();
        model.data(model.index(model.rowCount() - 1, 0));
        QVERIFY(m_replica->settle());
        QVERIFY(model.itemAt(model.rowCount() - 1).has_value());
        const ContentItem last = *model.itemAt(model.rowCount() - 1);
        // Another window renames the oldest item: by updated time it moves to the top.
        ContentChange rename;
        rename.title = QStringLiteral("Renamed elsewhere");
        QVERIFY(m_replica->content().update(m_editor, last.id, rename));
        QTRY_COMPARE(model.data(model.index(0, ContentListModel::Title)).toString(),
                     QStringLiteral("Renamed elsewhere"));
        QCOMPARE(model.itemAt(0)->id, last.id);
        QCOMPARE(model.total(), total);

        // A new item: an explicit reload counts it, rows stay in place meanwhile.
        ContentDraft draft;
        draft.title = QStringLiteral("Brand new");
        QVERIFY(m_replica->content().create(m_editor, draft));
        model.reload();
        QCOMPARE(model.rowCount(), int(total)); // kept until the answer arrives
        QTRY_COMPARE(model.total(), total + 1);
        QCOMPARE(model.rowCount(), int(total + 1));
        QTRY_COMPARE(model.data(model.index(0, ContentListModel::Title)).toString(),
                     QStringLiteral("Brand new"));
    }

    void staffSeeAuthorsByNameConsumersAShortId()
    {
        m_replica->signInAs(Role::Admin);
        ContentListModel model(m_replica->gateway());
        QTRY_VERIFY(model.itemAt(0).has_value());
        // The editor wrote them.
        QTRY_COMPARE(model.data(model.index(0, ContentListModel::Author)).toString(),
                     QStringLiteral("Test editor"));

        m_replica->signInAs(Role::Creator);
        QTRY_VERIFY(model.itemAt(0).has_value()); // signing in again starts over
        QTRY_COMPARE(model.data(model.index(0, ContentListModel::Author)).toString(),
                     QStringLiteral("Test editor"));
        QCOMPARE(model.data(model.index(0, ContentListModel::Status)).toString(),
                 QStringLiteral("Published")); // a creator sees only published items of others

        // Names are for the people who work on content.
        m_replica->signInAs(Role::Consumer);
        QTRY_VERIFY(model.itemAt(0).has_value());
        const ContentItem item = *model.itemAt(0);
        QTest::qWait(100);
        QCOMPARE(model.data(model.index(0, ContentListModel::Author)).toString(),
                 QStringLiteral("User ") + item.authorId.left(8));
    }
};

QTEST_MAIN(TestContentListModel)
#include "tst_contentlistmodel.moc"
