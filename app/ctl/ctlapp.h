// SPDX-License-Identifier: MIT
// colophonctl: commands over a local replica. Data goes to stdout as JSON
// (an object, or JSON Lines for lists); errors go to stderr with a non-zero
// exit: 1 for a failure, 2 for a usage error.
#pragma once

#include <QStringList>

namespace colophon {

int runCtl(const QStringList &arguments);

} // namespace colophon
