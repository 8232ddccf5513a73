// SPDX-License-Identifier: MIT
// colophonctl: see ctlapp.h.
#include "app/ctl/ctlapp.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("colophonctl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(COLOPHON_VERSION));
    return colophon::runCtl(QCoreApplication::arguments());
}
