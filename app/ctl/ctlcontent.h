// SPDX-License-Identifier: MIT
// colophonctl content ...: items of the content service, acting as a user of
// the replica (--as EMAIL). See contentUsage() for the commands.
#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QStringList>
#include <optional>

namespace colophon {

class ServiceHost;

namespace ctl {

// The options of the content commands, on parser.
void addContentOptions(QCommandLineParser &parser);

// The help text's lines for the content commands.
QString contentUsage();

// A usage error in `content <args...>` (unknown command, wrong arguments, an
// option that does not apply, no --as), found before the replica is opened;
// nullopt when the command line is well formed.
std::optional<QString> checkContentCommand(const QCommandLineParser &parser,
                                           const QStringList &args);

// Runs a checked content command; returns the exit code.
int runContentCommand(ServiceHost &host, const QCommandLineParser &parser, const QStringList &args);

} // namespace ctl
} // namespace colophon
