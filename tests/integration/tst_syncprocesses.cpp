// SPDX-License-Identifier: MIT
// Sync over real processes: a colophon-server on a loopback port and
// colophonctl replicas paired with it. Three replicas edit the same items
// offline (the same field, different fields, body lines apart and on the
// same line, tags added and removed, status moves, a deletion against an
// edit), sync in shuffled orders and end with the same rows as the server:
// content, versions, taxonomies and conflict records. Then the faults: a
// replica killed (SIGKILL) while it pushes, the server killed while it
// applies, and both resumed, with no event lost or doubled.

#include "tests/support/apitest.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>
#include <arpa/inet.h>
#include <atomic>
#include <csignal>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using colophon::test::ApiAccount;
using colophon::test::ApiClient;
using colophon::test::apiTestEnv;
using colophon::test::ServerProcess;

namespace {

constexpr int kRunTimeoutMs = 120000;
const QString kAdminEmail = QStringLiteral("admin@sync.test");

struct Run
{
    bool finished = false;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QByteArray describe() const
    {
        return "exit " + QByteArray::number(exitCode) + "\nstdout: " + out.left(2000) +
               "\nstderr: " + err.left(3000);
    }
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

// Every row of the replicated projections in the SQLite file, sorted.
QStringList projectionOf(const QString &dbPath)
{
    QStringList rows;
    const QString name = QStringLiteral("projection-%1").arg(qHash(dbPath));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(dbPath);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        if (!db.open()) {
            return {QStringLiteral("cannot open ") + dbPath};
        }
        for (const char *table :
             {"content_items", "content_tags", "content_item_categories", "content_versions",
              "content_categories", "content_relations", "content_conflicts"}) {
            QSqlQuery q(db);
            if (!q.exec(QStringLiteral("SELECT * FROM %1").arg(QLatin1String(table)))) {
                rows << QStringLiteral("cannot read ") + QLatin1String(table);
                continue;
            }
            while (q.next()) {
                QStringList values;
                for (int i = 0; i < q.record().count(); ++i) {
                    values << q.value(i).toString();
                }
                rows << QLatin1String(table) + u'|' + values.join(u'|');
            }
        }
    }
    QSqlDatabase::removeDatabase(name);
    rows.sort();
    return rows;
}

qint64 countIn(const QString &dbPath, const QString &sql)
{
    qint64 n = -1;
    const QString name = QStringLiteral("count-%1").arg(qHash(dbPath));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(dbPath);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql) && q.next()) {
                n = q.value(0).toLongLong();
            }
        }
    }
    QSqlDatabase::removeDatabase(name);
    return n;
}

// A loopback TCP proxy that passes everything through until it has passed
// on a push; that push's answer is cut after its first `keep` bytes: a
// connection lost mid-response, after the server committed.
class CuttingProxy final
{
public:
    CuttingProxy(quint16 upstream, int keep) : m_upstream(upstream), m_keep(keep)
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (::bind(m_listener, reinterpret_cast<sockaddr *>(&addr), len) == 0 &&
            ::listen(m_listener, 16) == 0 &&
            ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&addr), &len) == 0) {
            m_port = ntohs(addr.sin_port);
            m_thread = std::thread([this] { run(); });
        }
    }
    ~CuttingProxy()
    {
        m_stop = true;
        ::shutdown(m_listener, SHUT_RDWR);
        ::close(m_listener);
        if (m_thread.joinable()) {
            m_thread.join();
        }
    }
    quint16 port() const { return m_port; }
    int cuts() const { return m_cuts; }

