// SPDX-License-Identifier: MIT
// What the benchmark programs share: wrk runs and their figures, the nginx
// baseline on the same machine, the server's HTTP stack in process, and the
// table they print. Benchmarks print figures; they never assert on time.
#pragma once

#include "app/host/servicehost.h"
#include "backend/core/error.h"
#include "backend/http/middleware.h"
#include "services/content/contentservice.h"

#include <QList>
#include <QPair>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <memory>
#include <vector>

namespace colophon {

class Config;
class Database;
class HttpServer;
class Logger;
class MetricsRegistry;
class Router;
class ServiceHost;

namespace bench {

struct Figures
{
    QString name;
    double requestsPerSecond = 0;
    double cpuMicrosPerRequest = 0; // this process (the server), user + system
    QString p50;
    QString p99;
    QString errors;
};

// Parses wrk --latency output.
Figures parseWrk(const QString &name, const QString &out);

// User + system CPU of a process (0: this one), in seconds; -1 when unknown.
double processCpuSeconds(qint64 pid = 0);

// wrk -t2 -cN -dS --latency [-s script] [extra...] url, with the CPU per
// request of the process serving it (serverPid; 0: this one).
Figures runWrk(const QString &name, const QString &url, int seconds, int connections,
               const QString &script = {}, const QStringList &extra = {}, qint64 serverPid = 0);

// nginx with 2 workers serving one 69-byte file from dir: the ceiling this
// machine's loopback and load generator allow.
Figures runNginx(const QTemporaryDir &dir, int seconds, int connections);

// A wrk Lua script in dir; returns its path.
QString writeScript(const QTemporaryDir &dir, const QString &name, const QString &lua);

// False (with a message on stderr naming program) when wrk is missing.
bool wrkInstalled(const char *program);

// "VmHWM" (peak resident memory) of a process (0: this one) in KiB, -1 when
// unknown.
qint64 peakResidentKiB(qint64 pid = 0);
// "VmRSS" (resident memory now) of a process (0: this one) in KiB, -1 when
// unknown.
qint64 residentKiB(qint64 pid = 0);
// Sets a process's VmHWM back to its current resident size, so a later peak
// measures what came after; false where the kernel does not allow it.
bool resetPeakResident(qint64 pid = 0);

// The real colophon-server of this build tree as a child process, on a
// replica's data folder and a free loopback port, with rate limits off and
// this process's COLOPHON_* settings (plus `env`). It goes when this object
// goes, or with SIGTERM when the bench is killed.
class ServerChild final
{
public:
    ~ServerChild();
    // Waits until it prints where it listens; null (with its stderr on ours)
    // when it exits first or takes over 30 s.
    static std::unique_ptr<ServerChild> start(const QString &dataDir,
                                              const QList<QPair<QString, QString>> &env = {});
    QString url() const { return m_url; }
    qint64 pid() const;
    // SIGTERM, then waits for its drain; false when it had to be killed or
    // exited with an error.
    bool stop();

private:
    ServerChild() = default;
    std::unique_ptr<QProcess> m_process;
    QString m_url;
};

// colophon-server's HTTP stack (its middleware, with rate limits off) in
// this process, on a loopback port.
class InProcessServer final
{
public:
    InProcessServer(const Router &router, const Config &config, Logger &logger,
                    MetricsRegistry &metrics, ServiceHost &host, int threads);
    ~InProcessServer();
    Result<void> start();
    void stop();
    QString baseUrl() const;

private:
    const Config &m_config;
    Logger &m_logger;
    ServiceHost &m_host;
    const Router &m_router;
    int m_threads;
    HttpPipeline m_pipeline;
    std::unique_ptr<HttpServer> m_server;
};

// A replica in a temporary folder with every service, as colophon-server
// opens it, logging warnings only. Null (with a message on stderr) when it
// cannot be opened.
struct BenchReplica
{
    QTemporaryDir dir;
    std::unique_ptr<Config> config;
    std::unique_ptr<Logger> logger;
    std::unique_ptr<MetricsRegistry> metrics;
    std::unique_ptr<ServiceHost> host;
    QString dataDir; // the replica's folder: in dir, or the one asked for
    ~BenchReplica();
};
// In a temporary folder, or in dataDir when given (kept, for repeated runs),
// with the COLOPHON_* environment settings applied as colophon-server does.
// A replica paired with a server is opened as a tool (a server's own log
// orders events itself, so nothing would wait to be pushed).
std::unique_ptr<BenchReplica> openBenchReplica(const QString &dataDir = {},
                                               HostRole role = HostRole::Server);

// The n-th item of the benchmarks' corpus: a title, a 1 KB Markdown body,
// seven types in ten, two tags and a little metadata.
ContentDraft benchDraft(int n);

// The results table: target, requests/s, p50, p99, server CPU per request, errors.
void printTable(const std::vector<const Figures *> &rows);

} // namespace bench
} // namespace colophon
