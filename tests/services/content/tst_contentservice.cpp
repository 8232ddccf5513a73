// SPDX-License-Identifier: MIT
// Proves the content service's rules at its C++ API: validation, slugs, the
// workflow and who may move an item, visibility by role, versions, diffs and
// restore, If-Match, deletion, imports, and the events each change writes.
#include "tests/services/content/contentfixture.h"

#include <QDateTime>
#include <thread>

using namespace contentfixture;

class TestContentService final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    colophon::test::ManualClock m_clock;
    int m_files = 0;
    std::unique_ptr<Replica> m_r;
    Actor m_admin = actor(Role::Admin);
    Actor m_editor = actor(Role::Editor);
    Actor m_creator = actor(Role::Creator);
    Actor m_otherCreator = actor(Role::Creator);
    Actor m_consumer = actor(Role::Consumer);

    ContentService &svc() { return *m_r->content; }

    Result<ContentItem> make(const Actor &who, const QString &title,
                             ContentType type = ContentType::Article)
    {
        ContentDraft d;
        d.title = title;
        d.type = type;
        return svc().create(who, d);
    }

    Result<ContentItem> move(const Actor &who, const QString &id, ContentStatus to,
                             const QString &comment = {})
    {
        ContentChange c;
        c.status = to;
        c.comment = comment;
        return svc().update(who, id, c);
    }

    std::vector<Event> events(const QString &type)
    {
        std::vector<Event> out;
        for (Event &e : m_r->log->readAfter(0, 100000).value_or(std::vector<Event>{})) {
            if (e.type == type) {
                out.push_back(std::move(e));
            }
        }
        return out;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void itemJsonTextIsTheApiForm()
    {
        // Items are written straight to text. Each must be the API's object,
        // spelled out here field by field, dumped as nlohmann dumps it:
        // whatever the fields hold, escapes and all.
        const auto expected = [](const ContentItem &c, bool withBody) {
            const auto time = [](qint64 ms) -> nlohmann::json {
                if (ms <= 0) {
                    return nullptr;
                }
                return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)
                    .toString(Qt::ISODateWithMs)
                    .toStdString();
            };
            const auto list = [](const QStringList &values) {
                nlohmann::json out = nlohmann::json::array();
                for (const QString &v : values) {
                    out.push_back(v.toStdString());
                }
                return out;
            };
            nlohmann::json j = {{"id", c.id.toStdString()},
                                {"title", c.title.toStdString()},
                                {"slug", c.slug.toStdString()},
                                {"description", c.description.toStdString()},
                                {"status", contentStatusName(c.status).toStdString()},
                                {"type", contentTypeName(c.type).toStdString()},
                                {"categories", list(c.categories)},
                                {"tags", list(c.tags)},
                                {"mediaIds", list(c.mediaIds)},
                                {"authorId", c.authorId.toStdString()},
                                {"createdBy", c.authorId.toStdString()},
                                {"metadata", c.metadata},
                                {"publishedAt", time(c.publishedAtMs)},
                                {"publishAt", time(c.publishAtMs)},
                                {"unpublishAt", time(c.unpublishAtMs)},
                                {"createdAt", time(c.createdAtMs)},
                                {"updatedAt", time(c.updatedAtMs)},
                                {"version", c.version},
                                {"bodyHash", c.bodyHash.toStdString()}};
            if (withBody) {
                j["body"] = c.body.toStdString();
            }
            return j.dump();
        };
        ContentItem item;
        item.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        item.authorId = QStringLiteral("author-1");
        item.bodyHash = QStringLiteral("abc123");
        item.version = 7;
        item.metadata = nlohmann::json::parse(R"({"z":1,"a":{"deep":[1,"two",null,true,2.5]}})");
        const QString awkward = QStringLiteral("quote \" backslash \\ slash / tab \t newline \n "
                                               "cr \r bell \a controls \x01"
                                               "\x1f"
                                               " del \x7f"
                                               " "
                                               "Ünïcødé 日本語 🎉");
        for (const QString &text : {QString(), QStringLiteral("plain"), awkward}) {
            item.title = text;
            item.slug = text;
            item.description = text;
            item.body = text + text;
            item.categories =
                text.isEmpty() ? QStringList() : QStringList{text, QStringLiteral("b")};
            item.tags = text.isEmpty() ? QStringList() : QStringList{QStringLiteral("t"), text};
            item.mediaIds = {};
            for (const qint64 ms : {qint64(0), qint64(1'732'468'320'123)}) {
                item.createdAtMs = ms;
                item.updatedAtMs = ms + 1;
                item.publishedAtMs = ms;
                item.publishAtMs = 0;
                item.unpublishAtMs = ms;
                for (const ContentStatus status :
                     {ContentStatus::Draft, ContentStatus::Published}) {
                    item.status = status;
                    for (const bool withBody : {true, false}) {
                        QCOMPARE(QByteArray::fromStdString(item.toJsonText(withBody)),
                                 QByteArray::fromStdString(expected(item, withBody)));
                        QCOMPARE(QByteArray::fromStdString(item.toJson(withBody).dump()),
                                 QByteArray::fromStdString(expected(item, withBody)));
                    }
                }
            }
        }
    }

    void init()
    {
        m_clock.set(1'750'000'000'000);
        m_r = Replica::open(m_dir.filePath(QStringLiteral("c%1.db").arg(m_files++)), m_clock);
        QVERIFY(m_r);
    }

    void cleanup() { m_r.reset(); }

    void createMakesADraftWithAUniqueSlugPerType()
    {
        auto a = make(m_creator, QStringLiteral("Hello, Wörld!"));
        QVERIFY2(a, qPrintable(why(a)));
        QCOMPARE(a->status, ContentStatus::Draft);
        QCOMPARE(a->slug, QStringLiteral("hello-wörld"));
        QCOMPARE(a->authorId, m_creator.userId);
        QCOMPARE(a->version, 1);
        auto b = make(m_creator, QStringLiteral("Hello Wörld"));
        QCOMPARE(b->slug, QStringLiteral("hello-wörld-2"));
        auto video = make(m_creator, QStringLiteral("Hello Wörld"), ContentType::Video);
        QCOMPARE(video->slug, QStringLiteral("hello-wörld")); // unique per type only

        ContentDraft explicitSlug;
        explicitSlug.title = QStringLiteral("Other");
        explicitSlug.slug = QStringLiteral("hello-wörld");
        auto taken = svc().create(m_creator, explicitSlug);
        QVERIFY(!taken);
        QCOMPARE(taken.error().code, ErrorCode::Conflict);
        QCOMPARE(taken.error().field, QStringLiteral("slug"));

        const auto created = events(QStringLiteral("ContentCreated"));
        QCOMPARE(created.size(), std::size_t(3));
        QCOMPARE(created[0].stream, QStringLiteral("content/") + a->id);
        QCOMPARE(created[0].actorId, m_creator.userId);
    }

    void everyEscapeIsFoundWhereverItFallsInARun()
    {
        // Strings are scanned eight bytes at a time: an escape at any offset
        // of a long run, and runs of every length, must come out as dump() has them.
        ContentItem item;
        for (const char16_t special : {u'"', u'\\', u'\x01', u'\x1f', u'\n', u'é'}) {
            for (int length = 0; length <= 26; ++length) {
                for (int at = 0; at <= length; ++at) {
                    QString text(length, u'a');
                    text.insert(at, QChar(special));
                    item.title = text;
                    const auto parsed =
                        nlohmann::json::parse(item.toJsonText(false), nullptr, false);
                    QVERIFY(parsed.is_object());
                    QCOMPARE(QString::fromStdString(parsed["title"].get<std::string>()), text);
                    QVERIFY(item.toJsonText(false).find(
                                nlohmann::json(text.toStdString()).dump()) != std::string::npos);
                }
            }
        }
    }

    void anItemRenderedFromItsRowIsItsApiForm()
    {
        // GET renders an item straight from its row; it must answer the very
        // bytes the item's own toJsonText() writes, whatever the fields hold.
        auto category = svc().createCategory(m_editor, {QStringLiteral("Rëviews"), {}, {}, {}});
        QVERIFY2(category, qPrintable(why(category)));
        ContentDraft draft;
        draft.title = QStringLiteral("Quote \" backslash \\ slash / Ünïcødé 日本語 🎉");
        draft.description = QStringLiteral("line\nbreak and\ttab");
        draft.body = QStringLiteral("# Body\n\n\"quoted\" \\ and 🎉\r\n");
        draft.metadata = {
            {"z", 1}, {"a", {{"deep", {1, "two \"q\"", nullptr, true, 2.5}}}}, {"é", "ü\n"}};
        draft.tags = {QStringLiteral("zeta"), QStringLiteral("ålpha")};
        draft.categories = {category->id};
        draft.publishAtMs = m_clock.nowMs() + 60'000;
        auto item = svc().create(m_editor, draft);
        QVERIFY2(item, qPrintable(why(item)));
        const auto same = [&] {
            auto read = svc().get(m_editor, item->id);
            auto rendered = svc().getRendered(m_editor, item->id);
            QVERIFY(read && rendered);
            QCOMPARE(QByteArray::fromStdString(rendered->json),
                     QByteArray::fromStdString(read->toJsonText()));
            QCOMPARE(rendered->version, read->version);
        };
        same();
        QCOMPARE(svc().getRendered(m_consumer, item->id).error().code, ErrorCode::NotFound);
        QCOMPARE(svc().getPublishedRendered(item->id).error().code, ErrorCode::NotFound);
        QVERIFY(move(m_editor, item->id, ContentStatus::Published));
        same();
        auto published = svc().getPublishedRendered(item->id);
        QVERIFY(published);
        QCOMPARE(published->json, svc().getRendered(m_consumer, item->id)->json);
        QCOMPARE(svc()
                     .getRendered(m_editor, QUuid::createUuid().toString(QUuid::WithoutBraces))
                     .error()
                     .code,
                 ErrorCode::NotFound);
    }

    void invalidInputIsRefusedNamingTheFieldAndWritesNothing_data()
    {
        QTest::addColumn<QString>("field");
        QTest::newRow("title") << "title";
        QTest::newRow("slug") << "slug";
        QTest::newRow("metadata") << "metadata";
        QTest::newRow("tags") << "tags";
        QTest::newRow("categories") << "categories";
        QTest::newRow("mediaIds") << "mediaIds";
    }

    void invalidInputIsRefusedNamingTheFieldAndWritesNothing()
    {
        QFETCH(QString, field);
        ContentDraft d;
        d.title = QStringLiteral("Fine");
        if (field == QLatin1String("title")) {
            d.title = QString(301, u'x');
        } else if (field == QLatin1String("slug")) {
            d.slug = QStringLiteral("Not A Slug");
        } else if (field == QLatin1String("metadata")) {
            nlohmann::json deep = 1;
            for (int i = 0; i < 1000; ++i) {
                deep = nlohmann::json{{"a", deep}};
            }
            d.metadata = deep;
        } else if (field == QLatin1String("tags")) {
            d.tags = {QString(51, u't')};
        } else if (field == QLatin1String("categories")) {
            d.categories = {QUuid::createUuid().toString(QUuid::WithoutBraces)};
        } else {
            d.mediaIds = {QStringLiteral("not-a-uuid")};
        }
        auto refused = svc().create(m_creator, d);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::InvalidInput);
        QCOMPARE(refused.error().field, field);
        QCOMPARE(m_r->log->count().value_or(-1), qint64(0));
    }

    void theWorkflowFollowsTheStateMachineAndTheRoles()
    {
        auto item = make(m_creator, QStringLiteral("Draft"));
        QVERIFY(item);
        // A creator submits their own draft but may not publish it.
        auto published = move(m_creator, item->id, ContentStatus::Published);
        QCOMPARE(published.error().code, ErrorCode::PermissionDenied);
        QVERIFY(move(m_creator, item->id, ContentStatus::Review));
        // Rejecting needs a comment.
        auto bare = move(m_editor, item->id, ContentStatus::Draft);
        QCOMPARE(bare.error().field, QStringLiteral("comment"));
        QVERIFY(move(m_editor, item->id, ContentStatus::Draft, QStringLiteral("Needs a source")));
        QVERIFY(move(m_creator, item->id, ContentStatus::Review));
        auto approved = move(m_editor, item->id, ContentStatus::Published);
        QVERIFY2(approved, qPrintable(why(approved)));
        QCOMPARE(approved->publishedAtMs, m_clock.nowMs());
        // The state machine: published cannot go to review.
        auto illegal = move(m_editor, item->id, ContentStatus::Review);
        QCOMPARE(illegal.error().code, ErrorCode::InvalidInput);
        QCOMPARE(illegal.error().field, QStringLiteral("status"));
        QVERIFY(move(m_editor, item->id, ContentStatus::Archived));
        QCOMPARE(move(m_editor, item->id, ContentStatus::Published).error().field,
                 QStringLiteral("status"));
        QVERIFY(move(m_admin, item->id, ContentStatus::Draft)); // restore

        QCOMPARE(events(QStringLiteral("ContentPublished")).size(), std::size_t(1));
        const auto moves = events(QStringLiteral("ContentStatusChanged"));
        QCOMPARE(moves.size(), std::size_t(6));
        QCOMPARE(QString::fromStdString(moves[1].payload["comment"].get<std::string>()),
                 QStringLiteral("Needs a source"));
    }

    void aCreatorEditsOnlyTheirOwnDrafts()
    {
        auto mine = make(m_creator, QStringLiteral("Mine"));
        auto theirs = make(m_otherCreator, QStringLiteral("Theirs"));
        QVERIFY(mine && theirs);
        ContentChange edit;
        edit.title = QStringLiteral("Edited");
        QVERIFY(svc().update(m_creator, mine->id, edit));
        // Another creator's draft is invisible to them: not found, not forbidden.
        QCOMPARE(svc().update(m_creator, theirs->id, edit).error().code, ErrorCode::NotFound);
        QVERIFY(move(m_creator, mine->id, ContentStatus::Review));
        QCOMPARE(svc().update(m_creator, mine->id, edit).error().code, ErrorCode::PermissionDenied);
        QVERIFY(svc().update(m_editor, mine->id, edit)); // editors edit anything
        QCOMPARE(svc().update(m_consumer, mine->id, edit).error().code, ErrorCode::NotFound);
    }

    void visibilityDependsOnTheRole()
    {
        auto draft = make(m_creator, QStringLiteral("A draft"));
        auto other = make(m_otherCreator, QStringLiteral("Another draft"));
        auto live = make(m_editor, QStringLiteral("Live"));
        QVERIFY(draft && other && live);
        QVERIFY(move(m_editor, live->id, ContentStatus::Published));
        const auto titles = [&](const Actor &who) {
            QStringList out;
            auto page = svc().list(who, ContentQuery{});
            for (const ContentItem &c : page.value_or(ContentPage{}).items) {
                out << c.title;
            }
            out.sort();
            return out;
        };
        QCOMPARE(titles(m_editor), (QStringList{"A draft", "Another draft", "Live"}));
        QCOMPARE(titles(m_creator), (QStringList{"A draft", "Live"}));
        QCOMPARE(titles(m_consumer), (QStringList{"Live"}));
        QCOMPARE(svc().listPublished(ContentQuery{})->total, qint64(1));
        QCOMPARE(svc().get(m_consumer, draft->id).error().code, ErrorCode::NotFound);
        QVERIFY(svc().getPublishedRendered(live->id));
        QVERIFY(!svc().getPublishedRendered(draft->id));
        QCOMPARE(svc().create(m_consumer, ContentDraft{}).error().code,
                 ErrorCode::PermissionDenied);
    }

    void listFiltersSortsAndPages()
    {
        for (int i = 0; i < 25; ++i) {
            m_clock.advance(1000);
            ContentDraft d;
            d.title = QStringLiteral("Post %1").arg(i, 2, 10, QLatin1Char('0'));
            d.tags = {i % 2 ? QStringLiteral("odd") : QStringLiteral("even")};
            d.type = i % 5 == 0 ? ContentType::Video : ContentType::Article;
            QVERIFY(svc().create(m_editor, d));
        }
        ContentQuery q;
        q.tag = QStringLiteral("odd");
        q.sortField = QStringLiteral("title");
        q.descending = false;
        q.limit = 5;
        q.offset = 5;
        auto page = svc().list(m_editor, q);
        QVERIFY2(page, qPrintable(why(page)));
        QCOMPARE(page->total, qint64(12));
        QCOMPARE(page->items.size(), std::size_t(5));
        QCOMPARE(page->items.front().title, QStringLiteral("Post 11"));
        ContentQuery videos;
        videos.type = ContentType::Video;
        QCOMPARE(svc().list(m_editor, videos)->total, qint64(5));
        ContentQuery text;
        text.text = QStringLiteral("st 2");
        QCOMPARE(svc().list(m_editor, text)->total, qint64(5)); // 20..24
        ContentQuery bad;
        bad.sortField = QStringLiteral("body");
        QCOMPARE(svc().list(m_editor, bad).error().field, QStringLiteral("sort"));
        ContentQuery past;
        past.offset = 100;
        auto empty = svc().list(m_editor, past);
        QCOMPARE(empty->items.size(), std::size_t(0));
        QCOMPARE(empty->total, qint64(25));
    }

    void listingTotalsFollowEveryWriteFromAnyThread()
    {
        const auto total = [&] { return svc().list(m_editor, ContentQuery{})->total; };
        QCOMPARE(total(), qint64(0));
        QVERIFY(make(m_editor, QStringLiteral("One")));
        QCOMPARE(total(), qint64(1)); // this thread's own write
        // Another thread writes through its own connection.
        std::thread writer([&] {
            QVERIFY(make(m_editor, QStringLiteral("Two")));
            m_r->db->closeThreadConnection();
        });
        writer.join();
        QCOMPARE(total(), qint64(2));
        // And a write that bypasses this service (another process, say).
        QVERIFY(m_r->db->transact([&](Transaction &tx) -> Result<void> {
            auto q = execSql(tx.db(), QStringLiteral("UPDATE content_items SET deleted_hlc = 'x'"));
            return q ? Result<void>() : fail(q.error());
        }));
        std::thread other([&] {
            QCOMPARE(svc().list(m_editor, ContentQuery{})->total, qint64(0));
            m_r->db->closeThreadConnection();
        });
        other.join();
    }

    void everyChangeIsAVersionWithADiffAndRestore()
    {
        auto item = make(m_creator, QStringLiteral("First title"));
        QVERIFY(item);
        m_clock.advance(1000);
        ContentChange c1;
        c1.title = QStringLiteral("Second title");
        c1.tags = QStringList{QStringLiteral("news")};
        QVERIFY(svc().update(m_creator, item->id, c1));
        m_clock.advance(1000);
        ContentChange c2;
        c2.body = QStringLiteral("A body");
        auto third = svc().update(m_creator, item->id, c2);
        QVERIFY(third);
        QCOMPARE(third->version, 3);
        // The body edit records the body it started from.
        const Event bodyEdit = events(QStringLiteral("ContentUpdated")).back();
        QCOMPARE(QString::fromStdString(bodyEdit.payload["baseBodyHash"].get<std::string>()),
                 bodyHash(QString()));
        QVERIFY(!bodyEdit.payload["changes"].contains("title")); // only what changed

        auto versions = svc().versions(m_creator, item->id);
        QCOMPARE(versions->size(), std::size_t(3));
        auto v1 = svc().versionState(m_creator, item->id, 1);
        QCOMPARE(QString::fromStdString((*v1)["title"].get<std::string>()),
                 QStringLiteral("First title"));
        auto diff = svc().diff(m_creator, item->id, 1, 3);
        QVERIFY2(diff, qPrintable(why(diff)));
        QCOMPARE(diff->size(), std::size_t(3)); // title, tags, body
        QVERIFY(diff->contains("title") && diff->contains("tags") && diff->contains("body"));

        auto restored = svc().restore(m_creator, item->id, 1);
        QVERIFY2(restored, qPrintable(why(restored)));
        QCOMPARE(restored->title, QStringLiteral("First title"));
        QCOMPARE(restored->body, QString());
        QVERIFY(restored->tags.isEmpty());
        QCOMPARE(restored->version, 4);
        QCOMPARE(events(QStringLiteral("ContentVersionRestored")).size(), std::size_t(1));
        QCOMPARE(svc().versionState(m_creator, item->id, 9).error().code, ErrorCode::NotFound);
        QCOMPARE(svc().versions(m_consumer, item->id).error().code, ErrorCode::NotFound);
    }

    void aStaleExpectedVersionIsRefusedAndChangesNothing()
    {
        auto item = make(m_editor, QStringLiteral("Title"));
        QVERIFY(item);
        ContentChange c;
        c.title = QStringLiteral("New");
        c.expectedVersion = 1;
        QVERIFY(svc().update(m_editor, item->id, c));
        c.title = QStringLiteral("Newer");
        auto stale = svc().update(m_editor, item->id, c);
        QCOMPARE(stale.error().code, ErrorCode::PreconditionFailed);
        QCOMPARE(svc().get(m_editor, item->id)->title, QStringLiteral("New"));
        QCOMPARE(svc().remove(m_editor, item->id, 1).error().code, ErrorCode::PreconditionFailed);
    }

    void deletingLeavesATombstoneAndFreesTheSlug()
    {
        auto item = make(m_creator, QStringLiteral("Gone soon"));
        QVERIFY(item);
        QCOMPARE(svc().remove(m_otherCreator, item->id).error().code, ErrorCode::NotFound);
        QVERIFY(svc().remove(m_creator, item->id));
        QCOMPARE(svc().get(m_editor, item->id).error().code, ErrorCode::NotFound);
        QCOMPARE(make(m_creator, QStringLiteral("Gone soon"))->slug, QStringLiteral("gone-soon"));
        auto tombstone = queryValue(m_r->db->connection(),
                                    QStringLiteral("SELECT deleted_hlc IS NOT NULL FROM "
                                                   "content_items WHERE id = ?"),
                                    {item->id});
        QVERIFY(tombstone && tombstone->toBool());
        QCOMPARE(events(QStringLiteral("ContentDeleted")).size(), std::size_t(1));
    }

    void anImportIsAllOrNothingAndNamesEachRejectedRecord()
    {
        std::vector<ContentDraft> drafts(5);
        for (int i = 0; i < 5; ++i) {
            drafts[i].title = QStringLiteral("Imported %1").arg(i);
        }
        drafts[1].title.clear();
        drafts[3].slug = QStringLiteral("BAD SLUG");
        auto report = svc().importItems(m_editor, drafts);
        QVERIFY2(report, qPrintable(why(report)));
        QCOMPARE(report->imported, 0);
        QCOMPARE(report->rejected.size(), std::size_t(2));
        QCOMPARE(report->rejected[0].first, 2);
        QCOMPARE(report->rejected[0].second.field, QStringLiteral("title"));
        QCOMPARE(report->rejected[1].first, 4);
        QCOMPARE(svc().list(m_editor, ContentQuery{})->total, qint64(0));
        drafts[1].title = QStringLiteral("Fixed");
        drafts[3].slug.reset();
        report = svc().importItems(m_editor, drafts);
        QCOMPARE(report->imported, 5);
        QCOMPARE(svc().list(m_editor, ContentQuery{})->total, qint64(5));
    }

    void aOneMegabyteBodyIsKeptExactly()
    {
        QString body;
        while (body.size() < 1024 * 1024) {
            body += QStringLiteral("Ünïcödé line %1\n").arg(body.size());
        }
        ContentDraft d;
        d.title = QStringLiteral("Big");
        d.body = body;
        auto item = svc().create(m_editor, d);
        QVERIFY2(item, qPrintable(why(item)));
        QCOMPARE(svc().get(m_editor, item->id)->body, body);
    }
};

QTEST_GUILESS_MAIN(TestContentService)
#include "tst_contentservice.moc"