private:
    void run()
    {
        while (!m_stop) {
            const int client = ::accept(m_listener, nullptr, nullptr);
            if (client < 0) {
                return;
            }
            relay(client);
        }
    }
    // One connection at a time is enough for one colophonctl.
    void relay(int client)
    {
        const int server = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(m_upstream);
        if (::connect(server, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
            ::close(server);
            ::close(client);
            return;
        }
        int answered = 0;
        bool pushed = false;
        char buffer[16384];
        for (bool open = true; open && !m_stop;) {
            pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
            if (::poll(fds, 2, 30000) <= 0) {
                break;
            }
            if (fds[0].revents & (POLLIN | POLLHUP)) {
                const ssize_t n = ::read(client, buffer, sizeof buffer);
                pushed |= n > 0 && QByteArrayView(buffer, n).contains("POST /api/v1/sync/push");
                open = n > 0 && ::write(server, buffer, static_cast<size_t>(n)) == n;
            }
            if (open && (fds[1].revents & (POLLIN | POLLHUP))) {
                const ssize_t n = ::read(server, buffer, sizeof buffer);
                const int pass = static_cast<int>(pushed ? std::min<ssize_t>(n, m_keep - answered)
                                                         : std::max<ssize_t>(n, 0));
                if (pass > 0) {
                    (void)::write(client, buffer, static_cast<size_t>(pass));
                    answered += pushed ? pass : 0;
                }
                if (n <= 0) {
                    open = false;
                } else if (pushed && answered >= m_keep) {
                    ++m_cuts;
                    open = false;
                }
            }
        }
        ::close(server);
        ::close(client);
    }

    quint16 m_upstream;
    int m_keep;
    int m_listener = -1;
    quint16 m_port = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_cuts{0};
    std::thread m_thread;
};

// Points a paired replica at another server address.
bool repoint(const QString &dataDir, const QString &url)
{
    QFile pairing(QDir(dataDir).filePath(QStringLiteral("sync/remote.json")));
    if (!pairing.open(QIODevice::ReadOnly)) {
        return false;
    }
    QJsonObject config = QJsonDocument::fromJson(pairing.readAll()).object();
    pairing.close();
    config[QStringLiteral("server")] = url;
    if (!pairing.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return false;
    }
    pairing.write(QJsonDocument(config).toJson());
    return true;
}

} // namespace

