// SPDX-License-Identifier: MIT
#include "app/console/consoleapp.h"

#include "app/console/consoleshots.h"
#include "app/host/hostconfig.h"
#include "app/host/servicehost.h"
#include "backend/config/config.h"
#include "backend/events/eventbus.h"
#include "backend/observability/logger.h"
#include "backend/observability/metrics.h"
#include "services/user/userservice.h"
#include "sync/remote.h"
#include "ui/core/servicegateway.h"
#include "ui/shell/mainwindow.h"
#include "ui/shell/signindialog.h"
#include "ui/shell/theme.h"
#include "ui/sync/synccontroller.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QMessageBox>
#include <QPointer>
#include <QSettings>
#include <QStandardPaths>
#include <spdlog/sinks/stdout_sinks.h>

namespace colophon {

namespace {

QElapsedTimer &processClock()
{
    static QElapsedTimer clock;
    return clock;
}

int failStart(const QString &message, bool interactive)
{
    std::fprintf(stderr, "colophon: %s\n", qPrintable(message));
    if (interactive && QGuiApplication::platformName() != QLatin1String("offscreen")) {
        QMessageBox::critical(nullptr, QObject::tr("Colophon cannot start"), message);
    }
    return 1;
}

// First start, sign-in, the main window, and back to sign-in on sign-out.
class ConsoleFlow final : public QObject
{
public:
    ConsoleFlow(ServiceGateway &gateway, SyncController &sync, QString settingsFile)
        : m_gateway(gateway), m_sync(sync), m_settingsFile(std::move(settingsFile))
    {
    }

    void start(const QString &asEmail)
    {
        if (!asEmail.isEmpty()) {
            auto actor = m_gateway.users().localActor(asEmail);
            auto user = actor ? m_gateway.users().me(*actor) : Result<User>(fail(actor.error()));
            if (!user) {
                std::fprintf(stderr, "colophon: --as %s: %s\n", qPrintable(asEmail),
                             qPrintable(user.error().message));
                QCoreApplication::exit(2);
                return;
            }
            m_gateway.setSignedIn(*user, *actor);
            showMain();
            return;
        }
        UserQuery any;
        any.limit = 1;
        any.includeDeleted = true;
        auto accounts = m_gateway.users().listUsers(Actor::system(), any);
        if (accounts && accounts->total == 0) {
            auto *welcome = new WelcomeDialog(m_gateway);
            welcome->setAttribute(Qt::WA_DeleteOnClose);
            connect(welcome, &QDialog::accepted, this, &ConsoleFlow::showMain);
            connect(welcome, &QDialog::rejected, qApp, &QCoreApplication::quit);
            welcome->show();
            return;
        }
        signIn();
    }

private:
    void signIn()
    {
        auto *dialog = new SignInDialog(m_gateway);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        QSettings settings(m_settingsFile, QSettings::IniFormat);
        const QString last = settings.value(QStringLiteral("session/lastEmail")).toString();
        if (!last.isEmpty()) {
            dialog->setEmail(last);
        }
        connect(dialog, &QDialog::accepted, this, &ConsoleFlow::showMain);
        connect(dialog, &QDialog::rejected, qApp, &QCoreApplication::quit);
        dialog->show();
    }

    void showMain()
    {
        QSettings(m_settingsFile, QSettings::IniFormat)
            .setValue(QStringLiteral("session/lastEmail"), m_gateway.user().email);
        auto *window = new MainWindow(m_gateway, m_settingsFile, m_sync);
        window->setAttribute(Qt::WA_DeleteOnClose);
        connect(window, &MainWindow::signOutRequested, this, [this] {
            m_signingOut = true;
            // The local session, also while the console acts as its server account.
            const Actor actor = m_sync.localActor().value_or(m_gateway.actor());
            m_gateway.run(
                this, [&users = m_gateway.users(), actor] { return users.logout(actor); },
                [](Result<void>) {});
            m_gateway.signOut();
            signIn();
        });
        connect(window, &QObject::destroyed, this, [this] {
            if (!m_signingOut) {
                QCoreApplication::quit();
            }
            m_signingOut = false;
        });
        window->show();
    }

