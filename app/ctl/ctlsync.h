// SPDX-License-Identifier: MIT
// colophonctl's sync commands: pairing a replica with a server (remote add,
// show, remove) and syncing it (sync, sync --watch).
#pragma once

#include <QStringList>
#include <optional>

class QCommandLineParser;

namespace colophon {

class ServiceHost;

namespace ctl {

void addSyncOptions(QCommandLineParser &parser);
QString syncUsage();
// True for "remote ..." and "sync ..." command lines.
bool isSyncCommand(const QStringList &args);
// A usage error in a sync command line, found before the replica is opened.
std::optional<QString> checkSyncCommand(const QCommandLineParser &parser, const QStringList &args);
int runSyncCommand(ServiceHost &host, const QCommandLineParser &parser, const QStringList &args);

} // namespace ctl
} // namespace colophon
