// SPDX-License-Identifier: MIT
// The taxonomy and relationship API over a real colophon-server on loopback:
// the category tree with its counts, creating, changing, moving and deleting
// categories (cycles refused, items reassigned, children moved up), tags with
// counts per role, renaming and merging tags, links between items with their
// positions, and who may change what (403) or anything at all (401).
#include "tests/support/apitest.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QUuid>
#include <algorithm>
#include <csignal>
#include <memory>
#include <optional>

using colophon::test::ApiClient;
using colophon::test::apiTestEnv;
using colophon::test::compact;
using colophon::test::describe;
using colophon::test::HttpReply;
using colophon::test::jsonOf;
using colophon::test::problemIssue;
using colophon::test::randomPassword;
using colophon::test::ServerProcess;
using colophon::test::statusIssue;
using colophon::test::unauthorizedIssue;

namespace {

constexpr int kStartTimeoutMs = 30000;
constexpr int kExitTimeoutMs = 30000;
const QString kAdminEmail = QStringLiteral("admin@example.com");
const QByteArray kContent = "/api/v1/content";
const QByteArray kCategories = "/api/v1/categories";
const QByteArray kTags = "/api/v1/tags";
const QString kUnknownUuid = QStringLiteral("00000000-0000-4000-8000-000000000000");

QString str(const HttpReply &reply, const char *key)
{
    return jsonOf(reply).value(QLatin1String(key)).toString();
}

QJsonArray itemsOf(const HttpReply &reply)
{
    return jsonOf(reply).value(QLatin1String("items")).toArray();
}

QStringList stringsOf(const QJsonValue &array)
{
    QStringList out;
    for (const QJsonValue &v : array.toArray())
        out << v.toString();
    return out;
}

QByteArray itemPath(const QString &id)
{
    return kContent + '/' + id.toUtf8();
}

QByteArray categoryPath(const QString &id)
{
    return kCategories + '/' + id.toUtf8();
}

QByteArray relationsPath(const QString &id)
{
    return itemPath(id) + "/relations";
}

QByteArray linkPath(const QString &from, const QString &kind, const QString &to)
{
    return relationsPath(from) + '/' + kind.toUtf8() + '/' + to.toUtf8();
}

} // namespace

class TestTaxonomyApi final : public QObject
{
    Q_OBJECT

    using User = colophon::test::ApiAccount;

    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<ApiClient> m_api;
    QByteArray m_adminToken;
    User m_editor;
    User m_creator;
    User m_other; // another creator
    User m_consumer;
    int m_users = 0;
    int m_names = 0;

    // An account with this role, made by the admin and signed in.
    std::optional<User> makeUser(const QString &role)
    {
        return m_api->createAccount(m_adminToken, role,
                                    QStringLiteral("%1%2@example.org").arg(role).arg(++m_users));
    }

    // A name no other test uses.
    QString unique(const char *stem) { return QStringLiteral("%1-%2").arg(stem).arg(++m_names); }

    HttpReply postCategory(const QByteArray &token, const QJsonObject &body)
    {
        return m_api->post(kCategories, body, token);
    }

    // Creates a category and answers its id, or an empty string (with a warning).
    QString categoryId(const QString &name, const QString &parentId = {},
                       const QByteArray &token = {})
    {
        QJsonObject body{{QStringLiteral("name"), name}};
        if (!parentId.isEmpty())
            body.insert(QStringLiteral("parentId"), parentId);
        const HttpReply reply = postCategory(token.isEmpty() ? m_editor.token : token, body);
        if (reply.status != 201) {
            qWarning("creating category %s failed: %s", qPrintable(name),
                     qPrintable(describe(reply)));
            return {};
        }
        return str(reply, "id");
    }

    HttpReply patchCategory(const QByteArray &token, const QString &id, const QJsonObject &body)
    {
        return m_api->call("PATCH", categoryPath(id), compact(body), token);
    }

    HttpReply deleteCategory(const QByteArray &token, const QString &id,
                             const QString &reassignTo = {})
    {
        QByteArray path = categoryPath(id);
        if (!reassignTo.isEmpty())
            path += "?reassignTo=" + reassignTo.toUtf8();
        return m_api->call("DELETE", path, {}, token);
    }

    // The category as the list shows it (empty when it is not listed).
    QJsonObject listedCategory(const QString &id, const QByteArray &token = {})
    {
        const HttpReply reply = m_api->get(kCategories, token.isEmpty() ? m_editor.token : token);
        if (reply.status != 200)
            qWarning("listing categories failed: %s", qPrintable(describe(reply)));
        for (const QJsonValue &v : itemsOf(reply)) {
            if (v.toObject().value(QLatin1String("id")).toString() == id)
                return v.toObject();
        }
        return {};
    }

    // Creates an item and answers its id, or an empty string (with a warning).
    QString itemId(const QByteArray &token, const QJsonObject &body)
    {
        const HttpReply reply = m_api->post(kContent, body, token);
        if (reply.status != 201) {
            qWarning("creating an item failed: %s", qPrintable(describe(reply)));
            return {};
        }
        return str(reply, "id");
    }

    QString itemId(const QByteArray &token, const QString &title, const QStringList &tags = {},
                   const QStringList &categories = {})
    {
        return itemId(token,
                      {{QStringLiteral("title"), title},
                       {QStringLiteral("tags"), QJsonArray::fromStringList(tags)},
                       {QStringLiteral("categories"), QJsonArray::fromStringList(categories)}});
    }

    bool publish(const QString &id)
    {
        const HttpReply reply = m_api->call(
            "PATCH", itemPath(id),
            compact({{QStringLiteral("status"), QStringLiteral("published")}}), m_editor.token);
        if (reply.status != 200)
            qWarning("publishing failed: %s", qPrintable(describe(reply)));
        return reply.status == 200;
    }

    QJsonObject item(const QString &id) { return jsonOf(m_api->get(itemPath(id), m_editor.token)); }

    // tag -> count, as GET /api/v1/tags?q=prefix answers the caller; order kept in `order`.
    QMap<QString, int> tagCounts(const QByteArray &token, const QByteArray &prefix,
                                 QStringList *order = nullptr)
    {
        const HttpReply reply = m_api->get(kTags + "?q=" + prefix, token);
        if (reply.status != 200)
            qWarning("listing tags failed: %s", qPrintable(describe(reply)));
        QMap<QString, int> out;
        for (const QJsonValue &v : itemsOf(reply)) {
            const QJsonObject o = v.toObject();
            out.insert(o.value(QLatin1String("tag")).toString(),
                       o.value(QLatin1String("count")).toInt(-1));
            if (order)
                *order << o.value(QLatin1String("tag")).toString();
        }
        return out;
    }

    HttpReply link(const QByteArray &token, const QString &from, const QString &kind,
                   const QString &to, const QByteArray &body = {})
    {
        return m_api->call("PUT", linkPath(from, kind, to), body, token);
    }

    HttpReply unlink(const QByteArray &token, const QString &from, const QString &kind,
                     const QString &to)
    {
        return m_api->call("DELETE", linkPath(from, kind, to), {}, token);
    }

