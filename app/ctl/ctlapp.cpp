// SPDX-License-Identifier: MIT
#include "app/ctl/ctlapp.h"

#include "app/host/hostconfig.h"
#include "app/host/servicehost.h"
#include "backend/config/config.h"
#include "backend/observability/logger.h"
#include "backend/observability/metrics.h"

#include <QCommandLineParser>
#include <cstdio>
#include <spdlog/sinks/stdout_sinks.h>

namespace colophon {

namespace {

constexpr int kFailure = 1;
constexpr int kUsage = 2;

int failWith(const QString &message, int code = kFailure)
{
    std::fprintf(stderr, "colophonctl: %s\n", qPrintable(message));
    return code;
}

nlohmann::json versionsJson(const QMap<QString, int> &versions)
{
    nlohmann::json out = nlohmann::json::object();
    for (auto it = versions.cbegin(); it != versions.cend(); ++it) {
        out[it.key().toStdString()] = it.value();
    }
    return out;
}

void printJson(const nlohmann::json &j)
{
    std::printf("%s\n", j.dump().c_str());
    std::fflush(stdout);
}

// The host was opened in Migrate mode, which applied what was pending.
int commandMigrate(const ServiceHost &host)
{
    const MigrationReport &report = host.openingMigration();
    printJson({{"applied", report.applied}, {"versions", versionsJson(report.versions)}});
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
    parser.setApplicationDescription(QStringLiteral(
        "Colophon's command-line client.\n\nCommands:\n"
        "  migrate   create the replica if needed and apply pending schema migrations\n"
        "  status    schema version, event count and replica id of a replica"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataOption(QStringLiteral("data"),
                                        QStringLiteral("Data folder of the replica."),
                                        QStringLiteral("DIR"));
    const QCommandLineOption configOption(QStringLiteral("config"),
                                          QStringLiteral("A JSON configuration file."),
                                          QStringLiteral("FILE"));
    const QCommandLineOption logLevelOption(
        QStringLiteral("log-level"),
        QStringLiteral("Log level for messages on stderr (default warn)."),
        QStringLiteral("LEVEL"));
    parser.addOptions({dataOption, configOption, logLevelOption});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("migrate | status"));
    parser.process(arguments);

    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty()) {
        return failWith(QStringLiteral("no command given (migrate, status); see --help"), kUsage);
    }
    const QString command = positional.first();
    if (command != QLatin1String("migrate") && command != QLatin1String("status")) {
        return failWith(QStringLiteral("unknown command '%1' (migrate, status)").arg(command),
                        kUsage);
    }
    if (positional.size() > 1) {
        return failWith(QStringLiteral("unexpected argument '%1'").arg(positional.at(1)), kUsage);
    }

    Config config;
    defineHostConfig(config);
    std::vector<std::pair<QString, QString>> commandLine;
    if (parser.isSet(dataOption)) {
        commandLine.emplace_back(QStringLiteral("data_dir"), parser.value(dataOption));
    }
    commandLine.emplace_back(QStringLiteral("log_level"), parser.isSet(logLevelOption)
                                                              ? parser.value(logLevelOption)
                                                              : QStringLiteral("warn"));
    if (auto loaded = loadConfigLayers(config, parser.value(configOption), commandLine); !loaded) {
        return failWith(loaded.error().message, kUsage);
    }
    const auto level = parseLogLevel(config.string(QStringLiteral("log_level")).toStdString());
    if (!level) {
        return failWith(QStringLiteral("unknown log level '%1'")
                            .arg(config.string(QStringLiteral("log_level"))),
                        kUsage);
    }

    // stdout carries the command's data; logs go to stderr.
    Logger logger("colophonctl", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger.setLevel(*level);
    MetricsRegistry metrics;
    const auto mode = command == QLatin1String("status") ? ServiceHost::OpenMode::Inspect
                                                         : ServiceHost::OpenMode::Migrate;
    auto host = ServiceHost::open(HostRole::Tool, config, logger, metrics, mode);
    if (!host) {
        return failWith(host.error().message);
    }
    if (command == QLatin1String("migrate")) {
        return commandMigrate(**host);
    }
    return commandStatus(**host);
}

} // namespace colophon
