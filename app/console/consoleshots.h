// SPDX-License-Identifier: MIT
// The console's non-interactive modes: rendering its views to PNG files (for
// the README and docs/screenshots) and the start-up probe the bench runs.
#pragma once

#include <QString>

namespace colophon {

class ServiceGateway;
class SyncController;

// Renders the welcome and sign-in dialogs, every section of the main window
// (Sync as an unconnected console shows it) and the Connect dialog, light
// and dark, to outDir. An empty replica first gets demo accounts and demo
// content; otherwise asEmail names who to act as.
int renderScreenshots(ServiceGateway &gateway, SyncController &sync, const QString &settingsFile,
                      const QString &outDir, const QString &asEmail);

// Opens the main window as asEmail on the content list and prints one JSON
// line: firstPaintMs (from main() to the first painted page of the list;
// firstPaintEpochMs is that moment on the wall clock), filterMs (from choosing a status filter to
// the painted result), rows, filteredRows and peakRssKiB.
int probeStartup(ServiceGateway &gateway, const QString &settingsFile, const QString &asEmail);

} // namespace colophon
