// SPDX-License-Identifier: MIT
// Helper for tst_eventbus: applies a replica's events with a durable subscriber and dies with
// _exit(9) inside the handler of event N, after writing its effect and before the commit.
// Usage: eventbus_crasher <database> <subscriber> <N>
#include "backend/events/eventbus.h"
#include "backend/observability/logger.h"
#include "eventfixture.h"

#include <QCoreApplication>
#include <QTimer>
#include <cstdio>
#include <spdlog/sinks/ostream_sink.h>
#include <sstream>
#include <unistd.h>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc != 4) {
        std::fprintf(stderr, "usage: eventbus_crasher <database> <subscriber> <N>\n");
        return 2;
    }
    const QString path = QString::fromLocal8Bit(argv[1]);
    const QString subscriber = QString::fromLocal8Bit(argv[2]);
    const qint64 crashAt = QByteArray(argv[3]).toLongLong();

    auto replica = colophon::test::openReplica(path);
    if (!replica) {
        std::fprintf(stderr, "cannot open %s: %s\n", argv[1], qPrintable(replica.error().message));
        return 3;
    }
    std::ostringstream logText;
    colophon::Logger logger("eventbus_crasher",
                            std::make_shared<spdlog::sinks::ostream_sink_mt>(logText));
    colophon::EventBus bus(*replica->db, *replica->log, logger);
    bus.subscribeDurable(
        subscriber, &app,
        [&](colophon::Transaction &tx, const colophon::Event &e) -> colophon::Result<void> {
            if (auto done = colophon::test::recordEffect(tx, subscriber, e); !done) {
                return done;
            }
            if (e.localSeq == crashAt) {
                std::fflush(nullptr);
                _exit(9); // no rollback, no destructors: as if the power went
            }
            return {};
        });
    bus.start();
    // Event N never came: exit with a code the test reports.
    QTimer::singleShot(20'000, &app, [&app] { app.exit(4); });
    return app.exec();
}
