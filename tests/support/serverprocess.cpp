// SPDX-License-Identifier: MIT
#include "tests/support/serverprocess.h"

#include "tests/support/testsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTest>
#include <csignal>
#include <sys/types.h>

namespace colophon::test {

QString serverBinary()
{
    return QFileInfo(binaryDir() + QStringLiteral("/app/server/colophon-server"))
        .absoluteFilePath();
}

QString ctlBinary()
{
    return QFileInfo(binaryDir() + QStringLiteral("/app/ctl/colophonctl")).absoluteFilePath();
}

QProcessEnvironment childEnvironment(const QList<QPair<QString, QString>> &extra)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &name : env.keys()) {
        if (name.startsWith(QLatin1String("COLOPHON_")))
            env.remove(name);
    }
    for (const auto &[name, value] : extra)
        env.insert(name, value);
    return env;
}

QByteArray HttpReply::header(const QByteArray &name) const
{
    for (const auto &[n, v] : headers) {
        if (n.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

bool HttpReply::hasHeader(const QByteArray &name) const
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

namespace {

// Decodes a chunked body starting at `from`; empty until the last chunk has arrived.
std::optional<QByteArray> decodeChunked(const QByteArray &data, qsizetype from)
{
    QByteArray body;
    qsizetype pos = from;
    for (;;) {
        const qsizetype eol = data.indexOf("\r\n", pos);
        if (eol < 0)
            return std::nullopt;
        bool ok = false;
        const QByteArray sizeText = data.mid(pos, eol - pos).split(';').first().trimmed();
        const qsizetype size = sizeText.toLongLong(&ok, 16);
        if (!ok || size < 0)
            return std::nullopt;
        pos = eol + 2;
        if (size == 0) {
            // Trailer fields, if any, end with an empty line.
            const qsizetype end = data.indexOf("\r\n", pos);
            return end < 0 ? std::nullopt : std::optional<QByteArray>(body);
        }
        if (data.size() < pos + size + 2)
            return std::nullopt;
        body += data.mid(pos, size);
        pos += size + 2;
    }
}

} // namespace

std::optional<HttpReply> parseHttpReply(const QByteArray &data, bool closed)
{
    const qsizetype headerEnd = data.indexOf("\r\n\r\n");
    if (headerEnd < 0)
        return std::nullopt;
    const QList<QByteArray> lines = data.left(headerEnd).split('\n');
    const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
    if (statusLine.size() < 2 || !statusLine.first().startsWith("HTTP/1."))
        return std::nullopt;
    HttpReply reply;
    reply.status = statusLine.at(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            reply.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    reply.connectionClosed = closed;
    const qsizetype bodyStart = headerEnd + 4;
    if ((reply.status >= 100 && reply.status < 200) || reply.status == 204 || reply.status == 304)
        return reply;
    if (reply.header("Transfer-Encoding").toLower().contains("chunked")) {
        auto body = decodeChunked(data, bodyStart);
        if (!body)
            return std::nullopt;
        reply.body = *body;
        return reply;
    }
    if (reply.hasHeader("Content-Length")) {
        const qsizetype length = reply.header("Content-Length").toLongLong();
        if (data.size() - bodyStart < length)
            return std::nullopt;
        reply.body = data.mid(bodyStart, length);
        return reply;
    }
    if (!closed)
        return std::nullopt;
    reply.body = data.mid(bodyStart);
    return reply;
}

HttpReply httpExchange(quint16 port, const QByteArray &raw, int timeoutMs)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    if (!QTest::qWaitFor(
            [&] {
                return socket.state() == QAbstractSocket::ConnectedState ||
                       socket.state() == QAbstractSocket::UnconnectedState;
            },
            timeoutMs) ||
        socket.state() != QAbstractSocket::ConnectedState) {
        return {};
    }
    socket.write(raw);
    QByteArray data;
    std::optional<HttpReply> reply;
    const auto done = [&] {
        data += socket.readAll();
        const bool closed = socket.state() == QAbstractSocket::UnconnectedState;
        reply = parseHttpReply(data, closed);
        return reply.has_value() || closed;
    };
    if (!QTest::qWaitFor(done, timeoutMs) || !reply)
        return {};
    reply->connectionClosed = socket.state() == QAbstractSocket::UnconnectedState;
    return *reply;
}

HttpReply httpRequest(quint16 port, const QByteArray &method, const QByteArray &target,
                      const HttpHeaders &headers, const QByteArray &body, int timeoutMs)
{
    QByteArray raw = method + ' ' + target +
                     " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                     "\r\nConnection: close\r\n";
    for (const auto &[name, value] : headers)
        raw += name + ": " + value + "\r\n";
    if (!body.isEmpty() || method == "POST" || method == "PUT" || method == "PATCH")
        raw += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    raw += "\r\n" + body;
    return httpExchange(port, raw, timeoutMs);
}

int openFdCount(qint64 pid)
{
    if (pid <= 0)
        return -1;
    const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
    if (!fds.exists())
        return -1;
    return static_cast<int>(
        fds.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot).size());
}

namespace {

// A "Name:   N kB" line of /proc/<pid>/status, in KiB; -1 when unknown.
qint64 statusKiB(qint64 pid, const QString &name)
{
    if (pid <= 0)
        return -1;
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QRegularExpression line(QStringLiteral("^%1:\\s+(\\d+)\\s+kB").arg(name),
                                  QRegularExpression::MultilineOption);
    const auto match = line.match(QString::fromLatin1(status.readAll()));
    return match.hasMatch() ? match.captured(1).toLongLong() : -1;
}

} // namespace

qint64 residentKiB(qint64 pid)
{
    return statusKiB(pid, QStringLiteral("VmRSS"));
}

qint64 peakResidentKiB(qint64 pid)
{
    return statusKiB(pid, QStringLiteral("VmHWM"));
}

ServerProcess::ServerProcess() : m_process(std::make_unique<QProcess>())
{
    QObject::connect(m_process.get(), &QProcess::readyReadStandardOutput, m_process.get(),
                     [this] { m_stdout += m_process->readAllStandardOutput(); });
    QObject::connect(m_process.get(), &QProcess::readyReadStandardError, m_process.get(),
                     [this] { m_stderr += m_process->readAllStandardError(); });
}

ServerProcess::~ServerProcess()
{
    if (m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(10000);
    }
}

qint64 ServerProcess::pid() const
{
    return m_process->processId();
}

QString ServerProcess::dataDir() const
{
    return m_dir.filePath(QStringLiteral("data"));
}

bool ServerProcess::start(const QStringList &arguments, const QList<QPair<QString, QString>> &env,
                          int timeoutMs)
{
    if (!m_dir.isValid())
        return false;
    QStringList args = arguments;
    if (!args.contains(QStringLiteral("--data")))
        args << QStringLiteral("--data") << dataDir();
    if (!args.contains(QStringLiteral("--listen")))
        args << QStringLiteral("--listen") << QStringLiteral("127.0.0.1:0");
    m_process->setProcessEnvironment(childEnvironment(env));
    m_process->setWorkingDirectory(m_dir.path());
    QElapsedTimer timer;
    timer.start();
    m_process->start(serverBinary(), args);
    if (!m_process->waitForStarted(timeoutMs))
        return false;

    static const QRegularExpression listening(
        QStringLiteral("listening on (http://127\\.0\\.0\\.1:(\\d+))"));
    QRegularExpressionMatch match;
    const bool up = QTest::qWaitFor(
        [&] {
            collect();
            match = listening.match(QString::fromUtf8(m_stderr));
            return match.hasMatch() || m_process->state() == QProcess::NotRunning;
        },
        timeoutMs);
    if (!up || !match.hasMatch())
        return false;
    m_startElapsedMs = timer.elapsed();
    m_url = match.captured(1);
    m_port = static_cast<quint16>(match.captured(2).toUInt());
    return m_port != 0;
}

void ServerProcess::collect()
{
    m_stdout += m_process->readAllStandardOutput();
    m_stderr += m_process->readAllStandardError();
}

QList<QByteArray> ServerProcess::stdoutLines()
{
    collect();
    QList<QByteArray> lines = m_stdout.split('\n');
    lines.removeLast(); // the part after the last newline is not a complete line
    return lines;
}

QByteArray ServerProcess::stdoutText()
{
    collect();
    return m_stdout;
}

QByteArray ServerProcess::stderrText()
{
    collect();
    return m_stderr;
}

std::optional<QJsonObject>
ServerProcess::waitForLogLine(const std::function<bool(const QJsonObject &)> &match, int timeoutMs)
{
    std::optional<QJsonObject> found;
    const bool seen = QTest::qWaitFor(
        [&] {
            for (const QByteArray &line : stdoutLines()) {
                const QJsonObject object = QJsonDocument::fromJson(line).object();
                if (!object.isEmpty() && match(object)) {
                    found = object;
                    return true;
                }
            }
            return false;
        },
        timeoutMs);
    return seen ? found : std::nullopt;
}

bool ServerProcess::isRunning() const
{
    return m_process->state() != QProcess::NotRunning;
}

bool ServerProcess::waitForExit(int timeoutMs)
{
    const bool ended = QTest::qWaitFor([this] { return !isRunning(); }, timeoutMs);
    collect();
    return ended;
}

bool ServerProcess::signalAndWait(int signal, int timeoutMs)
{
    const qint64 id = pid();
    if (id <= 0 || ::kill(static_cast<pid_t>(id), signal) != 0)
        return false;
    return waitForExit(timeoutMs);
}

QString ServerProcess::diagnostics()
{
    collect();
    return QStringLiteral("state %1, exit status %2, exit code %3, error '%4'; stderr:\n%5")
        .arg(m_process->state())
        .arg(m_process->exitStatus())
        .arg(m_process->exitCode())
        .arg(m_process->errorString(),
             QString::fromUtf8(m_stderr.size() <= 6000
                                   ? m_stderr
                                   : m_stderr.left(3000) + "\n[...]\n" + m_stderr.right(3000)));
}

ProgramRun runProgram(const QString &program, const QStringList &arguments, const QString &workDir,
                      int timeoutMs)
{
    QProcess p;
    p.setProcessEnvironment(childEnvironment());
    p.setWorkingDirectory(workDir);
    p.start(program, arguments);
    ProgramRun run;
    run.finished = p.waitForStarted(timeoutMs) && p.waitForFinished(timeoutMs);
    if (!run.finished) {
        p.kill();
        p.waitForFinished(timeoutMs);
    }
    run.exitStatus = p.exitStatus();
    run.exitCode = p.exitCode();
    run.out = p.readAllStandardOutput();
    run.err = p.readAllStandardError();
    return run;
}

} // namespace colophon::test
