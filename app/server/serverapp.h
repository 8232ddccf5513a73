// SPDX-License-Identifier: MIT
// colophon-server's life: read the configuration, open the replica, serve
// HTTP, and on SIGTERM or SIGINT drain in-flight requests and exit 0.
#pragma once

#include <QStringList>

namespace colophon {

// Returns the process exit code.
int runServer(const QStringList &arguments);

} // namespace colophon
