// SPDX-License-Identifier: MIT
// The content API over a real colophon-server on loopback: creating and
// validating items, reading, replacing, changing and deleting them, the
// workflow and who may move it, who sees what, versions, Idempotency-Key,
// pagination, sorting and filters, and the public endpoints.
#include "tests/support/apitest.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QTcpSocket>
#include <QUrl>
#include <QUuid>
#include <algorithm>
#include <csignal>
#include <memory>

using colophon::test::ApiClient;
using colophon::test::apiTestEnv;
using colophon::test::compact;
using colophon::test::describe;
using colophon::test::HttpHeaders;
using colophon::test::HttpReply;
using colophon::test::httpRequest;
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
const QByteArray kPublic = "/api/v1/public/content";
const QByteArray kUnknownId = "/api/v1/content/00000000-0000-4000-8000-000000000000";
// The tag every fixture item carries (see makeFixture()).
const QString kFixtureTag = QStringLiteral("fixture");

// Sends every request on its own connection at once, then waits for all
// the answers; one entry per request, status 0 when none came in time.
QList<HttpReply> exchangeAtOnce(const QList<QByteArray> &raws, quint16 port, int timeoutMs = 30000)
{
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < raws.size(); ++i) {
        sockets.push_back(std::make_unique<QTcpSocket>());
        sockets.back()->connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    }
    const auto connected = [&] {
        return std::all_of(sockets.cbegin(), sockets.cend(), [](const auto &s) {
            return s->state() == QAbstractSocket::ConnectedState;
        });
    };
    if (!QTest::qWaitFor(connected, timeoutMs)) {
        return QList<HttpReply>(raws.size());
    }
    for (int i = 0; i < raws.size(); ++i) {
        sockets[i]->write(raws[i]);
    }
    std::vector<QByteArray> data(raws.size());
    QList<HttpReply> replies(raws.size());
    std::vector<bool> done(raws.size(), false);
    // A request with no answer by then keeps status 0, which the caller sees.
    (void)QTest::qWaitFor(
        [&] {
            bool all = true;
            for (int i = 0; i < raws.size(); ++i) {
                if (done[i]) {
                    continue;
                }
                data[i] += sockets[i]->readAll();
                const bool closed = sockets[i]->state() == QAbstractSocket::UnconnectedState;
                if (auto reply = colophon::test::parseHttpReply(data[i], closed)) {
                    replies[i] = *reply;
                    done[i] = true;
                } else {
                    all = false;
                }
            }
            return all;
        },
        timeoutMs);
    return replies;
}

QString str(const HttpReply &reply, const char *key)
{
    return jsonOf(reply).value(QLatin1String(key)).toString();
}

QJsonArray itemsOf(const HttpReply &reply)
{
    return jsonOf(reply).value(QLatin1String("items")).toArray();
}

int totalOf(const HttpReply &reply)
{
    return jsonOf(reply)
        .value(QLatin1String("pagination"))
        .toObject()
        .value(QLatin1String("totalItems"))
        .toInt(-1);
}

QStringList valuesOf(const QJsonArray &items, const char *key)
{
    QStringList out;
    for (const QJsonValue &v : items)
        out << v.toObject().value(QLatin1String(key)).toString();
    return out;
}

QSet<QString> setOf(const QStringList &values)
{
    return QSet<QString>(values.begin(), values.end());
}

QByteArray itemPath(const QString &id)
{
    return kContent + '/' + id.toUtf8();
}

QByteArray etagOf(int version)
{
    return '"' + QByteArray::number(version) + '"';
}

// Compares two sort values as the store does: null (never set) first, then
// strings by code unit (the values here are ASCII or ISO times).
int compareValues(const QJsonValue &a, const QJsonValue &b)
{
    if (a.isNull() || b.isNull())
        return a.isNull() == b.isNull() ? 0 : (a.isNull() ? -1 : 1);
    return a.toString().compare(b.toString());
}

// What is wrong with the order of items sorted by field (ties by id), or empty.
QString orderIssue(const QJsonArray &items, const QString &field, bool descending)
{
    for (qsizetype i = 1; i < items.size(); ++i) {
        const QJsonObject a = items.at(i - 1).toObject();
        const QJsonObject b = items.at(i).toObject();
        int order = compareValues(a.value(field), b.value(field));
        if (order == 0)
            order = compareValues(a.value(QLatin1String("id")), b.value(QLatin1String("id")));
        if (descending ? order <= 0 : order >= 0) {
            return QStringLiteral("items %1 and %2 are out of order by %3%4: %5 then %6")
                .arg(i - 1)
                .arg(i)
                .arg(descending ? QStringLiteral("-") : QString(), field,
                     QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact).left(300)),
                     QString::fromUtf8(QJsonDocument(b).toJson(QJsonDocument::Compact).left(300)));
        }
    }
    return {};
}

// {"a":{"a":...1...}}: `depth` objects nested in one another, as text (so no
// JSON library on this side limits the depth).
QByteArray nestedMetadata(int depth)
{
    return QByteArray("{\"a\":").repeated(depth) + '1' + QByteArray("}").repeated(depth);
}

} // namespace

class TestContentApi final : public QObject
{
    Q_OBJECT

    using User = colophon::test::ApiAccount;

    // The fixture items by title, for sorting, filtering, paging and visibility.
    struct Fixture
    {
        QMap<QString, QString> ids;      // title -> id
        QMap<QString, QString> authors;  // title -> author id
        QMap<QString, QString> statuses; // title -> status
        QStringList titlesOf(const QStringList &listed) const
        {
            QStringList out;
            for (const QString &id : listed)
                out << ids.key(id);
            out.sort();
            return out;
        }
    };

    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<ApiClient> m_api;
    QByteArray m_adminToken;
    User m_editor;
    User m_creator; // "A": the fixture's main author
    User m_other;   // "B": another creator
    User m_consumer;
    Fixture m_fixture;
    int m_users = 0;
    int m_tags = 0;

    // An account with this role, made by the admin and signed in.
    std::optional<User> makeUser(const QString &role)
    {
        return m_api->createAccount(m_adminToken, role,
                                    QStringLiteral("%1%2@example.org").arg(role).arg(++m_users));
    }

    // A tag no other test uses, to find this test's items alone.
    QString newTag() { return QStringLiteral("case-%1").arg(++m_tags); }

    HttpReply create(const QByteArray &token, const QJsonObject &body, HttpHeaders headers = {})
    {
        return m_api->post(kContent, body, token, std::move(headers));
    }

    // Creates an item and answers its id, or an empty string (with a warning).
    QString createId(const QByteArray &token, const QJsonObject &body)
    {
        const HttpReply reply = create(token, body);
        if (reply.status != 201) {
            qWarning("create failed: %s", qPrintable(describe(reply)));
            return {};
        }
        return str(reply, "id");
    }

    HttpReply patch(const QByteArray &token, const QString &id, const QJsonObject &body,
                    HttpHeaders headers = {})
    {
        return m_api->call("PATCH", itemPath(id), compact(body), token, std::move(headers));
    }

    HttpReply put(const QByteArray &token, const QString &id, const QJsonObject &body,
                  HttpHeaders headers = {})
    {
        return m_api->call("PUT", itemPath(id), compact(body), token, std::move(headers));
    }

    HttpReply setStatus(const QByteArray &token, const QString &id, const QString &status,
                        const QString &comment = {})
    {
        QJsonObject body{{QStringLiteral("status"), status}};
        if (!comment.isEmpty())
            body.insert(QStringLiteral("comment"), comment);
        return patch(token, id, body);
    }

    HttpReply list(const QByteArray &query, const QByteArray &token)
    {
        return m_api->get(kContent + '?' + query, token);
    }

    // Ids of the items the listing answers (one page of up to 100).
    QStringList listedIds(const QByteArray &query, const QByteArray &token)
    {
        const HttpReply reply = token.isEmpty() ? m_api->get(kPublic + "?limit=100&" + query)
                                                : list("limit=100&" + query, token);
        if (reply.status != 200)
            qWarning("listing failed: %s", qPrintable(describe(reply)));
        return valuesOf(itemsOf(reply), "id");
    }

    int visibleTotal() { return totalOf(list("limit=1", m_editor.token)); }

    // Six items of both creators and the editor, in every status and type,
    // changed at distinct moments:
    //   Alpha report   creator A  article  draft
    //   Bravo clip     creator A  video    review
    //   Charlie cast   creator A  podcast  published
    //   Delta gallery  creator B  gallery  published (after Charlie)
    //   Echo notes     editor     article  archived
    //   Foxtrot story  creator B  video    draft
    bool makeFixture()
    {
        struct Spec
        {
            const char *title;
            const User *author;
            const char *type;
        };
        const Spec specs[] = {
            {"Alpha report", &m_creator, "article"}, {"Bravo clip", &m_creator, "video"},
            {"Charlie cast", &m_creator, "podcast"}, {"Delta gallery", &m_other, "gallery"},
            {"Echo notes", &m_editor, "article"},    {"Foxtrot story", &m_other, "video"}};
        for (const Spec &s : specs) {
            const QString title = QLatin1String(s.title);
            const QString id = createId(
                s.author->token,
                {{QStringLiteral("title"), title},
                 {QStringLiteral("type"), QLatin1String(s.type)},
                 {QStringLiteral("tags"), QJsonArray{kFixtureTag, QStringLiteral("Shared Tag")}}});
            if (id.isEmpty())
                return false;
            m_fixture.ids[title] = id;
            m_fixture.authors[title] = s.author->id;
            m_fixture.statuses[title] = QStringLiteral("draft");
            QTest::qWait(5); // distinct createdAt
        }
        const auto moveTo = [&](const QByteArray &token, const char *title, const char *status) {
            const HttpReply r =
                setStatus(token, m_fixture.ids[QLatin1String(title)], QLatin1String(status));
            if (r.status != 200) {
                qWarning("moving %s to %s failed: %s", title, status, qPrintable(describe(r)));
                return false;
            }
            m_fixture.statuses[QLatin1String(title)] = QLatin1String(status);
            QTest::qWait(5); // distinct updatedAt and publishedAt
            return true;
        };
        return moveTo(m_creator.token, "Bravo clip", "review") &&
               moveTo(m_editor.token, "Charlie cast", "published") &&
               moveTo(m_editor.token, "Delta gallery", "published") &&
               moveTo(m_editor.token, "Echo notes", "archived");
    }

    QStringList fixtureTitles(const std::function<bool(const QString &)> &keep) const
    {
        QStringList out;
        for (const QString &title : m_fixture.ids.keys()) {
            if (keep(title))
                out << title;
        }
        out.sort();
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
        QVERIFY(makeFixture());
    }

