// SPDX-License-Identifier: MIT
// Proves where colophon-server runs each request (ServiceHost::
// handOffRequests): reads, and the credential routes that hash nothing, on
// their I/O thread; every route that hashes a password on the one
// credentials thread; the other writes in the group commit; and that both
// runners run a request on a thread of their own and report it kept.
#include "app/host/hostconfig.h"
#include "app/host/servicehost.h"
#include "backend/config/config.h"
#include "backend/http/httpmessage.h"
#include "backend/http/httpserver.h"
#include "backend/http/router.h"
#include "backend/observability/logger.h"
#include "backend/observability/metrics.h"

#include <QTemporaryDir>
#include <QTest>
#include <future>
#include <thread>

using namespace colophon;

namespace {

HttpRequest request(HttpMethod method, const std::string &path)
{
    HttpRequest req;
    req.method = method;
    req.path = path;
    return req;
}

} // namespace

class TestRequestHandOff : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        defineHostConfig(m_config);
        QVERIFY(m_config.set(QStringLiteral("data_dir"), m_dir.filePath(QStringLiteral("data"))));
        m_logger.setLevel(LogLevel::Warn);
        auto host = ServiceHost::open(HostRole::Server, m_config, m_logger, m_metrics);
        QVERIFY2(host, qPrintable(host ? QString() : host.error().message));
        m_host = std::move(*host);
        m_host->registerRoutes(m_router);
        m_host->handOffRequests(m_settings, m_router);
        QVERIFY(m_settings.handOff);
    }

    void cleanupTestCase() { m_host.reset(); }

    void readsStayOnTheirIoThread_data()
    {
        QTest::addColumn<int>("method");
        QTest::addColumn<QString>("path");
        QTest::newRow("listing") << int(HttpMethod::Get) << QStringLiteral("/api/v1/content");
        QTest::newRow("an item") << int(HttpMethod::Get)
                                 << QStringLiteral(
                                        "/api/v1/content/0190a6f0-0000-7000-8000-000000000001");
        QTest::newRow("HEAD") << int(HttpMethod::Head) << QStringLiteral("/api/v1/content");
        QTest::newRow("OPTIONS") << int(HttpMethod::Options)
                                 << QStringLiteral("/api/v1/auth/login");
        QTest::newRow("no such route")
            << int(HttpMethod::Post) << QStringLiteral("/api/v1/nothing");
        QTest::newRow("health") << int(HttpMethod::Get) << QStringLiteral("/healthz");
        QTest::newRow("token refresh")
            << int(HttpMethod::Post) << QStringLiteral("/api/v1/auth/refresh");
        QTest::newRow("sign-out") << int(HttpMethod::Post) << QStringLiteral("/api/v1/auth/logout");
        QTest::newRow("a second factor")
            << int(HttpMethod::Post) << QStringLiteral("/api/v1/auth/mfa/verify");
    }
    void readsStayOnTheirIoThread()
    {
        QFETCH(int, method);
        QFETCH(QString, path);
        QCOMPARE(m_settings.handOff(request(HttpMethod(method), path.toStdString())), nullptr);
    }

    void passwordHashesGoToOneThreadAndWritesToTheGroup()
    {
        const auto *signIn = m_settings.handOff(request(HttpMethod::Post, "/api/v1/auth/login"));
        QVERIFY(signIn != nullptr);
        for (const auto &[method, path] : std::vector<std::pair<HttpMethod, std::string>>{
                 {HttpMethod::Post, "/api/v1/auth/register"},
                 {HttpMethod::Post, "/api/v1/me/password"},
                 {HttpMethod::Post, "/api/v1/auth/mfa/totp/disable"},
                 {HttpMethod::Post, "/oauth/authorize"},
                 {HttpMethod::Post, "/api/v1/users"},
                 {HttpMethod::Delete, "/api/v1/users/0190a6f0-0000-7000-8000-000000000001"}}) {
            QVERIFY2(m_settings.handOff(request(method, path)) == signIn, path.c_str());
        }
        const auto *write = m_settings.handOff(request(HttpMethod::Post, "/api/v1/content"));
        QVERIFY(write != nullptr);
        QVERIFY(write != signIn);
        QCOMPARE(m_settings.handOff(request(
                     HttpMethod::Patch, "/api/v1/content/0190a6f0-0000-7000-8000-000000000001")),
                 write);
        // An account write that hashes nothing is a write like any other.
        QCOMPARE(m_settings.handOff(request(HttpMethod::Patch,
                                            "/api/v1/users/0190a6f0-0000-7000-8000-000000000001")),
                 write);
    }

    void eachRunnerRunsOnItsOwnThreadAndReportsTheRequestKept()
    {
        for (const char *path : {"/api/v1/auth/login", "/api/v1/content"}) {
            const auto *runner = m_settings.handOff(request(HttpMethod::Post, path));
            QVERIFY(runner != nullptr);
            std::promise<std::pair<std::thread::id, bool>> outcome;
            std::thread::id ranOn;
            (*runner)([&] { ranOn = std::this_thread::get_id(); },
                      [&](bool kept) {
                          outcome.set_value({ranOn, kept});
                      });
            auto future = outcome.get_future();
            QVERIFY2(future.wait_for(std::chrono::seconds(10)) == std::future_status::ready, path);
            const auto [thread, kept] = future.get();
            QVERIFY2(thread != std::this_thread::get_id(), path);
            QVERIFY2(kept, path);
        }
    }

private:
    QTemporaryDir m_dir;
    Config m_config;
    Logger m_logger{"tst_requesthandoff"};
    MetricsRegistry m_metrics;
    std::unique_ptr<ServiceHost> m_host;
    Router m_router;
    HttpServerSettings m_settings;
};

QTEST_GUILESS_MAIN(TestRequestHandOff)
#include "tst_requesthandoff.moc"
