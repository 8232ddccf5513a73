// SPDX-License-Identifier: MIT
// The console program: opens the local replica (--data DIR, by default in
// the user's application data folder), runs the first-start welcome or the
// sign-in, then the main window; signing out returns to the sign-in.
//
// Also, for documentation and measurement:
//   --screenshots OUT   renders each main view to OUT/*.png and exits (an
//                       empty replica gets demo accounts and content first);
//   --probe-startup     prints, as JSON, the time to the first painted list
//                       and to a filtered list, and the peak memory, then exits;
//   --as EMAIL          acts as that local user without a password, as
//                       colophonctl --as does (whoever can open the data
//                       folder can do this anyway); for the two above.
#pragma once

#include <QStringList>

namespace colophon {

// Call first thing in main(): the probe measures from here.
void markProcessStart();
// Milliseconds since markProcessStart().
qint64 msSinceProcessStart();

int runConsole(const QStringList &arguments);

} // namespace colophon
