// SPDX-License-Identifier: MIT
#include "bench/benchsupport.h"

#include "app/host/hostconfig.h"
#include "app/host/servicehost.h"
#include "backend/config/config.h"
#include "backend/db/database.h"
#include "backend/http/httpserver.h"
#include "backend/observability/logger.h"
#include "backend/observability/metrics.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QThread>
#include <csignal>
#include <cstdio>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace colophon::bench {

namespace {

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

RateLimitSettings noRateLimits()
{
    RateLimitSettings settings;
    settings.enabled = false;
    return settings;
}

} // namespace

Figures parseWrk(const QString &name, const QString &out)
{
    Figures f;
    f.name = name;
    const auto rps = QRegularExpression(QStringLiteral("Requests/sec:\\s+([0-9.]+)")).match(out);
    f.requestsPerSecond = rps.hasMatch() ? rps.captured(1).toDouble() : 0;
    f.p50 = QRegularExpression(QStringLiteral("\\s50%\\s+(\\S+)")).match(out).captured(1);
    f.p99 = QRegularExpression(QStringLiteral("\\s99%\\s+(\\S+)")).match(out).captured(1);
    const auto non2xx =
        QRegularExpression(QStringLiteral("Non-2xx or 3xx responses: (\\d+)")).match(out);
    const auto sockErr = QRegularExpression(QStringLiteral("Socket errors: ([^\\n]+)")).match(out);
    f.errors =
        (non2xx.hasMatch() ? QStringLiteral("non-2xx %1 ").arg(non2xx.captured(1)) : QString()) +
        (sockErr.hasMatch() ? sockErr.captured(1) : QString());
    return f;
}

double processCpuSeconds(qint64 pid)
{
    if (pid == 0) {
        rusage u{};
        getrusage(RUSAGE_SELF, &u);
        return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
               double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    }
    // /proc/PID/stat: "pid (comm) state ..."; utime and stime are the 14th
    // and 15th fields, in clock ticks. comm may hold spaces: count from ')'.
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly)) {
        return -1;
    }
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13) {
        return -1;
    }
    return double(fields[11].toLongLong() + fields[12].toLongLong()) / double(sysconf(_SC_CLK_TCK));
}

Figures runWrk(const QString &name, const QString &url, int seconds, int connections,
               const QString &script, const QStringList &extra, qint64 serverPid)
{
    const double cpuBefore = processCpuSeconds(serverPid);
    QStringList args{QStringLiteral("-t2"), QStringLiteral("-c%1").arg(connections),
                     QStringLiteral("-d%1s").arg(seconds), QStringLiteral("--latency")};
    if (!script.isEmpty()) {
        args << QStringLiteral("-s") << script;
    }
    args << extra;
    args << url;
    QProcess wrk;
    wrk.start(QStringLiteral("wrk"), args);
    if (!wrk.waitForFinished((seconds + 30) * 1000) || wrk.exitCode() != 0) {
        std::fprintf(stderr, "wrk failed for %s: %s\n", qPrintable(name),
                     wrk.readAllStandardError().constData());
        return Figures{name, 0, 0, {}, {}, QStringLiteral("wrk failed")};
    }
    Figures f = parseWrk(name, QString::fromUtf8(wrk.readAllStandardOutput()));
    if (f.requestsPerSecond > 0) {
        f.cpuMicrosPerRequest =
            (processCpuSeconds(serverPid) - cpuBefore) * 1e6 / (f.requestsPerSecond * seconds);
    }
    return f;
}

Figures runNginx(const QTemporaryDir &dir, int seconds, int connections)
{
    const QString name = QStringLiteral("nginx static 69 B");
    const QString nginx =
        QStandardPaths::findExecutable(QStringLiteral("nginx"), {QStringLiteral("/usr/sbin")});
    if (nginx.isEmpty()) {
        return Figures{name, 0, 0, {}, {}, QStringLiteral("nginx not installed")};
    }
    const QString root = dir.filePath(QStringLiteral("www"));
    QDir().mkpath(root);
    // nginx's workers run as an unprivileged user: let them read the files.
    const auto readable = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                          QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                          QFileDevice::ExeOther;
    QFile::setPermissions(dir.path(), readable);
    QFile::setPermissions(root, readable);
    QFile file(root + QStringLiteral("/health.json"));
    file.open(QIODevice::WriteOnly);
    file.write(
        QByteArray(
            "{\"status\":\"ok\",\"service\":\"colophon\",\"note\":\"a 69-byte static body!!\"}\n")
            .left(69));
    file.close();
    file.setPermissions(readable &
                        ~(QFileDevice::ExeOwner | QFileDevice::ExeGroup | QFileDevice::ExeOther));
    const quint16 port = freePort();
    QFile conf(dir.filePath(QStringLiteral("nginx.conf")));
    conf.open(QIODevice::WriteOnly);
    conf.write(QStringLiteral(
                   "daemon off; worker_processes 2; pid %1/nginx.pid; error_log stderr warn;\n"
                   "events { worker_connections 1024; }\n"
                   "http { access_log off; client_body_temp_path %1/tmp; proxy_temp_path %1/tmp;\n"
                   "  fastcgi_temp_path %1/tmp; uwsgi_temp_path %1/tmp; scgi_temp_path %1/tmp;\n"
                   "  server { listen 127.0.0.1:%2; root %3; default_type application/json; } }\n")
                   .arg(dir.path())
                   .arg(port)
                   .arg(root)
                   .toUtf8());
    conf.close();
    QDir().mkpath(dir.filePath(QStringLiteral("tmp")));
    QProcess server;
    server.start(nginx, {QStringLiteral("-c"), conf.fileName(), QStringLiteral("-p"), dir.path()});
    if (!server.waitForStarted(5000)) {
        return Figures{name, 0, 0, {}, {}, QStringLiteral("nginx did not start")};
    }
    QThread::msleep(300);
    Figures f = runWrk(name, QStringLiteral("http://127.0.0.1:%1/health.json").arg(port), seconds,
                       connections);
    f.cpuMicrosPerRequest = 0; // nginx's CPU is not this process's
    server.terminate();
    server.waitForFinished(5000);
    return f;
}

