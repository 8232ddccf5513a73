// SPDX-License-Identifier: MIT
// colophon: the desktop console; see consoleapp.h.
#include "app/console/consoleapp.h"

#include <QApplication>
#include <csignal>

int main(int argc, char *argv[])
{
    colophon::markProcessStart();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("colophon"));
    QApplication::setApplicationDisplayName(QStringLiteral("Colophon"));
    QApplication::setOrganizationName(QStringLiteral("Colophon"));
    QApplication::setApplicationVersion(QStringLiteral(COLOPHON_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("colophon"));
    return colophon::runConsole(QApplication::arguments());
}
