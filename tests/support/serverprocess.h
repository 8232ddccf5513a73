// SPDX-License-Identifier: MIT
// The real colophon programs as child processes, and a minimal HTTP/1.1 client over loopback.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <functional>
#include <memory>
#include <optional>

namespace colophon::test {

// The programs, in the build tree CTest names.
QString serverBinary();
QString ctlBinary();

// The environment of this process without any COLOPHON_* variable, so a child sees only the
// configuration a test gives it, plus `extra`.
QProcessEnvironment childEnvironment(const QList<QPair<QString, QString>> &extra = {});

// A program run to completion: its exit and everything it printed.
struct ProgramRun
{
    bool finished = false; // false: killed after the timeout
    QProcess::ExitStatus exitStatus = QProcess::NormalExit;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;

    QByteArray describe() const
    {
        return "exit " + QByteArray::number(exitCode) + "\nstdout: " + out + "\nstderr: " + err;
    }
};

// Runs program with arguments in workDir (with childEnvironment()) and waits
// for it to end, killing it after timeoutMs.
ProgramRun runProgram(const QString &program, const QStringList &arguments, const QString &workDir,
                      int timeoutMs);

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

struct HttpReply
{
    int status = 0; // 0: no complete response arrived
    HttpHeaders headers;
    QByteArray body;
    bool connectionClosed = false; // the server had closed the connection by the end

    // The first header of that name (case-insensitive), or an empty array.
    QByteArray header(const QByteArray &name) const;
    bool hasHeader(const QByteArray &name) const;
};

// Parses the first response at the start of `data`. Empty until it is complete: header and the
// body its Content-Length or chunked framing announces, or, without either, until `closed`.
std::optional<HttpReply> parseHttpReply(const QByteArray &data, bool closed);

// Sends `raw` over a new loopback connection and waits for one whole response.
HttpReply httpExchange(quint16 port, const QByteArray &raw, int timeoutMs = 30000);

// One request with Connection: close, so the server keeps no connection open afterwards.
HttpReply httpRequest(quint16 port, const QByteArray &method, const QByteArray &target,
                      const HttpHeaders &headers = {}, const QByteArray &body = {},
                      int timeoutMs = 30000);

// Number of open file descriptors of a process (-1 if unknown), from /proc/<pid>/fd.
int openFdCount(qint64 pid);
// Resident memory of a process in KiB (-1 if unknown), VmRSS from /proc/<pid>/status.
qint64 residentKiB(qint64 pid);
// Its peak resident memory in KiB (-1 if unknown), VmHWM: the most VmRSS has
// been since the process started, or since "5" was written to its clear_refs.
qint64 peakResidentKiB(qint64 pid);

// colophon-server on 127.0.0.1:0 with its own temporary data folder.
class ServerProcess final
{
public:
    ServerProcess();
    ~ServerProcess(); // kills a server still running
    ServerProcess(const ServerProcess &) = delete;
    ServerProcess &operator=(const ServerProcess &) = delete;

    // Adds --data and --listen 127.0.0.1:0 unless `arguments` gives them. Waits until the
    // server prints its URL; false if it exits first or the wait times out (see diagnostics()).
    bool start(const QStringList &arguments = {}, const QList<QPair<QString, QString>> &env = {},
               int timeoutMs = 30000);

    quint16 port() const { return m_port; }
    QString url() const { return m_url; }
    qint64 pid() const;
    QString dataDir() const;
    qint64 startElapsedMs() const { return m_startElapsedMs; } // spawn to "listening", seen here
    QProcess &process() { return *m_process; }

    // Complete stdout lines so far, and all of stderr so far.
    QList<QByteArray> stdoutLines();
    QByteArray stdoutText();
    QByteArray stderrText();
    // Waits for a stdout line that is a JSON object `match` accepts; returns it.
    std::optional<QJsonObject> waitForLogLine(const std::function<bool(const QJsonObject &)> &match,
                                              int timeoutMs = 15000);

    int openFdCount() const { return colophon::test::openFdCount(pid()); }
    qint64 residentKiB() const { return colophon::test::residentKiB(pid()); }

    // Sends the signal and waits for the process to end.
    bool signalAndWait(int signal, int timeoutMs = 30000);
    bool waitForExit(int timeoutMs = 30000);
    bool isRunning() const;

    // stderr and the state of the process, for failure messages.
    QString diagnostics();

private:
    void collect();

    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
    quint16 m_port = 0;
    QString m_url;
    qint64 m_startElapsedMs = -1;
};

} // namespace colophon::test