QString writeScript(const QTemporaryDir &dir, const QString &name, const QString &lua)
{
    QFile f(dir.filePath(name));
    f.open(QIODevice::WriteOnly);
    f.write(lua.toUtf8());
    return f.fileName();
}

bool wrkInstalled(const char *program)
{
    if (!QStandardPaths::findExecutable(QStringLiteral("wrk")).isEmpty()) {
        return true;
    }
    std::fprintf(stderr, "%s: wrk is not installed (installer/install-deps.sh installs it)\n",
                 program);
    return false;
}

namespace {

QString procFile(qint64 pid, const char *name)
{
    return pid == 0 ? QStringLiteral("/proc/self/%1").arg(QLatin1String(name))
                    : QStringLiteral("/proc/%1/%2").arg(pid).arg(QLatin1String(name));
}

// A "Name:   N kB" line of /proc/PID/status, in KiB; -1 when unknown.
qint64 statusKiB(qint64 pid, const QString &name)
{
    QFile status(procFile(pid, "status"));
    if (!status.open(QIODevice::ReadOnly)) {
        return -1;
    }
    const auto m = QRegularExpression(name + QStringLiteral(":\\s+(\\d+) kB"))
                       .match(QString::fromLatin1(status.readAll()));
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

} // namespace

qint64 peakResidentKiB(qint64 pid)
{
    return statusKiB(pid, QStringLiteral("VmHWM"));
}

qint64 residentKiB(qint64 pid)
{
    return statusKiB(pid, QStringLiteral("VmRSS"));
}

bool resetPeakResident(qint64 pid)
{
    QFile clear(procFile(pid, "clear_refs"));
    return clear.open(QIODevice::WriteOnly) && clear.write("5") == 1;
}

ServerChild::~ServerChild()
{
    stop();
}

std::unique_ptr<ServerChild> ServerChild::start(const QString &dataDir,
                                                const QList<QPair<QString, QString>> &env)
{
    std::unique_ptr<ServerChild> child(new ServerChild);
    child->m_process = std::make_unique<QProcess>();
    QProcess &server = *child->m_process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("COLOPHON_RATE_LIMIT"), QStringLiteral("0"));
    for (const auto &[name, value] : env) {
        environment.insert(name, value);
    }
    server.setProcessEnvironment(environment);
    // The server goes when the bench goes, even when the bench is killed.
    server.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    server.start(
        QCoreApplication::applicationDirPath() + QStringLiteral("/../app/server/colophon-server"),
        {QStringLiteral("--data"), dataDir, QStringLiteral("--listen"),
         QStringLiteral("127.0.0.1:0"), QStringLiteral("--log-level"), QStringLiteral("warn")});
    QByteArray err;
    for (int waited = 0; waited < 30000 && child->m_url.isEmpty(); waited += 50) {
        if (server.state() == QProcess::NotRunning) {
            break;
        }
        server.waitForReadyRead(50);
        err += server.readAllStandardError();
        const qsizetype at = err.indexOf("listening on ");
        if (at >= 0) {
            child->m_url = QString::fromUtf8(err.mid(at + 13).split(' ').front());
        }
    }
    if (child->m_url.isEmpty()) {
        std::fprintf(stderr, "colophon-server did not start: %s\n",
                     (err + server.readAllStandardError()).constData());
        return nullptr;
    }
    return child;
}

qint64 ServerChild::pid() const
{
    return m_process ? m_process->processId() : 0;
}

bool ServerChild::stop()
{
    if (!m_process || m_process->state() == QProcess::NotRunning) {
        return m_process && m_process->exitStatus() == QProcess::NormalExit &&
               m_process->exitCode() == 0;
    }
    m_process->terminate();
    if (!m_process->waitForFinished(30000)) {
        m_process->kill();
        m_process->waitForFinished(5000);
        return false;
    }
    return m_process->exitStatus() == QProcess::NormalExit && m_process->exitCode() == 0;
}

