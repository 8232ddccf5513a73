// SPDX-License-Identifier: MIT
// Sync in the console against a real colophon-server on a loopback port: the
// Connect dialog's OAuth 2.0 + PKCE sign-in with the test acting as the
// browser (the server's sign-in page, its form, the redirect back to the
// console's loopback address), the token's fallback to a 0600 file when no
// keychain service answers, changes going both ways (the server's through
// its stream), a refused change and a conflict in the panel, and the state
// while the server is down and after it is back.
#include "app/host/servicehost.h"
#include "backend/events/eventlog.h"
#include "sync/remote.h"
#include "tests/support/apitest.h"
#include "tests/ui/uifixture.h"
#include "ui/core/messagebar.h"
#include "ui/shell/mainwindow.h"
#include "ui/sync/connectdialog.h"
#include "ui/sync/keychaintokenstore.h"
#include "ui/sync/synccontroller.h"
#include "ui/sync/syncpanel.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSet>
#include <QStatusBar>
#include <QTabWidget>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTreeWidget>
#include <QUrlQuery>
#include <csignal>

using namespace colophon;
using namespace colophon::test;

namespace {

const QString kAdminEmail = QStringLiteral("admin@sync.test");

QByteArray formBody(const QList<std::pair<QString, QString>> &fields)
{
    QByteArray body;
    for (const auto &[name, value] : fields) {
        body += (body.isEmpty() ? "" : "&") + QUrl::toPercentEncoding(name) + '=' +
                QUrl::toPercentEncoding(value);
    }
    return body;
}

QString unescapeHtml(QString text)
{
    text.replace(QLatin1String("&quot;"), QLatin1String("\""));
    text.replace(QLatin1String("&#39;"), QLatin1String("'"));
    text.replace(QLatin1String("&lt;"), QLatin1String("<"));
    text.replace(QLatin1String("&gt;"), QLatin1String(">"));
    text.replace(QLatin1String("&amp;"), QLatin1String("&"));
    return text;
}

QByteArray targetOf(const QUrl &url)
{
    const QByteArray path = url.path(QUrl::FullyEncoded).toUtf8();
    return (path.isEmpty() ? QByteArray("/") : path) +
           (url.hasQuery() ? '?' + url.query(QUrl::FullyEncoded).toUtf8() : QByteArray());
}

// Clicks the button named `answer` of the message box called `name` once
// it shows; what it said goes to *text. The watch lasts while the returned
// timer lives (the caller's scope), so it never outlives `text`.
[[nodiscard]] std::unique_ptr<QTimer> answerMessageBox(const QString &name, const QString &answer,
                                                       QString *text = nullptr,
                                                       int timeoutMs = 30000)
{
    auto owned = std::make_unique<QTimer>();
    QTimer *timer = owned.get();
    auto remaining = std::make_shared<int>(timeoutMs / 20);
    QObject::connect(timer, &QTimer::timeout, [=] {
        for (QWidget *w : QApplication::topLevelWidgets()) {
            auto *box = qobject_cast<QMessageBox *>(w);
            if (!box || !box->isVisible() || box->objectName() != name) {
                continue;
            }
            if (text) {
                *text = box->text();
            }
            for (QAbstractButton *b : box->buttons()) {
                if (b->text().remove(u'&') == answer) {
                    timer->stop();
                    b->click();
                    return;
                }
            }
        }
        if (--*remaining <= 0) {
            timer->stop();
        }
    });
    timer->start(20);
    return owned;
}

SyncTimings quickTimings()
{
    SyncTimings t;
    t.debounceMs = 100;
    t.periodicMs = 10 * 60 * 1000; // so that what arrives came by the stream
    t.retry.baseDelay = std::chrono::milliseconds(200);
    t.retry.maxJitter = std::chrono::milliseconds(100);
    t.retry.maxDelay = std::chrono::milliseconds(2000);
    t.streamRetryMaxMs = 1000;
    t.breakerResetTimeout = std::chrono::milliseconds(2000);
    return t;
}

// A console over a replica, with sync: the controller and its panel.
struct Console
{
    explicit Console(UiReplica &replica)
        : sync(replica.gateway(), replica.host().replication()), panel(replica.gateway(), sync)
    {
        sync.setTimings(quickTimings());
        sync.start();
        panel.resize(900, 700);
        panel.show();
    }
    SyncController sync;
    SyncPanel panel;
};

} // namespace