    // "kind/direction/title@position" for each relation listed, in order.
    QStringList relationsOf(const QString &id, const QByteArray &token = {})
    {
        const HttpReply reply =
            m_api->get(relationsPath(id), token.isEmpty() ? m_editor.token : token);
        if (reply.status != 200)
            qWarning("listing relations failed: %s", qPrintable(describe(reply)));
        QStringList out;
        for (const QJsonValue &v : itemsOf(reply)) {
            const QJsonObject r = v.toObject();
            out << QStringLiteral("%1/%2/%3@%4")
                       .arg(r.value(QLatin1String("kind")).toString(),
                            r.value(QLatin1String("direction")).toString(),
                            r.value(QLatin1String("title")).toString())
                       .arg(r.value(QLatin1String("position")).toInt(-1));
        }
        return out;
    }

private slots:
    void initTestCase()
    {
        m_server = std::make_unique<ServerProcess>();
        QVERIFY2(m_server->start({QStringLiteral("--bootstrap-admin"), kAdminEmail,
                                  QStringLiteral("--log-level"), QStringLiteral("debug")},
                                 apiTestEnv(), kStartTimeoutMs),
                 qPrintable(m_server->diagnostics()));
        m_api = std::make_unique<ApiClient>(m_server->port());
        m_adminToken =
            m_api->login(kAdminEmail, colophon::test::bootstrapPassword(*m_server)).access;
        QVERIFY(!m_adminToken.isEmpty());

        auto editor = makeUser(QStringLiteral("editor"));
        auto creator = makeUser(QStringLiteral("creator"));
        auto other = makeUser(QStringLiteral("creator"));
        auto consumer = makeUser(QStringLiteral("consumer"));
        QVERIFY(editor && creator && other && consumer);
        m_editor = *editor;
        m_creator = *creator;
        m_other = *other;
        m_consumer = *consumer;
    }

    void cleanup()
    {
        QVERIFY2(m_api->bodyLeaks().isEmpty(),
                 qPrintable(m_api->bodyLeaks().join(QLatin1Char('\n'))));
        QVERIFY2(m_server->isRunning(), qPrintable(m_server->diagnostics()));
    }

    void cleanupTestCase()
    {
        if (!m_server)
            return;
        QVERIFY2(m_server->signalAndWait(SIGTERM, kExitTimeoutMs),
                 qPrintable(m_server->diagnostics()));
        // No password or token in any log line.
        VERIFY_NO_ISSUE(m_api->leakIn(m_server->stdoutText()));
    }

    // --- categories ---------------------------------------------------------------------

    void createAnswers201WithLocationAndTheCategory()
    {
        const QString parent = categoryId(unique("Parent"));
        QVERIFY(!parent.isEmpty());
        const HttpReply created =
            postCategory(m_adminToken, {{QStringLiteral("name"), QStringLiteral("  Field Notes  ")},
                                        {QStringLiteral("description"), QStringLiteral("Notes")},
                                        {QStringLiteral("parentId"), parent}});
        VERIFY_NO_ISSUE(statusIssue(created, 201));
        const QJsonObject category = jsonOf(created);
        const QString id = category.value(QLatin1String("id")).toString();
        QVERIFY(!QUuid::fromString(id).isNull());
        QCOMPARE(created.header("Location"), categoryPath(id));
        QCOMPARE(category.value(QLatin1String("name")).toString(), QStringLiteral("Field Notes"));
        QCOMPARE(category.value(QLatin1String("description")).toString(), QStringLiteral("Notes"));
        QCOMPARE(category.value(QLatin1String("slug")).toString(), QStringLiteral("field-notes"));
        QCOMPARE(category.value(QLatin1String("parentId")).toString(), parent);
        QCOMPARE(category.value(QLatin1String("itemCount")).toInt(-1), 0);
        QVERIFY(!category.value(QLatin1String("createdAt")).toString().isEmpty());
        QVERIFY(!category.value(QLatin1String("updatedAt")).toString().isEmpty());

        // Every role reads it, alone and in the list.
        for (const QByteArray &token :
             {m_adminToken, m_editor.token, m_creator.token, m_consumer.token}) {
            const HttpReply read = m_api->get(categoryPath(id), token);
            VERIFY_NO_ISSUE(statusIssue(read, 200));
            QCOMPARE(jsonOf(read), category);
            QCOMPARE(listedCategory(id, token), category);
        }
        // A root has a null parentId.
        QVERIFY(listedCategory(parent).value(QLatin1String("parentId")).isNull());
    }

    void theTreeCarriesItemCounts()
    {
        const QString root = categoryId(unique("Root"));
        const QString child = categoryId(unique("Child"), root);
        const QString grandchild = categoryId(unique("Grandchild"), child);
        QVERIFY(!root.isEmpty() && !child.isEmpty() && !grandchild.isEmpty());
        // A creator's draft counts too: itemCount is about the category, not the reader.
        QVERIFY(!itemId(m_creator.token, QStringLiteral("Counted draft"), {}, {child}).isEmpty());
        QVERIFY(
            !itemId(m_editor.token, QStringLiteral("Counted twice"), {}, {root, child}).isEmpty());
        const QString gone = itemId(m_editor.token, QStringLiteral("Counted gone"), {}, {root});
        QVERIFY(!gone.isEmpty());
        VERIFY_NO_ISSUE(
            statusIssue(m_api->call("DELETE", itemPath(gone), {}, m_editor.token), 204));

        const HttpReply list = m_api->get(kCategories, m_consumer.token);
        VERIFY_NO_ISSUE(statusIssue(list, 200));
        QMap<QString, QJsonObject> byId;
        QStringList names;
        for (const QJsonValue &v : itemsOf(list)) {
            byId.insert(v.toObject().value(QLatin1String("id")).toString(), v.toObject());
            names << v.toObject().value(QLatin1String("name")).toString();
        }
        QVERIFY(byId.contains(root) && byId.contains(child) && byId.contains(grandchild));
        QVERIFY(byId[root].value(QLatin1String("parentId")).isNull());
        QCOMPARE(byId[child].value(QLatin1String("parentId")).toString(), root);
        QCOMPARE(byId[grandchild].value(QLatin1String("parentId")).toString(), child);
        // Counts are per category, not including descendants; a deleted item does not count.
        QCOMPARE(byId[root].value(QLatin1String("itemCount")).toInt(-1), 1);
        QCOMPARE(byId[child].value(QLatin1String("itemCount")).toInt(-1), 2);
        QCOMPARE(byId[grandchild].value(QLatin1String("itemCount")).toInt(-1), 0);
        // Listed by name.
        QStringList sorted = names;
        std::sort(sorted.begin(), sorted.end());
        QCOMPARE(names, sorted);
    }