InProcessServer::InProcessServer(const Router &router, const Config &config, Logger &logger,
                                 MetricsRegistry &metrics, ServiceHost &host, int threads)
    : m_config(config), m_logger(logger), m_host(host), m_router(router), m_threads(threads),
      m_pipeline(router,
                 {requestIdMiddleware(), traceContextMiddleware(),
                  accessLogMiddleware(logger, metrics), corsMiddleware({}),
                  rateLimitMiddleware(noRateLimits()), host.requestScopeMiddleware()},
                 logger)
{
}

InProcessServer::~InProcessServer() = default;

Result<void> InProcessServer::start()
{
    auto settings = httpServerSettings(m_config);
    if (!settings) {
        return fail(settings.error());
    }
    settings->port = 0;
    settings->threads = m_threads;
    Database *db = &m_host.database();
    settings->threadFinished = [db] { db->closeThreadConnection(); };
    m_host.handOffRequests(*settings, m_router);
    m_server = std::make_unique<HttpServer>(*settings, m_pipeline, m_logger);
    return m_server->start();
}

void InProcessServer::stop()
{
    if (m_server) {
        m_server->stop();
    }
}

QString InProcessServer::baseUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(m_server ? m_server->port() : 0);
}

void printTable(const std::vector<const Figures *> &rows)
{
    std::printf("\n%-34s %12s %10s %10s %14s  %s\n", "target", "requests/s", "p50", "p99",
                "server CPU/req", "errors");
    for (const Figures *f : rows) {
        if (f->name.isEmpty()) {
            continue;
        }
        const QString cpu = f->cpuMicrosPerRequest > 0
                                ? QStringLiteral("%1 us").arg(f->cpuMicrosPerRequest, 0, 'f', 1)
                                : QStringLiteral("-");
        std::printf("%-34s %12.0f %10s %10s %14s  %s\n", qPrintable(f->name), f->requestsPerSecond,
                    qPrintable(f->p50), qPrintable(f->p99), qPrintable(cpu), qPrintable(f->errors));
    }
    std::fflush(stdout);
}

BenchReplica::~BenchReplica()
{
    host.reset(); // before the logger and metrics it uses
}

std::unique_ptr<BenchReplica> openBenchReplica(const QString &dataDir, HostRole role)
{
    auto r = std::make_unique<BenchReplica>();
    r->dataDir = dataDir.isEmpty() ? r->dir.filePath(QStringLiteral("data")) : dataDir;
    r->config = std::make_unique<Config>();
    defineHostConfig(*r->config);
    r->config->set(QStringLiteral("data_dir"), r->dataDir);
    r->config->set(QStringLiteral("log_level"), QStringLiteral("warn"));
    // COLOPHON_* settings apply as they do to colophon-server, so a variant
    // (say COLOPHON_AUTH_ARGON2_MEM_KIB) can be measured without a rebuild.
    if (auto loaded = r->config->loadEnvironment(QProcessEnvironment::systemEnvironment());
        !loaded) {
        std::fprintf(stderr, "%s\n", qPrintable(loaded.error().message));
        return nullptr;
    }
    r->logger = std::make_unique<Logger>("colophon-bench");
    r->logger->setLevel(LogLevel::Warn);
    r->metrics = std::make_unique<MetricsRegistry>();
    auto host = ServiceHost::open(role, *r->config, *r->logger, *r->metrics);
    if (!host) {
        std::fprintf(stderr, "cannot open replica: %s\n", qPrintable(host.error().message));
        return nullptr;
    }
    r->host = std::move(*host);
    return r;
}

ContentDraft benchDraft(int n)
{
    static const ContentType types[] = {
        ContentType::Article, ContentType::Article, ContentType::Article, ContentType::Article,
        ContentType::Article, ContentType::Article, ContentType::Article, ContentType::Video,
        ContentType::Gallery, ContentType::Podcast};
    ContentDraft d;
    d.title = QStringLiteral("Bench item %1: notes on a steady stream of things").arg(n);
    d.description = QStringLiteral("Item %1 of the content benchmark, with a description of "
                                   "ordinary length for a listing.")
                        .arg(n);
    QString body = QStringLiteral("# Item %1\n\n").arg(n);
    while (body.size() < 1000) {
        body += QStringLiteral("A paragraph of *Markdown* with a [link](https://example.org/%1) "
                               "and some words to fill a line or two.\n\n")
                    .arg(n);
    }
    d.body = body;
    d.type = types[n % 10];
    d.tags = {QStringLiteral("topic %1").arg(n % 20), QStringLiteral("series %1").arg(n % 7)};
    d.metadata = {{"n", n}, {"source", "bench"}};
    return d;
}

} // namespace colophon::bench
