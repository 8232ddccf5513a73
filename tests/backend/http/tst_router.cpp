// SPDX-License-Identifier: MIT
// Proves the router: typed path parameters, 404 versus 405 with Allow, HEAD
// served by GET, and malformed patterns refused at registration.
#include "backend/http/router.h"

#include <QTest>

using namespace colophon;

class TestRouter : public QObject
{
    Q_OBJECT

private:
    static HttpHandler named(std::string name)
    {
        return [name](HttpRequest &) { return HttpResponse::text(200, name); };
    }
    Router m_router;

private slots:
    void initTestCase()
    {
        m_router.add(HttpMethod::Get, "/api/v1/content", named("list"));
        m_router.add(HttpMethod::Post, "/api/v1/content", named("create"));
        m_router.add(HttpMethod::Get, "/api/v1/content/{id:uuid}", named("get"));
        m_router.add(HttpMethod::Get, "/api/v1/content/{id:uuid}/versions/{n:int}",
                     named("version"));
        m_router.add(HttpMethod::Get, "/api/v1/tags/{name}", named("tag"));
        m_router.add(HttpMethod::Post, "/api/v1/auth/login", RouteClass::Auth,
                     RouteWork::HashesPassword, named("login"));
        m_router.add(HttpMethod::Post, "/api/v1/auth/refresh", RouteClass::Auth, named("refresh"));
    }

    void matchesLiteralAndTypedPaths_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("handler");
        QTest::newRow("list") << "GET"
                              << "/api/v1/content"
                              << "list";
        QTest::newRow("trailing slash") << "GET"
                                        << "/api/v1/content/"
                                        << "list";
        QTest::newRow("create") << "POST"
                                << "/api/v1/content"
                                << "create";
        QTest::newRow("uuid") << "GET"
                              << "/api/v1/content/0190f3a2-7c4e-7abc-8def-0123456789ab"
                              << "get";
        QTest::newRow("uuid + int")
            << "GET"
            << "/api/v1/content/0190f3a2-7c4e-7abc-8def-0123456789ab/versions/12"
            << "version";
        QTest::newRow("string") << "GET"
                                << "/api/v1/tags/poetry"
                                << "tag";
        QTest::newRow("head uses get") << "HEAD"
                                       << "/api/v1/content"
                                       << "list";
    }
    void matchesLiteralAndTypedPaths()
    {
        QFETCH(QString, method);
        QFETCH(QString, path);
        QFETCH(QString, handler);
        const auto m = m_router.match(parseMethod(method.toStdString()), path.toStdString());
        QCOMPARE(m.kind, Router::Match::Kind::Found);
        HttpRequest req;
        QCOMPARE(QString::fromStdString((*m.handler)(req).body), handler);
    }

    void extractsTypedParameters()
    {
        const auto m = m_router.match(
            HttpMethod::Get, "/api/v1/content/0190f3a2-7c4e-7abc-8def-0123456789ab/versions/42");
        QCOMPARE(m.kind, Router::Match::Kind::Found);
        HttpRequest req;
        req.params = m.params;
        QCOMPARE(req.param("id"), std::string("0190f3a2-7c4e-7abc-8def-0123456789ab"));
        QCOMPARE(req.intParam("n"), std::int64_t(42));
        QCOMPARE(*m.pattern, std::string("/api/v1/content/{id:uuid}/versions/{n:int}"));
    }

    void rejectsParametersOfTheWrongType_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("not a uuid") << "/api/v1/content/42";
        QTest::newRow("uuid too short") << "/api/v1/content/0190f3a2-7c4e-7abc-8def-0123456789a";
        QTest::newRow("int not a number")
            << "/api/v1/content/0190f3a2-7c4e-7abc-8def-0123456789ab/versions/x";
        QTest::newRow("unknown") << "/nothing/here";
        QTest::newRow("too deep") << "/api/v1/tags/a/b";
    }
    void rejectsParametersOfTheWrongType()
    {
        QFETCH(QString, path);
        QCOMPARE(m_router.match(HttpMethod::Get, path.toStdString()).kind,
                 Router::Match::Kind::NotFound);
    }

    void wrongMethodIsMethodNotAllowedWithAllow()
    {
        const auto m = m_router.match(HttpMethod::Delete, "/api/v1/content");
        QCOMPARE(m.kind, Router::Match::Kind::MethodNotAllowed);
        QCOMPARE(m.allow, std::string("GET, POST, HEAD, OPTIONS"));
        const auto login = m_router.match(HttpMethod::Get, "/api/v1/auth/login");
        QCOMPARE(login.kind, Router::Match::Kind::MethodNotAllowed);
        QCOMPARE(login.allow, std::string("POST, OPTIONS"));
        const auto options = m_router.match(HttpMethod::Options, "/api/v1/content");
        QCOMPARE(options.allow, std::string("GET, POST, HEAD, OPTIONS"));
        QCOMPARE(m_router.match(HttpMethod::Options, "/nothing/here").kind,
                 Router::Match::Kind::NotFound);
        // A found route needs no list: nothing sends it.
        const auto found = m_router.match(HttpMethod::Get, "/api/v1/content");
        QCOMPARE(found.kind, Router::Match::Kind::Found);
        QVERIFY(found.allow.empty());
    }

    void routeClassDefaultsByMethodAndCanBeSet()
    {
        QCOMPARE(m_router.match(HttpMethod::Get, "/api/v1/content").routeClass, RouteClass::Read);
        QCOMPARE(m_router.match(HttpMethod::Post, "/api/v1/content").routeClass, RouteClass::Write);
        QCOMPARE(m_router.match(HttpMethod::Post, "/api/v1/auth/login").routeClass,
                 RouteClass::Auth);
    }

    void aRouteThatHashesSaysSoInItsMatch()
    {
        const auto login = m_router.match(HttpMethod::Post, "/api/v1/auth/login");
        QCOMPARE(login.kind, Router::Match::Kind::Found);
        QCOMPARE(login.work, RouteWork::HashesPassword);
        QCOMPARE(m_router.match(HttpMethod::Post, "/api/v1/auth/refresh").work,
                 RouteWork::Ordinary);
        QCOMPARE(m_router.match(HttpMethod::Post, "/api/v1/content").work, RouteWork::Ordinary);
        // A path no route takes has no work of its own.
        QCOMPARE(m_router.match(HttpMethod::Post, "/nothing").work, RouteWork::Ordinary);
    }

    void malformedPatternsAreRefused_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::newRow("relative") << "api/v1";
        QTest::newRow("unclosed") << "/a/{id";
        QTest::newRow("unknown type") << "/a/{id:float}";
        QTest::newRow("unnamed") << "/a/{:int}";
        QTest::newRow("duplicate") << "/api/v1/content";
    }
    void malformedPatternsAreRefused()
    {
        QFETCH(QString, pattern);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 m_router.add(HttpMethod::Get, pattern.toStdString(), named("x")));
    }
};

QTEST_APPLESS_MAIN(TestRouter)
#include "tst_router.moc"