    void cleanup()
    {
        QVERIFY2(m_api->bodyLeaks().isEmpty(),
                 qPrintable(m_api->bodyLeaks().join(QLatin1Char('\n'))));
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

    // --- create -------------------------------------------------------------------------

    void createAnswers201WithLocationETagAndTheDraft()
    {
        const HttpReply created =
            create(m_creator.token,
                   {{QStringLiteral("title"), QStringLiteral("  First light  ")},
                    {QStringLiteral("description"), QStringLiteral("About it")},
                    {QStringLiteral("body"), QStringLiteral("# Heading\n\nText")},
                    {QStringLiteral("type"), QStringLiteral("podcast")},
                    {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("duration"), 42}}}});
        VERIFY_NO_ISSUE(statusIssue(created, 201));
        const QJsonObject item = jsonOf(created);
        const QString id = item.value(QLatin1String("id")).toString();
        QVERIFY(!QUuid::fromString(id).isNull());
        QCOMPARE(created.header("Location"), itemPath(id));
        QCOMPARE(created.header("ETag"), etagOf(1));
        QVERIFY(!created.hasHeader("Idempotent-Replayed"));
        QCOMPARE(item.value(QLatin1String("title")).toString(), QStringLiteral("First light"));
        QCOMPARE(item.value(QLatin1String("slug")).toString(), QStringLiteral("first-light"));
        QCOMPARE(item.value(QLatin1String("status")).toString(), QStringLiteral("draft"));
        QCOMPARE(item.value(QLatin1String("type")).toString(), QStringLiteral("podcast"));
        QCOMPARE(item.value(QLatin1String("authorId")).toString(), m_creator.id);
        QCOMPARE(item.value(QLatin1String("version")).toInt(), 1);
        QCOMPARE(item.value(QLatin1String("metadata")).toObject(),
                 (QJsonObject{{QStringLiteral("duration"), 42}}));
        QVERIFY(item.value(QLatin1String("publishedAt")).isNull());
        QVERIFY(QDateTime::fromString(item.value(QLatin1String("createdAt")).toString(),
                                      Qt::ISODateWithMs)
                    .isValid());
        QCOMPARE(
            item.value(QLatin1String("bodyHash")).toString(),
            QString::fromLatin1(
                QCryptographicHash::hash("# Heading\n\nText", QCryptographicHash::Sha256).toHex()));

