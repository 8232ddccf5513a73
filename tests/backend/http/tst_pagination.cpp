// SPDX-License-Identifier: MIT
// Proves the list conventions: page/limit validation, the pagination object,
// _links that keep other filters, If-Match, and problem+json for errors.
#include "backend/http/pagination.h"
#include "backend/http/problem.h"

#include <QTest>

using namespace colophon;

namespace {
HttpRequest requestWith(std::string query)
{
    HttpRequest r;
    r.path = "/api/v1/content";
    r.rawQuery = std::move(query);
    return r;
}
} // namespace

class TestPagination : public QObject
{
    Q_OBJECT

private slots:
    void defaultsToFirstPageOfTwenty()
    {
        auto p = parsePageRequest(requestWith(""));
        QVERIFY(p);
        QCOMPARE(p->page, 1);
        QCOMPARE(p->limit, 20);
        QCOMPARE(p->offset(), std::int64_t(0));
    }

    void rejectsBadPageOrLimit_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("field");
        QTest::newRow("zero page") << "page=0"
                                   << "page";
        QTest::newRow("negative limit") << "limit=-5"
                                        << "limit";
        QTest::newRow("limit over max") << "limit=101"
                                        << "limit";
        QTest::newRow("not a number") << "page=two"
                                      << "page";
        QTest::newRow("trailing junk") << "limit=10x"
                                       << "limit";
        QTest::newRow("empty") << "page="
                               << "page";
    }
    void rejectsBadPageOrLimit()
    {
        QFETCH(QString, query);
        QFETCH(QString, field);
        auto p = parsePageRequest(requestWith(query.toStdString()));
        QVERIFY(!p);
        QCOMPARE(p.error().code, ErrorCode::InvalidInput);
        QCOMPARE(p.error().field, field);
    }

    void paginationObjectCountsPages()
    {
        const auto j = paginationJson(PageRequest{2, 20}, 45);
        QCOMPARE(j["page"].get<int>(), 2);
        QCOMPARE(j["limit"].get<int>(), 20);
        QCOMPARE(j["totalItems"].get<int>(), 45);
        QCOMPARE(j["totalPages"].get<int>(), 3);
        QCOMPARE(paginationJson(PageRequest{1, 20}, 0)["totalPages"].get<int>(), 0);
    }

    void linksKeepFiltersAndStopAtTheEnds()
    {
        const HttpRequest req = requestWith("status=draft&page=2&limit=10&q=a%20b");
        auto links = pageLinks(req, PageRequest{2, 10}, 25);
        QCOMPARE(links["self"]["href"].get<std::string>(),
                 std::string("/api/v1/content?status=draft&q=a%20b&page=2&limit=10"));
        QCOMPARE(links["next"]["href"].get<std::string>(),
                 std::string("/api/v1/content?status=draft&q=a%20b&page=3&limit=10"));
        QCOMPARE(links["prev"]["href"].get<std::string>(),
                 std::string("/api/v1/content?status=draft&q=a%20b&page=1&limit=10"));
        auto last = pageLinks(req, PageRequest{3, 10}, 25);
        QVERIFY(!last.contains("next"));
        auto first = pageLinks(req, PageRequest{1, 10}, 25);
        QVERIFY(!first.contains("prev"));
    }

    void ifMatchAcceptsCurrentOrStarAndRejectsStale()
    {
        const std::string current = makeEtag("v3");
        HttpRequest req;
        QVERIFY(checkIfMatch(req, current)); // absent and optional
        QCOMPARE(checkIfMatch(req, current, true).error().code, ErrorCode::PreconditionFailed);
        req.headers = {{"If-Match", "\"v3\""}};
        QVERIFY(checkIfMatch(req, current));
        req.headers = {{"if-match", "\"v1\", \"v3\""}};
        QVERIFY(checkIfMatch(req, current));
        req.headers = {{"If-Match", "*"}};
        QVERIFY(checkIfMatch(req, current));
        req.headers = {{"If-Match", "\"v2\""}};
        auto stale = checkIfMatch(req, current);
        QVERIFY(!stale);
        QCOMPARE(httpStatusFor(stale.error().code), 412);
    }

    void errorsBecomeProblemJson()
    {
        HttpResponse r = problemResponse(
            Error::invalid(QStringLiteral("title is required"), QStringLiteral("title")));
        QCOMPARE(r.status, 422);
        QCOMPARE(std::string(r.header("Content-Type")), std::string("application/problem+json"));
        const auto j = nlohmann::json::parse(r.body);
        QCOMPARE(j["status"].get<int>(), 422);
        QCOMPARE(j["detail"].get<std::string>(), std::string("title is required"));
        QCOMPARE(j["field"].get<std::string>(), std::string("title"));
        QCOMPARE(j["code"].get<std::string>(), std::string("invalid-input"));
        QVERIFY(j.contains("type") && j.contains("title"));
    }

    void internalErrorsHideTheirDetails()
    {
        HttpResponse r =
            problemResponse(Error::internal(QStringLiteral("no such table: content_items")));
        QCOMPARE(r.status, 500);
        QVERIFY(r.body.find("content_items") == std::string::npos);
    }

    void everyErrorCodeHasAStatus()
    {
        for (ErrorCode c : {ErrorCode::InvalidInput, ErrorCode::NotFound, ErrorCode::Conflict,
                            ErrorCode::PreconditionFailed, ErrorCode::PermissionDenied,
                            ErrorCode::Unauthenticated, ErrorCode::RateLimited,
                            ErrorCode::Unavailable, ErrorCode::Internal}) {
            const int s = httpStatusFor(c);
            QVERIFY2(s >= 400 && s < 600, qPrintable(errorCodeName(c)));
        }
    }
};

QTEST_APPLESS_MAIN(TestPagination)
#include "tst_pagination.moc"