class SyncProcesses : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QTemporaryDir m_serverData;
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<ApiClient> m_api;
    QByteArray m_adminToken;
    QList<ApiAccount> m_editors;

    QString replicaDir(const QString &name) const { return m_dir.filePath(name); }
    QString dbOf(const QString &dataDir) const
    {
        return QDir(dataDir).filePath(QStringLiteral("colophon.db"));
    }

    Run ctl(const QString &dataDir, const QStringList &arguments, const QByteArray &input = {})
    {
        QProcess p;
        p.setProcessEnvironment(colophon::test::childEnvironment());
        p.setWorkingDirectory(m_dir.path());
        p.start(colophon::test::ctlBinary(),
                QStringList{QStringLiteral("--data"), dataDir} + arguments);
        Run run;
        if (p.waitForStarted(kRunTimeoutMs)) {
            p.write(input);
            p.closeWriteChannel();
            run.finished = p.waitForFinished(kRunTimeoutMs);
        }
        if (!run.finished) {
            p.kill();
            p.waitForFinished();
        }
        run.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        run.out = p.readAllStandardOutput();
        run.err = p.readAllStandardError();
        return run;
    }

    bool startServer()
    {
        m_server = std::make_unique<ServerProcess>();
        QStringList args{QStringLiteral("--data"), m_serverData.path()};
        if (m_adminToken.isEmpty()) {
            args << QStringLiteral("--bootstrap-admin") << kAdminEmail;
        }
        colophon::test::Env env = apiTestEnv();
        // Snapshots from the first event: every replica paired after the
        // first change starts from one, over HTTP.
        env.append({QStringLiteral("COLOPHON_SYNC_SNAPSHOT_MIN_EVENTS"), QStringLiteral("1")});
        // And made again in the background every second, beside the pushes.
        env.append({QStringLiteral("COLOPHON_SYNC_SNAPSHOT_REFRESH_SECONDS"), QStringLiteral("1")});
        if (!m_server->start(args, env)) {
            qWarning("%s", qPrintable(m_server->diagnostics()));
            return false;
        }
        if (!m_api) {
            m_api = std::make_unique<ApiClient>(m_server->port());
        }
        m_api->setPort(m_server->port());
        return true;
    }

    // Pairs a new replica as the editor; its folder.
    QString pair(const QString &name, const ApiAccount &who)
    {
        const QString dir = replicaDir(name);
        const Run run =
            ctl(dir,
                {QStringLiteral("remote"), QStringLiteral("add"), m_server->url(),
                 QStringLiteral("--email"), who.email, QStringLiteral("--password-stdin")},
                who.password.toUtf8() + '\n');
        if (run.exitCode != 0) {
            qWarning("pairing failed: %s", run.describe().constData());
            return {};
        }
        return dir;
    }

    Run sync(const QString &dir) { return ctl(dir, {QStringLiteral("sync")}); }

    QString create(const QString &dir, const QString &title, const QString &body)
    {
        QTemporaryFile file(m_dir.filePath(QStringLiteral("body-XXXXXX.md")));
        file.setAutoRemove(false);
        if (!file.open()) {
            return {};
        }
        file.write(body.toUtf8());
        file.close();
        const Run run =
            ctl(dir, {QStringLiteral("content"), QStringLiteral("create"),
                      QStringLiteral("--title"), title, QStringLiteral("--body-file"),
                      file.fileName(), QStringLiteral("--tag"), QStringLiteral("start")});
        if (run.exitCode != 0) {
            qWarning("create failed: %s", run.describe().constData());
            return {};
        }
        return run.json().value(QLatin1String("id")).toString();
    }

    Run update(const QString &dir, const QString &id, const QStringList &options)
    {
        return ctl(dir,
                   QStringList{QStringLiteral("content"), QStringLiteral("update"), id} + options);
    }

    Run setBody(const QString &dir, const QString &id, const QString &body)
    {
        QTemporaryFile file(m_dir.filePath(QStringLiteral("body-XXXXXX.md")));
        file.setAutoRemove(false);
        file.open();
        file.write(body.toUtf8());
        file.close();
        return update(dir, id, {QStringLiteral("--body-file"), file.fileName()});
    }

    QJsonObject get(const QString &dir, const QString &id)
    {
        return ctl(dir, {QStringLiteral("content"), QStringLiteral("get"), id}).json();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid() && m_serverData.isValid());
        QVERIFY(startServer());
        m_adminToken =
            m_api->login(kAdminEmail, colophon::test::bootstrapPassword(*m_server)).access;
        QVERIFY(!m_adminToken.isEmpty());
        for (int i = 1; i <= 3; ++i) {
            auto editor = m_api->createAccount(m_adminToken, QStringLiteral("editor"),
                                               QStringLiteral("editor%1@sync.test").arg(i));
            QVERIFY(editor);
            m_editors << *editor;
        }
    }

    void contentCommandsActAsThePairedAccountOrNeedAs()
    {
        const QString lone = replicaDir(QStringLiteral("unpaired"));
        QCOMPARE(ctl(lone, {QStringLiteral("migrate")}).exitCode, 0);
        const Run refused = ctl(lone, {QStringLiteral("content"), QStringLiteral("list")});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("give --as EMAIL"), refused.describe().constData());
        const Run noServer = sync(lone);
        QCOMPARE(noServer.exitCode, 1);
        QVERIFY2(noServer.err.contains("not paired"), noServer.describe().constData());

        const QString dir = pair(QStringLiteral("paired"), m_editors[0]);
        QVERIFY(!dir.isEmpty());
        const QString id = create(dir, QStringLiteral("Mine"), QStringLiteral("text\n"));
        QVERIFY(!id.isEmpty());
        QCOMPARE(get(dir, id).value(QLatin1String("authorId")).toString(), m_editors[0].id);
        const Run shown = ctl(dir, {QStringLiteral("remote"), QStringLiteral("show")});
        QCOMPARE(shown.exitCode, 0);
        QCOMPARE(shown.json().value(QLatin1String("pending")).toInt(), 1);
        QCOMPARE(sync(dir).exitCode, 0);
        QVERIFY(!shown.out.contains("refreshToken"));
        // The pairing keeps a refresh token, never the password, readable by its owner alone.
        QFile pairing(QDir(dir).filePath(QStringLiteral("sync/remote.json")));
        QVERIFY(pairing.open(QIODevice::ReadOnly));
        QVERIFY(!pairing.readAll().contains(m_editors[0].password.toUtf8()));
        QCOMPARE(pairing.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
        const Run wrong =
            ctl(replicaDir(QStringLiteral("wrong")),
                {QStringLiteral("remote"), QStringLiteral("add"), m_server->url(),
                 QStringLiteral("--email"), m_editors[0].email, QStringLiteral("--password-stdin")},
                "not the password\n");
        QCOMPARE(wrong.exitCode, 1);
        QVERIFY2(wrong.err.contains("pairing with"), wrong.describe().constData());
    }

    void threeReplicasEditingOfflineConverge()
    {
        const QString r1 = pair(QStringLiteral("r1"), m_editors[0]);
        const QString r2 = pair(QStringLiteral("r2"), m_editors[1]);
        const QString r3 = pair(QStringLiteral("r3"), m_editors[2]);
        QVERIFY(!r1.isEmpty() && !r2.isEmpty() && !r3.isEmpty());
        const QString lines = QStringLiteral("one\ntwo\nthree\nfour\nfive\n");
        const QString a = create(r1, QStringLiteral("Alpha"), lines);
        const QString b = create(r1, QStringLiteral("Beta"), lines);
        const QString c = create(r1, QStringLiteral("Gamma"), lines);
        const QString d = create(r1, QStringLiteral("Delta"), lines);
        const QString e = create(r1, QStringLiteral("Epsilon"), lines);
        QVERIFY(!a.isEmpty() && !b.isEmpty() && !c.isEmpty() && !d.isEmpty() && !e.isEmpty());
        for (const QString &r : {r1, r2, r3}) {
            QCOMPARE(sync(r).exitCode, 0);
        }

        // Offline, each in turn (later edits carry later stamps).
        QCOMPARE(update(r1, a, {QStringLiteral("--title"), QStringLiteral("Alpha by r1")}).exitCode,
                 0);
        QCOMPARE(setBody(r1, b, QStringLiteral("ONE\ntwo\nthree\nfour\nfive\n")).exitCode, 0);
        QCOMPARE(setBody(r1, d, QStringLiteral("one\nTWO by r1\nthree\nfour\nfive\n")).exitCode, 0);
        QCOMPARE(update(r1, c,
                        {QStringLiteral("--tag"), QStringLiteral("start"), QStringLiteral("--tag"),
                         QStringLiteral("from-r1")})
                     .exitCode,
                 0);
        QCOMPARE(update(r2, a, {QStringLiteral("--description"), QStringLiteral("by r2")}).exitCode,
                 0);
        QCOMPARE(setBody(r2, b, QStringLiteral("one\ntwo\nthree\nfour\nFIVE\n")).exitCode, 0);
        QCOMPARE(update(r2, c, {QStringLiteral("--tag"), QStringLiteral("from-r2")}).exitCode, 0);
        QCOMPARE(update(r2, e, {QStringLiteral("--title"), QStringLiteral("Edited, but")}).exitCode,
                 0);
        QCOMPARE(ctl(r2, {QStringLiteral("content"), QStringLiteral("set-status"), c,
                          QStringLiteral("review")})
                     .exitCode,
                 0);
        QCOMPARE(update(r3, a, {QStringLiteral("--title"), QStringLiteral("Alpha by r3")}).exitCode,
                 0);
        QCOMPARE(setBody(r3, d, QStringLiteral("one\nTWO by r3\nthree\nfour\nfive\n")).exitCode, 0);
        QCOMPARE(ctl(r3, {QStringLiteral("content"), QStringLiteral("delete"), e}).exitCode, 0);
        QCOMPARE(ctl(r3, {QStringLiteral("content"), QStringLiteral("set-status"), c,
                          QStringLiteral("published")})
                     .exitCode,
                 0);

        // Shuffled orders, twice round.
        for (const QString &r : {r2, r3, r1, r3, r1, r2}) {
            const Run run = sync(r);
            QVERIFY2(run.exitCode == 0, run.describe().constData());
        }

        const QStringList server = projectionOf(dbOf(m_serverData.path()));
        QVERIFY(server.size() > 20);
        for (const QString &r : {r1, r2, r3}) {
            const QStringList got = projectionOf(dbOf(r));
            for (const QString &row : server) {
                if (!got.contains(row)) {
                    qWarning("%s lacks %s", qPrintable(r), qPrintable(row.left(200)));
                }
            }
            QCOMPARE(got, server);
        }
        // What each kind of edit came to, the same everywhere.
        const QJsonObject alpha = get(r2, a);
        QCOMPARE(alpha.value(QLatin1String("title")).toString(), QStringLiteral("Alpha by r3"));
        QCOMPARE(alpha.value(QLatin1String("description")).toString(), QStringLiteral("by r2"));
        QCOMPARE(get(r3, b).value(QLatin1String("body")).toString(),
                 QStringLiteral("ONE\ntwo\nthree\nfour\nFIVE\n"));
        QCOMPARE(get(r1, d).value(QLatin1String("body")).toString(),
                 QStringLiteral("one\nTWO by r3\nthree\nfour\nfive\n"));
        QCOMPARE(countIn(dbOf(r1), QStringLiteral("SELECT COUNT(*) FROM content_conflicts WHERE "
                                                  "losing_text LIKE '%TWO by r1%'")),
                 1);
        QJsonArray tags = get(r1, c).value(QLatin1String("tags")).toArray();
        QVERIFY(tags.contains(QStringLiteral("from-r1")) &&
                tags.contains(QStringLiteral("from-r2")));
        QCOMPARE(get(r1, c).value(QLatin1String("status")).toString(), QStringLiteral("published"));
        QCOMPARE(ctl(r1, {QStringLiteral("content"), QStringLiteral("get"), e}).exitCode, 1);
        const Run verified = ctl(r2, {QStringLiteral("sync"), QStringLiteral("--verify")});
        QVERIFY2(verified.exitCode == 0, verified.describe().constData());
        QVERIFY(verified.json().value(QLatin1String("same")).toBool());
    }

    void replicasPushingAtOnceGetOneServerOrder()
    {
        QStringList dirs;
        for (int i = 0; i < 3; ++i) {
            const QString dir = pair(QStringLiteral("concurrent-%1").arg(i), m_editors[i]);
            QVERIFY(!dir.isEmpty());
            QFile jsonl(m_dir.filePath(QStringLiteral("concurrent-%1.jsonl").arg(i)));
            QVERIFY(jsonl.open(QIODevice::WriteOnly));
            for (int n = 0; n < 700; ++n) {
                jsonl.write(
                    QJsonDocument(QJsonObject{{QStringLiteral("title"),
                                               QStringLiteral("At once %1.%2").arg(i).arg(n)}})
                        .toJson(QJsonDocument::Compact) +
                    '\n');
            }
            jsonl.close();
            QCOMPARE(
                ctl(dir, {QStringLiteral("content"), QStringLiteral("import"), jsonl.fileName()})
                    .exitCode,
                0);
            dirs << dir;
        }
        // Three pushes in flight together, each in batches.
        std::vector<std::unique_ptr<QProcess>> pushes;
        for (const QString &dir : dirs) {
            auto p = std::make_unique<QProcess>();
            p->setProcessEnvironment(colophon::test::childEnvironment());
            p->start(colophon::test::ctlBinary(),
                     {QStringLiteral("--data"), dir, QStringLiteral("sync")});
            pushes.push_back(std::move(p));
        }
        for (auto &p : pushes) {
            QVERIFY(p->waitForFinished(kRunTimeoutMs));
            QVERIFY2(p->exitCode() == 0, p->readAllStandardError().constData());
        }
        for (const QString &dir : dirs) {
            QCOMPARE(sync(dir).exitCode, 0);
        }
        const QString serverDb = dbOf(m_serverData.path());
        QCOMPARE(
            countIn(serverDb, QStringLiteral("SELECT COUNT(*) FROM event_log WHERE payload LIKE "
                                             "'%At once %'")),
            qint64(2100));
        QCOMPARE(countIn(serverDb, QStringLiteral("SELECT COUNT(*) FROM event_log WHERE server_seq "
                                                  "IS NULL OR server_seq != seq")),
                 qint64(0));
        for (const QString &dir : dirs) {
            QCOMPARE(projectionOf(dbOf(dir)), projectionOf(serverDb));
        }
    }

    void aWatchingReplicaGetsAnEditThroughTheStream()
    {
        const QString writer = pair(QStringLiteral("writer"), m_editors[0]);
        const QString watcher = pair(QStringLiteral("watcher"), m_editors[1]);
        QVERIFY(!writer.isEmpty() && !watcher.isEmpty());
        QProcess watch;
        watch.setProcessEnvironment(colophon::test::childEnvironment());
        watch.start(
            colophon::test::ctlBinary(),
            {QStringLiteral("--data"), watcher, QStringLiteral("sync"), QStringLiteral("--watch")});
        QVERIFY(watch.waitForStarted());
        // The first report says it is caught up; then it waits on the stream.
        QTRY_VERIFY_WITH_TIMEOUT(watch.canReadLine(), 30000);
        watch.readAll();
        const QString id = create(writer, QStringLiteral("Seen live"), QStringLiteral("x\n"));
        QVERIFY(!id.isEmpty());
        QCOMPARE(sync(writer).exitCode, 0);
        QByteArray reports;
        QTRY_VERIFY_WITH_TIMEOUT((reports += watch.readAll()).contains("\"applied\":1"), 15000);
        watch.terminate();
        QVERIFY(watch.waitForFinished(10000));
        QCOMPARE(watch.exitCode(), 0);
        QCOMPARE(get(watcher, id).value(QLatin1String("title")).toString(),
                 QStringLiteral("Seen live"));
    }

    void answersCutMidwayLoseNothingAndDoubleNothing()
    {
        const QString r = pair(QStringLiteral("cut"), m_editors[1]);
        QVERIFY(!r.isEmpty());
        for (int i = 0; i < 5; ++i) {
            QVERIFY(!create(r, QStringLiteral("Cut %1").arg(i), QStringLiteral("x\n")).isEmpty());
        }
        // Each answer is cut after its first 100 bytes: the push is decided
        // and committed on the server, the replica never hears of it.
        CuttingProxy proxy(m_server->port(), 100);
        QVERIFY(proxy.port() != 0);
        QVERIFY(repoint(r, QStringLiteral("http://127.0.0.1:%1").arg(proxy.port())));
        const Run cut = sync(r);
        QCOMPARE(cut.exitCode, 1);
        QVERIFY2(cut.err.contains("sync with"), cut.describe().constData());
        QVERIFY(proxy.cuts() > 0);
        const QString serverDb = dbOf(m_serverData.path());
        QCOMPARE(countIn(serverDb, QStringLiteral("SELECT COUNT(*) FROM event_log WHERE payload "
                                                  "LIKE '%\"Cut %'")),
                 qint64(5));
        // Whole answers again: the resend is answered as duplicates.
        QVERIFY(repoint(r, m_server->url()));
        const Run resumed = sync(r);
        QVERIFY2(resumed.exitCode == 0, resumed.describe().constData());
        QCOMPARE(resumed.json().value(QLatin1String("duplicates")).toInt(), 5);
        QCOMPARE(countIn(serverDb, QStringLiteral("SELECT COUNT(*) FROM event_log WHERE payload "
                                                  "LIKE '%\"Cut %'")),
                 qint64(5));
        QCOMPARE(countIn(dbOf(r), QStringLiteral("SELECT COUNT(*) FROM event_log WHERE server_seq "
                                                 "IS NULL AND rejected IS NULL")),
                 0);
        QCOMPARE(projectionOf(dbOf(r)), projectionOf(serverDb));
    }

    void aFreshReplicaStartsFromTheServersSnapshot()
    {
        const QString writer = pair(QStringLiteral("snapshot-writer"), m_editors[0]);
        QVERIFY(!writer.isEmpty());
        for (int i = 0; i < 5; ++i) {
            QVERIFY(!create(writer, QStringLiteral("Snapshot %1").arg(i), QStringLiteral("x\n"))
                         .isEmpty());
        }
        QCOMPARE(sync(writer).exitCode, 0);
        // Pairing syncs once: that first sync starts from the snapshot.
        const QString fresh = replicaDir(QStringLiteral("snapshot-fresh"));
        const Run first =
            ctl(fresh,
                {QStringLiteral("remote"), QStringLiteral("add"), m_server->url(),
                 QStringLiteral("--email"), m_editors[1].email, QStringLiteral("--password-stdin")},
                m_editors[1].password.toUtf8() + '\n');
        QVERIFY2(first.exitCode == 0, first.describe().constData());
        const QJsonObject snapshot = first.json()
                                         .value(QLatin1String("sync"))
                                         .toObject()
                                         .value(QLatin1String("snapshot"))
                                         .toObject();
        QVERIFY2(snapshot.value(QLatin1String("seq")).toInteger() > 0, first.out.constData());
        QVERIFY2(snapshot.value(QLatin1String("events")).toInteger() >= 5, first.out.constData());
        // Nothing of the download is left behind.
        QVERIFY(QDir(QDir(fresh).filePath(QStringLiteral("sync")))
                    .entryList({QStringLiteral("snapshot-*")})
                    .isEmpty());
        const Run verified = ctl(fresh, {QStringLiteral("sync"), QStringLiteral("--verify")});
        QVERIFY2(verified.exitCode == 0, verified.describe().constData());
        QCOMPARE(projectionOf(dbOf(fresh)), projectionOf(dbOf(m_serverData.path())));
        // And it goes on by the log: a later change arrives as an event.
        QVERIFY(!create(writer, QStringLiteral("After"), QStringLiteral("y\n")).isEmpty());
        QCOMPARE(sync(writer).exitCode, 0);
        const Run tail = sync(fresh);
        QVERIFY2(tail.exitCode == 0, tail.describe().constData());
        QVERIFY(!tail.json().contains(QLatin1String("snapshot")));
        QCOMPARE(projectionOf(dbOf(fresh)), projectionOf(dbOf(m_serverData.path())));
    }

    void killedReplicaAndServerResumeWithNothingLostOrDoubled()
    {
        const QString r = pair(QStringLiteral("bulk"), m_editors[0]);
        QVERIFY(!r.isEmpty());
        // Enough for several push batches.
        const int items = 3000;
        QFile jsonl(m_dir.filePath(QStringLiteral("bulk.jsonl")));
        QVERIFY(jsonl.open(QIODevice::WriteOnly));
        for (int i = 0; i < items; ++i) {
            jsonl.write(QJsonDocument(
                            QJsonObject{{QStringLiteral("title"), QStringLiteral("Bulk %1").arg(i)},
                                        {QStringLiteral("body"), QStringLiteral("x\n")}})
                            .toJson(QJsonDocument::Compact) +
                        '\n');
        }
        jsonl.close();
        const Run imported =
            ctl(r, {QStringLiteral("content"), QStringLiteral("import"), jsonl.fileName()});
        QVERIFY2(imported.exitCode == 0, imported.describe().constData());
        const QString serverDb = dbOf(m_serverData.path());
        const auto onServer = [&] {
            return countIn(serverDb, QStringLiteral("SELECT COUNT(*) FROM event_log WHERE type = "
                                                    "'ContentCreated' AND payload LIKE "
                                                    "'%\"Bulk %'"));
        };

        // A replica killed while it pushes.
        QProcess push;
        push.setProcessEnvironment(colophon::test::childEnvironment());
        push.start(colophon::test::ctlBinary(),
                   {QStringLiteral("--data"), r, QStringLiteral("sync")});
        QVERIFY(push.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(onServer() > 0 || push.state() == QProcess::NotRunning, 60000);
        ::kill(static_cast<pid_t>(push.processId()), SIGKILL);
        push.waitForFinished();
        const qint64 partly = onServer();
        QVERIFY2(partly < items, "the replica finished before it was killed: nothing was proven");
        qInfo("the replica was killed with %lld of %d items on the server", partly, items);

        // The server killed while it applies the rest.
        QProcess again;
        again.setProcessEnvironment(colophon::test::childEnvironment());
        again.start(colophon::test::ctlBinary(),
                    {QStringLiteral("--data"), r, QStringLiteral("sync")});
        QVERIFY(again.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(onServer() > partly || again.state() == QProcess::NotRunning,
                                 60000);
        QVERIFY(m_server->signalAndWait(SIGKILL));
        again.waitForFinished(kRunTimeoutMs);
        qInfo("the server was killed with %lld of %d items", onServer(), items);
        QVERIFY2(onServer() < items, "the push finished before the server was killed");
        // With the server down, sync says so and fails.
        const Run down = sync(r);
        QCOMPARE(down.exitCode, 1);
        QVERIFY2(down.err.startsWith("colophonctl: sync with http://127.0.0.1:") &&
                     down.err.contains("failed"),
                 down.describe().constData());
        QVERIFY(startServer());
        // The replica's pairing names the old port: point it at the new one.
        QFile pairing(QDir(r).filePath(QStringLiteral("sync/remote.json")));
        QVERIFY(pairing.open(QIODevice::ReadOnly));
        QJsonObject config = QJsonDocument::fromJson(pairing.readAll()).object();
        pairing.close();
        config[QStringLiteral("server")] = m_server->url();
        QVERIFY(pairing.open(QIODevice::WriteOnly | QIODevice::Truncate));
        pairing.write(QJsonDocument(config).toJson());
        pairing.close();

        const Run resumed = sync(r);
        QVERIFY2(resumed.exitCode == 0, resumed.describe().constData());
        QCOMPARE(onServer(), qint64(items));
        QCOMPARE(countIn(dbOf(r), QStringLiteral("SELECT COUNT(*) FROM event_log WHERE server_seq "
                                                 "IS NULL AND rejected IS NULL")),
                 0);
        QCOMPARE(countIn(dbOf(r), QStringLiteral("SELECT COUNT(*) FROM event_log WHERE rejected "
                                                 "IS NOT NULL")),
                 0);
        QCOMPARE(projectionOf(dbOf(r)), projectionOf(serverDb));
    }
};

QTEST_GUILESS_MAIN(SyncProcesses)
#include "tst_syncprocesses.moc"