        const HttpReply read = m_api->get(itemPath(id), m_creator.token);
        VERIFY_NO_ISSUE(statusIssue(read, 200));
        QCOMPARE(read.header("ETag"), etagOf(1));
        QCOMPARE(jsonOf(read), item);
    }

    void aSlugIsMadeFromAUnicodeTitle()
    {
        const HttpReply created =
            create(m_creator.token,
                   {{QStringLiteral("title"), QString::fromUtf8("Ünïcödé Título — Straße 東京!")}});
        VERIFY_NO_ISSUE(statusIssue(created, 201));
        QCOMPARE(str(created, "slug"), QString::fromUtf8("ünïcödé-título-straße-東京"));
        // A title without letters or digits still makes a slug.
        const HttpReply symbols =
            create(m_creator.token, {{QStringLiteral("title"), QStringLiteral("!!! ???")}});
        VERIFY_NO_ISSUE(statusIssue(symbols, 201));
        QCOMPARE(str(symbols, "slug"), QStringLiteral("item"));
    }

    void aGeneratedSlugIsMadeUniqueWithANumber()
    {
        const QJsonObject body{{QStringLiteral("title"), QStringLiteral("Twin Title")}};
        const HttpReply first = create(m_creator.token, body);
        const HttpReply second = create(m_other.token, body);
        VERIFY_NO_ISSUE(statusIssue(first, 201));
        VERIFY_NO_ISSUE(statusIssue(second, 201));
        QCOMPARE(str(first, "slug"), QStringLiteral("twin-title"));
        QCOMPARE(str(second, "slug"), QStringLiteral("twin-title-2"));
    }

    void anExplicitSlugIsKept()
    {
        const HttpReply created =
            create(m_creator.token, {{QStringLiteral("title"), QStringLiteral("Anything")},
                                     {QStringLiteral("slug"), QStringLiteral("kept-slug-1")}});
        VERIFY_NO_ISSUE(statusIssue(created, 201));
        QCOMPARE(str(created, "slug"), QStringLiteral("kept-slug-1"));
    }

    void aTakenSlugIs409ForTheSameTypeAndAllowedForAnother()
    {
        const QJsonObject body{{QStringLiteral("title"), QStringLiteral("Slugged")},
                               {QStringLiteral("slug"), QStringLiteral("only-once")}};
        VERIFY_NO_ISSUE(statusIssue(create(m_creator.token, body), 201));
        const int before = visibleTotal();
        VERIFY_NO_ISSUE(problemIssue(create(m_other.token, body), 409, QStringLiteral("slug")));
        QCOMPARE(visibleTotal(), before);
        QJsonObject video = body;
        video.insert(QStringLiteral("type"), QStringLiteral("video"));
        const HttpReply other = create(m_other.token, video);
        VERIFY_NO_ISSUE(statusIssue(other, 201));
        QCOMPARE(str(other, "slug"), QStringLiteral("only-once"));
    }

    // The server runs the writes that arrive together in one transaction
    // (GroupCommit), each in a savepoint: within a group every create still
    // sees the ones before it, and one that fails leaves the others saved.
    void createsArrivingTogetherAreEachSavedOrRefusedAlone()
    {
        constexpr int kCrowd = 24;
        QList<QByteArray> raws;
        for (int i = 0; i < kCrowd; ++i) {
            // Half ask for the same explicit slug, half for the same title.
            const QJsonObject body =
                i % 2 == 0 ? QJsonObject{{QStringLiteral("title"), QStringLiteral("Crowd pick")},
                                         {QStringLiteral("slug"), QStringLiteral("crowd-pick")}}
                           : QJsonObject{{QStringLiteral("title"), QStringLiteral("Crowd")}};
            const QByteArray json = compact(body);
            raws << "POST " + kContent +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                        "Authorization: Bearer " +
                        m_creator.token + "\r\nContent-Type: application/json\r\nContent-Length: " +
                        QByteArray::number(json.size()) + "\r\n\r\n" + json;
        }
        const int before = visibleTotal();
        const QList<HttpReply> replies = exchangeAtOnce(raws, m_server->port());
        QCOMPARE(replies.size(), kCrowd);
        QSet<QString> ids;
        QSet<QString> slugs;
        int conflicts = 0;
        for (int i = 0; i < kCrowd; ++i) {
            if (i % 2 == 0 && replies[i].status == 409) {
                VERIFY_NO_ISSUE(problemIssue(replies[i], 409, QStringLiteral("slug")));
                ++conflicts;
                continue;
            }
            VERIFY_NO_ISSUE(statusIssue(replies[i], 201));
            ids << str(replies[i], "id");
            slugs << str(replies[i], "slug");
        }
        QCOMPARE(conflicts, kCrowd / 2 - 1); // the explicit slug went to one of them
        QCOMPARE(ids.size(), kCrowd / 2 + 1);
        QCOMPARE(slugs.size(), kCrowd / 2 + 1); // the generated ones numbered apart
        QVERIFY(slugs.contains(QStringLiteral("crowd-pick")));
        QVERIFY(slugs.contains(QStringLiteral("crowd")));
        QCOMPARE(visibleTotal(), before + kCrowd / 2 + 1);
        for (const QString &id : std::as_const(ids)) {
            VERIFY_NO_ISSUE(statusIssue(m_api->get(itemPath(id), m_creator.token), 200));
        }
        // /metrics counts every write the group commit ran.
        const HttpReply metrics = httpRequest(m_server->port(), "GET", "/metrics");
        VERIFY_NO_ISSUE(statusIssue(metrics, 200));
        static const QRegularExpression count(
            QStringLiteral("^colophon_group_commit_writes_sum (\\d+)"),
            QRegularExpression::MultilineOption);
        const auto match = count.match(QString::fromUtf8(metrics.body));
        QVERIFY2(match.hasMatch(), metrics.body.left(400).constData());
        QVERIFY2(match.captured(1).toInt() >= kCrowd, qPrintable(match.captured(1)));
    }

    void changingToATakenSlugIs409()
    {
        const QString a =
            createId(m_creator.token, {{QStringLiteral("title"), QStringLiteral("S1")},
                                       {QStringLiteral("slug"), QStringLiteral("s-one")}});
        const QString b =
            createId(m_creator.token, {{QStringLiteral("title"), QStringLiteral("S2")},
                                       {QStringLiteral("slug"), QStringLiteral("s-two")}});
        QVERIFY(!a.isEmpty() && !b.isEmpty());
        VERIFY_NO_ISSUE(problemIssue(
            patch(m_creator.token, b, {{QStringLiteral("slug"), QStringLiteral("s-one")}}), 409,
            QStringLiteral("slug")));
        QCOMPARE(str(m_api->get(itemPath(b), m_creator.token), "slug"), QStringLiteral("s-two"));
        // Another type may have it.
        const HttpReply moved = patch(m_creator.token, b,
                                      {{QStringLiteral("slug"), QStringLiteral("s-one")},
                                       {QStringLiteral("type"), QStringLiteral("gallery")}});
        VERIFY_NO_ISSUE(statusIssue(moved, 200));
        QCOMPARE(str(moved, "slug"), QStringLiteral("s-one"));
        // A deleted item's slug is free again.
        VERIFY_NO_ISSUE(statusIssue(m_api->call("DELETE", itemPath(a), {}, m_creator.token), 204));
        VERIFY_NO_ISSUE(statusIssue(
            patch(m_creator.token, b, {{QStringLiteral("type"), QStringLiteral("article")}}), 200));
    }

    void malformedJsonIs400()
    {
        const QString id =
            createId(m_creator.token, {{QStringLiteral("title"), QStringLiteral("J")}});
        QVERIFY(!id.isEmpty());
        for (const QByteArray &body : {QByteArray("{\"title\":"), QByteArray("[1]"),
                                       QByteArray("\"title\""), QByteArray("{\"title\":\"x\"}}")}) {
            VERIFY_NO_ISSUE(
                problemIssue(m_api->call("POST", kContent, body, m_creator.token), 400));
            VERIFY_NO_ISSUE(
                problemIssue(m_api->call("PATCH", itemPath(id), body, m_creator.token), 400));
            VERIFY_NO_ISSUE(
                problemIssue(m_api->call("PUT", itemPath(id), body, m_creator.token), 400));
        }
        QCOMPARE(str(m_api->get(itemPath(id), m_creator.token), "title"), QStringLiteral("J"));
    }

    void createRejectsABadFieldNamingIt_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::newRow("title a number") << QByteArray("{\"title\":5}") << "title";
        QTest::newRow("title missing") << QByteArray("{\"body\":\"x\"}") << "title";
        QTest::newRow("title empty") << QByteArray("{\"title\":\"   \"}") << "title";
        QTest::newRow("title 301 characters")
            << ("{\"title\":\"" + QByteArray(301, 'x') + "\"}") << "title";
        QTest::newRow("title with a control character")
            << QByteArray("{\"title\":\"a\\u0007b\"}") << "title";
        QTest::newRow("title null") << QByteArray("{\"title\":null}") << "title";
        QTest::newRow("slug upper case")
            << QByteArray("{\"title\":\"t\",\"slug\":\"Upper-Case\"}") << "slug";
        QTest::newRow("slug double hyphen")
            << QByteArray("{\"title\":\"t\",\"slug\":\"a--b\"}") << "slug";
        QTest::newRow("slug with a space")
            << QByteArray("{\"title\":\"t\",\"slug\":\"a b\"}") << "slug";
        QTest::newRow("slug empty") << QByteArray("{\"title\":\"t\",\"slug\":\"\"}") << "slug";
        QTest::newRow("slug 121 characters")
            << ("{\"title\":\"t\",\"slug\":\"" + QByteArray(121, 'a') + "\"}") << "slug";
        QTest::newRow("slug a number") << QByteArray("{\"title\":\"t\",\"slug\":7}") << "slug";
        QTest::newRow("unknown field")
            << QByteArray("{\"title\":\"t\",\"colour\":\"red\"}") << "colour";
        QTest::newRow("id set by the client")
            << QByteArray("{\"title\":\"t\",\"id\":\"00000000-0000-4000-8000-000000000001\"}")
            << "id";
        QTest::newRow("status on create")
            << QByteArray("{\"title\":\"t\",\"status\":\"published\"}") << "status";
        QTest::newRow("unknown type")
            << QByteArray("{\"title\":\"t\",\"type\":\"book\"}") << "type";
        QTest::newRow("type a number") << QByteArray("{\"title\":\"t\",\"type\":1}") << "type";
        QTest::newRow("description a number")
            << QByteArray("{\"title\":\"t\",\"description\":1}") << "description";
        QTest::newRow("description 2001 characters")
            << ("{\"title\":\"t\",\"description\":\"" + QByteArray(2001, 'd') + "\"}")
            << "description";
        QTest::newRow("body an object") << QByteArray("{\"title\":\"t\",\"body\":{}}") << "body";
        QTest::newRow("tags a string") << QByteArray("{\"title\":\"t\",\"tags\":\"a\"}") << "tags";
        QTest::newRow("tags with a number")
            << QByteArray("{\"title\":\"t\",\"tags\":[\"a\",1]}") << "tags";
        QTest::newRow("tag 51 characters")
            << ("{\"title\":\"t\",\"tags\":[\"" + QByteArray(51, 'g') + "\"]}") << "tags";
        QTest::newRow("tag blank") << QByteArray("{\"title\":\"t\",\"tags\":[\"  \"]}") << "tags";
        QTest::newRow("metadata an array")
            << QByteArray("{\"title\":\"t\",\"metadata\":[1]}") << "metadata";
        QTest::newRow("metadata a string")
            << QByteArray("{\"title\":\"t\",\"metadata\":\"x\"}") << "metadata";
        QTest::newRow("metadata 21 deep")
            << ("{\"title\":\"t\",\"metadata\":" + nestedMetadata(21) + "}") << "metadata";
        QTest::newRow("mediaIds not uuids")
            << QByteArray("{\"title\":\"t\",\"mediaIds\":[\"x\"]}") << "mediaIds";
        QTest::newRow("categories unknown")
            << QByteArray(
                   "{\"title\":\"t\",\"categories\":[\"00000000-0000-4000-8000-000000000002\"]}")
            << "categories";
        QTest::newRow("publishAt not a time")
            << QByteArray("{\"title\":\"t\",\"publishAt\":\"tomorrow\"}") << "publishAt";
        QTest::newRow("unpublishAt a number")
            << QByteArray("{\"title\":\"t\",\"unpublishAt\":5}") << "unpublishAt";
    }

    void createRejectsABadFieldNamingIt()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        const int before = visibleTotal();
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("POST", kContent, body, m_creator.token), 422, field));
        QCOMPARE(visibleTotal(), before);
    }

    void aTitleOf300CharactersIsAccepted()
    {
        const QString title(300, u'T');
        const HttpReply created = create(m_creator.token, {{QStringLiteral("title"), title}});
        VERIFY_NO_ISSUE(statusIssue(created, 201));
        QCOMPARE(str(created, "title"), title);
    }

    void metadataNested1000DeepIsRefusedCleanly()
    {
        const int before = visibleTotal();
        const HttpReply reply = m_api->call(
            "POST", kContent, "{\"title\":\"deep\",\"metadata\":" + nestedMetadata(1000) + "}",
            m_creator.token);
        QVERIFY2(reply.status == 400 || reply.status == 422, qPrintable(describe(reply)));
        VERIFY_NO_ISSUE(problemIssue(reply, reply.status));
        QCOMPARE(visibleTotal(), before);
        VERIFY_NO_ISSUE(statusIssue(m_api->get("/healthz"), 200));
        // Shallow metadata round-trips.
        const QByteArray shallow = nestedMetadata(5);
        const HttpReply ok =
            m_api->call("POST", kContent, "{\"title\":\"shallow\",\"metadata\":" + shallow + "}",
                        m_creator.token);
        VERIFY_NO_ISSUE(statusIssue(ok, 201));
        QCOMPARE(jsonOf(ok).value(QLatin1String("metadata")).toObject(),
                 QJsonDocument::fromJson(shallow).object());
    }

    void aOneMegabyteBodyIsStoredAndReadBackIdentical()
    {
        const QString line = QString::fromUtf8("Zeile — ünïcödé 東京 \"quoted\" \\ tab\t|\n");
        const qsizetype lineBytes = line.toUtf8().size();
        const QString body = line.repeated((1024 * 1024 + lineBytes - 1) / lineBytes);
        QVERIFY(body.toUtf8().size() >= 1024 * 1024);
        const HttpReply created =
            create(m_creator.token, {{QStringLiteral("title"), QStringLiteral("Big")},
                                     {QStringLiteral("body"), body}});
        VERIFY_NO_ISSUE(statusIssue(created, 201));
        const HttpReply read = m_api->get(itemPath(str(created, "id")), m_creator.token);
        VERIFY_NO_ISSUE(statusIssue(read, 200));
        QVERIFY(str(read, "body") == body);
        QCOMPARE(str(read, "bodyHash"),
                 QString::fromLatin1(
                     QCryptographicHash::hash(body.toUtf8(), QCryptographicHash::Sha256).toHex()));
    }

    void aBodyOver2MiBIs422NamingBody()
    {
        const QByteArray body(2 * 1024 * 1024 + 1, 'b');
        VERIFY_NO_ISSUE(problemIssue(
            m_api->call("POST", kContent, "{\"title\":\"too big\",\"body\":\"" + body + "\"}",
                        m_creator.token),
            422, QStringLiteral("body")));
    }

    void tagsAreNormalisedAndFoundInAnyCase()
    {
        const QString tag = newTag();
        const HttpReply created = create(
            m_creator.token,
            {{QStringLiteral("title"), QStringLiteral("Tagged")},
             {QStringLiteral("tags"), QJsonArray{QStringLiteral("  Hello   World "),
                                                 QStringLiteral("HELLO world"), tag.toUpper()}}});
        VERIFY_NO_ISSUE(statusIssue(created, 201));
        const QJsonArray tags = jsonOf(created).value(QLatin1String("tags")).toArray();
        QCOMPARE(tags, (QJsonArray{tag, QStringLiteral("hello world")}));
        const QString id = str(created, "id");
        QCOMPARE(listedIds("tag=" + QUrl::toPercentEncoding(QStringLiteral(" ") + tag.toUpper()),
                           m_creator.token),
                 QStringList{id});
        // A change of tags is a change of the set, normalised too.
        const HttpReply changed =
            patch(m_creator.token, id,
                  {{QStringLiteral("tags"), QJsonArray{QStringLiteral(" NEW  one"), tag}}});
        VERIFY_NO_ISSUE(statusIssue(changed, 200));
        QCOMPARE(jsonOf(changed).value(QLatin1String("tags")).toArray(),
                 (QJsonArray{tag, QStringLiteral("new one")}));
    }

    void aConsumerMayNotCreateAndACreatorMayNotSchedule()
    {
        const int before = visibleTotal();
        VERIFY_NO_ISSUE(problemIssue(
            create(m_consumer.token, {{QStringLiteral("title"), QStringLiteral("Mine")}}), 403));
        const QJsonObject scheduled{
            {QStringLiteral("title"), QStringLiteral("Later")},
            {QStringLiteral("publishAt"), QStringLiteral("2099-01-01T00:00:00Z")}};
        VERIFY_NO_ISSUE(problemIssue(create(m_creator.token, scheduled), 403));
        QCOMPARE(visibleTotal(), before);
        const HttpReply editor = create(m_editor.token, scheduled);
        VERIFY_NO_ISSUE(statusIssue(editor, 201));
        QCOMPARE(str(editor, "publishAt"), QStringLiteral("2099-01-01T00:00:00.000Z"));
        QCOMPARE(str(editor, "status"), QStringLiteral("draft"));
    }

    void withoutATokenEveryContentRouteIs401()
    {
        const QByteArray item = itemPath(m_fixture.ids.first());
        VERIFY_NO_ISSUE(unauthorizedIssue(m_api->get(kContent)));
        VERIFY_NO_ISSUE(unauthorizedIssue(
            m_api->post(kContent, {{QStringLiteral("title"), QStringLiteral("x")}})));
        VERIFY_NO_ISSUE(unauthorizedIssue(m_api->get(item)));
        VERIFY_NO_ISSUE(unauthorizedIssue(m_api->call("PUT", item, "{\"title\":\"x\"}")));
        VERIFY_NO_ISSUE(unauthorizedIssue(m_api->call("PATCH", item, "{\"title\":\"x\"}")));
        VERIFY_NO_ISSUE(unauthorizedIssue(m_api->call("DELETE", item)));
        VERIFY_NO_ISSUE(unauthorizedIssue(m_api->get(item + "/versions")));
        VERIFY_NO_ISSUE(unauthorizedIssue(m_api->get(item + "/versions/diff?from=1&to=2")));
        VERIFY_NO_ISSUE(unauthorizedIssue(m_api->get(item + "/versions/1")));
        VERIFY_NO_ISSUE(unauthorizedIssue(m_api->call("POST", item + "/versions/1/restore")));
        VERIFY_NO_ISSUE(unauthorizedIssue(m_api->get(kContent, "not-a-token")));
    }

    // --- read, replace, change, delete --------------------------------------------------

    void putReplacesTheEditableFieldsAndKeepsSlugAndType()
    {
        const HttpReply created = create(
            m_creator.token, {{QStringLiteral("title"), QStringLiteral("Original")},
                              {QStringLiteral("slug"), QStringLiteral("put-target")},
                              {QStringLiteral("type"), QStringLiteral("video")},
                              {QStringLiteral("description"), QStringLiteral("desc")},
                              {QStringLiteral("body"), QStringLiteral("body")},
                              {QStringLiteral("tags"), QJsonArray{QStringLiteral("a")}},
                              {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("k"), 1}}}});
        VERIFY_NO_ISSUE(statusIssue(created, 201));
        const QString id = str(created, "id");
        const HttpReply replaced = put(m_creator.token, id,
                                       {{QStringLiteral("title"), QStringLiteral("Replaced")},
                                        {QStringLiteral("body"), QStringLiteral("new body")}},
                                       {{"If-Match", created.header("ETag")}});
        VERIFY_NO_ISSUE(statusIssue(replaced, 200));
        const QJsonObject item = jsonOf(replaced);
        QCOMPARE(item.value(QLatin1String("title")).toString(), QStringLiteral("Replaced"));
        QCOMPARE(item.value(QLatin1String("body")).toString(), QStringLiteral("new body"));
        QCOMPARE(item.value(QLatin1String("description")).toString(), QString());
        QCOMPARE(item.value(QLatin1String("tags")).toArray(), QJsonArray());
        QCOMPARE(item.value(QLatin1String("metadata")).toObject(), QJsonObject());
        QCOMPARE(item.value(QLatin1String("slug")).toString(), QStringLiteral("put-target"));
        QCOMPARE(item.value(QLatin1String("type")).toString(), QStringLiteral("video"));
        QCOMPARE(item.value(QLatin1String("version")).toInt(), 2);
        QCOMPARE(replaced.header("ETag"), etagOf(2));
        QCOMPARE(jsonOf(m_api->get(itemPath(id), m_creator.token)), item);

        VERIFY_NO_ISSUE(
            problemIssue(put(m_creator.token, id, {{QStringLiteral("body"), QStringLiteral("x")}}),
                         422, QStringLiteral("title")));
        VERIFY_NO_ISSUE(problemIssue(put(m_creator.token, id,
                                         {{QStringLiteral("title"), QStringLiteral("x")},
                                          {QStringLiteral("status"), QStringLiteral("review")}}),
                                     422, QStringLiteral("status")));
        VERIFY_NO_ISSUE(problemIssue(put(m_creator.token, id, {{QStringLiteral("title"), 3}}), 422,
                                     QStringLiteral("title")));
        QCOMPARE(jsonOf(m_api->get(itemPath(id), m_creator.token)), item);
    }

    void patchChangesOnlyTheGivenFields()
    {
        const HttpReply created =
            create(m_creator.token, {{QStringLiteral("title"), QStringLiteral("Patch me")},
                                     {QStringLiteral("description"), QStringLiteral("stays")},
                                     {QStringLiteral("tags"), QJsonArray{QStringLiteral("keep")}}});
        const QString id = str(created, "id");
        const HttpReply changed =
            patch(m_creator.token, id, {{QStringLiteral("body"), QStringLiteral("added")}});
        VERIFY_NO_ISSUE(statusIssue(changed, 200));
        QCOMPARE(str(changed, "title"), QStringLiteral("Patch me"));
        QCOMPARE(str(changed, "description"), QStringLiteral("stays"));
        QCOMPARE(str(changed, "body"), QStringLiteral("added"));
        QCOMPARE(jsonOf(changed).value(QLatin1String("tags")).toArray(),
                 QJsonArray{QStringLiteral("keep")});
        QCOMPARE(changed.header("ETag"), etagOf(2));
        // Nothing to change: the same version.
        const HttpReply same = patch(m_creator.token, id, {});
        VERIFY_NO_ISSUE(statusIssue(same, 200));
        QCOMPARE(same.header("ETag"), etagOf(2));
        VERIFY_NO_ISSUE(problemIssue(
            patch(m_creator.token, id, {{QStringLiteral("status"), QStringLiteral("done")}}), 422,
            QStringLiteral("status")));
        VERIFY_NO_ISSUE(problemIssue(patch(m_creator.token, id, {{QStringLiteral("tags"), 1}}), 422,
                                     QStringLiteral("tags")));
        VERIFY_NO_ISSUE(problemIssue(
            patch(m_creator.token, id, {{QStringLiteral("author"), QStringLiteral("x")}}), 422,
            QStringLiteral("author")));
        VERIFY_NO_ISSUE(problemIssue(
            patch(m_creator.token, id, {{QStringLiteral("title"), QString(301, u'x')}}), 422,
            QStringLiteral("title")));
        QCOMPARE(m_api->get(itemPath(id), m_creator.token).header("ETag"), etagOf(2));
    }

    void deleteAnswers204AndTheItemIsGone()
    {
        const QString tag = newTag();
        const QString id =
            createId(m_creator.token, {{QStringLiteral("title"), QStringLiteral("Doomed")},
                                       {QStringLiteral("tags"), QJsonArray{tag}}});
        QVERIFY(!id.isEmpty());
        // Another creator cannot see it, so cannot delete it either.
        VERIFY_NO_ISSUE(problemIssue(m_api->call("DELETE", itemPath(id), {}, m_other.token), 404));
        const HttpReply deleted = m_api->call("DELETE", itemPath(id), {}, m_creator.token);
        VERIFY_NO_ISSUE(statusIssue(deleted, 204));
        QVERIFY(deleted.body.isEmpty());
        VERIFY_NO_ISSUE(problemIssue(m_api->get(itemPath(id), m_creator.token), 404));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(itemPath(id), m_editor.token), 404));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("DELETE", itemPath(id), {}, m_creator.token), 404));
        VERIFY_NO_ISSUE(problemIssue(
            patch(m_creator.token, id, {{QStringLiteral("title"), QStringLiteral("x")}}), 404));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(itemPath(id) + "/versions", m_creator.token), 404));
        QCOMPARE(listedIds("tag=" + tag.toUtf8(), m_editor.token), QStringList());
    }

    void aCreatorMayNotDeleteAnotherCreatorsPublishedItemButAnEditorMay()
    {
        const QString id =
            createId(m_other.token, {{QStringLiteral("title"), QStringLiteral("B's")}});
        VERIFY_NO_ISSUE(
            statusIssue(setStatus(m_editor.token, id, QStringLiteral("published")), 200));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("DELETE", itemPath(id), {}, m_creator.token), 403));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("DELETE", itemPath(id), {}, m_consumer.token), 403));
        VERIFY_NO_ISSUE(statusIssue(m_api->call("DELETE", itemPath(id), {}, m_editor.token), 204));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(kPublic + '/' + id.toUtf8()), 404));
    }

    void anUnknownItemIs404OnEveryRoute()
    {
        const QByteArray item = kUnknownId;
        const QByteArray token = m_editor.token;
        VERIFY_NO_ISSUE(problemIssue(m_api->get(item, token), 404));
        VERIFY_NO_ISSUE(problemIssue(m_api->call("PUT", item, "{\"title\":\"x\"}", token), 404));
        VERIFY_NO_ISSUE(problemIssue(m_api->call("PATCH", item, "{\"title\":\"x\"}", token), 404));
        VERIFY_NO_ISSUE(problemIssue(
            m_api->call("PATCH", item, "{\"title\":\"x\"}", token, {{"If-Match", "\"1\""}}), 404));
        VERIFY_NO_ISSUE(problemIssue(m_api->call("DELETE", item, {}, token), 404));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(item + "/versions", token), 404));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(item + "/versions/1", token), 404));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(item + "/versions/diff?from=1&to=1", token), 404));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("POST", item + "/versions/1/restore", {}, token), 404));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->get(kPublic + "/00000000-0000-4000-8000-000000000000"), 404));
        // Not an id at all: no such resource.
        VERIFY_NO_ISSUE(problemIssue(m_api->get(kContent + "/not-a-uuid", token), 404));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(kPublic + "/not-a-uuid"), 404));
    }

    void aStaleIfMatchIs412AndChangesNothing()
    {
        const HttpReply created =
            create(m_creator.token, {{QStringLiteral("title"), QStringLiteral("Guarded")}});
        const QString id = str(created, "id");
        const QByteArray first = created.header("ETag");
        VERIFY_NO_ISSUE(statusIssue(patch(m_creator.token, id,
                                          {{QStringLiteral("title"), QStringLiteral("Guarded 2")}},
                                          {{"If-Match", first}}),
                                    200));
        const HttpHeaders stale{{"If-Match", first}};
        VERIFY_NO_ISSUE(problemIssue(
            patch(m_creator.token, id, {{QStringLiteral("title"), QStringLiteral("Lost")}}, stale),
            412));
        VERIFY_NO_ISSUE(problemIssue(
            put(m_creator.token, id, {{QStringLiteral("title"), QStringLiteral("Lost")}}, stale),
            412));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("DELETE", itemPath(id), {}, m_creator.token, stale), 412));
        VERIFY_NO_ISSUE(problemIssue(
            m_api->call("POST", itemPath(id) + "/versions/1/restore", {}, m_creator.token, stale),
            412));
        VERIFY_NO_ISSUE(problemIssue(patch(m_creator.token, id,
                                           {{QStringLiteral("title"), QStringLiteral("Lost")}},
                                           {{"If-Match", "\"2\"junk"}}),
                                     412));
        const HttpReply now = m_api->get(itemPath(id), m_creator.token);
        QCOMPARE(str(now, "title"), QStringLiteral("Guarded 2"));
        QCOMPARE(now.header("ETag"), etagOf(2));
        // The current ETag, one of a list, or * go through.
        VERIFY_NO_ISSUE(statusIssue(patch(m_creator.token, id,
                                          {{QStringLiteral("title"), QStringLiteral("Guarded 3")}},
                                          {{"If-Match", first + ", " + etagOf(2)}}),
                                    200));
        VERIFY_NO_ISSUE(statusIssue(put(m_creator.token, id,
                                        {{QStringLiteral("title"), QStringLiteral("Guarded 4")}},
                                        {{"If-Match", "*"}}),
                                    200));
        VERIFY_NO_ISSUE(statusIssue(
            m_api->call("DELETE", itemPath(id), {}, m_creator.token, {{"If-Match", etagOf(4)}}),
            204));
    }

    // --- workflow -------------------------------------------------------------------------

    void aCreatorSubmitsAndOnlyAnEditorPublishes()
    {
        const HttpReply created =
            create(m_creator.token, {{QStringLiteral("title"), QStringLiteral("Workflow")}});
        const QString id = str(created, "id");
        QCOMPARE(str(created, "status"), QStringLiteral("draft"));
        // Another creator may not submit it (they cannot even see it).
        VERIFY_NO_ISSUE(problemIssue(setStatus(m_other.token, id, QStringLiteral("review")), 404));
        const HttpReply submitted = setStatus(m_creator.token, id, QStringLiteral("review"));
        VERIFY_NO_ISSUE(statusIssue(submitted, 200));
        QCOMPARE(str(submitted, "status"), QStringLiteral("review"));
        VERIFY_NO_ISSUE(
            problemIssue(setStatus(m_creator.token, id, QStringLiteral("published")), 403));
        // In review, the creator no longer edits it.
        VERIFY_NO_ISSUE(problemIssue(
            patch(m_creator.token, id, {{QStringLiteral("title"), QStringLiteral("Sneaky")}}),
            403));
        QCOMPARE(str(m_api->get(itemPath(id), m_creator.token), "status"),
                 QStringLiteral("review"));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(kPublic + '/' + id.toUtf8()), 404));

        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const HttpReply published = setStatus(m_editor.token, id, QStringLiteral("published"));
        VERIFY_NO_ISSUE(statusIssue(published, 200));
        QCOMPARE(str(published, "status"), QStringLiteral("published"));
        const QDateTime at =
            QDateTime::fromString(str(published, "publishedAt"), Qt::ISODateWithMs);
        QVERIFY2(at.isValid(), qPrintable(describe(published)));
        QVERIFY(at.toMSecsSinceEpoch() >= before - 1000);
        QVERIFY(at.toMSecsSinceEpoch() <= QDateTime::currentMSecsSinceEpoch() + 1000);

        const HttpReply open = m_api->get(kPublic + '/' + id.toUtf8());
        VERIFY_NO_ISSUE(statusIssue(open, 200));
        QCOMPARE(str(open, "id"), id);
        QVERIFY(open.header("Cache-Control").startsWith("public"));
        QCOMPARE(open.header("ETag"), published.header("ETag"));

        // An editor unpublishes: it leaves the public view.
        VERIFY_NO_ISSUE(statusIssue(setStatus(m_editor.token, id, QStringLiteral("draft")), 200));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(kPublic + '/' + id.toUtf8()), 404));
    }

    void anEditorPublishesADraftDirectly()
    {
        const QString id =
            createId(m_creator.token, {{QStringLiteral("title"), QStringLiteral("Direct")}});
        const HttpReply published = setStatus(m_editor.token, id, QStringLiteral("published"));
        VERIFY_NO_ISSUE(statusIssue(published, 200));
        QVERIFY(!str(published, "publishedAt").isEmpty());
    }

    void aRejectionBackToDraftNeedsAComment()
    {
        const QString id =
            createId(m_creator.token, {{QStringLiteral("title"), QStringLiteral("Rejected")}});
        VERIFY_NO_ISSUE(statusIssue(setStatus(m_creator.token, id, QStringLiteral("review")), 200));
        VERIFY_NO_ISSUE(problemIssue(setStatus(m_editor.token, id, QStringLiteral("draft")), 422,
                                     QStringLiteral("comment")));
        VERIFY_NO_ISSUE(problemIssue(
            setStatus(m_editor.token, id, QStringLiteral("draft"), QStringLiteral("   ")), 422,
            QStringLiteral("comment")));
        // The creator may not reject their own item.
        VERIFY_NO_ISSUE(problemIssue(
            setStatus(m_creator.token, id, QStringLiteral("draft"), QStringLiteral("undo")), 403));
        QCOMPARE(str(m_api->get(itemPath(id), m_creator.token), "status"),
                 QStringLiteral("review"));
        const HttpReply rejected =
            setStatus(m_editor.token, id, QStringLiteral("draft"), QStringLiteral("needs sources"));
        VERIFY_NO_ISSUE(statusIssue(rejected, 200));
        QCOMPARE(str(rejected, "status"), QStringLiteral("draft"));
        const QJsonArray versions =
            itemsOf(m_api->get(itemPath(id) + "/versions", m_creator.token));
        QCOMPARE(versions.last().toObject().value(QLatin1String("comment")).toString(),
                 QStringLiteral("needs sources"));
        QCOMPARE(versions.last().toObject().value(QLatin1String("actorId")).toString(),
                 m_editor.id);
        // Back in draft, the creator edits again.
        VERIFY_NO_ISSUE(statusIssue(
            patch(m_creator.token, id, {{QStringLiteral("body"), QStringLiteral("with sources")}}),
            200));
    }

    void aMoveTheWorkflowDoesNotAllowIs422NamingStatus()
    {
        const QString id =
            createId(m_creator.token, {{QStringLiteral("title"), QStringLiteral("Archive")}});
        VERIFY_NO_ISSUE(
            problemIssue(setStatus(m_creator.token, id, QStringLiteral("archived")), 403));
        VERIFY_NO_ISSUE(
            statusIssue(setStatus(m_editor.token, id, QStringLiteral("archived")), 200));
        VERIFY_NO_ISSUE(problemIssue(setStatus(m_editor.token, id, QStringLiteral("published")),
                                     422, QStringLiteral("status")));
        VERIFY_NO_ISSUE(problemIssue(setStatus(m_editor.token, id, QStringLiteral("review")), 422,
                                     QStringLiteral("status")));
        QCOMPARE(str(m_api->get(itemPath(id), m_editor.token), "status"),
                 QStringLiteral("archived"));
        // archived -> draft is a restore, for editors.
        VERIFY_NO_ISSUE(statusIssue(setStatus(m_editor.token, id, QStringLiteral("draft")), 200));
        // published -> review is not a move either.
        VERIFY_NO_ISSUE(
            statusIssue(setStatus(m_editor.token, id, QStringLiteral("published")), 200));
        VERIFY_NO_ISSUE(problemIssue(setStatus(m_editor.token, id, QStringLiteral("review")), 422,
                                     QStringLiteral("status")));
    }

    void aCreatorEditsOnlyTheirOwnDrafts()
    {
        const QString theirs = m_fixture.ids.value(QStringLiteral("Delta gallery")); // B, published
        VERIFY_NO_ISSUE(problemIssue(
            patch(m_creator.token, theirs, {{QStringLiteral("title"), QStringLiteral("Mine now")}}),
            403));
        VERIFY_NO_ISSUE(problemIssue(
            put(m_creator.token, theirs, {{QStringLiteral("title"), QStringLiteral("Mine now")}}),
            403));
        VERIFY_NO_ISSUE(
            problemIssue(setStatus(m_creator.token, theirs, QStringLiteral("archived")), 403));
        VERIFY_NO_ISSUE(problemIssue(patch(m_consumer.token, theirs,
                                           {{QStringLiteral("title"), QStringLiteral("Mine now")}}),
                                     403));
        QCOMPARE(str(m_api->get(itemPath(theirs), m_editor.token), "title"),
                 QStringLiteral("Delta gallery"));
        // Their own published item too: editors edit published items.
        const QString own = m_fixture.ids.value(QStringLiteral("Charlie cast"));
        VERIFY_NO_ISSUE(problemIssue(
            patch(m_creator.token, own, {{QStringLiteral("title"), QStringLiteral("Changed")}}),
            403));
    }

    // --- who sees what --------------------------------------------------------------------

    void aCreatorSeesPublishedItemsAndTheirOwnOnly()
    {
        const QString foreignDraft = m_fixture.ids.value(QStringLiteral("Foxtrot story"));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(itemPath(foreignDraft), m_creator.token), 404));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->get(itemPath(foreignDraft) + "/versions", m_creator.token), 404));
        VERIFY_NO_ISSUE(statusIssue(m_api->get(itemPath(foreignDraft), m_other.token), 200));
        const QStringList expected = fixtureTitles([&](const QString &t) {
            return m_fixture.statuses[t] == QLatin1String("published") ||
                   m_fixture.authors[t] == m_creator.id;
        });
        QCOMPARE(m_fixture.titlesOf(listedIds("tag=fixture", m_creator.token)), expected);
        QCOMPARE(expected,
                 (QStringList{QStringLiteral("Alpha report"), QStringLiteral("Bravo clip"),
                              QStringLiteral("Charlie cast"), QStringLiteral("Delta gallery")}));
        // Asking for the other creator's items or for drafts shows no more.
        QCOMPARE(m_fixture.titlesOf(
                     listedIds("tag=fixture&authorId=" + m_other.id.toUtf8(), m_creator.token)),
                 QStringList{QStringLiteral("Delta gallery")});
        QCOMPARE(m_fixture.titlesOf(listedIds("tag=fixture&status=draft", m_creator.token)),
                 QStringList{QStringLiteral("Alpha report")});
        const HttpReply counted = list("tag=fixture&status=draft", m_creator.token);
        QCOMPARE(totalOf(counted), 1);
    }

    void anEditorSeesEveryItem()
    {
        QCOMPARE(m_fixture.titlesOf(listedIds("tag=fixture", m_editor.token)),
                 fixtureTitles([](const QString &) { return true; }));
        QCOMPARE(m_fixture.titlesOf(listedIds("tag=fixture", m_adminToken)),
                 fixtureTitles([](const QString &) { return true; }));
    }

    void aConsumerSeesOnlyPublishedItems()
    {
        const QStringList published = {QStringLiteral("Charlie cast"),
                                       QStringLiteral("Delta gallery")};
        QCOMPARE(m_fixture.titlesOf(listedIds("tag=fixture", m_consumer.token)), published);
        QCOMPARE(m_fixture.titlesOf(listedIds("tag=fixture&status=draft", m_consumer.token)),
                 QStringList());
        QCOMPARE(m_fixture.titlesOf(listedIds("tag=fixture&status=archived", m_consumer.token)),
                 QStringList());
        for (const QString &title : m_fixture.ids.keys()) {
            const HttpReply read = m_api->get(itemPath(m_fixture.ids[title]), m_consumer.token);
            if (published.contains(title))
                VERIFY_NO_ISSUE(statusIssue(read, 200));
            else
                VERIFY_NO_ISSUE(problemIssue(read, 404));
        }
        // Reading is not editing: the versions are for those who edit.
        VERIFY_NO_ISSUE(problemIssue(
            m_api->get(itemPath(m_fixture.ids[published.first()]) + "/versions", m_consumer.token),
            403));
    }

    void thePublicEndpointsShowOnlyPublishedItemsWithoutAToken()
    {
        const QStringList published = {QStringLiteral("Charlie cast"),
                                       QStringLiteral("Delta gallery")};
        const HttpReply listed = m_api->get(kPublic + "?tag=fixture&limit=100");
        VERIFY_NO_ISSUE(statusIssue(listed, 200));
        QVERIFY(listed.header("Cache-Control").startsWith("public"));
        QCOMPARE(m_fixture.titlesOf(valuesOf(itemsOf(listed), "id")), published);
        QCOMPARE(totalOf(listed), 2);
        for (const QString &title : m_fixture.ids.keys()) {
            const HttpReply read = m_api->get(kPublic + '/' + m_fixture.ids[title].toUtf8());
            if (published.contains(title)) {
                VERIFY_NO_ISSUE(statusIssue(read, 200));
                QCOMPARE(str(read, "title"), title);
            } else {
                VERIFY_NO_ISSUE(problemIssue(read, 404));
                QVERIFY(!read.hasHeader("Cache-Control"));
            }
        }
        // Asking for drafts, or another author, reveals none.
        QCOMPARE(listedIds("tag=fixture&status=draft", {}), QStringList());
        QCOMPARE(listedIds("tag=fixture&status=review", {}), QStringList());
        // authorId is not a public filter: it is ignored there.
        QCOMPARE(m_fixture.titlesOf(listedIds("tag=fixture&authorId=" + m_other.id.toUtf8(), {})),
                 published);
        // A token changes nothing there.
        QCOMPARE(m_fixture.titlesOf(listedIds("tag=fixture", {})), published);
        const HttpReply withToken = m_api->get(kPublic + "?tag=fixture&limit=100", m_editor.token);
        QCOMPARE(m_fixture.titlesOf(valuesOf(itemsOf(withToken), "id")), published);
    }

    // --- versions -------------------------------------------------------------------------

    void versionsListEveryEditInOrder()
    {
        const QString id =
            createId(m_creator.token, {{QStringLiteral("title"), QStringLiteral("Versioned")}});
        VERIFY_NO_ISSUE(statusIssue(
            patch(m_creator.token, id, {{QStringLiteral("title"), QStringLiteral("Versioned 2")}}),
            200));
        VERIFY_NO_ISSUE(statusIssue(
            patch(m_creator.token, id, {{QStringLiteral("body"), QStringLiteral("text")}}), 200));
        VERIFY_NO_ISSUE(statusIssue(setStatus(m_creator.token, id, QStringLiteral("review")), 200));
        const HttpReply listed = m_api->get(itemPath(id) + "/versions", m_creator.token);
        VERIFY_NO_ISSUE(statusIssue(listed, 200));
        const QJsonArray versions = itemsOf(listed);
        QCOMPARE(versions.size(), 4);
        QStringList kinds;
        for (int i = 0; i < int(versions.size()); ++i) {
            const QJsonObject v = versions.at(i).toObject();
            QCOMPARE(v.value(QLatin1String("number")).toInt(), i + 1);
            QCOMPARE(v.value(QLatin1String("actorId")).toString(), m_creator.id);
            kinds << v.value(QLatin1String("kind")).toString();
        }
        QCOMPARE(kinds,
                 (QStringList{QStringLiteral("ContentCreated"), QStringLiteral("ContentUpdated"),
                              QStringLiteral("ContentUpdated"),
                              QStringLiteral("ContentStatusChanged")}));
        QCOMPARE(versions.at(1).toObject().value(QLatin1String("changedFields")).toArray(),
                 QJsonArray{QStringLiteral("title")});
        QCOMPARE(versions.at(2).toObject().value(QLatin1String("changedFields")).toArray(),
                 QJsonArray{QStringLiteral("body")});
        QCOMPARE(jsonOf(m_api->get(itemPath(id), m_creator.token))
                     .value(QLatin1String("version"))
                     .toInt(),
                 4);
        // Editors see them; another creator, or anyone for a published item they do not edit, not.
        VERIFY_NO_ISSUE(statusIssue(m_api->get(itemPath(id) + "/versions", m_editor.token), 200));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(itemPath(id) + "/versions", m_other.token), 404));
        const QString theirs = m_fixture.ids.value(QStringLiteral("Delta gallery"));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->get(itemPath(theirs) + "/versions", m_creator.token), 403));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->get(itemPath(theirs) + "/versions/1", m_creator.token), 403));
        VERIFY_NO_ISSUE(problemIssue(
            m_api->get(itemPath(theirs) + "/versions/diff?from=1&to=2", m_creator.token), 403));
    }

    void aVersionNamesEachChangedFieldOnce()
    {
        const QString id = createId(
            m_creator.token,
            {{QStringLiteral("title"), QStringLiteral("Sets")},
             {QStringLiteral("tags"), QJsonArray{QStringLiteral("a"), QStringLiteral("b")}}});
        VERIFY_NO_ISSUE(statusIssue(
            patch(m_creator.token, id,
                  {{QStringLiteral("tags"), QJsonArray{QStringLiteral("b"), QStringLiteral("c")}}}),
            200));
        const QJsonArray versions =
            itemsOf(m_api->get(itemPath(id) + "/versions", m_creator.token));
        QCOMPARE(versions.size(), 2);
        QCOMPARE(versions.last().toObject().value(QLatin1String("changedFields")).toArray(),
                 QJsonArray{QStringLiteral("tags")});
    }

    void aVersionShowsTheFieldsAsTheyWereThen()
    {
        const QString id =
            createId(m_creator.token, {{QStringLiteral("title"), QStringLiteral("Then")},
                                       {QStringLiteral("body"), QStringLiteral("old")},
                                       {QStringLiteral("tags"), QJsonArray{QStringLiteral("x")}}});
        VERIFY_NO_ISSUE(
            statusIssue(patch(m_creator.token, id,
                              {{QStringLiteral("title"), QStringLiteral("Now")},
                               {QStringLiteral("tags"), QJsonArray{QStringLiteral("y")}}}),
                        200));
        const HttpReply first = m_api->get(itemPath(id) + "/versions/1", m_creator.token);
        VERIFY_NO_ISSUE(statusIssue(first, 200));
        QCOMPARE(jsonOf(first).value(QLatin1String("number")).toInt(), 1);
        const QJsonObject fields = jsonOf(first).value(QLatin1String("fields")).toObject();
        QCOMPARE(fields.value(QLatin1String("title")).toString(), QStringLiteral("Then"));
        QCOMPARE(fields.value(QLatin1String("body")).toString(), QStringLiteral("old"));
        QCOMPARE(fields.value(QLatin1String("slug")).toString(), QStringLiteral("then"));
        QCOMPARE(fields.value(QLatin1String("status")).toString(), QStringLiteral("draft"));
        QCOMPARE(fields.value(QLatin1String("tags")).toArray(), QJsonArray{QStringLiteral("x")});
        const QJsonObject second = jsonOf(m_api->get(itemPath(id) + "/versions/2", m_creator.token))
                                       .value(QLatin1String("fields"))
                                       .toObject();
        QCOMPARE(second.value(QLatin1String("title")).toString(), QStringLiteral("Now"));
        QCOMPARE(second.value(QLatin1String("tags")).toArray(), QJsonArray{QStringLiteral("y")});
        VERIFY_NO_ISSUE(
            problemIssue(m_api->get(itemPath(id) + "/versions/3", m_creator.token), 404));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->get(itemPath(id) + "/versions/0", m_creator.token), 404));
    }

    void aDiffShowsTheChangedFieldsBothWays()
    {
        const QString id = createId(
            m_creator.token, {{QStringLiteral("title"), QStringLiteral("Diff one")},
                              {QStringLiteral("body"), QStringLiteral("one")},
                              {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("k"), 1}}}});
        VERIFY_NO_ISSUE(statusIssue(
            patch(m_creator.token, id, {{QStringLiteral("title"), QStringLiteral("Diff two")}}),
            200));
        VERIFY_NO_ISSUE(statusIssue(
            patch(m_creator.token, id,
                  {{QStringLiteral("body"), QStringLiteral("three")},
                   {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("k"), 2}}}}),
            200));
        const HttpReply diff =
            m_api->get(itemPath(id) + "/versions/diff?from=1&to=3", m_creator.token);
        VERIFY_NO_ISSUE(statusIssue(diff, 200));
        QCOMPARE(jsonOf(diff).value(QLatin1String("from")).toInt(), 1);
        QCOMPARE(jsonOf(diff).value(QLatin1String("to")).toInt(), 3);
        const QJsonObject fields = jsonOf(diff).value(QLatin1String("fields")).toObject();
        QCOMPARE(setOf(fields.keys()),
                 (QSet<QString>{QStringLiteral("title"), QStringLiteral("body"),
                                QStringLiteral("metadata")}));
        QCOMPARE(fields.value(QLatin1String("title")).toObject(),
                 (QJsonObject{{QStringLiteral("from"), QStringLiteral("Diff one")},
                              {QStringLiteral("to"), QStringLiteral("Diff two")}}));
        QCOMPARE(fields.value(QLatin1String("body")).toObject(),
                 (QJsonObject{{QStringLiteral("from"), QStringLiteral("one")},
                              {QStringLiteral("to"), QStringLiteral("three")}}));
        QCOMPARE(fields.value(QLatin1String("metadata"))
                     .toObject()
                     .value(QLatin1String("to"))
                     .toObject(),
                 (QJsonObject{{QStringLiteral("k"), 2}}));
        const QJsonObject back =
            jsonOf(m_api->get(itemPath(id) + "/versions/diff?from=3&to=1", m_creator.token))
                .value(QLatin1String("fields"))
                .toObject();
        QCOMPARE(
            back.value(QLatin1String("title")).toObject().value(QLatin1String("to")).toString(),
            QStringLiteral("Diff one"));
        const QJsonObject none =
            jsonOf(m_api->get(itemPath(id) + "/versions/diff?from=2&to=2", m_creator.token))
                .value(QLatin1String("fields"))
                .toObject();
        QVERIFY(none.isEmpty());

        VERIFY_NO_ISSUE(
            problemIssue(m_api->get(itemPath(id) + "/versions/diff?to=2", m_creator.token), 422,
                         QStringLiteral("from")));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->get(itemPath(id) + "/versions/diff?from=1&to=two", m_creator.token),
                         422, QStringLiteral("to")));
        VERIFY_NO_ISSUE(problemIssue(
            m_api->get(itemPath(id) + "/versions/diff?from=1&to=9", m_creator.token), 404));
    }

    void restoreMakesANewVersionWithTheOldFields()
    {
        const QString id = createId(m_creator.token,
                                    {{QStringLiteral("title"), QStringLiteral("Old title")},
                                     {QStringLiteral("body"), QStringLiteral("old body")},
                                     {QStringLiteral("tags"), QJsonArray{QStringLiteral("old")}}});
        VERIFY_NO_ISSUE(
            statusIssue(patch(m_creator.token, id,
                              {{QStringLiteral("title"), QStringLiteral("New title")},
                               {QStringLiteral("tags"), QJsonArray{QStringLiteral("new")}}}),
                        200));
        VERIFY_NO_ISSUE(statusIssue(
            patch(m_creator.token, id, {{QStringLiteral("body"), QStringLiteral("new body")}}),
            200));
        VERIFY_NO_ISSUE(problemIssue(m_api->call("POST", itemPath(id) + "/versions/1/restore", {},
                                                 m_creator.token, {{"If-Match", etagOf(2)}}),
                                     412));
        const HttpReply restored = m_api->call("POST", itemPath(id) + "/versions/1/restore", {},
                                               m_creator.token, {{"If-Match", etagOf(3)}});
        VERIFY_NO_ISSUE(statusIssue(restored, 200));
        QCOMPARE(restored.header("ETag"), etagOf(4));
        QCOMPARE(str(restored, "title"), QStringLiteral("Old title"));
        QCOMPARE(str(restored, "body"), QStringLiteral("old body"));
        QCOMPARE(jsonOf(restored).value(QLatin1String("tags")).toArray(),
                 QJsonArray{QStringLiteral("old")});
        QCOMPARE(str(restored, "status"), QStringLiteral("draft"));
        QCOMPARE(jsonOf(m_api->get(itemPath(id), m_creator.token)), jsonOf(restored));
        const QJsonArray versions =
            itemsOf(m_api->get(itemPath(id) + "/versions", m_creator.token));
        QCOMPARE(versions.size(), 4);
        const QJsonObject last = versions.last().toObject();
        QCOMPARE(last.value(QLatin1String("kind")).toString(),
                 QStringLiteral("ContentVersionRestored"));
        QCOMPARE(last.value(QLatin1String("restoredVersion")).toInt(), 1);
        // Version 2 is still there, unchanged.
        QCOMPARE(jsonOf(m_api->get(itemPath(id) + "/versions/2", m_creator.token))
                     .value(QLatin1String("fields"))
                     .toObject()
                     .value(QLatin1String("title"))
                     .toString(),
                 QStringLiteral("New title"));
        VERIFY_NO_ISSUE(problemIssue(
            m_api->call("POST", itemPath(id) + "/versions/9/restore", {}, m_creator.token), 404));
        VERIFY_NO_ISSUE(problemIssue(
            m_api->call("POST", itemPath(id) + "/versions/1/restore", {}, m_other.token), 404));
    }

    void aVersionNumberBeyondAnyIntegerIs404NotAServerError()
    {
        const QString id = m_fixture.ids.value(QStringLiteral("Alpha report"));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->get(itemPath(id) + "/versions/99999999999", m_editor.token), 404));
        VERIFY_NO_ISSUE(problemIssue(
            m_api->call("POST", itemPath(id) + "/versions/99999999999/restore", {}, m_editor.token),
            404));
    }

    // --- Idempotency-Key ------------------------------------------------------------------

    void aRepeatedIdempotencyKeyReplaysTheFirstAnswer()
    {
        const QString tag = newTag();
        const HttpHeaders key{{"Idempotency-Key", "create-" + tag.toUtf8()}};
        const QByteArray body = "{\"title\":\"Once only\",\"tags\":[\"" + tag.toUtf8() + "\"]}";
        const HttpReply first = m_api->call("POST", kContent, body, m_creator.token, key);
        VERIFY_NO_ISSUE(statusIssue(first, 201));
        QVERIFY(!first.hasHeader("Idempotent-Replayed"));
        const HttpReply again = m_api->call("POST", kContent, body, m_creator.token, key);
        VERIFY_NO_ISSUE(statusIssue(again, 201));
        QCOMPARE(again.header("Idempotent-Replayed"), QByteArray("true"));
        QCOMPARE(str(again, "id"), str(first, "id"));
        QCOMPARE(again.header("Location"), first.header("Location"));
        QCOMPARE(again.header("ETag"), first.header("ETag"));
        QCOMPARE(jsonOf(again), jsonOf(first));
        // The same members in another order are the same request.
        const HttpReply reordered = m_api->call(
            "POST", kContent, "{\"tags\":[\"" + tag.toUtf8() + "\"],\"title\":\"Once only\"}",
            m_creator.token, key);
        VERIFY_NO_ISSUE(statusIssue(reordered, 201));
        QCOMPARE(str(reordered, "id"), str(first, "id"));
        QCOMPARE(totalOf(list("tag=" + tag.toUtf8(), m_editor.token)), 1);
    }

    void theSameIdempotencyKeyWithAnotherBodyIs422()
    {
        const QString tag = newTag();
        const HttpHeaders key{{"Idempotency-Key", "other-body-" + tag.toUtf8()}};
        VERIFY_NO_ISSUE(statusIssue(create(m_creator.token,
                                           {{QStringLiteral("title"), QStringLiteral("First body")},
                                            {QStringLiteral("tags"), QJsonArray{tag}}},
                                           key),
                                    201));
        VERIFY_NO_ISSUE(
            problemIssue(create(m_creator.token,
                                {{QStringLiteral("title"), QStringLiteral("Second body")},
                                 {QStringLiteral("tags"), QJsonArray{tag}}},
                                key),
                         422, QStringLiteral("Idempotency-Key")));
        QCOMPARE(totalOf(list("tag=" + tag.toUtf8(), m_editor.token)), 1);
        // Keys are per user: another creator's request with it is a request of its own.
        const HttpReply theirs = create(m_other.token,
                                        {{QStringLiteral("title"), QStringLiteral("First body")},
                                         {QStringLiteral("tags"), QJsonArray{tag}}},
                                        key);
        VERIFY_NO_ISSUE(statusIssue(theirs, 201));
        QVERIFY(!theirs.hasHeader("Idempotent-Replayed"));
        QCOMPARE(totalOf(list("tag=" + tag.toUtf8(), m_editor.token)), 2);
    }

    void aRefusedRequestDoesNotSpendItsIdempotencyKey()
    {
        const QString tag = newTag();
        const HttpHeaders key{{"Idempotency-Key", "refused-" + tag.toUtf8()}};
        VERIFY_NO_ISSUE(
            problemIssue(create(m_creator.token,
                                {{QStringLiteral("title"), QStringLiteral("Bad")},
                                 {QStringLiteral("tags"), QJsonArray{tag}},
                                 {QStringLiteral("mediaIds"), QJsonArray{QStringLiteral("x")}}},
                                key),
                         422, QStringLiteral("mediaIds")));
        const HttpReply good = create(m_creator.token,
                                      {{QStringLiteral("title"), QStringLiteral("Good")},
                                       {QStringLiteral("tags"), QJsonArray{tag}}},
                                      key);
        VERIFY_NO_ISSUE(statusIssue(good, 201));
        QVERIFY(!good.hasHeader("Idempotent-Replayed"));
        VERIFY_NO_ISSUE(problemIssue(create(m_creator.token,
                                            {{QStringLiteral("title"), QStringLiteral("Long key")}},
                                            {{"Idempotency-Key", QByteArray(201, 'k')}}),
                                     422, QStringLiteral("Idempotency-Key")));
    }

    // --- pagination, sorting, filters -----------------------------------------------------

    void pagesWalkEveryItemOnceWithLinks()
    {
        const HttpReply all = list("tag=fixture&sort=title&limit=100", m_editor.token);
        const QStringList expected = valuesOf(itemsOf(all), "id");
        QCOMPARE(expected.size(), 6);
        QStringList walked;
        for (int page = 1; page <= 3; ++page) {
            const HttpReply reply = list(
                "tag=fixture&sort=title&limit=2&page=" + QByteArray::number(page), m_editor.token);
            VERIFY_NO_ISSUE(statusIssue(reply, 200));
            const QJsonObject body = jsonOf(reply);
            const QJsonObject pagination = body.value(QLatin1String("pagination")).toObject();
            QCOMPARE(pagination.value(QLatin1String("page")).toInt(), page);
            QCOMPARE(pagination.value(QLatin1String("limit")).toInt(), 2);
            QCOMPARE(pagination.value(QLatin1String("totalItems")).toInt(), 6);
            QCOMPARE(pagination.value(QLatin1String("totalPages")).toInt(), 3);
            const QJsonObject links = body.value(QLatin1String("_links")).toObject();
            QVERIFY(links.value(QLatin1String("self"))
                        .toObject()
                        .value(QLatin1String("href"))
                        .toString()
                        .contains(QStringLiteral("page=%1").arg(page)));
            QCOMPARE(links.contains(QLatin1String("next")), page < 3);
            QCOMPARE(links.contains(QLatin1String("prev")), page > 1);
            walked += valuesOf(itemsOf(reply), "id");
        }
        QCOMPARE(walked, expected);
    }

    void aPagePastTheEndIsEmptyWithTheRightTotal()
    {
        for (const QByteArray &token : {QByteArray(m_editor.token), QByteArray()}) {
            const QByteArray query = "tag=fixture&limit=5&page=9";
            const HttpReply reply =
                token.isEmpty() ? m_api->get(kPublic + '?' + query) : list(query, token);
            VERIFY_NO_ISSUE(statusIssue(reply, 200));
            QCOMPARE(itemsOf(reply).size(), 0);
            QCOMPARE(totalOf(reply), token.isEmpty() ? 2 : 6);
            QCOMPARE(jsonOf(reply)
                         .value(QLatin1String("pagination"))
                         .toObject()
                         .value(QLatin1String("page"))
                         .toInt(),
                     9);
        }
        const HttpReply last = list("tag=fixture&limit=5&page=1000000000", m_editor.token);
        VERIFY_NO_ISSUE(statusIssue(last, 200));
        QCOMPARE(itemsOf(last).size(), 0);
        QCOMPARE(totalOf(last), 6);
    }

    void theLargestLimitIsAccepted()
    {
        const HttpReply reply = list("limit=100", m_editor.token);
        VERIFY_NO_ISSUE(statusIssue(reply, 200));
        QCOMPARE(jsonOf(reply)
                     .value(QLatin1String("pagination"))
                     .toObject()
                     .value(QLatin1String("limit"))
                     .toInt(),
                 100);
    }

    void aBadPageOrLimitIs422NamingIt_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QString>("field");
        QTest::newRow("limit=0") << QByteArray("limit=0") << "limit";
        QTest::newRow("limit=101") << QByteArray("limit=101") << "limit";
        QTest::newRow("limit=1000") << QByteArray("limit=1000") << "limit";
        QTest::newRow("limit=-5") << QByteArray("limit=-5") << "limit";
        QTest::newRow("limit=ten") << QByteArray("limit=ten") << "limit";
        QTest::newRow("limit empty") << QByteArray("limit=") << "limit";
        QTest::newRow("page=0") << QByteArray("page=0") << "page";
        QTest::newRow("page=-1") << QByteArray("page=-1") << "page";
        QTest::newRow("page=abc") << QByteArray("page=abc") << "page";
        QTest::newRow("page=1.5") << QByteArray("page=1.5") << "page";
        QTest::newRow("page beyond its maximum") << QByteArray("page=1000000001") << "page";
        QTest::newRow("page=99999999999999999999")
            << QByteArray("page=99999999999999999999") << "page";
    }

    void aBadPageOrLimitIs422NamingIt()
    {
        QFETCH(QByteArray, query);
        QFETCH(QString, field);
        VERIFY_NO_ISSUE(problemIssue(list(query, m_editor.token), 422, field));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(kPublic + '?' + query), 422, field));
    }

    void sortingFollowsTheData_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<bool>("descending");
        for (const char *field :
             {"title", "createdAt", "updatedAt", "publishedAt", "status", "type", "slug"}) {
            QTest::newRow(field) << QString::fromLatin1(field) << false;
            QTest::newRow(QByteArray('-' + QByteArray(field)).constData())
                << QString::fromLatin1(field) << true;
        }
    }

    void sortingFollowsTheData()
    {
        QFETCH(QString, field);
        QFETCH(bool, descending);
        const QByteArray sort = (descending ? "-" : "") + field.toUtf8();
        const HttpReply reply = list("tag=fixture&limit=100&sort=" + sort, m_editor.token);
        VERIFY_NO_ISSUE(statusIssue(reply, 200));
        const QJsonArray items = itemsOf(reply);
        QCOMPARE(items.size(), 6);
        QSet<QString> distinct;
        for (const QJsonValue &v : items)
            distinct << (v.toObject().value(field).isNull() ? QStringLiteral("<null>")
                                                            : v.toObject().value(field).toString());
        QVERIFY2(distinct.size() >= 3, "the fixture does not tell this order from another");
        VERIFY_NO_ISSUE(orderIssue(items, field, descending));
        // The public listing sorts the same way.
        const HttpReply open = m_api->get(kPublic + "?tag=fixture&sort=" + sort);
        VERIFY_NO_ISSUE(statusIssue(open, 200));
        VERIFY_NO_ISSUE(orderIssue(itemsOf(open), field, descending));
    }

    void theDefaultOrderIsMostRecentlyUpdatedFirst()
    {
        const HttpReply reply = list("tag=fixture", m_editor.token);
        VERIFY_NO_ISSUE(orderIssue(itemsOf(reply), QStringLiteral("updatedAt"), true));
        QCOMPARE(valuesOf(itemsOf(reply), "id"),
                 valuesOf(itemsOf(list("tag=fixture&sort=-updatedAt", m_editor.token)), "id"));
    }

    void anUnknownSortFieldIs422NamingSort_data()
    {
        QTest::addColumn<QByteArray>("sort");
        QTest::newRow("unknown") << QByteArray("colour");
        QTest::newRow("unknown descending") << QByteArray("-colour");
        QTest::newRow("a column name") << QByteArray("created_at");
        QTest::newRow("a field that is not sortable") << QByteArray("body");
        QTest::newRow("double minus") << QByteArray("--title");
        QTest::newRow("sql") << QByteArray("title%3B%20DROP%20TABLE%20content_items");
    }

    void anUnknownSortFieldIs422NamingSort()
    {
        QFETCH(QByteArray, sort);
        VERIFY_NO_ISSUE(
            problemIssue(list("sort=" + sort, m_editor.token), 422, QStringLiteral("sort")));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->get(kPublic + "?sort=" + sort), 422, QStringLiteral("sort")));
        QCOMPARE(totalOf(list("tag=fixture", m_editor.token)), 6);
    }

    void filtersSelectTheMatchingItems_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QStringList>("titles");
        const QStringList all{QStringLiteral("Alpha report"), QStringLiteral("Bravo clip"),
                              QStringLiteral("Charlie cast"), QStringLiteral("Delta gallery"),
                              QStringLiteral("Echo notes"),   QStringLiteral("Foxtrot story")};
        QTest::newRow("status=published")
            << QByteArray("tag=fixture&status=published")
            << QStringList{QStringLiteral("Charlie cast"), QStringLiteral("Delta gallery")};
        QTest::newRow("status=draft")
            << QByteArray("tag=fixture&status=draft")
            << QStringList{QStringLiteral("Alpha report"), QStringLiteral("Foxtrot story")};
        QTest::newRow("status=review")
            << QByteArray("tag=fixture&status=review") << QStringList{QStringLiteral("Bravo clip")};
        QTest::newRow("status=archived") << QByteArray("tag=fixture&status=archived")
                                         << QStringList{QStringLiteral("Echo notes")};
        QTest::newRow("type=video")
            << QByteArray("tag=fixture&type=video")
            << QStringList{QStringLiteral("Bravo clip"), QStringLiteral("Foxtrot story")};
        QTest::newRow("type and status") << QByteArray("tag=fixture&type=video&status=draft")
                                         << QStringList{QStringLiteral("Foxtrot story")};
        QTest::newRow("q in another case")
            << QByteArray("tag=fixture&q=ChArLiE") << QStringList{QStringLiteral("Charlie cast")};
        QTest::newRow("q across words")
            << QByteArray("tag=fixture&q=o%20n") << QStringList{QStringLiteral("Echo notes")};
        QTest::newRow("q with % is literal") << QByteArray("tag=fixture&q=%25") << QStringList();
        QTest::newRow("q with _ is literal") << QByteArray("tag=fixture&q=_") << QStringList();
        QTest::newRow("q without a match") << QByteArray("tag=fixture&q=zulu") << QStringList();
        QTest::newRow("tag in another case and spacing")
            << QByteArray("tag=%20SHARED%20%20tag") << all;
        QTest::newRow("tag nobody uses") << QByteArray("tag=nobody-uses-this") << QStringList();
    }

    void filtersSelectTheMatchingItems()
    {
        QFETCH(QByteArray, query);
        QFETCH(QStringList, titles);
        titles.sort();
        const HttpReply reply = list("limit=100&" + query, m_editor.token);
        VERIFY_NO_ISSUE(statusIssue(reply, 200));
        QCOMPARE(m_fixture.titlesOf(valuesOf(itemsOf(reply), "id")), titles);
        QCOMPARE(totalOf(reply), int(titles.size()));
    }

    void theAuthorFilterSelectsOneAuthorsItems()
    {
        QCOMPARE(m_fixture.titlesOf(
                     listedIds("tag=fixture&authorId=" + m_other.id.toUtf8(), m_editor.token)),
                 (QStringList{QStringLiteral("Delta gallery"), QStringLiteral("Foxtrot story")}));
        QCOMPARE(m_fixture.titlesOf(
                     listedIds("tag=fixture&authorId=" + m_editor.id.toUtf8(), m_editor.token)),
                 QStringList{QStringLiteral("Echo notes")});
        QCOMPARE(
            listedIds("tag=fixture&authorId=00000000-0000-4000-8000-000000000000", m_editor.token),
            QStringList());
    }

    void updatedSinceKeepsItemsChangedAtOrAfterIt()
    {
        const QJsonArray items =
            itemsOf(list("tag=fixture&limit=100&sort=updatedAt", m_editor.token));
        QCOMPARE(items.size(), 6);
        const QString since = items.at(3).toObject().value(QLatin1String("updatedAt")).toString();
        QStringList expected;
        for (const QJsonValue &v : items) {
            if (v.toObject().value(QLatin1String("updatedAt")).toString() >= since)
                expected << v.toObject().value(QLatin1String("id")).toString();
        }
        QVERIFY(expected.size() >= 3 && expected.size() < 6);
        QStringList got =
            listedIds("tag=fixture&updatedSince=" + QUrl::toPercentEncoding(since), m_editor.token);
        got.sort();
        expected.sort();
        QCOMPARE(got, expected);
        // The same moment with an offset.
        const QString offset = QDateTime::fromString(since, Qt::ISODateWithMs)
                                   .toOffsetFromUtc(3600)
                                   .toString(Qt::ISODateWithMs);
        got = listedIds("tag=fixture&updatedSince=" + QUrl::toPercentEncoding(offset),
                        m_editor.token);
        got.sort();
        QCOMPARE(got, expected);
        QCOMPARE(listedIds("tag=fixture&updatedSince=2999-01-01T00:00:00Z", m_editor.token),
                 QStringList());
    }

    void aBadFilterIs422NamingIt_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QString>("field");
        QTest::newRow("status") << QByteArray("status=deleted") << "status";
        QTest::newRow("status in capitals") << QByteArray("status=DRAFT") << "status";
        QTest::newRow("type") << QByteArray("type=book") << "type";
        QTest::newRow("tag empty") << QByteArray("tag=") << "tag";
        QTest::newRow("tag blank") << QByteArray("tag=%20%20") << "tag";
        QTest::newRow("tag too long") << ("tag=" + QByteArray(51, 't')) << "tag";
        QTest::newRow("q too long") << ("q=" + QByteArray(201, 'q')) << "q";
        QTest::newRow("updatedSince") << QByteArray("updatedSince=yesterday") << "updatedSince";
    }

    void aBadFilterIs422NamingIt()
    {
        QFETCH(QByteArray, query);
        QFETCH(QString, field);
        VERIFY_NO_ISSUE(problemIssue(list(query, m_editor.token), 422, field));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(kPublic + '?' + query), 422, field));
    }

    void theServerStillAnswersAfterEverything()
    {
        VERIFY_NO_ISSUE(statusIssue(m_api->get("/healthz"), 200));
        QVERIFY(m_server->isRunning());
    }
};

QTEST_GUILESS_MAIN(TestContentApi)
#include "tst_contentapi.moc"
