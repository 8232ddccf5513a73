// SPDX-License-Identifier: MIT
#include "app/ctl/ctlapp.h"

#include "app/ctl/ctlcommon.h"
#include "app/ctl/ctlcontent.h"
#include "app/ctl/ctlsync.h"
#include "app/host/hostconfig.h"
#include "app/host/servicehost.h"
#include "backend/config/config.h"
#include "backend/observability/logger.h"
#include "backend/observability/metrics.h"
#include "services/user/userservice.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <cstdio>
#include <spdlog/sinks/stdout_sinks.h>

namespace colophon {

namespace {

using ctl::failWith;
using ctl::kFailure;
using ctl::kUsage;
using ctl::printJson;
using ctl::readPassword;

nlohmann::json versionsJson(const QMap<QString, int> &versions)
{
    nlohmann::json out = nlohmann::json::object();
    for (auto it = versions.cbegin(); it != versions.cend(); ++it) {
        out[it.key().toStdString()] = it.value();
    }
    return out;
}

// The host was opened in Migrate mode, which applied what was pending.
int commandMigrate(const ServiceHost &host)
{
    const MigrationReport &report = host.openingMigration();
    printJson({{"applied", report.applied}, {"versions", versionsJson(report.versions)}});
    return 0;
}

int commandUserCreate(ServiceHost &host, const QCommandLineParser &parser)
{
    for (const char *required : {"email", "first-name", "last-name"}) {
        if (!parser.isSet(QLatin1String(required))) {
            return failWith(QStringLiteral("user create needs --%1").arg(QLatin1String(required)),
                            kUsage);
        }
    }
    const QString roleText = parser.isSet(QStringLiteral("role"))
                                 ? parser.value(QStringLiteral("role"))
                                 : QStringLiteral("consumer");
    const auto role = parseRole(roleText);
    if (!role) {
        return failWith(
            QStringLiteral("unknown role '%1' (admin, editor, creator, consumer)").arg(roleText),
            kUsage);
    }
    auto password = readPassword(parser.value(QStringLiteral("password-file")),
                                 parser.isSet(QStringLiteral("password-stdin")));
    if (!password) {
        return failWith(password.error().message, kUsage);
    }
    // The command line acts as the system: whoever can write the data folder
    // already holds the replica.
    auto user = host.users()->createUser(Actor::system(),
                                         {parser.value(QStringLiteral("email")), *password,
                                          parser.value(QStringLiteral("first-name")),
                                          parser.value(QStringLiteral("last-name")), *role});
    if (!user) {
        const QString field = user.error().field.isEmpty()
                                  ? QString()
                                  : QStringLiteral(" (%1)").arg(user.error().field);
        return failWith(user.error().message + field);
    }
    printJson(user->toJson());
    return 0;
}

int commandStatus(ServiceHost &host)
{
    auto status = host.status();
    if (!status) {
        return failWith(status.error().message);
    }
    int schemaVersion = 0;
    for (int v : status->schemaVersions) {
        schemaVersion += v;
    }
    printJson({{"dataDir", status->dataDir.toStdString()},
               {"database", status->databasePath.toStdString()},
               {"replicaId", status->replicaId.isEmpty()
                                 ? nlohmann::json(nullptr)
                                 : nlohmann::json(status->replicaId.toStdString())},
               {"schemaVersion", schemaVersion},
               {"schema", versionsJson(status->schemaVersions)},
               {"schemaKnown", versionsJson(status->knownVersions)},
               {"schemaUpToDate", status->upToDate},
               {"eventCount", status->eventCount}});
    return 0;
}

} // namespace

int runCtl(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral(
            "Colophon's command-line client.\n\nCommands:\n"
            "  migrate      create the replica if needed and apply pending schema migrations\n"
            "  status       schema version, event count and replica id of a replica\n"
            "  user create  create an account: --email --first-name --last-name [--role]\n"
            "               and --password-file FILE or --password-stdin\n") +
        ctl::contentUsage() + ctl::syncUsage());
    parser.addHelpOption();
    parser.addVersionOption();
    const CommonOptions common = addCommonOptions(
        parser, QStringLiteral("Log level for messages on stderr (default warn)."));
    for (const auto &[name, description, value] :
         {std::tuple{"email", "Account email (user create).", "EMAIL"},
          std::tuple{"first-name", "First name (user create).", "NAME"},
          std::tuple{"last-name", "Last name (user create).", "NAME"},
          std::tuple{"role", "admin, editor, creator or consumer (user create; default consumer).",
                     "ROLE"},
          std::tuple{"password-file", "Read the password from the first line of FILE.", "FILE"}}) {
        parser.addOption(QCommandLineOption(QLatin1String(name), QLatin1String(description),
                                            QLatin1String(value)));
    }
    parser.addOption(QCommandLineOption(
        QStringLiteral("password-stdin"),
        QStringLiteral("Read the password from the first line of standard input.")));
    ctl::addContentOptions(parser);
    ctl::addSyncOptions(parser);
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QStringLiteral("migrate | status | user create | content ..."));
    // parse(), not process(): a usage error must exit 2, as every other one does.
    if (!parser.parse(arguments)) {
        return failWith(parser.errorText(), kUsage);
    }
    if (parser.isSet(QStringLiteral("help"))) {
        parser.showHelp(0);
    }
    if (parser.isSet(QStringLiteral("version"))) {
        parser.showVersion();
    }

    const QStringList positional = parser.positionalArguments();
    const QString command = positional.join(QLatin1Char(' '));
    const bool content = !positional.isEmpty() && positional.front() == QLatin1String("content");
    if (command.isEmpty()) {
        return failWith(
            QStringLiteral("no command given (migrate, status, user create, content); see --help"),
            kUsage);
    }
    const bool syncing = ctl::isSyncCommand(positional);
    if (content) {
        if (auto usage = ctl::checkContentCommand(parser, positional.mid(1))) {
            return failWith(*usage, kUsage);
        }
    } else if (syncing) {
        if (auto usage = ctl::checkSyncCommand(parser, positional)) {
            return failWith(*usage, kUsage);
        }
    } else if (command != QLatin1String("migrate") && command != QLatin1String("status") &&
               command != QLatin1String("user create")) {
        return failWith(
            QStringLiteral("unknown command '%1' (migrate, status, user create, content)")
                .arg(command),
            kUsage);
    }

    Config config;
    // Quiet by default: stdout is for the command's data.
    const auto level = loadHostConfig(config, parser, common,
                                      {{QStringLiteral("log_level"), QStringLiteral("warn")}});
    if (!level) {
        return failWith(level.error().message, kUsage);
    }

    // stdout carries the command's data; logs go to stderr.
    Logger logger("colophonctl", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger.setLevel(*level);
    MetricsRegistry metrics;
    if (content) {
        // Content needs a replica with accounts: never make an empty one here.
        const QString dataDir =
            QFileInfo(config.string(QStringLiteral("data_dir"))).absoluteFilePath();
        if (!QFileInfo::exists(QDir(dataDir).filePath(QStringLiteral("colophon.db")))) {
            return failWith(QStringLiteral("no replica in %1 (run: colophonctl --data %1 migrate)")
                                .arg(dataDir));
        }
    }
    const auto mode = command == QLatin1String("status") ? ServiceHost::OpenMode::Inspect
                                                         : ServiceHost::OpenMode::Migrate;
    auto host = ServiceHost::open(HostRole::Tool, config, logger, metrics, mode);
    if (!host) {
        return failWith(host.error().message);
    }
    if (command == QLatin1String("migrate")) {
        return commandMigrate(**host);
    }
    if (command == QLatin1String("user create")) {
        return commandUserCreate(**host, parser);
    }
    if (content) {
        return ctl::runContentCommand(**host, parser, positional.mid(1));
    }
    if (syncing) {
        return ctl::runSyncCommand(**host, parser, positional);
    }
    return commandStatus(**host);
}

namespace ctl {

// The password comes from a file or standard input, never from argv, where
// other users of the machine could read it.
Result<QString> readPassword(const QString &file, bool fromStdin)
{
    if (fromStdin == !file.isEmpty()) {
        return fail(Error::invalid(
            QStringLiteral("give exactly one of --password-file FILE and --password-stdin")));
    }
    QFile in;
    if (fromStdin) {
        if (!in.open(stdin, QIODevice::ReadOnly)) {
            return fail(Error::invalid(QStringLiteral("cannot read standard input")));
        }
    } else {
        in.setFileName(file);
        if (!in.open(QIODevice::ReadOnly)) {
            return fail(
                Error::invalid(QStringLiteral("cannot read %1: %2").arg(file, in.errorString())));
        }
    }
    QString line = QString::fromUtf8(in.readLine());
    while (line.endsWith(QLatin1Char('\n')) || line.endsWith(QLatin1Char('\r'))) {
        line.chop(1);
    }
    return line;
}

} // namespace ctl

} // namespace colophon