    void aGeneratedSlugIsMadeUniqueAndATakenOneIs409()
    {
        const QString name = unique("Twin Category");
        const HttpReply first = postCategory(m_editor.token, {{QStringLiteral("name"), name}});
        const HttpReply second = postCategory(m_editor.token, {{QStringLiteral("name"), name}});
        VERIFY_NO_ISSUE(statusIssue(first, 201));
        VERIFY_NO_ISSUE(statusIssue(second, 201));
        const QString slug = str(first, "slug");
        QCOMPARE(slug, name.toLower().replace(u' ', u'-'));
        QCOMPARE(str(second, "slug"), slug + QStringLiteral("-2"));

        VERIFY_NO_ISSUE(problemIssue(postCategory(m_editor.token, {{QStringLiteral("name"), name},
                                                                   {QStringLiteral("slug"), slug}}),
                                     409, QStringLiteral("slug")));
        const HttpReply explicitSlug =
            postCategory(m_editor.token, {{QStringLiteral("name"), name},
                                          {QStringLiteral("slug"), slug + QStringLiteral("-x")}});
        VERIFY_NO_ISSUE(statusIssue(explicitSlug, 201));
        QCOMPARE(str(explicitSlug, "slug"), slug + QStringLiteral("-x"));
        // A deleted category's slug is free again.
        VERIFY_NO_ISSUE(statusIssue(deleteCategory(m_editor.token, str(first, "id")), 204));
        const HttpReply reused = postCategory(
            m_editor.token, {{QStringLiteral("name"), name}, {QStringLiteral("slug"), slug}});
        VERIFY_NO_ISSUE(statusIssue(reused, 201));
    }

