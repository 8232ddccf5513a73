// SPDX-License-Identifier: MIT
// colophon-server: see serverapp.h.
#include "app/server/serverapp.h"

#include <QCoreApplication>
#include <csignal>
#include <pthread.h>

int main(int argc, char *argv[])
{
    // Block the stop signals before any thread starts, so every thread
    // inherits the mask and one thread receives them with sigwait().
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("colophon-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(COLOPHON_VERSION));
    return colophon::runServer(QCoreApplication::arguments());
}