    ServiceGateway &m_gateway;
    SyncController &m_sync;
    QString m_settingsFile;
    bool m_signingOut = false;
};

} // namespace

void markProcessStart()
{
    processClock().start();
}

qint64 msSinceProcessStart()
{
    return processClock().isValid() ? processClock().elapsed() : -1;
}

int runConsole(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QObject::tr("Colophon's desktop console: author content offline and administer the "
                    "platform, over a local replica."));
    parser.addHelpOption();
    parser.addVersionOption();
    const CommonOptions common =
        addCommonOptions(parser, QObject::tr("Log level on stderr (default: warn)."));
    const QCommandLineOption screenshots(
        QStringLiteral("screenshots"),
        QObject::tr("Render each main view to PNG files in DIR and exit."), QStringLiteral("DIR"));
    const QCommandLineOption probe(
        QStringLiteral("probe-startup"),
        QObject::tr("Print the time to the first painted list and to a filtered one, and the "
                    "peak memory, as JSON; then exit (needs --as)."));
    const QCommandLineOption as(
        QStringLiteral("as"),
        QObject::tr("Act as this local user without signing in, as colophonctl --as does."),
        QStringLiteral("EMAIL"));
    parser.addOptions({screenshots, probe, as});
    if (!parser.parse(arguments)) {
        return failStart(parser.errorText(), false);
    }
    if (parser.isSet(QStringLiteral("help"))) {
        parser.showHelp(0);
    }
    if (parser.isSet(QStringLiteral("version"))) {
        parser.showVersion();
    }
    if (parser.isSet(probe) && !parser.isSet(as)) {
        return failStart(QObject::tr("--probe-startup needs --as EMAIL"), false);
    }

    std::vector<std::pair<QString, QString>> extra{
        {QStringLiteral("log_level"), QStringLiteral("warn")}};
    // A desktop program keeps its replica in the user's data folder unless told.
    if (!parser.isSet(common.data) && qEnvironmentVariableIsEmpty("COLOPHON_DATA_DIR")) {
        extra.emplace_back(QStringLiteral("data_dir"),
                           QStandardPaths::writableLocation(QStandardPaths::AppDataLocation));
    }
    Config config;
    const auto level = loadHostConfig(config, parser, common, extra);
    if (!level) {
        return failStart(level.error().message, true);
    }
    Logger logger("colophon", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger.setLevel(*level);
    MetricsRegistry metrics;
    auto host = ServiceHost::open(HostRole::Desktop, config, logger, metrics);
    if (!host) {
        return failStart(QObject::tr("cannot open the replica: %1").arg(host.error().message),
                         true);
    }
    (*host)->eventBus()->start();

    rememberSystemPalette();
    applyTheme(ThemeMode::System);
    ConsoleServices services{&(*host)->database(), (*host)->eventLog(), (*host)->eventBus(),
                             (*host)->users(),     (*host)->content(),  (*host)->dataDir()};
    int status = 0;
    {
        ServiceGateway gateway(services);
        // A paired replica leaves schedules to the server's scheduler: a
        // schedule event made here would name no one and be refused.
        if (!sync::Remote::isPaired((*host)->dataDir())) {
            gateway.startScheduler();
        }
        SyncController syncController(gateway, (*host)->replication());
        const QString settingsFile =
            QDir((*host)->dataDir()).filePath(QStringLiteral("console.ini"));
        if (parser.isSet(screenshots)) {
            status = renderScreenshots(gateway, syncController, settingsFile,
                                       parser.value(screenshots), parser.value(as));
        } else if (parser.isSet(probe)) {
            status = probeStartup(gateway, settingsFile, parser.value(as));
        } else {
            QApplication::setQuitOnLastWindowClosed(false);
            ConsoleFlow flow(gateway, syncController, settingsFile);
            syncController.start();
            QMetaObject::invokeMethod(
                &flow, [&flow, email = parser.value(as)] { flow.start(email); },
                Qt::QueuedConnection);
            status = QApplication::exec();
        }
        gateway.waitForIdle(5000);
    }
    return status;
}

} // namespace colophon