    void createRejectsABadFieldNamingIt_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::newRow("no name") << QByteArray("{}") << QStringLiteral("name");
        QTest::newRow("blank name") << QByteArray("{\"name\":\"   \"}") << QStringLiteral("name");
        QTest::newRow("name not a string") << QByteArray("{\"name\":5}") << QStringLiteral("name");
        QTest::newRow("long name")
            << "{\"name\":\"" + QByteArray(101, 'n') + "\"}" << QStringLiteral("name");
        QTest::newRow("long description")
            << "{\"name\":\"n\",\"description\":\"" + QByteArray(2001, 'd') + "\"}"
            << QStringLiteral("description");
        QTest::newRow("bad slug") << QByteArray("{\"name\":\"n\",\"slug\":\"Not A Slug\"}")
                                  << QStringLiteral("slug");
        QTest::newRow("unknown parent")
            << "{\"name\":\"n\",\"parentId\":\"" + kUnknownUuid.toUtf8() + "\"}"
            << QStringLiteral("parentId");
        QTest::newRow("parent not a string")
            << QByteArray("{\"name\":\"n\",\"parentId\":7}") << QStringLiteral("parentId");
        QTest::newRow("unknown member")
            << QByteArray("{\"name\":\"n\",\"colour\":\"red\"}") << QStringLiteral("colour");
        QTest::newRow("itemCount is not set by hand")
            << QByteArray("{\"name\":\"n\",\"itemCount\":3}") << QStringLiteral("itemCount");
    }

    void createRejectsABadFieldNamingIt()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        const qsizetype before = itemsOf(m_api->get(kCategories, m_editor.token)).size();
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("POST", kCategories, body, m_editor.token), 422, field));
        QCOMPARE(itemsOf(m_api->get(kCategories, m_editor.token)).size(), before);
    }

    void malformedJsonIs400()
    {
        const QString id = categoryId(unique("Malformed"));
        QVERIFY(!id.isEmpty());
        for (const QByteArray &body :
             {QByteArray("{\"name\":"), QByteArray("[1]"), QByteArray("\"name\""), QByteArray()}) {
            VERIFY_NO_ISSUE(
                problemIssue(m_api->call("POST", kCategories, body, m_editor.token), 400));
            VERIFY_NO_ISSUE(
                problemIssue(m_api->call("PATCH", categoryPath(id), body, m_editor.token), 400));
            VERIFY_NO_ISSUE(
                problemIssue(m_api->call("POST", kTags + "/rename", body, m_editor.token), 400));
            VERIFY_NO_ISSUE(
                problemIssue(m_api->call("POST", kTags + "/merge", body, m_editor.token), 400));
        }
    }

    void patchChangesOnlyTheGivenFields()
    {
        const QString parent = categoryId(unique("Patch parent"));
        const QString id = categoryId(unique("Patch me"), parent);
        QVERIFY(!parent.isEmpty() && !id.isEmpty());
        const QJsonObject before = jsonOf(m_api->get(categoryPath(id), m_editor.token));

        const HttpReply renamed = patchCategory(
            m_editor.token, id, {{QStringLiteral("name"), QStringLiteral("Renamed")}});
        VERIFY_NO_ISSUE(statusIssue(renamed, 200));
        QCOMPARE(str(renamed, "name"), QStringLiteral("Renamed"));
        QCOMPARE(str(renamed, "slug"), before.value(QLatin1String("slug")).toString());
        QCOMPARE(str(renamed, "parentId"), parent);

        const QString slug = unique("patched-slug");
        const HttpReply described =
            patchCategory(m_adminToken, id,
                          {{QStringLiteral("description"), QStringLiteral("Now described")},
                           {QStringLiteral("slug"), slug}});
        VERIFY_NO_ISSUE(statusIssue(described, 200));
        QCOMPARE(str(described, "description"), QStringLiteral("Now described"));
        QCOMPARE(str(described, "slug"), slug);
        QCOMPARE(str(described, "name"), QStringLiteral("Renamed"));
        QCOMPARE(jsonOf(m_api->get(categoryPath(id), m_consumer.token)), jsonOf(described));

        // An empty change changes nothing; its own slug is not "taken".
        VERIFY_NO_ISSUE(statusIssue(patchCategory(m_editor.token, id, {}), 200));
        VERIFY_NO_ISSUE(
            statusIssue(patchCategory(m_editor.token, id, {{QStringLiteral("slug"), slug}}), 200));

        // Another category's slug is taken.
        const QString otherSlug = str(m_api->get(categoryPath(parent), m_editor.token), "slug");
        VERIFY_NO_ISSUE(
            problemIssue(patchCategory(m_editor.token, id, {{QStringLiteral("slug"), otherSlug}}),
                         409, QStringLiteral("slug")));
        VERIFY_NO_ISSUE(
            problemIssue(patchCategory(m_editor.token, id, {{QStringLiteral("name"), QString()}}),
                         422, QStringLiteral("name")));
        VERIFY_NO_ISSUE(problemIssue(
            patchCategory(m_editor.token, id, {{QStringLiteral("slug"), QStringLiteral("A B")}}),
            422, QStringLiteral("slug")));
        VERIFY_NO_ISSUE(
            problemIssue(patchCategory(m_editor.token, id, {{QStringLiteral("itemCount"), 9}}), 422,
                         QStringLiteral("itemCount")));
        QCOMPARE(str(m_api->get(categoryPath(id), m_editor.token), "slug"), slug);

        // null moves it to the root.
        const HttpReply rooted =
            patchCategory(m_editor.token, id, {{QStringLiteral("parentId"), QJsonValue::Null}});
        VERIFY_NO_ISSUE(statusIssue(rooted, 200));
        QVERIFY(jsonOf(rooted).value(QLatin1String("parentId")).isNull());
        const HttpReply back =
            patchCategory(m_editor.token, id, {{QStringLiteral("parentId"), parent}});
        VERIFY_NO_ISSUE(statusIssue(back, 200));
        QCOMPARE(str(back, "parentId"), parent);
    }

    void aMoveUnderItselfOrADescendantIs422NamingParentId()
    {
        const QString a = categoryId(unique("Cycle A"));
        const QString b = categoryId(unique("Cycle B"), a);
        const QString c = categoryId(unique("Cycle C"), b);
        QVERIFY(!a.isEmpty() && !b.isEmpty() && !c.isEmpty());
        for (const QString &target : {a, b, c}) {
            VERIFY_NO_ISSUE(problemIssue(
                patchCategory(m_editor.token, a, {{QStringLiteral("parentId"), target}}), 422,
                QStringLiteral("parentId")));
        }
        VERIFY_NO_ISSUE(
            problemIssue(patchCategory(m_editor.token, b, {{QStringLiteral("parentId"), c}}), 422,
                         QStringLiteral("parentId")));
        VERIFY_NO_ISSUE(problemIssue(
            patchCategory(m_editor.token, b, {{QStringLiteral("parentId"), kUnknownUuid}}), 422,
            QStringLiteral("parentId")));
        // Nothing moved.
        QVERIFY(listedCategory(a).value(QLatin1String("parentId")).isNull());
        QCOMPARE(listedCategory(b).value(QLatin1String("parentId")).toString(), a);
        QCOMPARE(listedCategory(c).value(QLatin1String("parentId")).toString(), b);
        // A move elsewhere in the tree is fine: C up to the root, then A under C.
        VERIFY_NO_ISSUE(statusIssue(
            patchCategory(m_editor.token, c, {{QStringLiteral("parentId"), QString()}}), 200));
        VERIFY_NO_ISSUE(
            statusIssue(patchCategory(m_editor.token, a, {{QStringLiteral("parentId"), c}}), 200));
        QCOMPARE(listedCategory(a).value(QLatin1String("parentId")).toString(), c);
        // ...and now C under B would be a cycle (B is under A, A under C).
        VERIFY_NO_ISSUE(
            problemIssue(patchCategory(m_editor.token, c, {{QStringLiteral("parentId"), b}}), 422,
                         QStringLiteral("parentId")));
    }

    void deletingACategoryWithItemsNeedsReassignToAndMovesThem()
    {
        const QString grandparent = categoryId(unique("Keep"));
        const QString doomed = categoryId(unique("Doomed"), grandparent);
        const QString child = categoryId(unique("Doomed child"), doomed);
        const QString target = categoryId(unique("Target"));
        const QString extra = categoryId(unique("Extra"));
        QVERIFY(!grandparent.isEmpty() && !doomed.isEmpty() && !child.isEmpty() &&
                !target.isEmpty() && !extra.isEmpty());
        const QString first = itemId(m_creator.token, QStringLiteral("In doomed"), {}, {doomed});
        const QString second =
            itemId(m_editor.token, QStringLiteral("In doomed and extra"), {}, {doomed, extra});
        const QString already =
            itemId(m_editor.token, QStringLiteral("In doomed and target"), {}, {doomed, target});
        QVERIFY(!first.isEmpty() && !second.isEmpty() && !already.isEmpty());
        QVERIFY(publish(second));
        const int versionBefore = item(first).value(QLatin1String("version")).toInt();

        VERIFY_NO_ISSUE(problemIssue(deleteCategory(m_editor.token, doomed), 409));
        VERIFY_NO_ISSUE(problemIssue(deleteCategory(m_editor.token, doomed, doomed), 422,
                                     QStringLiteral("reassignTo")));
        VERIFY_NO_ISSUE(problemIssue(deleteCategory(m_editor.token, doomed, kUnknownUuid), 422,
                                     QStringLiteral("reassignTo")));
        QCOMPARE(listedCategory(doomed).value(QLatin1String("itemCount")).toInt(-1), 3);

        VERIFY_NO_ISSUE(statusIssue(deleteCategory(m_editor.token, doomed, target), 204));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(categoryPath(doomed), m_editor.token), 404));
        QVERIFY(listedCategory(doomed).isEmpty());
        VERIFY_NO_ISSUE(problemIssue(deleteCategory(m_editor.token, doomed, target), 404));

        // The items moved to the target, keeping their other categories.
        QCOMPARE(stringsOf(item(first).value(QLatin1String("categories"))), QStringList{target});
        QStringList expected{target, extra};
        expected.sort();
        QCOMPARE(stringsOf(item(second).value(QLatin1String("categories"))), expected);
        QCOMPARE(stringsOf(item(already).value(QLatin1String("categories"))), QStringList{target});
        QCOMPARE(item(first).value(QLatin1String("version")).toInt(), versionBefore + 1);
        QCOMPARE(listedCategory(target).value(QLatin1String("itemCount")).toInt(-1), 3);
        QStringList listed;
        for (const QJsonValue &v : itemsOf(
                 m_api->get(kContent + "?limit=100&category=" + target.toUtf8(), m_editor.token)))
            listed << v.toObject().value(QLatin1String("id")).toString();
        listed.sort();
        QStringList ids{first, second, already};
        ids.sort();
        QCOMPARE(listed, ids);
        QVERIFY(itemsOf(m_api->get(kContent + "?category=" + doomed.toUtf8(), m_editor.token))
                    .isEmpty());

        // Its child moved up to its parent.
        QCOMPARE(listedCategory(child).value(QLatin1String("parentId")).toString(), grandparent);
        QCOMPARE(str(m_api->get(categoryPath(child), m_editor.token), "parentId"), grandparent);
    }

    void deletingAnEmptyCategoryNeedsNoReassignToAndItsChildrenBecomeRoots()
    {
        const QString root = categoryId(unique("Empty root"));
        const QString child = categoryId(unique("Orphan"), root);
        QVERIFY(!root.isEmpty() && !child.isEmpty());
        VERIFY_NO_ISSUE(statusIssue(deleteCategory(m_adminToken, root), 204));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(categoryPath(root), m_editor.token), 404));
        QVERIFY(listedCategory(child).value(QLatin1String("parentId")).isNull());
        // A deleted category is no parent and no category for an item.
        VERIFY_NO_ISSUE(problemIssue(
            postCategory(m_editor.token, {{QStringLiteral("name"), QStringLiteral("x")},
                                          {QStringLiteral("parentId"), root}}),
            422, QStringLiteral("parentId")));
        VERIFY_NO_ISSUE(
            problemIssue(patchCategory(m_editor.token, child, {{QStringLiteral("parentId"), root}}),
                         422, QStringLiteral("parentId")));
        VERIFY_NO_ISSUE(problemIssue(m_api->post(kContent,
                                                 {{QStringLiteral("title"), QStringLiteral("x")},
                                                  {QStringLiteral("categories"), QJsonArray{root}}},
                                                 m_editor.token),
                                     422, QStringLiteral("categories")));
    }

    void anUnknownCategoryIs404()
    {
        const QByteArray path = categoryPath(kUnknownUuid);
        VERIFY_NO_ISSUE(problemIssue(m_api->get(path, m_editor.token), 404));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("PATCH", path, "{\"name\":\"x\"}", m_editor.token), 404));
        VERIFY_NO_ISSUE(problemIssue(m_api->call("DELETE", path, {}, m_editor.token), 404));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(kCategories + "/not-a-uuid", m_editor.token), 404));
    }

    // --- tags ---------------------------------------------------------------------------

    void tagCountsShowWhatEachRoleMaySee()
    {
        // Draft by creator A, draft by creator B, published by the editor, draft by the editor.
        const QString mine = itemId(m_creator.token, QStringLiteral("Tag A"),
                                    {QStringLiteral("TCX Alpha"), QStringLiteral("tcx-beta")});
        const QString theirs =
            itemId(m_other.token, QStringLiteral("Tag B"), {QStringLiteral("tcx alpha")});
        const QString published = itemId(m_editor.token, QStringLiteral("Tag C"),
                                         {QStringLiteral("tcx alpha"), QStringLiteral("tcx-beta")});
        const QString draft =
            itemId(m_editor.token, QStringLiteral("Tag D"), {QStringLiteral("tcx-gamma")});
        QVERIFY(!mine.isEmpty() && !theirs.isEmpty() && !published.isEmpty() && !draft.isEmpty());
        QVERIFY(publish(published));

        using Counts = QMap<QString, int>;
        const QString alpha = QStringLiteral("tcx alpha");
        const QString beta = QStringLiteral("tcx-beta");
        const QString gamma = QStringLiteral("tcx-gamma");
        QStringList order;
        QCOMPARE(tagCounts(m_editor.token, "tcx", &order),
                 (Counts{{alpha, 3}, {beta, 2}, {gamma, 1}}));
        QCOMPARE(order, (QStringList{alpha, beta, gamma})); // most used first
        QCOMPARE(tagCounts(m_adminToken, "tcx"), (Counts{{alpha, 3}, {beta, 2}, {gamma, 1}}));
        order.clear();
        QCOMPARE(tagCounts(m_creator.token, "tcx", &order), (Counts{{alpha, 2}, {beta, 2}}));
        QCOMPARE(order, (QStringList{alpha, beta})); // ties by tag
        QCOMPARE(tagCounts(m_other.token, "tcx"), (Counts{{alpha, 2}, {beta, 1}}));
        QCOMPARE(tagCounts(m_consumer.token, "tcx"), (Counts{{alpha, 1}, {beta, 1}}));

        // The prefix is normalised like a tag; LIKE's wildcards are plain characters.
        QCOMPARE(tagCounts(m_editor.token, "%20TCX%20%20AL"), (Counts{{alpha, 3}}));
        QCOMPARE(tagCounts(m_editor.token, "tcx_beta"), Counts{});
        QCOMPARE(tagCounts(m_editor.token, "tcx%25"), Counts{});
        QCOMPARE(tagCounts(m_editor.token, "tcx-b"), (Counts{{beta, 2}}));
        // Without a prefix every tag is listed.
        QVERIFY(tagCounts(m_consumer.token, "").contains(alpha));

        // A deleted item no longer counts.
        VERIFY_NO_ISSUE(
            statusIssue(m_api->call("DELETE", itemPath(draft), {}, m_editor.token), 204));
        QCOMPARE(tagCounts(m_editor.token, "tcx"), (Counts{{alpha, 3}, {beta, 2}}));
    }

    void renameMovesATagOnEveryItem()
    {
        const QString a = itemId(m_creator.token, QStringLiteral("Rename A"),
                                 {QStringLiteral("rn-old"), QStringLiteral("rn-keep")});
        const QString b = itemId(m_editor.token, QStringLiteral("Rename B"),
                                 {QStringLiteral("rn-old"), QStringLiteral("rn-new")});
        const QString c =
            itemId(m_editor.token, QStringLiteral("Rename C"), {QStringLiteral("rn-new")});
        QVERIFY(!a.isEmpty() && !b.isEmpty() && !c.isEmpty());
        QVERIFY(publish(b));
        const int versionA = item(a).value(QLatin1String("version")).toInt();
        const int versionC = item(c).value(QLatin1String("version")).toInt();

        const HttpReply renamed = m_api->post(kTags + "/rename",
                                              {{QStringLiteral("from"), QStringLiteral(" RN-Old ")},
                                               {QStringLiteral("to"), QStringLiteral("RN-New")}},
                                              m_editor.token);
        VERIFY_NO_ISSUE(statusIssue(renamed, 200));
        QCOMPARE(jsonOf(renamed), (QJsonObject{{QStringLiteral("itemsChanged"), 2}}));
        QCOMPARE(stringsOf(item(a).value(QLatin1String("tags"))),
                 (QStringList{QStringLiteral("rn-keep"), QStringLiteral("rn-new")}));
        QCOMPARE(stringsOf(item(b).value(QLatin1String("tags"))),
                 QStringList{QStringLiteral("rn-new")});
        QCOMPARE(item(a).value(QLatin1String("version")).toInt(), versionA + 1);
        QCOMPARE(item(c).value(QLatin1String("version")).toInt(), versionC);
        QCOMPARE(
            tagCounts(m_editor.token, "rn-"),
            (QMap<QString, int>{{QStringLiteral("rn-new"), 3}, {QStringLiteral("rn-keep"), 1}}));
        QCOMPARE(itemsOf(m_api->get(kContent + "?tag=rn-new", m_editor.token)).size(), 3);
        QVERIFY(itemsOf(m_api->get(kContent + "?tag=rn-old", m_editor.token)).isEmpty());

        // A tag no item carries changes nothing; an admin may rename too.
        const HttpReply none = m_api->post(kTags + "/rename",
                                           {{QStringLiteral("from"), QStringLiteral("rn-old")},
                                            {QStringLiteral("to"), QStringLiteral("rn-other")}},
                                           m_adminToken);
        VERIFY_NO_ISSUE(statusIssue(none, 200));
        QCOMPARE(jsonOf(none).value(QLatin1String("itemsChanged")).toInt(-1), 0);
    }

    void renameRejectsABadFieldNamingIt_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::newRow("no from") << QByteArray("{\"to\":\"x\"}") << QStringLiteral("from");
        QTest::newRow("no to") << QByteArray("{\"from\":\"x\"}") << QStringLiteral("to");
        QTest::newRow("from not a string")
            << QByteArray("{\"from\":[\"x\"],\"to\":\"y\"}") << QStringLiteral("from");
        QTest::newRow("empty from")
            << QByteArray("{\"from\":\"  \",\"to\":\"y\"}") << QStringLiteral("from");
        QTest::newRow("empty to") << QByteArray("{\"from\":\"x\",\"to\":\"\"}")
                                  << QStringLiteral("to");
        QTest::newRow("long to") << "{\"from\":\"x\",\"to\":\"" + QByteArray(51, 't') + "\"}"
                                 << QStringLiteral("to");
        QTest::newRow("the same tag")
            << QByteArray("{\"from\":\"Same Tag\",\"to\":\"same  tag\"}") << QStringLiteral("from");
        QTest::newRow("unknown member")
            << QByteArray("{\"from\":\"x\",\"to\":\"y\",\"force\":true}")
            << QStringLiteral("force");
    }

    void renameRejectsABadFieldNamingIt()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("POST", kTags + "/rename", body, m_editor.token), 422, field));
    }

    void mergeFoldsSeveralTagsIntoOne()
    {
        const QString a = itemId(m_creator.token, QStringLiteral("Merge A"),
                                 {QStringLiteral("mg-one"), QStringLiteral("mg-two")});
        const QString b =
            itemId(m_editor.token, QStringLiteral("Merge B"), {QStringLiteral("mg-two")});
        const QString c = itemId(m_editor.token, QStringLiteral("Merge C"),
                                 {QStringLiteral("mg-into"), QStringLiteral("mg-three")});
        const QString d =
            itemId(m_editor.token, QStringLiteral("Merge D"), {QStringLiteral("mg-into")});
        QVERIFY(!a.isEmpty() && !b.isEmpty() && !c.isEmpty() && !d.isEmpty());

        const HttpReply merged =
            m_api->post(kTags + "/merge",
                        {{QStringLiteral("from"),
                          QJsonArray{QStringLiteral("MG-One"), QStringLiteral("mg-two"),
                                     QStringLiteral("mg-three"), QStringLiteral("mg-into"),
                                     QStringLiteral("mg-absent"), QStringLiteral("mg-one")}},
                         {QStringLiteral("to"), QStringLiteral("mg-into")}},
                        m_adminToken);
        VERIFY_NO_ISSUE(statusIssue(merged, 200));
        // a, b and c change; d already had only the target.
        QCOMPARE(jsonOf(merged).value(QLatin1String("itemsChanged")).toInt(-1), 3);
        for (const QString &id : {a, b, c, d}) {
            QCOMPARE(stringsOf(item(id).value(QLatin1String("tags"))),
                     QStringList{QStringLiteral("mg-into")});
        }
        QCOMPARE(tagCounts(m_editor.token, "mg-"),
                 (QMap<QString, int>{{QStringLiteral("mg-into"), 4}}));
    }

    void mergeRejectsABadFieldNamingIt_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::newRow("from not an array")
            << QByteArray("{\"from\":\"x\",\"to\":\"y\"}") << QStringLiteral("from");
        QTest::newRow("from holds a number")
            << QByteArray("{\"from\":[1],\"to\":\"y\"}") << QStringLiteral("from");
        QTest::newRow("from empty")
            << QByteArray("{\"from\":[],\"to\":\"y\"}") << QStringLiteral("from");
        QTest::newRow("from only the target")
            << QByteArray("{\"from\":[\"Y\"],\"to\":\"y\"}") << QStringLiteral("from");
        QTest::newRow("a blank tag in from")
            << QByteArray("{\"from\":[\"x\",\" \"],\"to\":\"y\"}") << QStringLiteral("from");
        QTest::newRow("no to") << QByteArray("{\"from\":[\"x\"]}") << QStringLiteral("to");
        QTest::newRow("to not a string")
            << QByteArray("{\"from\":[\"x\"],\"to\":[\"y\"]}") << QStringLiteral("to");
        QTest::newRow("long to") << "{\"from\":[\"x\"],\"to\":\"" + QByteArray(51, 't') + "\"}"
                                 << QStringLiteral("to");
        QTest::newRow("unknown member")
            << QByteArray("{\"from\":[\"x\"],\"to\":\"y\",\"dry\":true}") << QStringLiteral("dry");
    }

    void mergeRejectsABadFieldNamingIt()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("POST", kTags + "/merge", body, m_editor.token), 422, field));
    }

    // --- relations ----------------------------------------------------------------------

    void linksAreListedBothWaysInOrderWithPositions()
    {
        const QString book = itemId(m_editor.token, QStringLiteral("Book"), {});
        const QString part1 = itemId(m_editor.token, QStringLiteral("Part one"), {});
        const QString part2 = itemId(m_editor.token, QStringLiteral("Part two"), {});
        const QString part3 = itemId(m_editor.token, QStringLiteral("Part three"), {});
        const QString aside = itemId(m_editor.token, QStringLiteral("Aside"), {});
        const QString french = itemId(m_editor.token, QStringLiteral("Livre"), {});
        QVERIFY(!book.isEmpty() && !part1.isEmpty() && !part2.isEmpty() && !part3.isEmpty() &&
                !aside.isEmpty() && !french.isEmpty());

        VERIFY_NO_ISSUE(statusIssue(
            link(m_editor.token, book, QStringLiteral("series"), part2, "{\"position\":2}"), 204));
        VERIFY_NO_ISSUE(statusIssue(
            link(m_editor.token, book, QStringLiteral("series"), part3, "{\"position\":3}"), 204));
        VERIFY_NO_ISSUE(statusIssue(
            link(m_adminToken, book, QStringLiteral("series"), part1, "{\"position\":1}"), 204));
        // Without a body (or with an empty object) the position is 0.
        VERIFY_NO_ISSUE(
            statusIssue(link(m_editor.token, book, QStringLiteral("related"), aside), 204));
        VERIFY_NO_ISSUE(statusIssue(
            link(m_editor.token, french, QStringLiteral("translation-of"), book, "{}"), 204));

        const HttpReply listed = m_api->get(relationsPath(book), m_editor.token);
        VERIFY_NO_ISSUE(statusIssue(listed, 200));
        const QJsonObject first = itemsOf(listed).first().toObject();
        QCOMPARE(first, (QJsonObject{{QStringLiteral("kind"), QStringLiteral("related")},
                                     {QStringLiteral("direction"), QStringLiteral("out")},
                                     {QStringLiteral("id"), aside},
                                     {QStringLiteral("title"), QStringLiteral("Aside")},
                                     {QStringLiteral("position"), 0}}));
        QCOMPARE(relationsOf(book), (QStringList{QStringLiteral("related/out/Aside@0"),
                                                 QStringLiteral("series/out/Part one@1"),
                                                 QStringLiteral("series/out/Part two@2"),
                                                 QStringLiteral("series/out/Part three@3"),
                                                 QStringLiteral("translation-of/in/Livre@0")}));
        // From the other end, the same links point in.
        QCOMPARE(relationsOf(part2), QStringList{QStringLiteral("series/in/Book@2")});
        QCOMPARE(relationsOf(french), QStringList{QStringLiteral("translation-of/out/Book@0")});

        // Linking again keeps one link and takes the new position.
        VERIFY_NO_ISSUE(statusIssue(
            link(m_editor.token, book, QStringLiteral("series"), part3, "{\"position\":0}"), 204));
        QCOMPARE(relationsOf(book).mid(1, 3),
                 (QStringList{QStringLiteral("series/out/Part three@0"),
                              QStringLiteral("series/out/Part one@1"),
                              QStringLiteral("series/out/Part two@2")}));

        // Unlinking removes one link; again, or one that never was, is still 204.
        VERIFY_NO_ISSUE(
            statusIssue(unlink(m_editor.token, book, QStringLiteral("series"), part1), 204));
        VERIFY_NO_ISSUE(
            statusIssue(unlink(m_editor.token, book, QStringLiteral("series"), part1), 204));
        VERIFY_NO_ISSUE(
            statusIssue(unlink(m_editor.token, book, QStringLiteral("related"), part2), 204));
        QCOMPARE(relationsOf(part1), QStringList());
        QCOMPARE(relationsOf(book), (QStringList{QStringLiteral("related/out/Aside@0"),
                                                 QStringLiteral("series/out/Part three@0"),
                                                 QStringLiteral("series/out/Part two@2"),
                                                 QStringLiteral("translation-of/in/Livre@0")}));
        // ...and linking it again brings it back.
        VERIFY_NO_ISSUE(statusIssue(
            link(m_editor.token, book, QStringLiteral("series"), part1, "{\"position\":5}"), 204));
        QCOMPARE(relationsOf(part1), QStringList{QStringLiteral("series/in/Book@5")});
    }

    void aBadLinkIs422NamingTheFault()
    {
        const QString from = itemId(m_creator.token, QStringLiteral("Link from"), {});
        const QString to = itemId(m_creator.token, QStringLiteral("Link to"), {});
        const QString hidden = itemId(m_other.token, QStringLiteral("Not for A"), {});
        QVERIFY(!from.isEmpty() && !to.isEmpty() && !hidden.isEmpty());
        const QByteArray token = m_creator.token;

        VERIFY_NO_ISSUE(problemIssue(link(token, from, QStringLiteral("sequel"), to), 422,
                                     QStringLiteral("kind")));
        VERIFY_NO_ISSUE(problemIssue(unlink(token, from, QStringLiteral("sequel"), to), 422,
                                     QStringLiteral("kind")));
        VERIFY_NO_ISSUE(problemIssue(link(token, from, QStringLiteral("Related"), to), 422,
                                     QStringLiteral("kind")));
        VERIFY_NO_ISSUE(problemIssue(link(token, from, QStringLiteral("related"), from), 422,
                                     QStringLiteral("to")));
        VERIFY_NO_ISSUE(problemIssue(link(token, from, QStringLiteral("related"), kUnknownUuid),
                                     422, QStringLiteral("to")));
        // Another creator's draft is invisible to A: no such item, as far as A knows.
        VERIFY_NO_ISSUE(problemIssue(link(token, from, QStringLiteral("related"), hidden), 422,
                                     QStringLiteral("to")));
        // A deleted item is no target.
        const QString deleted = itemId(token, QStringLiteral("Deleted target"), {});
        QVERIFY(!deleted.isEmpty());
        VERIFY_NO_ISSUE(statusIssue(m_api->call("DELETE", itemPath(deleted), {}, token), 204));
        VERIFY_NO_ISSUE(problemIssue(link(token, from, QStringLiteral("related"), deleted), 422,
                                     QStringLiteral("to")));

        for (const QByteArray &body :
             {QByteArray("{\"position\":-1}"), QByteArray("{\"position\":1000001}"),
              QByteArray("{\"position\":\"1\"}"), QByteArray("{\"position\":1.5}"),
              QByteArray("{\"position\":null}")}) {
            VERIFY_NO_ISSUE(problemIssue(link(token, from, QStringLiteral("series"), to, body), 422,
                                         QStringLiteral("position")));
        }
        VERIFY_NO_ISSUE(
            problemIssue(link(token, from, QStringLiteral("series"), to, "{\"order\":1}"), 422,
                         QStringLiteral("order")));
        for (const QByteArray &body :
             {QByteArray("{\"position\":"), QByteArray("[1]"), QByteArray("1")}) {
            VERIFY_NO_ISSUE(
                problemIssue(link(token, from, QStringLiteral("series"), to, body), 400));
        }
        VERIFY_NO_ISSUE(statusIssue(
            link(token, from, QStringLiteral("series"), to, "{\"position\":1000000}"), 204));
        QCOMPARE(relationsOf(from, token),
                 QStringList{QStringLiteral("series/out/Link to@1000000")});

        // An unknown or invisible source is 404, wherever the link would point.
        for (const QString &source : {kUnknownUuid, hidden}) {
            VERIFY_NO_ISSUE(problemIssue(link(token, source, QStringLiteral("related"), to), 404));
            VERIFY_NO_ISSUE(
                problemIssue(unlink(token, source, QStringLiteral("related"), to), 404));
            VERIFY_NO_ISSUE(problemIssue(m_api->get(relationsPath(source), token), 404));
        }
        // Not an id at all: no such resource.
        VERIFY_NO_ISSUE(problemIssue(
            link(token, from, QStringLiteral("related"), QStringLiteral("nope")), 404));
    }

    void aPositionBeyondAnIntegerIs422NotWrappedAround()
    {
        const QString from = itemId(m_editor.token, QStringLiteral("Big position"), {});
        const QString to = itemId(m_editor.token, QStringLiteral("Big target"), {});
        QVERIFY(!from.isEmpty() && !to.isEmpty());
        // 2^32 + 1 would read as 1 if narrowed to an int.
        VERIFY_NO_ISSUE(problemIssue(
            link(m_editor.token, from, QStringLiteral("series"), to, "{\"position\":4294967297}"),
            422, QStringLiteral("position")));
        QCOMPARE(relationsOf(from), QStringList());
    }

    void onlyThoseWhoMayEditAnItemLinkIt()
    {
        const QString draft = itemId(m_creator.token, QStringLiteral("Own draft"), {});
        const QString inReview = itemId(m_creator.token, QStringLiteral("Own in review"), {});
        const QString editors = itemId(m_editor.token, QStringLiteral("Editor's published"), {});
        QVERIFY(!draft.isEmpty() && !inReview.isEmpty() && !editors.isEmpty());
        QVERIFY(publish(editors));
        VERIFY_NO_ISSUE(
            statusIssue(m_api->call("PATCH", itemPath(inReview),
                                    compact({{QStringLiteral("status"), QStringLiteral("review")}}),
                                    m_creator.token),
                        200));

        // A creator links from their own draft, to anything they can see.
        VERIFY_NO_ISSUE(
            statusIssue(link(m_creator.token, draft, QStringLiteral("related"), editors), 204));
        // ...but not from another's item, nor from their own once it left draft.
        VERIFY_NO_ISSUE(
            problemIssue(link(m_creator.token, editors, QStringLiteral("related"), draft), 403));
        VERIFY_NO_ISSUE(
            problemIssue(unlink(m_creator.token, editors, QStringLiteral("related"), draft), 403));
        VERIFY_NO_ISSUE(
            problemIssue(link(m_creator.token, inReview, QStringLiteral("related"), editors), 403));
        // A consumer never links.
        const QString target = itemId(m_editor.token, QStringLiteral("Consumer target"), {});
        QVERIFY(publish(target));
        VERIFY_NO_ISSUE(
            problemIssue(link(m_consumer.token, editors, QStringLiteral("related"), target), 403));
        VERIFY_NO_ISSUE(problemIssue(
            unlink(m_consumer.token, editors, QStringLiteral("related"), target), 403));
        // An editor links from anyone's item, in any status.
        VERIFY_NO_ISSUE(
            statusIssue(link(m_editor.token, inReview, QStringLiteral("related"), target), 204));
        QCOMPARE(relationsOf(editors), QStringList{QStringLiteral("related/in/Own draft@0")});
    }

    void relationsShowOnlyLiveItemsTheCallerMaySee()
    {
        const QString hub = itemId(m_editor.token, QStringLiteral("Hub"), {});
        const QString visible = itemId(m_editor.token, QStringLiteral("Published spoke"), {});
        const QString draft = itemId(m_editor.token, QStringLiteral("Draft spoke"), {});
        const QString doomed = itemId(m_editor.token, QStringLiteral("Doomed spoke"), {});
        const QString incoming = itemId(m_editor.token, QStringLiteral("Doomed source"), {});
        QVERIFY(!hub.isEmpty() && !visible.isEmpty() && !draft.isEmpty() && !doomed.isEmpty() &&
                !incoming.isEmpty());
        QVERIFY(publish(hub) && publish(visible) && publish(doomed) && publish(incoming));
        for (const QString &to : {visible, draft, doomed}) {
            VERIFY_NO_ISSUE(
                statusIssue(link(m_editor.token, hub, QStringLiteral("related"), to), 204));
        }
        VERIFY_NO_ISSUE(
            statusIssue(link(m_editor.token, incoming, QStringLiteral("related"), hub), 204));
        QCOMPARE(relationsOf(hub), (QStringList{QStringLiteral("related/out/Doomed spoke@0"),
                                                QStringLiteral("related/out/Draft spoke@0"),
                                                QStringLiteral("related/out/Published spoke@0"),
                                                QStringLiteral("related/in/Doomed source@0")}));
        // The consumer and a creator do not see the draft.
        const QStringList published{QStringLiteral("related/out/Doomed spoke@0"),
                                    QStringLiteral("related/out/Published spoke@0"),
                                    QStringLiteral("related/in/Doomed source@0")};
        QCOMPARE(relationsOf(hub, m_consumer.token), published);
        QCOMPARE(relationsOf(hub, m_creator.token), published);
        VERIFY_NO_ISSUE(problemIssue(m_api->get(relationsPath(draft), m_consumer.token), 404));

        // Links to and from deleted items vanish.
        VERIFY_NO_ISSUE(
            statusIssue(m_api->call("DELETE", itemPath(doomed), {}, m_editor.token), 204));
        VERIFY_NO_ISSUE(
            statusIssue(m_api->call("DELETE", itemPath(incoming), {}, m_editor.token), 204));
        QCOMPARE(relationsOf(hub), (QStringList{QStringLiteral("related/out/Draft spoke@0"),
                                                QStringLiteral("related/out/Published spoke@0")}));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(relationsPath(doomed), m_editor.token), 404));
        QCOMPARE(relationsOf(visible), QStringList{QStringLiteral("related/in/Hub@0")});
    }

    // --- who may ------------------------------------------------------------------------

    void creatorsAndConsumersMayNotChangeTheTaxonomy()
    {
        const QString category = categoryId(unique("Guarded"));
        const QString tagged = itemId(m_editor.token, QStringLiteral("Guarded tags"),
                                      {QStringLiteral("guard-tag")}, {category});
        QVERIFY(!category.isEmpty() && !tagged.isEmpty());
        const QJsonObject before = listedCategory(category);
        const qsizetype count = itemsOf(m_api->get(kCategories, m_editor.token)).size();

        for (const QByteArray &token : {m_creator.token, m_consumer.token}) {
            VERIFY_NO_ISSUE(problemIssue(
                postCategory(token, {{QStringLiteral("name"), QStringLiteral("Not mine")}}), 403));
            VERIFY_NO_ISSUE(problemIssue(
                patchCategory(token, category, {{QStringLiteral("name"), QStringLiteral("No")}}),
                403));
            VERIFY_NO_ISSUE(problemIssue(deleteCategory(token, category), 403));
            VERIFY_NO_ISSUE(problemIssue(deleteCategory(token, kUnknownUuid), 403));
            VERIFY_NO_ISSUE(
                problemIssue(m_api->post(kTags + "/rename",
                                         {{QStringLiteral("from"), QStringLiteral("guard-tag")},
                                          {QStringLiteral("to"), QStringLiteral("taken-over")}},
                                         token),
                             403));
            VERIFY_NO_ISSUE(problemIssue(
                m_api->post(kTags + "/merge",
                            {{QStringLiteral("from"), QJsonArray{QStringLiteral("guard-tag")}},
                             {QStringLiteral("to"), QStringLiteral("taken-over")}},
                            token),
                403));
            // Reading is for everyone.
            VERIFY_NO_ISSUE(statusIssue(m_api->get(kCategories, token), 200));
            VERIFY_NO_ISSUE(statusIssue(m_api->get(categoryPath(category), token), 200));
            VERIFY_NO_ISSUE(statusIssue(m_api->get(kTags, token), 200));
        }
        QCOMPARE(listedCategory(category), before);
        QCOMPARE(itemsOf(m_api->get(kCategories, m_editor.token)).size(), count);
        QCOMPARE(stringsOf(item(tagged).value(QLatin1String("tags"))),
                 QStringList{QStringLiteral("guard-tag")});
    }

    void withoutATokenEveryTaxonomyRouteIs401()
    {
        const QString category = categoryId(unique("Anonymous"));
        const QString a = itemId(m_editor.token, QStringLiteral("Anon A"), {});
        const QString b = itemId(m_editor.token, QStringLiteral("Anon B"), {});
        QVERIFY(!category.isEmpty() && !a.isEmpty() && !b.isEmpty());
        const QByteArray path = categoryPath(category);
        for (const QByteArray &token : {QByteArray(), QByteArray("not-a-token")}) {
            VERIFY_NO_ISSUE(unauthorizedIssue(m_api->get(kCategories, token)));
            VERIFY_NO_ISSUE(
                unauthorizedIssue(m_api->call("POST", kCategories, "{\"name\":\"x\"}", token)));
            VERIFY_NO_ISSUE(unauthorizedIssue(m_api->get(path, token)));
            VERIFY_NO_ISSUE(
                unauthorizedIssue(m_api->call("PATCH", path, "{\"name\":\"x\"}", token)));
            VERIFY_NO_ISSUE(unauthorizedIssue(m_api->call("DELETE", path, {}, token)));
            VERIFY_NO_ISSUE(unauthorizedIssue(m_api->get(kTags + "?q=x", token)));
            VERIFY_NO_ISSUE(unauthorizedIssue(
                m_api->call("POST", kTags + "/rename", "{\"from\":\"x\",\"to\":\"y\"}", token)));
            VERIFY_NO_ISSUE(unauthorizedIssue(
                m_api->call("POST", kTags + "/merge", "{\"from\":[\"x\"],\"to\":\"y\"}", token)));
            VERIFY_NO_ISSUE(unauthorizedIssue(m_api->get(relationsPath(a), token)));
            VERIFY_NO_ISSUE(unauthorizedIssue(
                m_api->call("PUT", linkPath(a, QStringLiteral("related"), b), {}, token)));
            VERIFY_NO_ISSUE(unauthorizedIssue(
                m_api->call("DELETE", linkPath(a, QStringLiteral("related"), b), {}, token)));
        }
        // Nothing changed.
        VERIFY_NO_ISSUE(statusIssue(m_api->get(path, m_editor.token), 200));
        QCOMPARE(relationsOf(a), QStringList());
    }

    // Apart from the tables above, and last: reading an absent "from" must not take the
    // server down.
    void mergeWithoutFromIs422NamingFrom()
    {
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("POST", kTags + "/merge", "{\"to\":\"y\"}", m_editor.token),
                         422, QStringLiteral("from")));
        VERIFY_NO_ISSUE(problemIssue(m_api->call("POST", kTags + "/merge", "{}", m_editor.token),
                                     422, QStringLiteral("from")));
        QVERIFY2(m_server->isRunning(), qPrintable(m_server->diagnostics()));
    }

    void theServerStillAnswersAfterEverything()
    {
        VERIFY_NO_ISSUE(statusIssue(m_api->get("/healthz"), 200));
        QVERIFY(m_server->isRunning());
    }
};

QTEST_GUILESS_MAIN(TestTaxonomyApi)
#include "tst_taxonomyapi.moc"