class TestSyncPanel : public QObject
{
    Q_OBJECT

    QTemporaryDir m_serverData;
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<ApiClient> m_api;
    quint16 m_port = 0;
    QString m_adminPassword;
    QByteArray m_adminToken;
    QString m_adminId;
    QUrl m_opened; // what the console asked the browser to open

    bool startServer()
    {
        m_server = std::make_unique<ServerProcess>();
        QStringList args{QStringLiteral("--data"), m_serverData.path()};
        if (m_port == 0) {
            args << QStringLiteral("--bootstrap-admin") << kAdminEmail;
        } else {
            args << QStringLiteral("--listen") << QStringLiteral("127.0.0.1:%1").arg(m_port);
        }
        if (!m_server->start(args, apiTestEnv())) {
            qWarning("%s", qPrintable(m_server->diagnostics()));
            return false;
        }
        m_port = m_server->port();
        if (!m_api) {
            m_api = std::make_unique<ApiClient>(m_port);
        }
        return true;
    }

    QString serverUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }

    // The person's browser: the server's sign-in page, its form with the
    // credentials (tamper may change what is posted), and the redirect back
    // to the console's loopback address. What went wrong, or nothing.
    QString browse(const QUrl &authorize, const QString &email, const QString &password,
                   const std::function<void(QList<std::pair<QString, QString>> &)> &tamper = {})
    {
        if (authorize.host() != QLatin1String("127.0.0.1") || authorize.port() != m_port) {
            return QStringLiteral("the browser was sent to ") + authorize.toString();
        }
        const HttpReply page = httpRequest(m_port, "GET", targetOf(authorize));
        if (page.status != 200) {
            return QStringLiteral("sign-in page: ") + describe(page);
        }
        static const QRegularExpression hidden(
            QStringLiteral("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">"));
        QList<std::pair<QString, QString>> fields;
        for (const auto &m : hidden.globalMatch(QString::fromUtf8(page.body))) {
            fields.append({m.captured(1), unescapeHtml(m.captured(2))});
        }
        fields.append({QStringLiteral("email"), email});
        fields.append({QStringLiteral("password"), password});
        if (tamper) {
            tamper(fields);
        }
        const HttpReply posted = httpRequest(m_port, "POST", "/oauth/authorize",
                                             {{"Content-Type", "application/x-www-form-urlencoded"},
                                              {"Sec-Fetch-Site", "same-origin"}},
                                             formBody(fields));
        if (posted.status != 302) {
            return QStringLiteral("sign-in form: ") + describe(posted);
        }
        const QUrl back(QString::fromUtf8(posted.header("Location")));
        if (back.host() != QLatin1String("127.0.0.1") || back.port() <= 0) {
            return QStringLiteral("redirected to ") + back.toString();
        }
        // The console answers on this thread: httpRequest keeps its events going.
        const HttpReply landed = httpRequest(quint16(back.port()), "GET", targetOf(back));
        if (landed.status != 200) {
            return QStringLiteral("the console's loopback page: ") + describe(landed);
        }
        return {};
    }

    // Opens the Connect dialog, names the server and starts the sign-in;
    // the dialog, once the browser was asked to open the server's page.
    ConnectDialog *startSignIn(Console &console, const QString &server)
    {
        m_opened.clear();
        console.panel.setUrlOpener([this](const QUrl &url) {
            m_opened = url;
            return true;
        });
        child<QPushButton>(console.panel, "connectButton")->click();
        ConnectDialog *dialog = console.panel.connectDialog();
        if (!dialog) {
            return nullptr;
        }
        child<QLineEdit>(dialog, "serverField")->setText(server);
        child<QPushButton>(dialog, "signInWithBrowser")->click();
        (void)QTest::qWaitFor([&] { return !m_opened.isEmpty() || !dialog->isBusy(); }, 15000);
        return dialog;
    }

    // The whole connection as the admin; adopt answers the question about
    // changes made before, when there are some. What went wrong, or nothing.
    QString connectConsole(Console &console, const QString &adopt = QStringLiteral("Send them"),
                           QString *asked = nullptr)
    {
        ConnectDialog *dialog = startSignIn(console, serverUrl());
        if (!dialog || m_opened.isEmpty()) {
            return QStringLiteral("the browser was not opened: ") +
                   (dialog ? dialog->message() : QStringLiteral("no dialog"));
        }
        const auto answering = answerMessageBox(QStringLiteral("adoptLocalChanges"), adopt, asked);
        const QString browsed = browse(m_opened, kAdminEmail, m_adminPassword);
        if (!browsed.isEmpty()) {
            return browsed;
        }
        QPointer<ConnectDialog> open(dialog);
        if (!QTest::qWaitFor([&] { return console.sync.isPaired() || (open && !open->isBusy()); },
                             30000)) {
            return QStringLiteral("the pairing did not finish");
        }
        if (!console.sync.isPaired()) {
            return QStringLiteral("not paired: ") + (open ? open->message() : QString());
        }
        return {};
    }

    QJsonObject serverItem(const QString &id)
    {
        const HttpReply reply = m_api->get("/api/v1/content/" + id.toUtf8(), m_adminToken);
        return reply.status == 200 ? jsonOf(reply) : QJsonObject();
    }

    Actor serverAdmin() const { return Actor{m_adminId, Role::Admin, {}}; }

    // Connects a console, makes the draft in it and waits until the server
    // holds it; the console is closed again. The issue, if any.
    QString pushedItem(UiReplica &replica, const ContentDraft &draft, QString &id)
    {
        Console console(replica);
        if (QString issue = connectConsole(console); !issue.isEmpty()) {
            return issue;
        }
        auto item = replica.content().create(replica.gateway().actor(), draft);
        if (!item) {
            return QStringLiteral("the item was not made: ") + item.error().message;
        }
        id = item->id;
        if (!QTest::qWaitFor([&] { return !serverItem(id).isEmpty(); }, 30000)) {
            return QStringLiteral("the server never got the item");
        }
        return {};
    }

private slots:
    void initTestCase()
    {
        // No keychain service answers here, whatever the machine has (unless
        // the keychain's own test below is wanted: see there).
        if (qEnvironmentVariableIsEmpty("COLOPHON_TEST_KEYCHAIN")) {
            qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/colophon-test-bus");
        }
        QVERIFY(m_serverData.isValid());
        QVERIFY(startServer());
        m_adminPassword = bootstrapPassword(*m_server);
        QVERIFY(!m_adminPassword.isEmpty());
        m_adminToken = m_api->login(kAdminEmail, m_adminPassword).access;
        QVERIFY(!m_adminToken.isEmpty());
        m_adminId =
            jsonOf(m_api->get("/api/v1/me", m_adminToken)).value(QLatin1String("id")).toString();
        QVERIFY(!m_adminId.isEmpty());
    }

    void connectsThroughTheBrowserWithPkceAndFallsBackToAFile()
    {
        UiReplica replica;
        const Actor local = replica.signInAs(Role::Admin);
        ContentDraft draft;
        draft.title = QStringLiteral("Written before connecting");
        auto before = replica.content().create(local, draft);
        QVERIFY(before);
        Console console(replica);
        QVERIFY(!console.sync.isPaired());
        QVERIFY(child<QPushButton>(console.panel, "connectButton")->isVisible());

        ConnectDialog *dialog = startSignIn(console, serverUrl());
        QVERIFY(dialog);
        QVERIFY2(!m_opened.isEmpty(), qPrintable(dialog->message()));
        // The authorization request: this client, PKCE S256, a loopback redirect.
        const QUrlQuery query(m_opened);
        QCOMPARE(m_opened.path(), QStringLiteral("/oauth/authorize"));
        QCOMPARE(query.queryItemValue(QStringLiteral("client_id")),
                 QStringLiteral("colophon-console"));
        QCOMPARE(query.queryItemValue(QStringLiteral("response_type")), QStringLiteral("code"));
        QCOMPARE(query.queryItemValue(QStringLiteral("code_challenge_method")),
                 QStringLiteral("S256"));
        QCOMPARE(query.queryItemValue(QStringLiteral("code_challenge")).size(), 43);
        QVERIFY(!query.queryItemValue(QStringLiteral("state")).isEmpty());
        const QUrl redirect(
            query.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
        QCOMPARE(redirect.host(), QStringLiteral("127.0.0.1"));
        QVERIFY(redirect.port() > 0);
        QCOMPARE(dialog->redirectUri(), redirect.toString());
        QVERIFY(child<QLineEdit>(dialog, "authorizationUrl")->isVisible());

        QString asked;
        const auto answering = answerMessageBox(QStringLiteral("adoptLocalChanges"),
                                                QStringLiteral("Send them"), &asked);
        VERIFY_NO_ISSUE(browse(m_opened, kAdminEmail, m_adminPassword));
        QTRY_VERIFY_WITH_TIMEOUT(console.sync.isPaired(), 30000);
        QVERIFY2(asked.contains(QStringLiteral("1 change")), qPrintable(asked));
        QTRY_COMPARE_WITH_TIMEOUT(console.sync.state(), SyncController::State::UpToDate, 30000);

        // The change made before went to the server as the account's.
        const QJsonObject onServer = serverItem(before->id);
        QCOMPARE(onServer.value(QLatin1String("title")).toString(), draft.title);
        QCOMPARE(onServer.value(QLatin1String("authorId")).toString(), m_adminId);
        // The console acts as that account now.
        QCOMPARE(replica.gateway().actor().userId, m_adminId);
        QCOMPARE(console.sync.localActor()->userId, local.userId);

        // No keychain service: the token is in the 0600 file, and the panel says so.
        auto *warning = child<MessageBar>(console.panel, "tokenWarning");
        QTRY_VERIFY(warning->isVisible());
        QVERIFY2(warning->text().contains(QStringLiteral("No keychain service")),
                 qPrintable(warning->text()));
        const QString pairing = sync::Remote::pairingPath(replica.dataDir());
        QVERIFY(warning->text().contains(QDir::toNativeSeparators(pairing)));
        QFile file(pairing);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject kept = QJsonDocument::fromJson(file.readAll()).object();
        QCOMPARE(kept.value(QLatin1String("tokenStore")).toString(), QStringLiteral("keychain"));
        QVERIFY(!kept.value(QLatin1String("refreshToken")).toString().isEmpty());
        QCOMPARE(kept.value(QLatin1String("server")).toString(), serverUrl());
        QCOMPARE(kept.value(QLatin1String("email")).toString(), kAdminEmail);
        QCOMPARE(file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther |
                                       QFileDevice::WriteGroup | QFileDevice::WriteOther),
                 QFileDevice::Permissions());
        QCOMPARE(child<QLabel>(console.panel, "serverLabel")->text(), serverUrl());
        QVERIFY(child<QLabel>(console.panel, "accountLabel")->text().contains(kAdminEmail));
        QCOMPARE(child<QLabel>(console.panel, "syncState")->text(), QStringLiteral("up to date"));

        // Disconnecting signs out and forgets; the local account is back.
        const auto confirming =
            answerMessageBox(QStringLiteral("confirmDisconnect"), QStringLiteral("Disconnect"));
        child<QPushButton>(console.panel, "disconnectButton")->click();
        QTRY_VERIFY_WITH_TIMEOUT(!console.sync.isPaired(), 15000);
        QVERIFY(!QFile::exists(pairing));
        QCOMPARE(replica.gateway().actor().userId, local.userId);
        QTRY_VERIFY(child<QPushButton>(console.panel, "connectButton")->isVisible());
    }

    void decliningToSendEarlierChangesLeavesTheConsoleUnpaired()
    {
        UiReplica replica;
        const Actor local = replica.signInAs(Role::Editor);
        ContentDraft draft;
        draft.title = QStringLiteral("Stays here");
        auto item = replica.content().create(local, draft);
        QVERIFY(item);
        Console console(replica);
        QString asked;
        const QString outcome = connectConsole(console, QStringLiteral("Do not connect"), &asked);
        QVERIFY2(outcome.startsWith(QStringLiteral("not paired")), qPrintable(outcome));
        QVERIFY(asked.contains(QStringLiteral("1 change")));
        QVERIFY(!sync::Remote::isPaired(replica.dataDir()));
        QVERIFY(serverItem(item->id).isEmpty());
        QCOMPARE(replica.gateway().actor().userId, local.userId);
        ConnectDialog *dialog = console.panel.connectDialog();
        QVERIFY(dialog);
        QVERIFY2(dialog->message().contains(QStringLiteral("Not connected")),
                 qPrintable(dialog->message()));
    }

    void wrongAddressesIncompatibleServersAndRefusedSignInsAreClear()
    {
        UiReplica replica;
        replica.signInAs(Role::Admin);
        Console console(replica);

        ConnectDialog *dialog = startSignIn(console, QStringLiteral("not a server address"));
        QVERIFY(dialog);
        QVERIFY2(dialog->message().contains(QStringLiteral("Enter the server's address")),
                 qPrintable(dialog->message()));

        // Nothing listens there.
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress(QHostAddress::LocalHost), 0));
        const quint16 nothing = closed.serverPort();
        closed.close();
        child<QLineEdit>(dialog, "serverField")
            ->setText(QStringLiteral("http://127.0.0.1:%1").arg(nothing));
        child<QPushButton>(dialog, "signInWithBrowser")->click();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isBusy(), 15000);
        QVERIFY2(dialog->message().contains(QStringLiteral("Cannot reach")),
                 qPrintable(dialog->message()));

        // A web server, but not a Colophon one there.
        child<QLineEdit>(dialog, "serverField")
            ->setText(serverUrl() + QStringLiteral("/elsewhere"));
        child<QPushButton>(dialog, "signInWithBrowser")->click();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isBusy(), 15000);
        QVERIFY2(dialog->message().contains(QStringLiteral("does not answer as a Colophon server")),
                 qPrintable(dialog->message()));

        // A server of another protocol answers hello with 409 and says why.
        QTcpServer other;
        QVERIFY(other.listen(QHostAddress(QHostAddress::LocalHost), 0));
        connect(&other, &QTcpServer::newConnection, &other, [&other] {
            QTcpSocket *socket = other.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                if (!socket->readAll().contains("\r\n\r\n")) {
                    return;
                }
                const QByteArray body =
                    R"({"type":"about:blank","title":"Conflict","status":409,"code":"conflict",)"
                    R"("field":"protocol","detail":"this server speaks sync protocol 2 to 2 and )"
                    R"(the replica speaks 1: update the replica"})";
                socket->write("HTTP/1.1 409 Conflict\r\nContent-Type: application/problem+json\r\n"
                              "Connection: close\r\nContent-Length: " +
                              QByteArray::number(body.size()) + "\r\n\r\n" + body);
                socket->disconnectFromHost();
            });
        });
        child<QLineEdit>(dialog, "serverField")
            ->setText(QStringLiteral("http://127.0.0.1:%1").arg(other.serverPort()));
        child<QPushButton>(dialog, "signInWithBrowser")->click();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isBusy(), 15000);
        QVERIFY2(dialog->message().contains(QStringLiteral("cannot sync with this console")) &&
                     dialog->message().contains(QStringLiteral("update the replica")),
                 qPrintable(dialog->message()));

        // A code bound to another challenge than this console's is refused
        // at the exchange: the verifier does not match.
        m_opened.clear();
        child<QLineEdit>(dialog, "serverField")->setText(serverUrl());
        child<QPushButton>(dialog, "signInWithBrowser")->click();
        QTRY_VERIFY_WITH_TIMEOUT(!m_opened.isEmpty(), 15000);
        VERIFY_NO_ISSUE(browse(m_opened, kAdminEmail, m_adminPassword, [](auto &fields) {
            for (auto &[name, value] : fields) {
                if (name == QLatin1String("code_challenge")) {
                    value = QStringLiteral("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
                }
            }
        }));
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isBusy(), 15000);
        QVERIFY2(dialog->message().contains(QStringLiteral("The server refused the sign-in")) &&
                     dialog->message().contains(QStringLiteral("code_verifier")),
                 qPrintable(dialog->message()));
        QVERIFY(!console.sync.isPaired());

        // The browser closed: the dialog stops waiting after its time.
        dialog->setSignInTimeout(1000);
        m_opened.clear();
        child<QPushButton>(dialog, "signInWithBrowser")->click();
        QTRY_VERIFY_WITH_TIMEOUT(!m_opened.isEmpty(), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isBusy(), 15000);
        QVERIFY2(dialog->message().contains(QStringLiteral("did not finish in time")),
                 qPrintable(dialog->message()));

        // Cancel while the browser is out: the dialog closes and the
        // loopback address answers no more.
        dialog->setSignInTimeout(60000);
        m_opened.clear();
        child<QPushButton>(dialog, "signInWithBrowser")->click();
        QTRY_VERIFY_WITH_TIMEOUT(!m_opened.isEmpty(), 15000);
        const QUrl redirect(
            QUrlQuery(m_opened).queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
        QPointer<ConnectDialog> open(dialog);
        child<QPushButton>(dialog, "cancel")->click();
        QTRY_VERIFY(!open);
        QTest::qWait(50);
        QCOMPARE(
            httpRequest(quint16(redirect.port()), "GET", "/?code=x&state=y", {}, {}, 2000).status,
            0);
        QVERIFY(!console.sync.isPaired());
        QVERIFY(!sync::Remote::isPaired(replica.dataDir()));
    }

    void changesGoBothWaysAndTheStatusBarFollows()
    {
        UiReplica replica;
        replica.signInAs(Role::Editor);
        Console console(replica);
        VERIFY_NO_ISSUE(connectConsole(console));
        MainWindow window(replica.gateway(), replica.dataDir() + QStringLiteral("/console.ini"),
                          console.sync);
        QVERIFY(window.sections().contains(QStringLiteral("sync")));
        QTRY_VERIFY_WITH_TIMEOUT(
            window.replicaStatus()->text().contains(QStringLiteral("up to date")), 30000);
        QVERIFY(window.replicaStatus()->text().contains(QStringLiteral("127.0.0.1")));
        // Acting as the server account, the local account's page is not offered.
        QVERIFY(window.navigation()
                    ->item(window.sections().indexOf(QStringLiteral("account")))
                    ->isHidden());

        // Made in the console: on the server soon after.
        ContentDraft draft;
        draft.title = QStringLiteral("From the console");
        draft.body = QStringLiteral("written offline\n");
        auto mine = replica.content().create(replica.gateway().actor(), draft);
        QVERIFY(mine);
        QTRY_COMPARE_WITH_TIMEOUT(serverItem(mine->id).value(QLatin1String("title")).toString(),
                                  draft.title, 30000);

        // Made on the server: here through the stream (the periodic sync is ten minutes away).
        const HttpReply created = m_api->post(
            "/api/v1/content", {{QStringLiteral("title"), QStringLiteral("From the server")}},
            m_adminToken);
        QCOMPARE(created.status, 201);
        const QString theirs = jsonOf(created).value(QLatin1String("id")).toString();
        QTRY_VERIFY_WITH_TIMEOUT(replica.content().get(serverAdmin(), theirs).has_value(), 15000);
        QCOMPARE(replica.content().get(serverAdmin(), theirs)->title,
                 QStringLiteral("From the server"));
    }

    void aRefusedChangeShowsWithItsReason()
    {
        UiReplica replica;
        replica.signInAs(Role::Admin);
        QString id;
        ContentDraft draft;
        draft.title = QStringLiteral("Soon gone");
        VERIFY_NO_ISSUE(pushedItem(replica, draft, id));
        // While the console is closed, the item goes on the server, and is
        // edited here.
        QCOMPARE(m_api->call("DELETE", "/api/v1/content/" + id.toUtf8(), {}, m_adminToken).status,
                 204);
        ContentChange change;
        change.title = QStringLiteral("Edited meanwhile");
        QVERIFY(replica.content().update(serverAdmin(), id, change));

        Console console(replica);
        auto *refused = child<QTreeWidget>(console.panel, "refusedList");
        QTRY_COMPARE_WITH_TIMEOUT(refused->topLevelItemCount(), 1, 30000);
        QVERIFY2(refused->topLevelItem(0)->text(2).contains(QStringLiteral("deleted")),
                 qPrintable(refused->topLevelItem(0)->text(2)));
        auto *notice = child<MessageBar>(console.panel, "syncNotice");
        QVERIFY(notice->isVisible());
        QVERIFY2(notice->text().contains(QStringLiteral("refused 1 change")),
                 qPrintable(notice->text()));
        QCOMPARE(console.sync.lastRefusals().size(), 1);
        QCOMPARE(child<QTreeWidget>(console.panel, "pendingList")->topLevelItemCount(), 0);
    }

    void aConflictShowsSideBySideAndIsSettled()
    {
        UiReplica replica;
        replica.signInAs(Role::Admin);
        QString id;
        ContentDraft draft;
        draft.title = QStringLiteral("Disputed");
        draft.body = QStringLiteral("one\ntwo\nthree\n");
        VERIFY_NO_ISSUE(pushedItem(replica, draft, id));
        // The same line, changed on the server and here while apart.
        const HttpReply patched = m_api->call(
            "PATCH", "/api/v1/content/" + id.toUtf8(),
            compact({{QStringLiteral("body"), QStringLiteral("one\ntwo on the server\nthree\n")}}),
            m_adminToken);
        QCOMPARE(patched.status, 200);
        QTest::qWait(20); // a later stamp here
        ContentChange change;
        change.body = QStringLiteral("one\ntwo in the console\nthree\n");
        QVERIFY(replica.content().update(serverAdmin(), id, change));

        Console console(replica);
        auto *conflicts = child<QListWidget>(console.panel, "conflictList");
        QTRY_COMPARE_WITH_TIMEOUT(conflicts->count(), 1, 30000);
        QVERIFY(conflicts->item(0)->text().contains(QStringLiteral("Disputed")));
        const QString kept = child<QPlainTextEdit>(console.panel, "keptText")->toPlainText();
        const QString other = child<QPlainTextEdit>(console.panel, "losingText")->toPlainText();
        QCOMPARE(QSet<QString>({kept, other}),
                 QSet<QString>({QStringLiteral("one\ntwo on the server\nthree\n"),
                                QStringLiteral("one\ntwo in the console\nthree\n")}));
        if (const QString shots = qEnvironmentVariable("COLOPHON_SCREENSHOTS"); !shots.isEmpty()) {
            child<QTabWidget>(console.panel, "syncTabs")->setCurrentIndex(2);
            QTest::qWait(100);
            console.panel.grab().save(QDir(shots).filePath(QStringLiteral("sync-conflict.png")));
        }
        child<QPushButton>(console.panel, "useOtherButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(conflicts->count(), 0, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(serverItem(id).value(QLatin1String("body")).toString(), other,
                                  30000);
        QCOMPARE(replica.content().get(serverAdmin(), id)->body, other);
    }

    void aStoppedServerShowsOfflineSinceAndSyncingResumesWhenItIsBack()
    {
        UiReplica replica;
        replica.signInAs(Role::Admin);
        Console console(replica);
        VERIFY_NO_ISSUE(connectConsole(console));
        QTRY_COMPARE_WITH_TIMEOUT(console.sync.state(), SyncController::State::UpToDate, 30000);

        QVERIFY(m_server->signalAndWait(SIGTERM));
        QTRY_COMPARE_WITH_TIMEOUT(console.sync.state(), SyncController::State::Offline, 30000);
        auto *state = child<QLabel>(console.panel, "syncState");
        QTRY_VERIFY(state->text().startsWith(QStringLiteral("offline since ")));
        QVERIFY(console.sync.offlineSince().isValid());
        QVERIFY(!console.sync.lastErrors().isEmpty());
        QVERIFY(child<QListWidget>(console.panel, "errorList")->count() > 0);
        // A change made while the server is away waits here.
        ContentDraft draft;
        draft.title = QStringLiteral("Written while offline");
        auto item = replica.content().create(replica.gateway().actor(), draft);
        QVERIFY(item);
        QTRY_COMPARE(child<QTreeWidget>(console.panel, "pendingList")->topLevelItemCount(), 1);

        QVERIFY(startServer()); // the same port and data
        QTRY_COMPARE_WITH_TIMEOUT(console.sync.state(), SyncController::State::UpToDate, 60000);
        QCOMPARE(state->text(), QStringLiteral("up to date"));
        QCOMPARE(serverItem(item->id).value(QLatin1String("title")).toString(), draft.title);
        QTRY_COMPARE(child<QTreeWidget>(console.panel, "pendingList")->topLevelItemCount(), 0);
    }

    // Needs a Secret Service, so it runs only when asked, alone:
    //   dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock
    //     --components=secrets >/dev/null; COLOPHON_TEST_KEYCHAIN=1
    //     tests/ui/tst_syncpanel theTokenGoesToTheKeychainWhenOneAnswers'
    void theTokenGoesToTheKeychainWhenOneAnswers()
    {
        if (qEnvironmentVariableIsEmpty("COLOPHON_TEST_KEYCHAIN")) {
            QSKIP("needs a keychain service: set COLOPHON_TEST_KEYCHAIN under one");
        }
        QTemporaryDir data;
        QVERIFY(data.isValid());
        auto store = std::make_shared<KeychainTokenStore>(data.path());
        // A token is kept only for a pairing.
        QCOMPARE(store->save(QStringLiteral("early")).error().code, ErrorCode::NotFound);
        auto remote = sync::Remote::pairWithTokens(
            data.path(), QStringLiteral("http://127.0.0.1:9"), kAdminEmail,
            QStringLiteral("access"), QStringLiteral("refresh-1"), store);
        QVERIFY2(remote, qPrintable(remote ? QString() : remote.error().message));
        QVERIFY2(!store->fellBack(), qPrintable(store->warning()));
        QVERIFY(store->warning().isEmpty());
        // The file holds the pairing, not the token.
        QFile file(sync::Remote::pairingPath(data.path()));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject kept = QJsonDocument::fromJson(file.readAll()).object();
        QVERIFY(!kept.contains(QLatin1String("refreshToken")));
        QCOMPARE(kept.value(QLatin1String("tokenStore")).toString(), QStringLiteral("keychain"));
        // Another store (the next start) finds it in the keychain.
        auto again = std::make_shared<KeychainTokenStore>(data.path());
        QCOMPARE(again->load().value_or(QString()), QStringLiteral("refresh-1"));
        QVERIFY(sync::Remote::load(data.path(), again));
        // colophonctl's store cannot reach it, and says where it is.
        auto fromFile = sync::Remote::load(data.path());
        QVERIFY(!fromFile);
        QVERIFY2(fromFile.error().message.contains(QStringLiteral("system keychain")),
                 qPrintable(fromFile.error().message));
        QVERIFY(sync::Remote::forget(data.path(), again));
        QCOMPARE(store->load().error().code, ErrorCode::NotFound);
    }

    void everyControlHasAName()
    {
        UiReplica replica;
        replica.signInAs(Role::Creator);
        Console console(replica);
        // Both pages: before pairing, and once paired.
        QStringList missing = unnamed(child<QWidget>(console.panel, "notPairedPage"));
        missing += unnamed(child<QWidget>(console.panel, "pairedPage"));
        ConnectDialog *dialog = console.panel.openConnectDialog();
        QVERIFY(dialog);
        missing += unnamed(dialog);
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(u'\n')));
        dialog->reject();
    }
};

QTEST_MAIN(TestSyncPanel)
#include "tst_syncpanel.moc"
